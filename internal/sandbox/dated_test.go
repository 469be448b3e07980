package sandbox

// Tests of the dated surface against docs/quo-api-2026-03-30.md: the
// version header, the error body, parameters, filters, paging, cursors,
// the off switch, the shared rate limit, and the real dated client.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// getDated sends GET path with the version header (version "" sends none).
func getDated(t *testing.T, srv *httptest.Server, version, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "k")
	if version != "" {
		req.Header.Set("Quo-Api-Version", version)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, []byte(b.String())
}

// datedPage is a page of GET /calls, decoded.
type datedPage struct {
	Data       []client.DatedCall `json:"data"`
	NextCursor *string            `json:"nextCursor"`
}

// datedErr decodes a dated error body and fails unless it has the dated
// shape: title, message, docs, trace, and no numeric code or status.
func datedErr(t *testing.T, b []byte) errBody {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("error body %s: %v", b, err)
	}
	for _, k := range []string{"code", "status", "description"} {
		if _, ok := raw[k]; ok {
			t.Errorf("dated error body has %q: %s", k, b)
		}
	}
	var e errBody
	_ = json.Unmarshal(b, &e)
	if e.Title == "" || e.Message == "" || e.Docs == "" || e.Trace == "" {
		t.Errorf("dated error body lacks title, message, docs or trace: %s", b)
	}
	return e
}

func datedServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	return startServer(t, demo(t), opts)
}

func TestDatedVersionHeader(t *testing.T) {
	_, srv := datedServer(t, Options{})
	for _, path := range []string{"/calls", "/calls/ACx", "/calls/ACx/recordings", "/calls/ACx/transcripts", "/users", "/users/USx"} {
		status, _, b := getDated(t, srv, "", path)
		e := datedErr(t, b)
		if status != 400 || !strings.Contains(e.Message, "Quo-Api-Version") {
			t.Errorf("%s without the header: %d %s", path, status, b)
		}
	}
	status, _, b := getDated(t, srv, "2025-01-01", "/calls")
	if e := datedErr(t, b); status != 400 || !strings.Contains(e.Message, "2026-03-30") {
		t.Errorf("another version: %d %s", status, b)
	}
	if status, _, b := getDated(t, srv, "2026-03-30", "/calls"); status != 200 {
		t.Errorf("with the header: %d %s", status, b)
	}
	// v1 needs no header.
	if status, _, b := get(t, srv, "k", "/v1/phone-numbers"); status != 200 {
		t.Errorf("v1 without the header: %d %s", status, b)
	}
}

func TestDatedUnknownParameters(t *testing.T) {
	_, srv := datedServer(t, Options{})
	id := demo(t).Calls[0].ID
	for path, names := range map[string][]string{
		"/calls?userId=USx&maxResults=5":               {"maxResults", "userId"},
		"/calls?createdAt[gt]=2026-01-01T00:00:00Z":    {"createdAt[gt]"},
		"/calls/" + id + "?limit=3":                    {"limit"},
		"/calls/" + id + "/recordings?include=summary": {"include"},
		"/users?pageToken=x":                           {"pageToken"},
	} {
		status, _, b := getDated(t, srv, client.DatedAPIVersion, path)
		e := datedErr(t, b)
		if status != 400 || len(e.Errors) != len(names) {
			t.Errorf("%s: %d %s", path, status, b)
			continue
		}
		for i, n := range names {
			if !strings.Contains(e.Message, n) || e.Errors[i].Path != "/"+n {
				t.Errorf("%s: the error does not name %s: %s", path, n, b)
			}
		}
	}
}

