package client

// Tests of the calls resource: decoding every call endpoint, and a fake
// call history that pages like the API.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A documented call object with every field present and set, and one with
// every nullable field null.
const (
	callFullJSON = `{
		"id": "ACfull1",
		"phoneNumberId": "PN123abc",
		"userId": "US123abc",
		"direction": "incoming",
		"status": "completed",
		"duration": 60,
		"participants": ["+15555550100", "+15555550199"],
		"createdAt": "2026-02-01T10:00:00Z",
		"answeredAt": "2026-02-01T10:00:05Z",
		"answeredBy": "USanswer",
		"initiatedBy": "USinit",
		"completedAt": "2026-02-01T10:01:05.25Z",
		"updatedAt": "2026-02-01T10:01:06Z",
		"forwardedFrom": "+15555550111",
		"forwardedTo": "USforward",
		"callRoute": "phone-menu",
		"aiHandled": "ai-agent"
	}`
	callNullJSON = `{
		"id": "ACnull1",
		"phoneNumberId": "PN123abc",
		"userId": "US123abc",
		"direction": "outgoing",
		"status": "no-answer",
		"duration": 0,
		"participants": [],
		"createdAt": "2026-02-01T09:00:00Z",
		"answeredAt": null,
		"answeredBy": null,
		"initiatedBy": null,
		"completedAt": null,
		"updatedAt": null,
		"forwardedFrom": null,
		"forwardedTo": null,
		"callRoute": null,
		"aiHandled": null
	}`
)

func wantFullCall(t *testing.T) Call {
	return Call{
		ID:            "ACfull1",
		PhoneNumberID: "PN123abc",
		UserID:        "US123abc",
		Direction:     "incoming",
		Status:        "completed",
		Duration:      60,
		Participants:  []string{"+15555550100", "+15555550199"},
		CreatedAt:     mustTime(t, "2026-02-01T10:00:00Z"),
		AnsweredAt:    ptr(mustTime(t, "2026-02-01T10:00:05Z")),
		AnsweredBy:    ptr("USanswer"),
		InitiatedBy:   ptr("USinit"),
		CompletedAt:   ptr(mustTime(t, "2026-02-01T10:01:05.25Z")),
		UpdatedAt:     ptr(mustTime(t, "2026-02-01T10:01:06Z")),
		ForwardedFrom: ptr("+15555550111"),
		ForwardedTo:   ptr("USforward"),
		CallRoute:     ptr("phone-menu"),
		AIHandled:     ptr("ai-agent"),
	}
}

func wantNullCall(t *testing.T) Call {
	return Call{
		ID:            "ACnull1",
		PhoneNumberID: "PN123abc",
		UserID:        "US123abc",
		Direction:     "outgoing",
		Status:        "no-answer",
		Participants:  []string{},
		CreatedAt:     mustTime(t, "2026-02-01T09:00:00Z"),
	}
}

func TestClient_ListCalls_decode(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[`+callFullJSON+`,`+callNullJSON+`],"totalItems":999,"nextPageToken":"opaque-tok"}`)
	})
	page, err := c.ListCalls(context.Background(), ListCallsParams{PhoneNumberID: "PN123abc", Participants: []string{"+15555550100"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &CallPage{
		Data:          []Call{wantFullCall(t), wantNullCall(t)},
		TotalItems:    999,
		NextPageToken: ptr("opaque-tok"),
	}
	if diff := cmp.Diff(want, page); diff != "" {
		t.Errorf("page mismatch (-want +got):\n%s", diff)
	}
	// cmp compares pointees; spell out nil vs non-nil so that a type change
	// that loses the distinction cannot slip through.
	full, null := page.Data[0], page.Data[1]
	for name, pair := range map[string][2]bool{
		"answeredAt":    {full.AnsweredAt != nil, null.AnsweredAt == nil},
		"answeredBy":    {full.AnsweredBy != nil, null.AnsweredBy == nil},
		"initiatedBy":   {full.InitiatedBy != nil, null.InitiatedBy == nil},
		"completedAt":   {full.CompletedAt != nil, null.CompletedAt == nil},
		"updatedAt":     {full.UpdatedAt != nil, null.UpdatedAt == nil},
		"forwardedFrom": {full.ForwardedFrom != nil, null.ForwardedFrom == nil},
		"forwardedTo":   {full.ForwardedTo != nil, null.ForwardedTo == nil},
		"callRoute":     {full.CallRoute != nil, null.CallRoute == nil},
		"aiHandled":     {full.AIHandled != nil, null.AIHandled == nil},
	} {
		if !pair[0] || !pair[1] {
			t.Errorf("%s: present=%v null=%v, want present non-nil and null nil", name, pair[0], pair[1])
		}
	}
}

func TestClient_ListCalls_nextPageTokenNull(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[],"totalItems":0,"nextPageToken":null}`)
	})
	page, err := c.ListCalls(context.Background(), ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+15555550100"}})
	if err != nil {
		t.Fatal(err)
	}
	if page.NextPageToken != nil {
		t.Errorf("NextPageToken = %q, want nil for null", *page.NextPageToken)
	}
	if page.Data == nil || len(page.Data) != 0 {
		t.Errorf("Data = %#v, want empty non-nil", page.Data)
	}
}

