package client

// Tests of Page and of the iterators that walk a list: every page, early
// break, the repeated-token guard, the page bound, errors mid-walk.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPage_NextToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		page *CallPage
		want string
	}{
		{"nil page", nil, ""},
		{"null token: the last page", &CallPage{}, ""},
		{"empty token: the last page", &CallPage{NextPageToken: ptr("")}, ""},
		{"a token", &CallPage{NextPageToken: ptr("opaque+/=")}, "opaque+/="},
	} {
		if got := tc.page.NextToken(); got != tc.want {
			t.Errorf("%s: NextToken() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// histParams are the params fakeCallHistory answers.
var histParams = ListCallsParams{PhoneNumberID: "PNhist", Participants: []string{"+15555550100"}}

// collect ranges over seq to the end and returns the ids it yielded and
// the error it ended with.
func collect[T any](seq func(func(T, error) bool), id func(T) string) (ids []string, err error) {
	for item, err := range seq {
		if err != nil {
			return ids, err
		}
		ids = append(ids, id(item))
	}
	return ids, nil
}

func callID(c Call) string { return c.ID }

func TestClient_Calls_walksEveryPage(t *testing.T) {
	c, mux, _ := setup(t)
	hist := newFakeCallHistory(t, 57)
	mux.Handle("GET /v1/calls", hist)

	ids, err := collect(c.Calls(context.Background(), histParams), callID)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, call := range hist.calls {
		want = append(want, call.ID)
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("calls, newest first, each once (-want +got):\n%s", diff)
	}
	if hist.pages != 6 {
		t.Errorf("server served %d pages, want 6 for 57 calls at 10 per page", hist.pages)
	}
}

func TestClient_Calls_startsAtPageTokenAndEachRangeStartsAfresh(t *testing.T) {
	c, mux, _ := setup(t)
	hist := newFakeCallHistory(t, 25)
	mux.Handle("GET /v1/calls", hist)
	first, err := c.ListCalls(context.Background(), histParams)
	if err != nil {
		t.Fatal(err)
	}
	p := histParams
	p.PageToken = first.NextToken()
	seq := c.Calls(context.Background(), p)
	for round := range 2 {
		ids, err := collect(seq, callID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 15 || ids[0] != hist.calls[10].ID {
			t.Errorf("range %d: %d calls from %v, want the 15 after the first page, from %s", round, len(ids), ids[:1], hist.calls[10].ID)
		}
	}
	if p.PageToken != first.NextToken() {
		t.Error("Calls changed the caller's params")
	}
}

func TestClient_Calls_earlyBreakStopsRequesting(t *testing.T) {
	for _, tc := range []struct {
		take, wantPages int
	}{
		{1, 1},
		{10, 1}, // the last call of a page: the next page is not fetched ahead
		{11, 2},
		{25, 3},
	} {
		t.Run(fmt.Sprint(tc.take), func(t *testing.T) {
			c, mux, _ := setup(t)
			hist := newFakeCallHistory(t, 57)
			mux.Handle("GET /v1/calls", hist)
			n := 0
			for _, err := range c.Calls(context.Background(), histParams) {
				if err != nil {
					t.Fatal(err)
				}
				if n++; n == tc.take {
					break
				}
			}
			if hist.pages != tc.wantPages {
				t.Errorf("break after %d calls: server served %d pages, want %d", tc.take, hist.pages, tc.wantPages)
			}
		})
	}
}

// loopingPages serves /v1/calls pages of one call each; next gives the
// token a page answers to the token it was asked for.
func loopingPages(n *counter, next func(asked string) string) http.HandlerFunc {
	return n.wrap(func(w http.ResponseWriter, r *http.Request) {
		asked := r.URL.Query().Get("pageToken")
		tok := "null"
		if s := next(asked); s != "" {
			tok = `"` + s + `"`
		}
		writeJSON(w, 200, fmt.Sprintf(`{"data":[{"id":"AC-%s"}],"totalItems":1,"nextPageToken":%s}`, asked, tok))
	})
}

func TestClient_Calls_repeatedTokenFails(t *testing.T) {
	c, mux, _ := setup(t)
	var n counter
	// "" -> a -> b -> b: the third page answers with its own token.
	mux.HandleFunc("GET /v1/calls", loopingPages(&n, func(asked string) string {
		return map[string]string{"": "a", "a": "b", "b": "b"}[asked]
	}))
	ids, err := collect(c.Calls(context.Background(), histParams), callID)
	if !errors.Is(err, ErrRepeatedPageToken) {
		t.Fatalf("err = %v, want ErrRepeatedPageToken", err)
	}
	checkErr(t, err)
	if !strings.Contains(err.Error(), "/v1/calls") {
		t.Errorf("error %q does not name the endpoint", err)
	}
	// The repeating page's own call is new, so it is yielded before the error.
	if diff := cmp.Diff([]string{"AC-", "AC-a", "AC-b"}, ids); diff != "" {
		t.Errorf("calls before the error (-want +got):\n%s", diff)
	}
	if n.get() != 3 {
		t.Errorf("%d requests, want 3 (none after the repeated token)", n.get())
	}
}

func TestClient_Calls_pageBound(t *testing.T) {
	t.Run("a list that goes on", func(t *testing.T) {
		c, mux, _ := setup(t, WithMaxPages(4))
		var n counter
		// A new token every page, forever (or a cycle "a"->"b"->"a", which
		// the repeated-token guard alone would not see).
		mux.HandleFunc("GET /v1/calls", loopingPages(&n, func(asked string) string {
			return map[string]string{"": "a", "a": "b", "b": "a"}[asked]
		}))
		ids, err := collect(c.Calls(context.Background(), histParams), callID)
		if !errors.Is(err, ErrTooManyPages) {
			t.Fatalf("err = %v, want ErrTooManyPages", err)
		}
		if len(ids) != 4 || n.get() != 4 {
			t.Errorf("%d calls in %d requests, want 4 pages of 1 and then the error", len(ids), n.get())
		}
		if !strings.Contains(err.Error(), "4 pages") {
			t.Errorf("error %q does not give the bound", err)
		}
	})
	t.Run("a list that ends on the last allowed page", func(t *testing.T) {
		c, mux, _ := setup(t, WithMaxPages(3))
		hist := newFakeCallHistory(t, 30)
		mux.Handle("GET /v1/calls", hist)
		ids, err := collect(c.Calls(context.Background(), histParams), callID)
		if err != nil || len(ids) != 30 {
			t.Errorf("%d calls, err %v; want all 30 in 3 pages and no error", len(ids), err)
		}
	})
}

func TestClient_Calls_errorMidWalk(t *testing.T) {
	c, mux, _ := setup(t)
	var n counter
	mux.HandleFunc("GET /v1/calls", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pageToken") == "" {
			writeJSON(w, 200, `{"data":[{"id":"AC1"},{"id":"AC2"}],"totalItems":9,"nextPageToken":"p2"}`)
			return
		}
		writeJSON(w, 400, `{"message":"invalid page token","code":"0100400","status":400,"title":"Bad Request"}`)
	}))
	var ids []string
	var errs []error
	for call, err := range c.Calls(context.Background(), histParams) {
		if err != nil {
			errs = append(errs, err)
			if call.ID != "" {
				t.Errorf("the error came with call %q, want a zero Call", call.ID)
			}
			continue // the iterator must end by itself
		}
		ids = append(ids, call.ID)
	}
	if diff := cmp.Diff([]string{"AC1", "AC2"}, ids); diff != "" {
		t.Errorf("calls before the error (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !IsStatus(errs[0], 400) {
		t.Fatalf("errors = %v, want one 400 *APIError", errs)
	}
	checkErr(t, errs[0])
	if n.get() != 2 {
		t.Errorf("%d requests, want 2", n.get())
	}
}

func TestClient_Calls_canceledContextEndsTheWalk(t *testing.T) {
	c, mux, _ := setup(t)
	hist := newFakeCallHistory(t, 57)
	mux.Handle("GET /v1/calls", hist)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got error
	n := 0
	for _, err := range c.Calls(ctx, histParams) {
		if err != nil {
			got = err
			break
		}
		if n++; n == 10 {
			cancel() // the walk asks for page 2 with a canceled context
		}
	}
	if !errors.Is(got, context.Canceled) || n != 10 || hist.pages != 1 {
		t.Errorf("err %v after %d calls and %d pages, want context.Canceled after 10 calls and 1 page", got, n, hist.pages)
	}
}

func TestClient_Conversations_walksEveryPage(t *testing.T) {
	c, mux, _ := setup(t)
	var n counter
	var asked []string
	pages := map[string]string{
		"":   `{"data":[{"id":"CN1"},{"id":"CN2"}],"totalItems":1,"nextPageToken":"t2"}`,
		"t2": `{"data":[{"id":"CN3"}],"totalItems":1,"nextPageToken":"t3"}`,
		"t3": `{"data":[],"totalItems":1,"nextPageToken":"t4"}`, // an empty page is not the end
		"t4": `{"data":[{"id":"CN4"}],"totalItems":1,"nextPageToken":null}`,
	}
	mux.HandleFunc("GET /v1/conversations", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		asked = append(asked, q.Get("phoneNumbers")+" "+q.Get("maxResults"))
		writeJSON(w, 200, pages[q.Get("pageToken")])
	}))
	ids, err := collect(c.Conversations(context.Background(), ListConversationsParams{PhoneNumbers: []string{"PN1"}, MaxResults: 2}),
		func(cv Conversation) string { return cv.ID })
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"CN1", "CN2", "CN3", "CN4"}, ids); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Every page keeps the caller's filter and page size.
	if diff := cmp.Diff([]string{"PN1 2", "PN1 2", "PN1 2", "PN1 2"}, asked); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

func TestClient_Conversations_repeatedTokenFails(t *testing.T) {
	c, mux, _ := setup(t)
	var n counter
	mux.HandleFunc("GET /v1/conversations", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[{"id":"CN1"}],"totalItems":1,"nextPageToken":"same"}`)
	}))
	p := ListConversationsParams{PageToken: "same"}
	_, err := collect(c.Conversations(context.Background(), p), func(cv Conversation) string { return cv.ID })
	if !errors.Is(err, ErrRepeatedPageToken) || n.get() != 1 {
		t.Errorf("err %v after %d requests, want ErrRepeatedPageToken after 1", err, n.get())
	}
}

func TestWithMaxPages_rejectsLessThanOne(t *testing.T) {
	for _, n := range []int{0, -1} {
		if _, err := New(testKey, WithMaxPages(n)); err == nil {
			t.Errorf("WithMaxPages(%d) accepted", n)
		}
	}
}