func TestDatedValidation(t *testing.T) {
	_, srv := datedServer(t, Options{})
	for query, path := range map[string]string{
		"limit=0":                 "/limit",
		"limit=51":                "/limit",
		"limit=ten":               "/limit",
		"phoneNumberId=XX1":       "/phoneNumberId",
		"actorId=AB1":             "/actorId",
		"participant=12125550100": "/participant",
		"participant=%2B12125550100&participant=%2B12125550101":     "/participant",
		"participant[in]=%2B12125550100,212":                        "/participant[in]/1",
		"participant=%2B12125550100&participant[in]=%2B12125550101": "/participant[in]",
		"direction=sideways":                                        "/direction",
		"status=done":                                               "/status",
		"status[in]=missed,nope":                                    "/status[in]/1",
		"status=missed&status[in]=busy":                             "/status[in]",
		"createdAt[gte]=yesterday":                                  "/createdAt[gte]",
		"createdAt[lte]=2026-13-01T00:00:00Z":                       "/createdAt[lte]",
		"include=summary,transcript":                                "/include/1",
		"after=not-a-cursor":                                        "/after",
	} {
		status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls?"+query)
		e := datedErr(t, b)
		if status != 400 || len(e.Errors) == 0 || e.Errors[0].Path != path {
			t.Errorf("%s: %d %s, want a 400 on %s", query, status, b, path)
		}
	}
	status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls?phoneNumberId=PNnope")
	if datedErr(t, b); status != 403 {
		t.Errorf("unknown number: %d %s", status, b)
	}
	status, _, b = getDated(t, srv, client.DatedAPIVersion, "/calls/XY1")
	if datedErr(t, b); status != 400 {
		t.Errorf("bad call id: %d %s", status, b)
	}
	for _, path := range []string{"/calls/ACnope", "/calls/ACnope/transcripts", "/calls/ACnope/recordings", "/users/USnope", "/calls/ACx/notes"} {
		status, _, b = getDated(t, srv, client.DatedAPIVersion, path)
		if datedErr(t, b); status != 404 {
			t.Errorf("%s: %d %s", path, status, b)
		}
	}
}

func TestDatedLimits(t *testing.T) {
	_, srv := datedServer(t, Options{})
	for query, want := range map[string]int{"": 10, "limit=1": 1, "limit=50": 50} {
		status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls?"+query)
		var p datedPage
		if err := json.Unmarshal(b, &p); status != 200 || err != nil || len(p.Data) != want || p.NextCursor == nil {
			t.Errorf("%q: %d, %d calls, cursor %v", query, status, len(p.Data), p.NextCursor)
		}
	}
	// A page answer has data and nextCursor only: no totalItems.
	_, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls?limit=1")
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(b, &raw)
	if len(raw) != 2 || raw["data"] == nil || raw["nextCursor"] == nil {
		t.Errorf("page keys: %s", b)
	}
}

// wantDated is every call the dated surface should list, newest first,
// computed from the workspace alone: its v1 calls and its dated calls.
type modelCall struct {
	id, pn, other, direction, status string
	actors                           []string
	at                               time.Time
}

func model(ws *Workspace) []modelCall {
	var out []modelCall
	for _, c := range ws.Calls {
		actors := []string{c.UserID}
		if c.AnsweredBy != nil {
			actors = append(actors, *c.AnsweredBy)
		}
		if c.InitiatedBy != nil {
			actors = append(actors, *c.InitiatedBy)
		}
		out = append(out, modelCall{c.ID, c.PhoneNumberID, other(c), c.Direction, c.Status, actors, c.CreatedAt})
	}
	for _, c := range ws.DatedCalls {
		m := modelCall{id: c.ID, pn: *c.PhoneNumberID, direction: c.Direction, status: c.Status, actors: []string{c.ActorID}, at: c.CreatedAt}
		for _, p := range c.Participants {
			if p.ActorID != nil {
				m.actors = append(m.actors, *p.ActorID)
			} else if m.other == "" {
				m.other = p.PhoneNumber
			}
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b modelCall) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	return out
}

func ids(calls []client.DatedCall) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.ID
	}
	return out
}

// listAll walks GET /calls?query with limit 50 and returns every call and
// the number of pages.
func listAll(t *testing.T, srv *httptest.Server, query string) ([]client.DatedCall, int) {
	t.Helper()
	var all []client.DatedCall
	after := ""
	for pages := 1; ; pages++ {
		q := "/calls?limit=50&" + query
		if after != "" {
			q += "&after=" + url.QueryEscape(after)
		}
		status, _, b := getDated(t, srv, client.DatedAPIVersion, q)
		var p datedPage
		if err := json.Unmarshal(b, &p); status != 200 || err != nil {
			t.Fatalf("%s: %d %s", q, status, b)
		}
		all = append(all, p.Data...)
		if p.NextCursor == nil {
			return all, pages
		}
		after = *p.NextCursor
		if pages > 200 {
			t.Fatal("more than 200 pages")
		}
	}
}

