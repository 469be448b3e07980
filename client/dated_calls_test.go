package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// datedCallJSON is a dated call as the API documents it, summary and
// voicemail included, with a key the client does not know.
const datedCallJSON = `{"id":"AC1","phoneNumberId":null,"actorId":"SYU1","direction":"incoming","status":"completed",
"duration":61,"participants":[{"phoneNumber":"+14155550100","actorId":"SYU1"},{"phoneNumber":"+12125550103","actorId":null},
{"phoneNumber":"anonymous","actorId":null}],"createdAt":"2026-10-01T09:00:00Z","answeredAt":"2026-10-01T09:00:05Z",
"answeredBy":"SYU1","initiatedBy":null,"completedAt":"2026-10-01T09:01:06Z","updatedAt":null,"callRoute":"phone-number",
"forwardedFrom":null,"forwardedTo":null,"aiHandled":"ai-agent","aNewField":{"x":1},
"summary":{"status":"completed","type":"agent","summary":["Booked a table"],"nextSteps":null,
"jobs":[{"icon":"📅","name":"Booking","result":{"data":[{"name":"party","value":4}]}}],"title":"Table for four"},
"voicemail":{"id":"VM1","status":"completed","duration":12.5,"recordingUrl":"https://files.example/vm1","transcript":"Hi"}}`

// datedRequest records what the fake API saw of one request.
type datedRequest struct {
	uri, version, auth string
}

// datedFake serves body at every path and records each request.
func datedFake(t *testing.T, bodies func(r *http.Request) (int, string)) (*Client, func() []datedRequest) {
	t.Helper()
	c, mux, _ := setup(t)
	var mu sync.Mutex
	var seen []datedRequest
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, datedRequest{r.URL.RequestURI(), r.Header.Get("Quo-Api-Version"), r.Header.Get("Authorization")})
		mu.Unlock()
		status, body := bodies(r)
		writeJSON(w, status, body)
	})
	return c, func() []datedRequest { mu.Lock(); defer mu.Unlock(); return append([]datedRequest(nil), seen...) }
}

func emptyCursorPage(*http.Request) (int, string) { return 200, `{"data":[],"nextCursor":null}` }

// TestClient_ListDatedCalls_requestURIs pins the request URI byte for
// byte: every filter under its dated name, comma lists in one key, the
// inclusive bounds exactly as given (in UTC), and the version header.
func TestClient_ListDatedCalls_requestURIs(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	tests := []struct {
		name string
		p    ListDatedCallsParams
		want string
	}{
		{"no filter: the whole workspace", ListDatedCallsParams{}, "/calls"},
		{"every filter, single forms", ListDatedCallsParams{
			PhoneNumberID:     "PN1",
			ActorID:           "SYU1",
			Participant:       "+12125550103",
			Direction:         "incoming",
			Status:            "missed",
			CreatedAtOrAfter:  time.Date(2026, 10, 1, 0, 0, 0, 0, est),
			CreatedAtOrBefore: time.Date(2026, 10, 1, 23, 59, 59, 999_000_000, time.UTC),
			Include:           []string{IncludeSummary, IncludeVoicemail},
			Limit:             50,
			After:             "cur/+=?&",
		}, "/calls?actorId=SYU1&after=cur%2F%2B%3D%3F%26&createdAt%5Bgte%5D=2026-10-01T05%3A00%3A00Z" +
			"&createdAt%5Blte%5D=2026-10-01T23%3A59%3A59.999Z&direction=incoming&include=summary%2Cvoicemail" +
			"&limit=50&participant=%2B12125550103&phoneNumberId=PN1&status=missed"},
		{"list forms", ListDatedCallsParams{
			ParticipantIn: []string{"+12125550103", "+14155550100"},
			StatusIn:      []string{"missed", "no-answer"},
			Include:       []string{IncludeVoicemail},
		}, "/calls?include=voicemail&participant%5Bin%5D=%2B12125550103%2C%2B14155550100&status%5Bin%5D=missed%2Cno-answer"},
		{"a user actor", ListDatedCallsParams{ActorID: "US1", Direction: "outgoing"}, "/calls?actorId=US1&direction=outgoing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, seen := datedFake(t, emptyCursorPage)
			page, err := c.ListDatedCalls(context.Background(), tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if page == nil || len(page.Data) != 0 || page.NextToken() != "" {
				t.Fatalf("page = %+v", page)
			}
			got := seen()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			if got[0].uri != tt.want {
				t.Errorf("request URI\n got %s\nwant %s", got[0].uri, tt.want)
			}
			if got[0].version != DatedAPIVersion || got[0].auth != testKey {
				t.Errorf("Quo-Api-Version %q, Authorization set %v; want %q and the raw key", got[0].version, got[0].auth == testKey, DatedAPIVersion)
			}
		})
	}
}

