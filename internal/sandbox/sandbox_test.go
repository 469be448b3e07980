package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/openphone-mcp/openphone-mcp/client"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testNow is a Friday afternoon in the demo's business hours.
var testNow = time.Date(2026, 11, 27, 22, 15, 0, 0, time.UTC)

var (
	demoOnce sync.Once
	demoWS   *Workspace
)

// demo is one shared demo workspace (read-only in tests).
func demo(t testing.TB) *Workspace {
	t.Helper()
	demoOnce.Do(func() { demoWS = Demo(testNow) })
	return demoWS
}

// errBody is the documented error body, decoded strictly enough to check it.
type errBody struct {
	Message     string `json:"message"`
	Code        string `json:"code"`
	Status      int    `json:"status"`
	Docs        string `json:"docs"`
	Title       string `json:"title"`
	Trace       string `json:"trace"`
	Description string `json:"description"`
	Errors      []struct {
		Path    string          `json:"path"`
		Message string          `json:"message"`
		Value   json.RawMessage `json:"value"`
		Schema  struct {
			Type string `json:"type"`
		} `json:"schema"`
	} `json:"errors"`
}

// get sends GET path to srv with key and returns the status, the headers and
// the body.
func get(t *testing.T, srv *httptest.Server, key, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func startServer(t *testing.T, ws *Workspace, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s := New(ws, opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func newClient(t *testing.T, s *Server, key string) *client.Client {
	t.Helper()
	if key == "" {
		key = "test-key"
	}
	c, err := client.New(key, client.WithTransport(s.RoundTripper()), client.WithRateLimit(0),
		client.WithRetries(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pair is a one-to-one conversation of the demo with calls.
func aPair(t *testing.T, ws *Workspace) (pn, participant string, calls []client.Call) {
	t.Helper()
	counts := map[[2]string][]client.Call{}
	for _, c := range ws.Calls {
		k := [2]string{c.PhoneNumberID, other(c)}
		counts[k] = append(counts[k], c)
	}
	var best [2]string
	for k, v := range counts {
		if len(v) > len(counts[best]) || (len(v) == len(counts[best]) && k[1] < best[1]) {
			best = k
		}
	}
	return best[0], best[1], newestFirst(counts[best])
}

// other is the party of a call that is not the demo's OpenPhone number
// (participants are caller first, callee second).
func other(c client.Call) string {
	switch c.Participants[0] {
	case DemoSalesNumber, DemoSupportNumber, DemoMainNumber:
		return c.Participants[1]
	}
	return c.Participants[0]
}

func newestFirst(calls []client.Call) []client.Call {
	out := slices.Clone(calls)
	slices.SortStableFunc(out, func(a, b client.Call) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

func callsQuery(pn string, participants []string, extra string) string {
	q := url.Values{}
	if pn != "" {
		q.Set("phoneNumberId", pn)
	}
	for _, p := range participants {
		q.Add("participants", p)
	}
	s := "/v1/calls?" + q.Encode()
	if extra != "" {
		s += "&" + extra
	}
	return s
}

func TestValidationErrors(t *testing.T) {
	ws := demo(t)
	_, srv := startServer(t, ws, Options{})
	pn, who, _ := aPair(t, ws)
	cases := []struct {
		name, path, code, errPath string
		status                    int
	}{
		{"missing phoneNumberId", callsQuery("", []string{who}, ""), "0100400", "/phoneNumberId", 400},
		{"bad phoneNumberId", callsQuery("XX1", []string{who}, ""), "0100400", "/phoneNumberId", 400},
		{"missing participants", callsQuery(pn, nil, ""), "0100400", "/participants", 400},
		{"unencoded plus", "/v1/calls?phoneNumberId=" + pn + "&participants=" + who, "0100400", "/participants/0", 400},
		{"maxResults 0", callsQuery(pn, []string{who}, "maxResults=0"), "0100400", "/maxResults", 400},
		{"maxResults 101", callsQuery(pn, []string{who}, "maxResults=101"), "0100400", "/maxResults", 400},
		{"maxResults text", callsQuery(pn, []string{who}, "maxResults=ten"), "0100400", "/maxResults", 400},
		{"bad userId", callsQuery(pn, []string{who}, "userId=bob"), "0100400", "/userId", 400},
		{"bad createdAfter", callsQuery(pn, []string{who}, "createdAfter=yesterday"), "0100400", "/createdAfter", 400},
		{"bad createdBefore", callsQuery(pn, []string{who}, "createdBefore=2026-13-01"), "0100400", "/createdBefore", 400},
		{"bad call id", "/v1/calls/XY123", "0100400", "/callId", 400},
		{"bad summary id", "/v1/call-summaries/XY123", "0500400", "/callId", 400},
		{"bad transcript id", "/v1/call-transcripts/XY123", "0600400", "/id", 400},
		{"bad recording id", "/v1/call-recordings/XY123", "0900400", "/callId", 400},
		{"phone numbers bad userId", "/v1/phone-numbers?userId=x", "0400400", "/userId", 400},
		{"conversations maxResults", "/v1/conversations?maxResults=500", "1000400", "/maxResults", 400},
		{"conversations bad number", "/v1/conversations?phoneNumbers=4155550100", "1000400", "/phoneNumbers/0", 400},
		{"conversations bad bool", "/v1/conversations?excludeInactive=maybe", "1000400", "/excludeInactive", 400},
		{"conversations bad date", "/v1/conversations?updatedAfter=now", "1000400", "/updatedAfter", 400},
		{"conversations bad token", "/v1/conversations?pageToken=abc", "1000400", "/pageToken", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, b := get(t, srv, "", tc.path)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, b)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			var e errBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatal(err)
			}
			if e.Code != tc.code || e.Status != tc.status || e.Title != "Bad Request" ||
				e.Docs != "https://openphone.com/docs" || e.Message == "" || e.Trace == "" || e.Description == "" {
				t.Errorf("body %s", b)
			}
			if len(e.Errors) == 0 || e.Errors[0].Path != tc.errPath || e.Errors[0].Message == "" || e.Errors[0].Schema.Type == "" {
				t.Errorf("errors %s, want first path %s", b, tc.errPath)
			}
		})
	}
}

func TestTooManyParticipants(t *testing.T) {
	_, srv := startServer(t, demo(t), Options{})
	status, _, b := get(t, srv, "", callsQuery(DemoSalesID, []string{"+12125550111", "+12125550112"}, "maxResults=10"))
	var e errBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if status != 400 || e.Code != "0101400" || e.Title != "Too Many Participants" ||
		e.Description != "Too Many Participants" || len(e.Errors) != 1 || e.Errors[0].Path != "/participants" ||
		e.Errors[0].Schema.Type != "array" || string(e.Errors[0].Value) != `["+12125550111","+12125550112"]` {
		t.Errorf("%d %s", status, b)
	}
}

func TestNotPhoneNumberUser(t *testing.T) {
	ws := demo(t)
	_, srv := startServer(t, ws, Options{})
	_, who, _ := aPair(t, ws)
	for _, path := range []string{
		callsQuery("PNnotMine01", []string{who}, ""),
		callsQuery(DemoSupportID, []string{who}, "userId=USjL4kW9Pz"), // Jordan is on Sales only
	} {
		status, _, b := get(t, srv, "", path)
		var e errBody
		_ = json.Unmarshal(b, &e)
		if status != 403 || e.Code != "0101403" || e.Title != "Not Phone Number User" {
			t.Errorf("%s: %d %s", path, status, b)
		}
	}
	status, _, b := get(t, srv, "", "/v1/conversations?phoneNumbers=PNnotMine01")
	if status != 403 || !strings.Contains(string(b), `"1001403"`) {
		t.Errorf("conversations: %d %s", status, b)
	}
}

func TestNotFound(t *testing.T) {
	_, srv := startServer(t, demo(t), Options{})
	cases := []struct{ path, code string }{
		{"/v1/calls/ACnope", "0100404"},
		{"/v1/call-summaries/ACnope", "0500404"},
		{"/v1/call-transcripts/ACnope", "0600404"},
		{"/v1/call-recordings/ACnope", "0900404"},
		{"/v1/calls/ACnope/extra", "0100404"},
		{"/v1/messages", "0000404"},
		{"/v2/calls", "0000404"},
		{"/", "0000404"},
	}
	for _, tc := range cases {
		status, _, b := get(t, srv, "", tc.path)
		var e errBody
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if status != 404 || e.Code != tc.code || e.Title != "Not Found" || e.Status != 404 {
			t.Errorf("%s: %d %s", tc.path, status, b)
		}
	}
}

func TestUnauthorized(t *testing.T) {
	s, srv := startServer(t, demo(t), Options{APIKey: "right-key"})
	for _, tc := range []struct{ key, path, code string }{
		{"", "/v1/phone-numbers", "0400401"},
		{"wrong-key", "/v1/calls/ACx", "0100401"},
		{"Bearer right-key", "/v1/conversations", "1000401"},
		{"wrong-key", "/v1/call-summaries/ACx", "0500401"},
	} {
		status, _, b := get(t, srv, tc.key, tc.path)
		var e errBody
		_ = json.Unmarshal(b, &e)
		if status != 401 || e.Code != tc.code || e.Title != "Unauthorized" || e.Docs != "https://openphone.com/docs" {
			t.Errorf("%q %s: %d %s", tc.key, tc.path, status, b)
		}
	}
	if status, _, b := get(t, srv, "right-key", "/v1/phone-numbers"); status != 200 {
		t.Errorf("right key: %d %s", status, b)
	}

	// Through the real client.
	ctx := context.Background()
	_, err := newClient(t, s, "wrong-key").ListPhoneNumbers(ctx, "")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Code != "0400401" {
		t.Fatalf("wrong key via client: %v", err)
	}
	nums, err := newClient(t, s, "right-key").ListPhoneNumbers(ctx, "")
	if err != nil || len(nums) != 3 {
		t.Fatalf("right key via client: %d numbers, %v", len(nums), err)
	}
}

func TestPaginationEveryPair(t *testing.T) {
	t.Parallel()
	ws := demo(t)
	s := New(ws, Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	pairs := map[[2]string][]client.Call{}
	for _, call := range ws.Calls {
		k := [2]string{call.PhoneNumberID, other(call)}
		pairs[k] = append(pairs[k], call)
	}
	seen := 0
	for k, calls := range pairs {
		want := newestFirst(calls)
		var got []client.Call
		token := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("%v: no end of pages", k)
			}
			page, err := c.ListCalls(ctx, client.ListCallsParams{
				PhoneNumberID: k[0], Participants: []string{k[1]}, MaxResults: 7, PageToken: token,
			})
			if err != nil {
				t.Fatalf("%v: %v", k, err)
			}
			if len(page.Data) > 7 || len(page.Data) == 0 {
				t.Fatalf("%v: page of %d", k, len(page.Data))
			}
			got = append(got, page.Data...)
			if page.NextPageToken == nil {
				break
			}
			token = *page.NextPageToken
		}
		if len(got) != len(want) {
			t.Fatalf("%v: got %d calls, want %d", k, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Fatalf("%v: call %d is %s, want %s (newest first, each once)", k, i, got[i].ID, want[i].ID)
			}
		}
		seen += len(got)
	}
	if seen != len(ws.Calls) {
		t.Errorf("paged through %d calls, the workspace has %d", seen, len(ws.Calls))
	}
	if n := s.RequestsTo("/v1/calls"); n < int64(len(pairs)) {
		t.Errorf("RequestsTo = %d", n)
	}
}

func TestPairs(t *testing.T) {
	ws := demo(t)
	want := map[[2]string]int{}
	for _, c := range ws.Calls {
		want[[2]string{c.PhoneNumberID, other(c)}]++
	}
	pairs := ws.Pairs()
	if len(pairs) != len(want) {
		t.Fatalf("%d pairs, want %d", len(pairs), len(want))
	}
	for i, p := range pairs {
		if n := want[[2]string{p.PhoneNumberID, p.Participant}]; p.Calls != n {
			t.Errorf("%+v: want %d calls", p, n)
		}
		if i == 0 {
			continue
		}
		q := pairs[i-1]
		if p.Calls > q.Calls || p.Calls == q.Calls && (p.PhoneNumberID < q.PhoneNumberID ||
			p.PhoneNumberID == q.PhoneNumberID && p.Participant < q.Participant) {
			t.Errorf("pair %d (%+v) is out of order after %+v", i, p, q)
		}
	}
	if pn, who, calls := aPair(t, ws); pairs[0].Calls != len(calls) {
		t.Errorf("busiest pair %+v, want %s %s with %d calls", pairs[0], pn, who, len(calls))
	}
}

func TestCallsDefaultsAndTotals(t *testing.T) {
	ws := demo(t)
	_, srv := startServer(t, ws, Options{})
	pn, who, want := aPair(t, ws)
	status, _, b := get(t, srv, "", callsQuery(pn, []string{who}, "")) // no maxResults: 10
	var page client.CallPage
	if err := json.Unmarshal(b, &page); err != nil || status != 200 {
		t.Fatalf("%d %s %v", status, b, err)
	}
	if len(want) <= 10 {
		t.Fatalf("busiest pair has only %d calls", len(want))
	}
	if len(page.Data) != 10 || page.NextPageToken == nil {
		t.Errorf("default page: %d calls, token %v", len(page.Data), page.NextPageToken)
	}
	if page.TotalItems == len(want) {
		t.Errorf("totalItems %d is accurate; the API documents it as inaccurate", page.TotalItems)
	}
	// Every documented field is present, nullable ones as null.
	var raw struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(b, &raw)
	for _, f := range []string{"id", "phoneNumberId", "userId", "direction", "status", "duration", "participants",
		"createdAt", "answeredAt", "answeredBy", "initiatedBy", "completedAt", "updatedAt", "forwardedFrom",
		"forwardedTo", "callRoute", "aiHandled"} {
		if _, ok := raw.Data[0][f]; !ok {
			t.Errorf("call field %s missing", f)
		}
	}
	// An unknown pair is an empty page, not an error.
	status, _, b = get(t, srv, "", callsQuery(pn, []string{"+19995550100"}, "maxResults=5"))
	if status != 200 || !strings.HasPrefix(string(b), `{"data":[],`) || !strings.Contains(string(b), `"nextPageToken":null`) {
		t.Errorf("unknown pair: %d %s", status, b)
	}
}

func TestCallFilters(t *testing.T) {
	ws := demo(t)
	s := New(ws, Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	pn, who, all := aPair(t, ws)
	list := func(p client.ListCallsParams) []client.Call {
		t.Helper()
		p.PhoneNumberID, p.Participants, p.MaxResults = pn, []string{who}, 100
		var out []client.Call
		for {
			page, err := c.ListCalls(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, page.Data...)
			if page.NextPageToken == nil {
				return out
			}
			p.PageToken = *page.NextPageToken
		}
	}
	mid := all[len(all)/2].CreatedAt
	var after, before, byUser []client.Call
	user := all[0].UserID
	for _, call := range all {
		if call.CreatedAt.After(mid) {
			after = append(after, call)
		}
		if call.CreatedAt.Before(mid) {
			before = append(before, call)
		}
		if call.UserID == user || (call.AnsweredBy != nil && *call.AnsweredBy == user) ||
			(call.InitiatedBy != nil && *call.InitiatedBy == user) {
			byUser = append(byUser, call)
		}
	}
	ids := func(cs []client.Call) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.ID
		}
		return out
	}
	if got := list(client.ListCallsParams{CreatedAfter: mid}); !slices.Equal(ids(got), ids(after)) {
		t.Errorf("createdAfter: %d calls, want %d", len(got), len(after))
	}
	if got := list(client.ListCallsParams{CreatedBefore: mid}); !slices.Equal(ids(got), ids(before)) {
		t.Errorf("createdBefore: %d calls, want %d", len(got), len(before))
	}
	if got := list(client.ListCallsParams{CreatedAfter: mid, CreatedBefore: mid.Add(time.Nanosecond)}); len(got) != 0 {
		t.Errorf("empty window: %d calls", len(got))
	}
	if got := list(client.ListCallsParams{UserID: user}); !slices.Equal(ids(got), ids(byUser)) || len(byUser) == 0 {
		t.Errorf("userId: %d calls, want %d", len(got), len(byUser))
	}
}

func TestPageTokens(t *testing.T) {
	ws := demo(t)
	_, srv := startServer(t, ws, Options{})
	pn, who, _ := aPair(t, ws)
	_, _, b := get(t, srv, "", callsQuery(pn, []string{who}, "maxResults=2"))
	var page client.CallPage
	if err := json.Unmarshal(b, &page); err != nil || page.NextPageToken == nil {
		t.Fatalf("%s %v", b, err)
	}
	tok := *page.NextPageToken
	// The token works with another page size, not with another query.
	if status, _, b := get(t, srv, "", callsQuery(pn, []string{who}, "maxResults=3&pageToken="+tok)); status != 200 {
		t.Errorf("same query: %d %s", status, b)
	}
	for _, bad := range []string{
		callsQuery(pn, []string{who}, "pageToken=not-a-token"),
		callsQuery(pn, []string{who}, "pageToken="+tok[:len(tok)-1]+"A"),
		callsQuery(pn, []string{who}, "pageToken="+tok+"&createdAfter=2020-01-01T00:00:00Z"),
		callsQuery(pn, []string{"+19995550100"}, "pageToken="+tok),
	} {
		status, _, b := get(t, srv, "", bad)
		var e errBody
		_ = json.Unmarshal(b, &e)
		if status != 400 || e.Code != "0100400" || len(e.Errors) != 1 || e.Errors[0].Path != "/pageToken" {
			t.Errorf("%s: %d %s", bad, status, b)
		}
	}
}

func TestCallResources(t *testing.T) {
	ws := demo(t)
	s := New(ws, Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	var completed, missed, twoRecs string
	for _, call := range ws.Calls {
		if _, ok := ws.Summaries[call.ID]; ok && call.Status == "completed" && completed == "" {
			completed = call.ID
		}
		if call.Status == "missed" && call.Duration == 0 && missed == "" {
			missed = call.ID
		}
		if len(ws.Recordings[call.ID]) > 1 && twoRecs == "" {
			twoRecs = call.ID
		}
	}
	if completed == "" || missed == "" || twoRecs == "" {
		t.Fatalf("demo lacks a completed call with a summary (%q), a missed call (%q) or a call with two recordings (%q)", completed, missed, twoRecs)
	}
	got, err := c.GetCall(ctx, completed)
	if err != nil || got.ID != completed {
		t.Fatalf("GetCall: %v", err)
	}
	sum, err := c.GetCallSummary(ctx, missed)
	if err != nil || sum.Status != client.StatusAbsent || sum.Summary != nil || sum.CallID != missed {
		t.Errorf("summary of a missed call: %+v %v", sum, err)
	}
	tr, err := c.GetCallTranscript(ctx, missed)
	if err != nil || tr.Status != client.StatusAbsent || tr.Dialogue != nil {
		t.Errorf("transcript of a missed call: %+v %v", tr, err)
	}
	recs, err := c.GetCallRecordings(ctx, missed)
	if err != nil || recs == nil || len(recs) != 0 {
		t.Errorf("recordings of a missed call: %v %v", recs, err)
	}
	recs, err = c.GetCallRecordings(ctx, twoRecs)
	if err != nil || len(recs) != 2 || !recs[0].StartTime.Before(*recs[1].StartTime) {
		t.Errorf("two recordings, oldest first: %+v %v", recs, err)
	}
	sum, err = c.GetCallSummary(ctx, completed)
	if err != nil || sum.Status != ws.Summaries[completed].Status {
		t.Errorf("summary: %+v %v", sum, err)
	}
	_, err = c.GetCallTranscript(ctx, "ACmissing")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Code != "0600404" {
		t.Errorf("missing transcript: %v", err)
	}
}

func TestPhoneNumbers(t *testing.T) {
	s := New(demo(t), Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	nums, err := c.ListPhoneNumbers(ctx, "")
	if err != nil || len(nums) != 3 {
		t.Fatalf("%d %v", len(nums), err)
	}
	nums, err = c.ListPhoneNumbers(ctx, "USjL4kW9Pz") // Jordan: Sales and Main line
	if err != nil || len(nums) != 2 || nums[0].ID != DemoSalesID || nums[1].ID != DemoMainID {
		t.Fatalf("Jordan's numbers: %+v %v", nums, err)
	}
	nums, err = c.ListPhoneNumbers(ctx, "USnobody00")
	if err != nil || len(nums) != 0 {
		t.Fatalf("unknown user: %+v %v", nums, err)
	}
}

func TestConversations(t *testing.T) {
	ws := demo(t)
	s := New(ws, Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	all := func(p client.ListConversationsParams) []client.Conversation {
		t.Helper()
		var out []client.Conversation
		for {
			page, err := c.ListConversations(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, page.Data...)
			if page.NextPageToken == nil {
				return out
			}
			p.PageToken = *page.NextPageToken
		}
	}
	every := all(client.ListConversationsParams{MaxResults: 13})
	if len(every) != len(ws.Conversations) {
		t.Fatalf("%d conversations, want %d", len(every), len(ws.Conversations))
	}
	ids := map[string]bool{}
	for i, cv := range every {
		if ids[cv.ID] {
			t.Fatalf("%s twice", cv.ID)
		}
		ids[cv.ID] = true
		if i > 0 {
			prev := every[i-1].LastActivityAt
			if cv.LastActivityAt != nil && (prev == nil || prev.Before(*cv.LastActivityAt)) {
				t.Fatalf("conversation %d is more recent than the one before", i)
			}
		}
	}
	byID := all(client.ListConversationsParams{PhoneNumbers: []string{DemoSupportID}, MaxResults: 100})
	byNumber := all(client.ListConversationsParams{PhoneNumbers: []string{DemoSupportNumber}, MaxResults: 100})
	if len(byID) == 0 || len(byID) != len(byNumber) {
		t.Errorf("Support: %d by id, %d by number", len(byID), len(byNumber))
	}
	for _, cv := range byID {
		if cv.PhoneNumberID != DemoSupportID {
			t.Errorf("%s is on %s", cv.ID, cv.PhoneNumberID)
		}
	}
	two := all(client.ListConversationsParams{PhoneNumbers: []string{DemoSupportID, DemoSalesNumber}, MaxResults: 100})
	sales := all(client.ListConversationsParams{PhoneNumbers: []string{DemoSalesID}, MaxResults: 100})
	if len(two) != len(byID)+len(sales) {
		t.Errorf("two numbers: %d, want %d", len(two), len(byID)+len(sales))
	}
	if got := all(client.ListConversationsParams{PhoneNumbers: []string{"+19995550100"}, MaxResults: 100}); len(got) != 0 {
		t.Errorf("unknown number: %d", len(got))
	}
	yes := true
	active := all(client.ListConversationsParams{ExcludeInactive: &yes, MaxResults: 100})
	if len(active) >= len(every) || len(active) == 0 {
		t.Errorf("excludeInactive: %d of %d", len(active), len(every))
	}
	cut := testNow.Add(-24 * time.Hour)
	recent := all(client.ListConversationsParams{UpdatedAfter: cut, MaxResults: 100})
	want := 0
	for _, cv := range ws.Conversations {
		if cv.UpdatedAt != nil && cv.UpdatedAt.After(cut) {
			want++
		}
	}
	if len(recent) != want || want == 0 {
		t.Errorf("updatedAfter: %d, want %d", len(recent), want)
	}
	jordan := all(client.ListConversationsParams{UserID: "USjL4kW9Pz", MaxResults: 100})
	for _, cv := range jordan {
		if cv.PhoneNumberID == DemoSupportID && (cv.AssignedTo == nil || *cv.AssignedTo != "USjL4kW9Pz") {
			t.Errorf("Jordan sees Support conversation %s", cv.ID)
		}
	}
	if len(jordan) == 0 || len(jordan) >= len(every) {
		t.Errorf("userId: %d of %d", len(jordan), len(every))
	}
}

func TestRateLimit(t *testing.T) {
	s, srv := startServer(t, demo(t), Options{RateLimit: 1.5}) // burst 2, a token every 667ms
	var last int
	var hdr http.Header
	for i := 0; i < 3; i++ { // the burst, then one too many
		last, hdr, _ = get(t, srv, "k1", "/v1/phone-numbers")
		if i < 2 && last != 200 {
			t.Fatalf("request %d: %d", i, last)
		}
	}
	if last != 429 {
		t.Fatalf("3rd request: %d", last)
	}
	ra, err := strconv.Atoi(hdr.Get("Retry-After"))
	if err != nil || ra < 1 {
		t.Errorf("Retry-After %q", hdr.Get("Retry-After"))
	}
	status, _, b := get(t, srv, "k1", "/v1/calls/ACx")
	var e errBody
	_ = json.Unmarshal(b, &e)
	if status != 429 || e.Code != "0100429" || e.Status != 429 || e.Title != "Too Many Requests" {
		t.Errorf("429 body: %d %s", status, b)
	}
	// Another key has its own bucket.
	if status, _, _ := get(t, srv, "k2", "/v1/phone-numbers"); status != 200 {
		t.Errorf("other key: %d", status)
	}
	if s.Throttled() != 2 {
		t.Errorf("Throttled = %d, want 2", s.Throttled())
	}
}

func TestRateLimitPaced(t *testing.T) {
	t.Parallel()
	// Paced at the limit, the bucket never runs dry even past its burst.
	s := New(demo(t), Options{RateLimit: 100})
	c, err := client.New("k", client.WithTransport(s.RoundTripper()), client.WithRateLimit(100),
		client.WithRetries(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 150; i++ {
		if _, err := c.GetCall(context.Background(), demo(t).Calls[i].ID); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if s.Throttled() != 0 || s.Requests() != 150 {
		t.Errorf("throttled %d of %d", s.Throttled(), s.Requests())
	}
}

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed bool
}

func (b *trackedBody) Close() error { b.closed = true; return nil }

func TestRoundTripper(t *testing.T) {
	s := New(demo(t), Options{Latency: 2 * time.Second})
	rt := s.RoundTripper()

	// The context ends before the latency does.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	body := &trackedBody{Reader: strings.NewReader("x")}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.openphone.com/v1/phone-numbers", body)
	start := time.Now()
	resp, err := rt.RoundTrip(req)
	if resp != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, %v; want a deadline error", resp, err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
	if !body.closed {
		t.Error("request body not closed")
	}

	// A cancelled context fails body reads too.
	s = New(demo(t), Options{})
	ctx, cancel = context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://sandbox/v1/phone-numbers", nil)
	resp, err = s.RoundTripper().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") == "" || resp.ContentLength <= 0 || resp.Request != req {
		t.Errorf("response %+v", resp)
	}
	buf := make([]byte, 10)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := resp.Body.Read(buf); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v", err)
	}
	resp.Body.Close()
	if _, err := resp.Body.Read(buf); err == nil {
		t.Error("read after close succeeded")
	}

	// Methods other than GET.
	req, _ = http.NewRequest(http.MethodPost, "http://sandbox/v1/calls", strings.NewReader("{}"))
	resp, err = s.RoundTripper().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

func TestLatency(t *testing.T) {
	s := New(&Workspace{}, Options{Latency: 40 * time.Millisecond})
	c := newClient(t, s, "")
	start := time.Now()
	nums, err := c.ListPhoneNumbers(context.Background(), "")
	if err != nil || len(nums) != 0 {
		t.Fatalf("%v %v", nums, err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("answered in %v", d)
	}
}

func TestCounters(t *testing.T) {
	s := New(demo(t), Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	if s.Requests() != 0 {
		t.Fatal("requests before any")
	}
	_, _ = c.ListPhoneNumbers(ctx, "")
	_, _ = c.GetCall(ctx, demo(t).Calls[0].ID)
	_, _ = c.GetCallSummary(ctx, demo(t).Calls[0].ID)
	_, _ = c.GetCall(ctx, "ACnone")
	if s.Requests() != 4 || s.RequestsTo("/v1/calls") != 2 || s.RequestsTo("/v1/call-") != 1 ||
		s.RequestsTo("/v1/phone-numbers") != 1 || s.RequestsTo("/v1/conversations") != 0 {
		t.Errorf("requests %d, calls %d", s.Requests(), s.RequestsTo("/v1/calls"))
	}
}