func TestDatedFilters(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	m := model(ws)
	pn, participant, _ := aPair(t, ws)
	second := ws.Calls[7]
	at := ws.Calls[100].CreatedAt // a bound exactly on a call: inclusive
	lo, hi := testNow.Add(-72*time.Hour), testNow.Add(-24*time.Hour)
	has := func(list []string, s string) bool { return slices.Contains(list, s) }
	for _, tc := range []struct {
		query string
		keep  func(modelCall) bool
	}{
		{"", func(modelCall) bool { return true }},
		{"phoneNumberId=" + DemoSupportID, func(c modelCall) bool { return c.pn == DemoSupportID }},
		{"actorId=USjL4kW9Pz", func(c modelCall) bool { return has(c.actors, "USjL4kW9Pz") }},
		{"actorId=" + DemoAIAgentID, func(c modelCall) bool { return has(c.actors, DemoAIAgentID) }},
		{"participant=" + url.QueryEscape(participant), func(c modelCall) bool { return c.other == participant }},
		{"participant[in]=" + url.QueryEscape(participant+","+other(second)),
			func(c modelCall) bool { return c.other == participant || c.other == other(second) }},
		{"phoneNumberId=" + pn + "&participant=" + url.QueryEscape(participant),
			func(c modelCall) bool { return c.pn == pn && c.other == participant }},
		{"direction=outgoing", func(c modelCall) bool { return c.direction == "outgoing" }},
		{"status=missed", func(c modelCall) bool { return c.status == "missed" }},
		{"status[in]=missed,no-answer", func(c modelCall) bool { return c.status == "missed" || c.status == "no-answer" }},
		{"createdAt[gte]=" + url.QueryEscape(fmtTime(at)), func(c modelCall) bool { return !c.at.Before(at) }},
		{"createdAt[lte]=" + url.QueryEscape(fmtTime(at)), func(c modelCall) bool { return !c.at.After(at) }},
		{"createdAt[gte]=" + url.QueryEscape(fmtTime(at)) + "&createdAt[lte]=" + url.QueryEscape(fmtTime(at)),
			func(c modelCall) bool { return c.at.Equal(at) }},
		{"createdAt[gte]=" + url.QueryEscape(fmtTime(lo)) + "&createdAt[lte]=" + url.QueryEscape(fmtTime(hi)) + "&direction=incoming&status[in]=completed,missed",
			func(c modelCall) bool {
				return !c.at.Before(lo) && !c.at.After(hi) && c.direction == "incoming" && (c.status == "completed" || c.status == "missed")
			}},
	} {
		var want []string
		for _, c := range m {
			if tc.keep(c) {
				want = append(want, c.id)
			}
		}
		got, _ := listAll(t, srv, tc.query)
		if len(want) == 0 || !slices.Equal(ids(got), want) {
			t.Errorf("%q: %d calls, want %d", tc.query, len(got), len(want))
		}
	}
	// The inclusive bound keeps the call it names.
	got, _ := listAll(t, srv, "createdAt[gte]="+url.QueryEscape(fmtTime(at))+"&createdAt[lte]="+url.QueryEscape(fmtTime(at)))
	if !slices.Contains(ids(got), ws.Calls[100].ID) {
		t.Errorf("createdAt[gte]=createdAt[lte]=the call's time does not list it")
	}
}

func TestDatedPagingNewestFirst(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	got, pages := listAll(t, srv, "")
	if n := len(ws.Calls) + len(ws.DatedCalls); len(got) != n || pages != (n+49)/50 {
		t.Fatalf("%d calls in %d pages, want %d", len(got), pages, n)
	}
	seen := map[string]bool{}
	for i, c := range got {
		if seen[c.ID] {
			t.Fatalf("call %s listed twice", c.ID)
		}
		seen[c.ID] = true
		if i > 0 && (c.CreatedAt.After(got[i-1].CreatedAt) || (c.CreatedAt.Equal(got[i-1].CreatedAt) && c.ID > got[i-1].ID)) {
			t.Fatalf("call %d (%s) is newer than the one before", i, c.ID)
		}
	}
}

