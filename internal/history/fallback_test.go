package history_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

func fallbackOver(api *countingAPI, memo *history.Fallbacks) *history.Fallback {
	states := history.NewStates(0, 0)
	return history.NewFallback(history.NewDatedCalls(api, states), history.NewV1Walk(api, states), api, memo)
}

// TestFallback_DatedOff: an API without the dated surface answers every
// question through v1, at the cost of one request for the first, and says
// so; the fallback is remembered for the client.
func TestFallback_DatedOff(t *testing.T) {
	f := newFixture(small)
	api := f.api(t, sandbox.New(f.ws, sandbox.Options{DatedOff: true}))
	memo := history.NewFallbacks(0)
	var logged []error
	memo.Logged = func(err error) { logged = append(logged, err) }
	src := fallbackOver(api, memo)

	first, err := history.Page(context.Background(), src, f.query(), history.Scope{}, nil, 20)
	if err != nil {
		t.Fatal(err)
	}
	if first.Coverage.FellBack == "" || first.Coverage.Source != "v1 conversation walk" || api.dated.Load() != 1 {
		t.Errorf("coverage %+v after %d dated requests", first.Coverage, api.dated.Load())
	}
	keys, _, _ := pageAll(t, src, api, f.query(), 20)
	if diff := cmp.Diff(f.truth, keys); diff != "" {
		t.Errorf("through v1 (-want +got):\n%s", diff)
	}
	if api.dated.Load() != 1 || len(logged) != 1 {
		t.Errorf("%d dated requests and %d log lines over two listings, want 1 and 1", api.dated.Load(), len(logged))
	}
}

// TestFallback_DatedOn: with the dated surface, the v1 walk is never used.
func TestFallback_DatedOn(t *testing.T) {
	f := withGroupCalls(newFixture(small), 3)
	api := f.api(t, nil)
	keys, _, _ := pageAll(t, fallbackOver(api, history.NewFallbacks(0)), api, f.query(), 40)
	if diff := cmp.Diff(f.truth, keys); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if api.convs.Load()+api.calls.Load() != 0 {
		t.Errorf("%d v1 requests", api.convs.Load()+api.calls.Load())
	}
}

// TestDatedUnknown: which answers mean "no dated surface here".
func TestDatedUnknown(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&client.APIError{Path: "/calls", StatusCode: 404}, true},
		{&client.APIError{Path: "/calls/AC1", StatusCode: 404}, false},
		{&client.APIError{Path: "/calls/AC1", StatusCode: 404, Code: "0000404"}, true},
		{&client.APIError{Path: "/calls", StatusCode: 400, Message: "Missing header Quo-Api-Version: send Quo-Api-Version: 2026-03-30"}, true},
		{&client.APIError{Path: "/calls", StatusCode: 400, Message: "Unknown query parameter createdAt[gte]"}, true},
		{&client.APIError{Path: "/calls", StatusCode: 400, Message: "limit must be at most 50"}, false},
		{&client.APIError{Path: "/calls", StatusCode: 500}, false},
		{context.Canceled, false},
	} {
		if got := history.DatedUnknown(tc.err); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestFallback_UnknownParameter: a 400 naming an unknown parameter falls
// back too (a wrong guess about a parameter name costs one request).
func TestFallback_UnknownParameter(t *testing.T) {
	f := newFixture(small)
	sb := sandbox.New(f.ws, sandbox.Options{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/calls" {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "limit=", "pageSize=", 1) // a name this server does not know
		}
		sb.ServeHTTP(w, r)
	})
	api := f.api(t, h)
	res, err := history.Page(context.Background(), fallbackOver(api, history.NewFallbacks(0)), f.query(), history.Scope{}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Coverage.FellBack == "" || len(res.Calls) != 10 {
		t.Errorf("coverage %+v, %d calls", res.Coverage, len(res.Calls))
	}
}