func TestClient_ListDatedCalls_decodesTheDatedCall(t *testing.T) {
	c, _ := datedFake(t, func(*http.Request) (int, string) {
		return 200, `{"data":[` + datedCallJSON + `],"nextCursor":"c2"}`
	})
	page, err := c.ListDatedCalls(context.Background(), ListDatedCallsParams{Include: []string{IncludeSummary, IncludeVoicemail}})
	if err != nil {
		t.Fatal(err)
	}
	if page.NextToken() != "c2" || len(page.Data) != 1 {
		t.Fatalf("next %q, %d calls", page.NextToken(), len(page.Data))
	}
	want := DatedCall{
		ID: "AC1", ActorID: "SYU1", Direction: "incoming", Status: "completed", Duration: 61,
		Participants: []CallParticipant{
			{PhoneNumber: "+14155550100", ActorID: ptr("SYU1")},
			{PhoneNumber: "+12125550103"},
			{PhoneNumber: "anonymous"},
		},
		CreatedAt:   mustTime(t, "2026-10-01T09:00:00Z"),
		AnsweredAt:  ptr(mustTime(t, "2026-10-01T09:00:05Z")),
		AnsweredBy:  ptr("SYU1"),
		CompletedAt: ptr(mustTime(t, "2026-10-01T09:01:06Z")),
		CallRoute:   ptr("phone-number"),
		AIHandled:   ptr("ai-agent"),
		Summary: &DatedCallSummary{
			Status: StatusCompleted, Type: ptr(SummaryTypeAgent), Summary: []string{"Booked a table"},
			Jobs:  []AIJob{{Icon: "📅", Name: "Booking"}},
			Title: ptr("Table for four"),
		},
		Voicemail: &Voicemail{ID: "VM1", Status: VoicemailCompleted, Duration: ptr(12.5),
			RecordingURL: ptr("https://files.example/vm1"), Transcript: ptr("Hi")},
	}
	want.Summary.Jobs[0].Result.Data = append(want.Summary.Jobs[0].Result.Data, struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	}{"party", json.RawMessage("4")})
	if diff := cmp.Diff(want, page.Data[0]); diff != "" {
		t.Errorf("decoded call (-want +got):\n%s", diff)
	}
}