// clock is a settable clock for cursor expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestDatedCursors(t *testing.T) {
	clk := &clock{t: testNow}
	_, srv := datedServer(t, Options{CursorTTL: time.Minute, Now: clk.now})
	page := func(query string) (int, datedPage, []byte) {
		status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls?"+query)
		var p datedPage
		_ = json.Unmarshal(b, &p)
		return status, p, b
	}
	_, first, _ := page("limit=5")
	cur := url.QueryEscape(*first.NextCursor)
	clk.add(59 * time.Second)
	if status, p, b := page("limit=5&after=" + cur); status != 200 || len(p.Data) != 5 || p.Data[0].ID == first.Data[0].ID {
		t.Fatalf("a fresh cursor: %d %s", status, b)
	}
	// The page size may change between pages; the filters may not.
	if status, _, b := page("limit=7&after=" + cur); status != 200 {
		t.Errorf("another limit: %d %s", status, b)
	}
	if status, _, b := page("limit=5&direction=incoming&after=" + cur); status != 400 || !strings.Contains(datedErr(t, b).Message, "Invalid cursor") {
		t.Errorf("a cursor of another query: %d %s", status, b)
	}
	c := []byte(*first.NextCursor)
	c[2] ^= 1
	if status, _, b := page("after=" + url.QueryEscape(string(c))); status != 400 {
		t.Errorf("a tampered cursor: %d %s", status, b)
	}
	clk.add(2 * time.Second)
	status, _, b := page("limit=5&after=" + cur)
	if e := datedErr(t, b); status != 400 || !strings.Contains(e.Message, "expired") || e.Errors[0].Path != "/after" {
		t.Errorf("an expired cursor: %d %s", status, b)
	}
	// The default lifetime is a few minutes.
	clk2 := &clock{t: testNow}
	_, srv2 := datedServer(t, Options{Now: clk2.now})
	_, _, b = getDated(t, srv2, client.DatedAPIVersion, "/users?limit=2")
	var up client.DatedUserPage
	_ = json.Unmarshal(b, &up)
	clk2.add(4 * time.Minute)
	if status, _, b := getDated(t, srv2, client.DatedAPIVersion, "/users?limit=2&after="+url.QueryEscape(up.NextToken())); status != 200 {
		t.Errorf("a 4-minute-old cursor: %d %s", status, b)
	}
	clk2.add(2 * time.Minute)
	if status, _, b := getDated(t, srv2, client.DatedAPIVersion, "/users?limit=2&after="+url.QueryEscape(up.NextToken())); status != 400 {
		t.Errorf("a 6-minute-old cursor: %d %s", status, b)
	}
}

func TestDatedOff(t *testing.T) {
	_, srv := datedServer(t, Options{DatedOff: true})
	for _, path := range []string{"/calls", "/calls/" + demo(t).Calls[0].ID, "/users"} {
		status, _, b := getDated(t, srv, client.DatedAPIVersion, path)
		var e errBody
		_ = json.Unmarshal(b, &e)
		if status != 404 || e.Code != "0000404" || e.Status != 404 {
			t.Errorf("%s with the dated surface off: %d %s, want v1's 404", path, status, b)
		}
	}
	if status, _, b := get(t, srv, "k", "/v1/calls/"+demo(t).Calls[0].ID); status != 200 {
		t.Errorf("v1 with the dated surface off: %d %s", status, b)
	}
	s := New(demo(t), Options{DatedOff: true})
	_, err := newClient(t, s, "").ListDatedCalls(context.Background(), client.ListDatedCallsParams{})
	if !client.IsStatus(err, 404) {
		t.Errorf("the client over the dated surface off: %v", err)
	}
}

func TestDatedRateLimitShared(t *testing.T) {
	// Burst 1, a token every 100 s: the second request of a key is over
	// the budget however slow the machine.
	s, srv := datedServer(t, Options{RateLimit: 0.01})
	if status, _, _ := get(t, srv, "k", "/v1/phone-numbers"); status != 200 {
		t.Fatalf("first v1 request: %d", status)
	}
	status, hdr, b := getDated(t, srv, client.DatedAPIVersion, "/calls")
	if e := datedErr(t, b); status != 429 || hdr.Get("Retry-After") == "" || e.Title != "Too Many Requests" {
		t.Errorf("a dated request after v1 spent the budget: %d %q %s", status, hdr.Get("Retry-After"), b)
	}
	if ra, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", hdr.Get("Retry-After"))
	}
	if status, _, _ := get(t, srv, "k", "/v1/phone-numbers"); status != 429 {
		t.Errorf("v1 after: %d", status)
	}
	if s.Throttled() != 2 {
		t.Errorf("Throttled = %d, want 2", s.Throttled())
	}
}