// TestCall_roundTrip: the Call type marshals back to the documented shape
// with every field present (nulls included), so a fake API can reuse it.
func TestCall_roundTrip(t *testing.T) {
	for _, in := range []string{callFullJSON, callNullJSON} {
		var c Call
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var a, b map[string]any
		json.Unmarshal([]byte(in), &a)
		json.Unmarshal(out, &b)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("round trip changed the object (-in +out):\n%s", diff)
		}
	}
}

func TestClient_GetCall_decode(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls/ACfull1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":`+callFullJSON+`}`)
	})
	mux.HandleFunc("GET /v1/calls/ACnull1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":`+callNullJSON+`}`)
	})
	mux.HandleFunc("GET /v1/calls/ACmissing", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":null}`)
	})
	ctx := context.Background()
	got, err := c.GetCall(ctx, "ACfull1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantFullCall(t), *got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, err = c.GetCall(ctx, "ACnull1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantNullCall(t), *got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = c.GetCall(ctx, "ACmissing")
	checkErr(t, err)
	if !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("data null: err = %v, want ErrMalformedResponse", err)
	}
}

func TestClient_GetCallSummary_decode(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/call-summaries/ACdone", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{
			"callId":"ACdone","status":"completed",
			"summary":["You talked about the weather."],
			"nextSteps":["Bring an umbrella."],
			"jobs":[{"icon":"📋","name":"Lead","result":{"data":[
				{"name":"budget","value":1200.5},
				{"name":"qualified","value":true},
				{"name":"notes","value":"call back"}]}}]}}`)
	})
	mux.HandleFunc("GET /v1/call-summaries/ACpending", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{"callId":"ACpending","status":"in-progress","summary":null,"nextSteps":null,"jobs":null}}`)
	})
	mux.HandleFunc("GET /v1/call-summaries/ACempty", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{"callId":"ACempty","status":"completed","summary":[],"nextSteps":[]}}`)
	})
	ctx := context.Background()

	got, err := c.GetCallSummary(ctx, "ACdone")
	if err != nil {
		t.Fatal(err)
	}
	want := &CallSummary{
		CallID:    "ACdone",
		Status:    StatusCompleted,
		Summary:   []string{"You talked about the weather."},
		NextSteps: []string{"Bring an umbrella."},
		Jobs:      []AIJob{{Icon: "📋", Name: "Lead"}},
	}
	want.Jobs[0].Result.Data = append(want.Jobs[0].Result.Data,
		struct {
			Name  string          `json:"name"`
			Value json.RawMessage `json:"value"`
		}{"budget", json.RawMessage(`1200.5`)},
		struct {
			Name  string          `json:"name"`
			Value json.RawMessage `json:"value"`
		}{"qualified", json.RawMessage(`true`)},
		struct {
			Name  string          `json:"name"`
			Value json.RawMessage `json:"value"`
		}{"notes", json.RawMessage(`"call back"`)},
	)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("completed summary (-want +got):\n%s", diff)
	}

	got, err = c.GetCallSummary(ctx, "ACpending")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&CallSummary{CallID: "ACpending", Status: StatusInProgress}, got); diff != "" {
		t.Errorf("in-progress summary (-want +got):\n%s", diff)
	}
	if got.Summary != nil || got.NextSteps != nil {
		t.Errorf("null summary decoded as non-nil")
	}

	got, err = c.GetCallSummary(ctx, "ACempty")
	if err != nil {
		t.Fatal(err)
	}
	if got.Summary == nil || len(got.Summary) != 0 {
		t.Errorf("empty summary [] decoded as %#v, want empty non-nil (distinct from null)", got.Summary)
	}
}

func TestClient_GetCallTranscript_decode(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/call-transcripts/AC1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{"callId":"AC1","createdAt":"2026-02-01T10:05:00Z","duration":100.5,"status":"completed",
			"dialogue":[
				{"content":"Hello, world!","start":5.123456,"end":10.123456,"identifier":"+19876543210","userId":null},
				{"content":"Hi.","start":10.5,"end":11,"identifier":null,"userId":"US123abc"}]}}`)
	})
	mux.HandleFunc("GET /v1/call-transcripts/AC2", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{"callId":"AC2","createdAt":"2026-02-01T10:05:00Z","duration":0,"status":"absent","dialogue":null}}`)
	})
	got, err := c.GetCallTranscript(context.Background(), "AC1")
	if err != nil {
		t.Fatal(err)
	}
	want := &CallTranscript{
		CallID:    "AC1",
		CreatedAt: mustTime(t, "2026-02-01T10:05:00Z"),
		Duration:  100.5,
		Status:    StatusCompleted,
		Dialogue: []DialogueLine{
			{Content: "Hello, world!", Start: 5.123456, End: 10.123456, Identifier: ptr("+19876543210")},
			{Content: "Hi.", Start: 10.5, End: 11, UserID: ptr("US123abc")},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, err = c.GetCallTranscript(context.Background(), "AC2")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusAbsent || got.Dialogue != nil {
		t.Errorf("absent transcript = %+v", got)
	}
}

func TestClient_GetCallRecordings_decode(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/call-recordings/AC1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[
			{"id":"CRfirst","duration":60,"startTime":"2026-02-01T10:00:05Z","status":"completed","type":"audio/mpeg","url":"https://examplestorage.com/a.mp3"},
			{"id":"CRsecond","duration":null,"startTime":null,"status":null,"type":null,"url":null}]}`)
	})
	mux.HandleFunc("GET /v1/call-recordings/AC2", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[]}`)
	})
	got, err := c.GetCallRecordings(context.Background(), "AC1")
	if err != nil {
		t.Fatal(err)
	}
	want := []CallRecording{
		{ID: "CRfirst", Duration: ptr(60), StartTime: ptr(mustTime(t, "2026-02-01T10:00:05Z")), Status: ptr("completed"), Type: ptr("audio/mpeg"), URL: ptr("https://examplestorage.com/a.mp3")},
		{ID: "CRsecond"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, err = c.GetCallRecordings(context.Background(), "AC2")
	if err != nil || len(got) != 0 {
		t.Errorf("no recordings: %v, %v", got, err)
	}
}

// fakeCallHistory serves a call history of n calls, newest first, in pages
// of maxResults with random opaque page tokens, like the API.
type fakeCallHistory struct {
	t      *testing.T
	mu     sync.Mutex
	calls  []Call
	tokens map[string]int // token -> offset
	pages  int
}

func newFakeCallHistory(t *testing.T, n int) *fakeCallHistory {
	f := &fakeCallHistory{t: t, tokens: map[string]int{}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := n - 1; i >= 0; i-- {
		f.calls = append(f.calls, Call{
			ID:            fmt.Sprintf("AC%04d", i),
			PhoneNumberID: "PNhist",
			UserID:        "US1",
			Direction:     "incoming",
			Status:        "completed",
			Duration:      i,
			Participants:  []string{"+15555550100"},
			CreatedAt:     start.Add(time.Duration(i) * time.Hour),
		})
	}
	return f
}

func (f *fakeCallHistory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	if q.Get("phoneNumberId") != "PNhist" || q.Get("participants") != "+15555550100" {
		writeJSON(w, 400, `{"message":"bad filter","code":"0100400","status":400,"title":"Bad Request"}`)
		return
	}
	max, err := strconv.Atoi(q.Get("maxResults"))
	if err != nil || max < 1 || max > 100 {
		writeJSON(w, 400, `{"message":"maxResults must be 1-100","code":"0100400","status":400,"title":"Bad Request"}`)
		return
	}
	off := 0
	if tok := q.Get("pageToken"); tok != "" {
		o, ok := f.tokens[tok]
		if !ok {
			writeJSON(w, 400, `{"message":"invalid page token","code":"0100400","status":400,"title":"Bad Request"}`)
			return
		}
		off = o
	}
	end := min(off+max, len(f.calls))
	var next *string
	if end < len(f.calls) {
		b := make([]byte, 12)
		rand.Read(b)
		tok := hex.EncodeToString(b)
		f.tokens[tok] = end
		next = &tok
	}
	f.pages++
	// totalItems is documented as inaccurate: send something wrong on purpose.
	body, _ := json.Marshal(CallPage{Data: f.calls[off:end], TotalItems: 10, NextPageToken: next})
	writeJSON(w, 200, string(body))
}

func TestClient_ListCalls_paginationWalksEveryPage(t *testing.T) {
	c, mux, _ := setup(t)
	hist := newFakeCallHistory(t, 57)
	mux.Handle("GET /v1/calls", hist)

	seen := map[string]int{}
	var order []string
	p := ListCallsParams{PhoneNumberID: "PNhist", Participants: []string{"+15555550100"}}
	var last *CallPage
	pages := 0
	for {
		page, err := c.ListCalls(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
		if len(page.Data) > 10 {
			t.Errorf("page %d has %d calls, want at most maxResults 10", pages, len(page.Data))
		}
		for _, call := range page.Data {
			seen[call.ID]++
			order = append(order, call.ID)
		}
		last = page
		if page.NextPageToken == nil {
			break
		}
		p.PageToken = *page.NextPageToken
	}
	if pages != 6 || hist.pages != 6 {
		t.Errorf("walked %d pages (server served %d), want 6 for 57 calls at 10 per page", pages, hist.pages)
	}
	if len(seen) != 57 || len(order) != 57 {
		t.Errorf("saw %d distinct of %d calls, want 57", len(seen), len(order))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("call %s returned %d times", id, n)
		}
	}
	for i, call := range hist.calls {
		if i < len(order) && order[i] != call.ID {
			t.Errorf("call %d = %s, want %s (newest first)", i, order[i], call.ID)
			break
		}
	}
	if last.NextPageToken != nil || len(last.Data) != 7 {
		t.Errorf("last page: %d calls, token %v; want 7 calls and a null token", len(last.Data), last.NextPageToken)
	}
}