// TestClient_DatedCalls_walksEveryPage: each page's cursor is the next
// request's after, the filters repeat on every page, and the walk ends on
// a null cursor.
func TestClient_DatedCalls_walksEveryPage(t *testing.T) {
	c, seen := datedFake(t, func(r *http.Request) (int, string) {
		switch r.URL.Query().Get("after") {
		case "":
			return 200, `{"data":[{"id":"AC1"},{"id":"AC2"}],"nextCursor":"c2"}`
		case "c2":
			return 200, `{"data":[{"id":"AC3"}],"nextCursor":"c3"}`
		default:
			return 200, `{"data":[{"id":"AC4"}],"nextCursor":null}`
		}
	})
	var ids []string
	for call, err := range c.DatedCalls(context.Background(), ListDatedCallsParams{StatusIn: []string{"missed"}, Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, call.ID)
	}
	if diff := cmp.Diff([]string{"AC1", "AC2", "AC3", "AC4"}, ids); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	var uris []string
	for _, r := range seen() {
		uris = append(uris, r.uri)
		if r.version != DatedAPIVersion {
			t.Errorf("%s without Quo-Api-Version", r.uri)
		}
	}
	want := []string{"/calls?limit=2&status%5Bin%5D=missed", "/calls?after=c2&limit=2&status%5Bin%5D=missed", "/calls?after=c3&limit=2&status%5Bin%5D=missed"}
	if diff := cmp.Diff(want, uris); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestClient_DatedCalls_repeatedCursorStops(t *testing.T) {
	c, seen := datedFake(t, func(*http.Request) (int, string) {
		return 200, `{"data":[{"id":"AC1"}],"nextCursor":"same"}`
	})
	n := 0
	var end error
	for _, err := range c.DatedCalls(context.Background(), ListDatedCallsParams{}) {
		if err != nil {
			end = err
			break
		}
		n++
	}
	if !errors.Is(end, ErrRepeatedPageToken) || n != 2 || len(seen()) != 2 {
		t.Fatalf("%d calls, %d requests, end %v; want 2, 2 and ErrRepeatedPageToken", n, len(seen()), end)
	}
}

func TestClient_DatedCalls_pageBound(t *testing.T) {
	c, mux, _ := setup(t, WithMaxPages(3))
	var requests int
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, r *http.Request) {
		requests++
		writeJSON(w, 200, fmt.Sprintf(`{"data":[{"id":"AC%d"}],"nextCursor":"c%d"}`, requests, requests))
	})
	n := 0
	var end error
	for _, err := range c.DatedCalls(context.Background(), ListDatedCallsParams{}) {
		if err != nil {
			end = err
			break
		}
		n++
	}
	if !errors.Is(end, ErrTooManyPages) || n != 3 || requests != 3 {
		t.Fatalf("%d calls, %d requests, end %v; want 3, 3 and ErrTooManyPages", n, requests, end)
	}
}

func TestClient_DatedCalls_breakStopsRequests(t *testing.T) {
	c, seen := datedFake(t, func(*http.Request) (int, string) {
		return 200, `{"data":[{"id":"AC1"},{"id":"AC2"}],"nextCursor":"more"}`
	})
	for range c.DatedCalls(context.Background(), ListDatedCallsParams{}) {
		break
	}
	if n := len(seen()); n != 1 {
		t.Fatalf("%d requests after a break on the first call, want 1", n)
	}
}

// TestClient_ListDatedCalls_datedErrorBody: the dated error body (no
// numeric code) parses into *APIError, with the key echoed anywhere
// redacted.
func TestClient_ListDatedCalls_datedErrorBody(t *testing.T) {
	c, _ := datedFake(t, func(*http.Request) (int, string) {
		return 400, `{"title":"Bad Request","message":"Unknown query parameter for key ` + testKey + `",
"docs":"https://docs.quo.com/errors","trace":"tr-1","errors":[{"path":"/query/status[in]","message":"must be a status",
"value":"` + testKey + `","schema":{"type":"string"}}]}`
	})
	_, err := c.ListDatedCalls(context.Background(), ListDatedCallsParams{StatusIn: []string{"nope"}})
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%T %v, want *APIError", err, err)
	}
	if ae.StatusCode != 400 || ae.Code != "" || ae.Title != "Bad Request" || ae.Path != "/calls" || ae.Method != "GET" ||
		ae.Docs != "https://docs.quo.com/errors" || ae.Trace != "tr-1" || len(ae.Errors) != 1 || ae.Errors[0].Path != "/query/status[in]" {
		t.Errorf("APIError = %+v", ae)
	}
	if IsStatus(err, 400) != true {
		t.Error("IsStatus(err, 400) = false")
	}
	for _, s := range []string{err.Error(), ae.Message, string(ae.Errors[0].Value)} {
		if strings.Contains(s, testKey) {
			t.Errorf("the key is in %q", s)
		}
	}
	if want := "openphone: GET /calls: 400 Bad Request: Unknown query parameter for key [redacted]; /query/status[in]: must be a status [trace tr-1]"; err.Error() != want {
		t.Errorf("Error()\n got %s\nwant %s", err, want)
	}
}