func TestDatedGroupAndAgentCalls(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	groups, agents := 0, 0
	for _, c := range ws.DatedCalls {
		switch {
		case len(c.Participants) >= 3:
			groups++
		case strings.HasPrefix(c.ActorID, "SYU") && c.AIHandled != nil:
			agents++
		default:
			t.Errorf("dated call %s is neither a group call nor the AI agent's", c.ID)
		}
		// On the dated surface, by id and in the list of its party.
		if status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+c.ID); status != 200 {
			t.Errorf("GET /calls/%s: %d %s", c.ID, status, b)
		}
		// Never on v1: not by id, not in the calls of its parties.
		if status, _, _ := get(t, srv, "k", "/v1/calls/"+c.ID); status != 404 {
			t.Errorf("GET /v1/calls/%s: %d", c.ID, status)
		}
		for _, p := range c.Participants {
			if p.ActorID != nil {
				continue
			}
			_, _, b := get(t, srv, "k", "/v1/calls?maxResults=100&phoneNumberId="+*c.PhoneNumberID+"&participants="+url.QueryEscape(p.PhoneNumber))
			if strings.Contains(string(b), c.ID) {
				t.Errorf("v1 lists dated-only call %s", c.ID)
			}
		}
	}
	if groups < 5 || agents < 5 {
		t.Errorf("%d group calls, %d AI agent calls", groups, agents)
	}
	// participant= matches a group call's own other party, not one added.
	var g client.DatedCall
	for _, c := range ws.DatedCalls {
		if len(c.Participants) >= 3 {
			g = c
			break
		}
	}
	var outside []string
	for _, p := range g.Participants {
		if p.ActorID == nil {
			outside = append(outside, p.PhoneNumber)
		}
	}
	first, _ := listAll(t, srv, "participant="+url.QueryEscape(outside[0]))
	added, _ := listAll(t, srv, "participant="+url.QueryEscape(outside[1]))
	if !slices.Contains(ids(first), g.ID) || slices.Contains(ids(added), g.ID) {
		t.Errorf("group call %s: participant matches %v", g.ID, outside)
	}
}

func TestDatedInclude(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	// Without include: no summary and no voicemail key at all.
	_, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls?limit=50")
	if strings.Contains(string(b), `"summary"`) || strings.Contains(string(b), `"voicemail"`) {
		t.Errorf("a page without include has content: %.300s", b)
	}
	all, _ := listAll(t, srv, "include=summary,voicemail")
	voicemails := 0
	for _, c := range all {
		if c.Summary == nil {
			t.Fatalf("call %s has no summary with include=summary", c.ID)
		}
		_, has := ws.Voicemails[c.ID]
		if (c.Voicemail != nil) != has {
			t.Fatalf("call %s: voicemail %v, workspace has one: %v", c.ID, c.Voicemail, has)
		}
		if c.Voicemail != nil {
			voicemails++
			if c.Status != "missed" || !strings.HasPrefix(c.Voicemail.ID, "VM") {
				t.Errorf("call %s: voicemail %+v on a %s call", c.ID, c.Voicemail, c.Status)
			}
		}
		s := c.Summary
		switch {
		case s.Status != client.StatusCompleted:
			if s.Type != nil || s.Summary != nil {
				t.Errorf("call %s: a %s summary with content", c.ID, s.Status)
			}
		case c.AIHandled != nil:
			if *s.Type != client.SummaryTypeAgent || s.NextSteps != nil {
				t.Errorf("AI call %s: summary %+v", c.ID, s)
			}
		default:
			if *s.Type != client.SummaryTypeHuman || len(s.Summary) == 0 || s.Jobs != nil || s.Title != nil {
				t.Errorf("call %s: summary %+v", c.ID, s)
			}
		}
	}
	if voicemails < 50 {
		t.Errorf("%d voicemails", voicemails)
	}
	onlyVM, _ := listAll(t, srv, "include=voicemail&status=missed")
	for _, c := range onlyVM {
		if c.Summary != nil {
			t.Fatalf("include=voicemail sent a summary on %s", c.ID)
		}
	}
	// By id, with the agent's title.
	agent := ws.DatedCalls[len(ws.DatedCalls)-1]
	status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+agent.ID+"?include=summary")
	var one struct{ Data client.DatedCall }
	if err := json.Unmarshal(b, &one); status != 200 || err != nil || one.Data.Summary == nil || one.Data.Summary.Title == nil ||
		*one.Data.Summary.Type != client.SummaryTypeAgent || one.Data.Voicemail != nil {
		t.Errorf("agent call by id: %d %s", status, b)
	}
}

