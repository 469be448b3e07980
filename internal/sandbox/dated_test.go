package sandbox

// Tests of the dated surface against docs/quo-api-2026-03-30.md: the
// version header, the error body, parameters, filters, paging, cursors,
// the off switch, the shared rate limit, and the real dated client.

import (
	"context"
	"encoding/json"
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