func TestClient_ListDatedCalls_retriesCarryTheVersion(t *testing.T) {
	var n counter
	c, mux, _ := setup(t)
	var versions []string
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, r *http.Request) {
		versions = append(versions, r.Header.Get("Quo-Api-Version"))
		if n.n.Add(1) == 1 {
			writeJSON(w, 503, `{"title":"Service Unavailable"}`)
			return
		}
		writeJSON(w, 200, `{"data":[],"nextCursor":null}`)
	})
	if _, err := c.ListDatedCalls(context.Background(), ListDatedCallsParams{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{DatedAPIVersion, DatedAPIVersion}, versions); diff != "" {
		t.Errorf("versions of the attempts (-want +got):\n%s", diff)
	}
}

func TestClient_GetDatedCall_include(t *testing.T) {
	for _, tt := range []struct {
		include []string
		want    string
	}{
		{nil, "/calls/AC1"},
		{[]string{IncludeSummary}, "/calls/AC1?include=summary"},
		{[]string{IncludeSummary, IncludeVoicemail}, "/calls/AC1?include=summary%2Cvoicemail"},
	} {
		c, seen := datedFake(t, func(*http.Request) (int, string) { return 200, `{"data":` + datedCallJSON + `}` })
		call, err := c.GetDatedCall(context.Background(), "AC1", tt.include...)
		if err != nil {
			t.Fatal(err)
		}
		if call.ID != "AC1" || call.Summary == nil || call.Voicemail == nil {
			t.Errorf("call = %+v", call)
		}
		if got := seen(); len(got) != 1 || got[0].uri != tt.want || got[0].version != DatedAPIVersion {
			t.Errorf("requests %+v, want one to %s with the version", got, tt.want)
		}
	}
}

func TestClient_GetDatedCall_errors(t *testing.T) {
	c, seen := datedFake(t, func(r *http.Request) (int, string) {
		if r.URL.Path == "/calls/ACgone" {
			return 404, `{"title":"Not Found","message":"Call not found"}`
		}
		return 200, `{}`
	})
	ctx := context.Background()
	if _, err := c.GetDatedCall(ctx, "AC1"); !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("a body without data: %v, want ErrMalformedResponse", err)
	}
	if _, err := c.GetDatedCall(ctx, "ACgone"); !IsStatus(err, 404) {
		t.Errorf("another workspace's call: %v, want a 404 *APIError", err)
	}
	before := len(seen())
	for _, id := range []string{"", ".", ".."} {
		if _, err := c.GetDatedCall(ctx, id); err == nil {
			t.Errorf("id %q: no error", id)
		}
	}
	if len(seen()) != before {
		t.Error("an invalid id reached the API")
	}
	if _, err := c.GetDatedCall(ctx, "AC1/../x"); err == nil || seen()[len(seen())-1].uri != "/calls/AC1%2F..%2Fx" {
		t.Errorf("an id with a slash: %v, %+v; want it escaped as one segment", err, seen()[len(seen())-1])
	}
}