func TestDatedRecordingsAndTranscripts(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	// A v1 call recorded in two segments, transcribed.
	var id string
	for cid, recs := range ws.Recordings {
		if tr, ok := ws.Transcripts[cid]; ok && len(recs) == 2 && tr.Status == client.StatusCompleted && (id == "" || cid < id) {
			id = cid
		}
	}
	if id == "" {
		t.Fatal("no call with two recordings and a transcript")
	}
	var recs []client.CallRecording
	var trs []client.DatedTranscript
	for _, what := range []string{"recordings", "transcripts"} {
		after := ""
		for pages := 0; ; pages++ {
			q := "/calls/" + id + "/" + what + "?limit=1"
			if after != "" {
				q += "&after=" + url.QueryEscape(after)
			}
			status, _, b := getDated(t, srv, client.DatedAPIVersion, q)
			var p struct {
				Data       json.RawMessage
				NextCursor *string
			}
			if err := json.Unmarshal(b, &p); status != 200 || err != nil || pages > 2 {
				t.Fatalf("%s: %d %s", q, status, b)
			}
			if what == "recordings" {
				var d []client.CallRecording
				_ = json.Unmarshal(p.Data, &d)
				recs = append(recs, d...)
			} else {
				var d []client.DatedTranscript
				_ = json.Unmarshal(p.Data, &d)
				trs = append(trs, d...)
			}
			if p.NextCursor == nil {
				break
			}
			after = *p.NextCursor
		}
	}
	if len(recs) != 2 || len(trs) != 2 || !recs[0].StartTime.Before(*recs[1].StartTime) {
		t.Fatalf("%d recordings, %d transcripts", len(recs), len(trs))
	}
	v1 := ws.Transcripts[id]
	offset := recs[1].StartTime.Sub(*recs[0].StartTime).Seconds()
	var lines []string
	for k, tr := range trs {
		if tr.RecordingID != recs[k].ID || !tr.StartTime.Equal(*recs[k].StartTime) || tr.Status != client.StatusCompleted {
			t.Errorf("transcript %d: %+v, recording %+v", k, tr, recs[k])
		}
		for _, d := range tr.Dialogue {
			lines = append(lines, d.Content)
			if d.Start < 0 {
				t.Errorf("segment %d: a line starts at %.2f", k, d.Start)
			}
		}
	}
	var want []string
	for _, d := range v1.Dialogue {
		want = append(want, d.Content)
	}
	if !slices.Equal(lines, want) || len(trs[1].Dialogue) == 0 {
		t.Fatalf("the segments' lines are not the call's: %d of %d", len(lines), len(want))
	}
	// The second segment counts from its own start.
	firstOf2 := v1.Dialogue[len(trs[0].Dialogue)]
	if got := trs[1].Dialogue[0].Start; got != round2(firstOf2.Start-offset) {
		t.Errorf("second segment's first line starts at %.2f, want %.2f", got, firstOf2.Start-offset)
	}
	// A dated-only call has its own.
	g := ws.DatedCalls[0]
	_, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+g.ID+"/transcripts")
	var p client.DatedTranscriptPage
	if err := json.Unmarshal(b, &p); err != nil || len(p.Data) != 1 || len(p.Data[0].Dialogue) == 0 {
		t.Errorf("group call transcripts: %s", b)
	}
	// A call with no recording has none: an empty page, not an error.
	for _, c := range ws.Calls {
		if len(ws.Recordings[c.ID]) == 0 {
			status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+c.ID+"/transcripts")
			if status != 200 || string(b) != `{"data":[],"nextCursor":null}` {
				t.Errorf("a call without recordings: %d %s", status, b)
			}
			break
		}
	}
}