func TestClient_DatedCallRecordings_walksOldestFirst(t *testing.T) {
	c, seen := datedFake(t, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("after") == "" {
			return 200, `{"data":[{"id":"CR1","status":"completed","startTime":"2026-10-01T09:00:05Z","duration":30,"url":"https://files.example/cr1?sig=x","type":"voicemail"}],"nextCursor":"c2"}`
		}
		return 200, `{"data":[{"id":"CR2","status":"completed","startTime":"2026-10-01T09:00:40Z","duration":null,"url":null,"type":null}],"nextCursor":null}`
	})
	var got []CallRecording
	for rec, err := range c.DatedCallRecordings(context.Background(), "AC1", CursorParams{Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	want := []CallRecording{
		{ID: "CR1", Status: ptr("completed"), StartTime: ptr(mustTime(t, "2026-10-01T09:00:05Z")), Duration: ptr(30), URL: ptr("https://files.example/cr1?sig=x"), Type: ptr("voicemail")},
		{ID: "CR2", Status: ptr("completed"), StartTime: ptr(mustTime(t, "2026-10-01T09:00:40Z"))},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	var uris []string
	for _, r := range seen() {
		uris = append(uris, r.uri+" "+r.version)
	}
	if diff := cmp.Diff([]string{"/calls/AC1/recordings?limit=1 " + DatedAPIVersion, "/calls/AC1/recordings?after=c2&limit=1 " + DatedAPIVersion}, uris); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestClient_ListDatedCallRecordings_requestURI(t *testing.T) {
	c, seen := datedFake(t, emptyCursorPage)
	if _, err := c.ListDatedCallRecordings(context.Background(), "AC 1", CursorParams{}); err != nil {
		t.Fatal(err)
	}
	if got := seen(); len(got) != 1 || got[0].uri != "/calls/AC%201/recordings" || got[0].version != DatedAPIVersion {
		t.Errorf("requests %+v", got)
	}
	if _, err := c.ListDatedCallRecordings(context.Background(), "", CursorParams{}); err == nil || len(seen()) != 1 {
		t.Error("an empty call id was sent")
	}
}

// TestClient_DatedCallTranscripts_oneTranscriptPerSegment: two recorded
// segments give two transcripts, oldest first, their times counted from
// each segment's start.
func TestClient_DatedCallTranscripts_oneTranscriptPerSegment(t *testing.T) {
	c, seen := datedFake(t, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("after") == "" {
			return 200, `{"data":[{"recordingId":"CR1","status":"completed","startTime":"2026-10-01T09:00:05Z","createdAt":"2026-10-01T09:03:00Z","duration":30.5,
"dialogue":[{"content":"Hello","start":0.5,"end":1.25,"identifier":"+14155550100","actorId":"US1"}]}],"nextCursor":"c2"}`
		}
		return 200, `{"data":[{"recordingId":"CR2","status":"in-progress","startTime":"2026-10-01T09:00:40Z","createdAt":null,"duration":0,"dialogue":null}],"nextCursor":null}`
	})
	var got []DatedTranscript
	for tr, err := range c.DatedCallTranscripts(context.Background(), "AC1", CursorParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tr)
	}
	want := []DatedTranscript{
		{RecordingID: "CR1", Status: StatusCompleted, StartTime: ptr(mustTime(t, "2026-10-01T09:00:05Z")),
			CreatedAt: ptr(mustTime(t, "2026-10-01T09:03:00Z")), Duration: 30.5,
			Dialogue: []DatedDialogueLine{{Content: "Hello", Start: 0.5, End: 1.25, Identifier: ptr("+14155550100"), ActorID: ptr("US1")}}},
		{RecordingID: "CR2", Status: StatusInProgress, StartTime: ptr(mustTime(t, "2026-10-01T09:00:40Z"))},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transcripts (-want +got):\n%s", diff)
	}
	if r := seen(); len(r) != 2 || r[0].uri != "/calls/AC1/transcripts" || r[1].uri != "/calls/AC1/transcripts?after=c2" || r[1].version != DatedAPIVersion {
		t.Errorf("requests %+v", r)
	}
}

func TestClient_ListDatedCallTranscripts_errorBody(t *testing.T) {
	c, _ := datedFake(t, func(*http.Request) (int, string) {
		return 404, `{"title":"Not Found","message":"No call AC9","docs":"https://docs.quo.com"}`
	})
	_, err := c.ListDatedCallTranscripts(context.Background(), "AC9", CursorParams{Limit: 5})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Path != "/calls/AC9/transcripts" || ae.Message != "No call AC9" {
		t.Fatalf("%v, want a 404 *APIError on /calls/AC9/transcripts", err)
	}
}

// TestPacing_v1AndDatedShareTheBudget: 30 v1 and 30 dated requests at once
// on one client draw no 429 from a gateway of 10 per rolling second for
// the key: one budget, not one per surface.
func TestPacing_v1AndDatedShareTheBudget(t *testing.T) {
	t.Parallel()
	g := &rollingGateway{limit: DefaultRateLimit}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/calls/{id}", g.handler(ok))
	mux.HandleFunc("GET /calls", g.handler(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[],"nextCursor":null}`)
	}))
	srv := newLoopbackServer(t, mux)
	c := pacedClient(t, srv)
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			for range 5 {
				var err error
				if i%2 == 0 {
					_, err = c.GetCall(context.Background(), "AC1")
				} else {
					_, err = c.ListDatedCalls(context.Background(), ListDatedCallsParams{})
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refused != 0 || len(g.admitted) != 60 {
		t.Fatalf("%d refused, %d admitted, want 0 and 60", g.refused, len(g.admitted))
	}
}