func TestUsersAndVoicemails(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	status, _, b := getDated(t, srv, client.DatedAPIVersion, "/users?limit=4")
	var p client.DatedUserPage
	if err := json.Unmarshal(b, &p); status != 200 || err != nil || len(p.Data) != 4 || p.NextCursor == nil {
		t.Fatalf("GET /users?limit=4: %d %s", status, b)
	}
	_, _, b = getDated(t, srv, client.DatedAPIVersion, "/users?limit=4&after="+url.QueryEscape(*p.NextCursor))
	var p2 client.DatedUserPage
	if err := json.Unmarshal(b, &p2); err != nil || len(p2.Data) != 2 || p2.NextCursor != nil || p2.Data[1].ID != ws.Users[5].ID {
		t.Errorf("second page of users: %s", b)
	}
	if status, _, _ := getDated(t, srv, client.DatedAPIVersion, "/users/"+DemoOwnerID); status != 200 {
		t.Errorf("GET /users/{id}: %d", status)
	}
	for path, want := range map[string]int{
		"/v1/users?maxResults=51": 400, "/v1/users?maxResults=0": 400, "/v1/users?pageToken=zz": 400,
		"/v1/users/" + DemoOwnerID: 200, "/v1/users/USnope": 404, "/v1/users/XX": 400,
	} {
		if status, _, b := get(t, srv, "k", path); status != want {
			t.Errorf("%s: %d %s, want %d", path, status, b, want)
		}
	}
	var vmCall, plain string
	for _, c := range ws.Calls {
		if _, ok := ws.Voicemails[c.ID]; ok && vmCall == "" {
			vmCall = c.ID
		} else if !ok && plain == "" {
			plain = c.ID
		}
	}
	status, _, b = get(t, srv, "k", "/v1/call-voicemails/"+vmCall)
	var vm struct{ Data client.Voicemail }
	if err := json.Unmarshal(b, &vm); status != 200 || err != nil || vm.Data.ID != ws.Voicemails[vmCall].ID {
		t.Errorf("GET /v1/call-voicemails/%s: %d %s", vmCall, status, b)
	}
	for id, code := range map[string]string{plain: "1200404", ws.DatedCalls[0].ID: "1200404", "ACnope": "1200404", "XX": "1200400"} {
		status, _, b := get(t, srv, "k", "/v1/call-voicemails/"+id)
		var e errBody
		_ = json.Unmarshal(b, &e)
		if e.Code != code || status != e.Status {
			t.Errorf("voicemail of %s: %d %s, want code %s", id, status, b, code)
		}
	}
}

func TestDemoDatedData(t *testing.T) {
	ws := demo(t)
	calls := map[string]client.Call{}
	for _, c := range ws.Calls {
		calls[c.ID] = c
		if _, ok := ws.Voicemails[c.ID]; (c.Status == "missed" && c.Duration > 0) != ok {
			t.Errorf("call %s (%s, %ds): voicemail %v", c.ID, c.Status, c.Duration, ok)
		}
	}
	completed := 0
	for id, vm := range ws.Voicemails {
		if _, ok := calls[id]; !ok {
			t.Fatalf("voicemail of unknown call %s", id)
		}
		if vm.Status == client.VoicemailCompleted && (vm.Duration == nil || vm.RecordingURL == nil) {
			t.Errorf("voicemail %s: %+v", id, vm)
		}
		if vm.Status == client.VoicemailCompleted && vm.Transcript != nil {
			completed++
		}
	}
	if completed == 0 {
		t.Error("no voicemail has a transcript")
	}
	if len(ws.Users) != 6 {
		t.Errorf("%d users", len(ws.Users))
	}
	recent := false
	for _, c := range ws.DatedCalls {
		if _, dup := calls[c.ID]; dup || c.CreatedAt.After(testNow) || (c.UpdatedAt != nil && c.UpdatedAt.After(testNow)) {
			t.Errorf("dated call %s: a v1 id or in the future", c.ID)
		}
		recent = recent || (testNow.Sub(c.CreatedAt) < 24*time.Hour && c.ActorID == DemoAIAgentID)
		if c.Status != "completed" {
			continue
		}
		trs, recs := ws.DatedTranscripts[c.ID], ws.DatedRecordings[c.ID]
		if len(trs) != 1 || len(recs) != 1 || trs[0].RecordingID != recs[0].ID || ws.DatedSummaries[c.ID].Status != client.StatusCompleted {
			t.Errorf("dated call %s: content %d %d", c.ID, len(trs), len(recs))
			continue
		}
		for _, d := range trs[0].Dialogue {
			on := false
			for _, p := range c.Participants {
				on = on || (p.PhoneNumber == *d.Identifier && cmpPtr(p.ActorID, d.ActorID))
			}
			if !on || d.End > trs[0].Duration {
				t.Errorf("dated call %s: line %+v", c.ID, d)
			}
		}
	}
	if !recent {
		t.Error("no AI agent call in the last 24 hours")
	}
}

func cmpPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestDatedClientRoundTrip reads the dated surface through the real
// client, so the client and the fake agree on paths, parameters and shapes.
func TestDatedClientRoundTrip(t *testing.T) {
	ws := demo(t)
	s := New(ws, Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	pn, participant, pairCalls := aPair(t, ws)
	var got []client.DatedCall
	for call, err := range c.DatedCalls(ctx, client.ListDatedCallsParams{
		PhoneNumberID: pn, ParticipantIn: []string{participant}, Include: []string{client.IncludeSummary, client.IncludeVoicemail},
		CreatedAtOrAfter: pairCalls[len(pairCalls)-1].CreatedAt, CreatedAtOrBefore: pairCalls[0].CreatedAt, Limit: 7,
	}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, call)
	}
	if len(got) != len(pairCalls) {
		t.Fatalf("%d calls through the client, want %d (the pair's, bounds inclusive)", len(got), len(pairCalls))
	}
	for i, d := range got {
		if d.ID != pairCalls[i].ID || d.Summary == nil || d.ActorID != pairCalls[i].UserID {
			t.Errorf("call %d: %s, want %s", i, d.ID, pairCalls[i].ID)
		}
	}
	n := 0
	for call, err := range c.DatedCalls(ctx, client.ListDatedCallsParams{ActorID: DemoAIAgentID, StatusIn: []string{"completed", "missed"}, Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if call.AIHandled == nil {
			t.Errorf("agent call %s without aiHandled", call.ID)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d AI agent calls through the client", n)
	}
	g := ws.DatedCalls[0]
	one, err := c.GetDatedCall(ctx, g.ID, client.IncludeSummary)
	if err != nil || one.ID != g.ID || one.Summary == nil || len(one.Participants) < 3 {
		t.Fatalf("GetDatedCall: %+v %v", one, err)
	}
	trs := 0
	for tr, err := range c.DatedCallTranscripts(ctx, g.ID, client.CursorParams{Limit: 1}) {
		if err != nil || tr.RecordingID != ws.DatedRecordings[g.ID][0].ID {
			t.Fatalf("DatedCallTranscripts: %+v %v", tr, err)
		}
		trs++
	}
	for rec, err := range c.DatedCallRecordings(ctx, g.ID, client.CursorParams{}) {
		if err != nil || rec.URL == nil {
			t.Fatalf("DatedCallRecordings: %+v %v", rec, err)
		}
	}
	users := 0
	for u, err := range c.DatedUsers(ctx, client.CursorParams{Limit: 5}) {
		if err != nil || !strings.HasPrefix(u.ID, "US") {
			t.Fatalf("DatedUsers: %+v %v", u, err)
		}
		users++
	}
	v1Users := 0
	for _, err := range c.Users(ctx, client.ListUsersParams{MaxResults: 4}) {
		if err != nil {
			t.Fatal(err)
		}
		v1Users++
	}
	if trs != 1 || users != 6 || v1Users != 6 {
		t.Errorf("%d transcripts, %d dated users, %d v1 users", trs, users, v1Users)
	}
	for id := range ws.Voicemails {
		vm, err := c.GetCallVoicemail(ctx, id)
		if err != nil || vm.ID != ws.Voicemails[id].ID {
			t.Errorf("GetCallVoicemail(%s): %+v %v", id, vm, err)
		}
		break
	}
	// The client's errors on the dated surface: a 400 of the fake parses
	// into an *APIError with its message and field errors, and no code.
	_, err = c.ListDatedCalls(ctx, client.ListDatedCallsParams{Direction: "sideways"})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != "" || len(ae.Errors) != 1 || ae.Errors[0].Path != "/direction" {
		t.Errorf("a bad direction through the client: %v", err)
	}
}

// TestDatedTranscriptsOfACallWithoutRecordings: a call with a v1 transcript
// but no recordings has no dated transcript segment (and the fake does not
// fall over it).
func TestDatedTranscriptsOfACallWithoutRecordings(t *testing.T) {
	tr := &client.CallTranscript{CallID: "AC1", Status: client.StatusCompleted,
		Dialogue: []client.DialogueLine{{Content: "hello", Start: 1, End: 2}}}
	if got := segmentTranscripts(tr, nil); len(got) != 0 {
		t.Errorf("%d segments for a call without recordings, want 0", len(got))
	}
}
