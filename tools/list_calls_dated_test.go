// list_calls on Quo's dated API (issue 11, item 6): the same shape as on
// v1, the summaries and voicemails inline, its own page tokens beside v1's,
// and the fallback to v1 where the API does not know the dated surface.

package tools

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// newFakeEnvV1 is newFakeEnv pinned to v1: the fake's goldens are v1's.
func newFakeEnvV1(t *testing.T, protocol string) (*env, *fakeAPI) {
	t.Helper()
	f := &fakeAPI{handler: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return newEnv(t, []client.Option{client.WithBaseURL(srv.URL)}, protocol, func(d *Deps) { d.APIVersion = APIV1 }), f
}

// TestListCallsDatedGolden: one GET /calls brings the page with its
// summaries and voicemails; the lines are v1's with the voicemail at the
// end, the group call's other party and the AI agent named.
func TestListCallsDatedGolden(t *testing.T) {
	e, sb := newDatedEnv(t, datedCallWorkspace(), sandbox.Options{})
	res := e.call(t, "list_calls", withArgs(map[string]any{"includeSummaries": true}))
	if res.IsError {
		t.Fatalf("isError: %s", res.Text)
	}
	testutil.Golden(t, "list_calls/dated.txt", res.Text)
	testutil.Golden(t, "list_calls/dated.structured.json", testutil.JSON(t, res.Structured))
	assertNoForgedLines(t, res.Text)
	if n := sb.RequestsTo("/v1/call-summaries"); n != 0 {
		t.Errorf("%d summary requests on the dated surface, want 0: the summaries come inline", n)
	}
	if n := sb.RequestsTo("/v1/call-voicemails"); n != 0 {
		t.Errorf("%d voicemail requests on the dated surface, want 0", n)
	}
	if calls, v1 := sb.RequestsTo("/calls"), sb.RequestsTo("/v1/calls"); calls != 1 || v1 != 0 {
		t.Errorf("GET /calls %d times and GET /v1/calls %d times, want 1 and 0", calls, v1)
	}
}

// TestListCallsDatedSameAsV1: without what only the dated surface has
// (voicemails, group calls), a listing reads the same on both surfaces,
// the window's bounds exclusive as v1 documents them: a call created at
// exactly createdAfter or createdBefore is not listed.
func TestListCallsDatedSameAsV1(t *testing.T) {
	ws := historyWorkspace(20)
	at := func(i int) string { return ws.Calls[i-1].CreatedAt.Format(time.RFC3339) }
	for _, extra := range []map[string]any{
		{},
		{"createdAfter": at(5), "createdBefore": at(12)},
		{"createdAfter": at(18), "maxResults": 1},
		{"userId": "USjordan01", "includeSummaries": true, "maxResults": 3},
	} {
		args := map[string]any{"phoneNumberId": pairNumberID, "participants": []string{pairOther}}
		for k, v := range extra {
			args[k] = v
		}
		v1, _ := newSandboxEnv(t, historyWorkspace(20), testutil.ProtocolLegacy)
		dated, sb := newDatedEnv(t, historyWorkspace(20), sandbox.Options{})
		want, got := v1.call(t, "list_calls", args), dated.call(t, "list_calls", args)
		if want.IsError || got.IsError {
			t.Fatalf("%v: %s\n%s", extra, want.Text, got.Text)
		}
		// The page tokens differ (the API's own on v1, this server's on
		// the dated surface); everything else is the same.
		if stripToken(got.Text) != stripToken(want.Text) {
			t.Errorf("%v: dated surface:\n%s\nv1:\n%s", extra, got.Text, want.Text)
		}
		if sb.RequestsTo("/v1/calls") != 0 || sb.RequestsTo("/v1/call-summaries") != 0 {
			t.Errorf("%v: the dated listing asked v1", extra)
		}
	}
}

// stripToken is a result without its page token.
func stripToken(text string) string {
	if i := strings.Index(text, "pageToken \""); i >= 0 {
		return text[:i] + "pageToken <token>.\n"
	}
	return text
}

// TestListCallsDatedPages: a 57-call history with maxResults 10 comes
// back from the dated surface as six pages, each call once, newest first,
// page 2 from page 1's token; a token of v1's still goes through v1.
func TestListCallsDatedPages(t *testing.T) {
	e, sb := newDatedEnv(t, historyWorkspace(57), sandbox.Options{})
	args := map[string]any{"phoneNumberId": pairNumberID, "participants": []string{pairOther}, "maxResults": 10}
	seen := map[string]int{}
	var order []string
	for pages := 1; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		res := e.call(t, "list_calls", args)
		if res.IsError {
			t.Fatalf("page %d: %s", pages, res.Text)
		}
		ids := callIDPattern.FindAllStringSubmatch(res.Text, -1)
		if len(ids) == 0 || len(ids) > 10 {
			t.Fatalf("page %d has %d calls:\n%s", pages, len(ids), res.Text)
		}
		for _, m := range ids {
			seen[m[1]]++
			order = append(order, m[1])
		}
		out := res.Structured.(map[string]any)
		tok, _ := out["nextPageToken"].(string)
		if tok == "" {
			if pages != 6 || !strings.HasSuffix(res.Text, "Last page.\n") {
				t.Errorf("ended after %d pages, want 6:\n%s", pages, res.Text)
			}
			break
		}
		args["pageToken"] = tok
	}
	if len(seen) != 57 || len(order) != 57 {
		t.Errorf("listed %d calls (%d distinct), want 57 once each", len(order), len(seen))
	}
	for i := 1; i < len(order); i++ {
		if order[i] >= order[i-1] { // ids grow with time in this workspace
			t.Errorf("not newest first at %d: %s after %s", i, order[i], order[i-1])
		}
	}
	// 57 calls, 50 a request: two requests for the six pages (each page
	// goes on from the walk the previous one kept).
	if calls, v1 := sb.RequestsTo("/calls"), sb.RequestsTo("/v1/calls"); calls != 2 || v1 != 0 {
		t.Errorf("GET /calls %d times and GET /v1/calls %d times, want 2 and 0", calls, v1)
	}

	// Another participant with a token of this listing: refused, and no
	// calls request.
	args["participants"] = []string{"+13105550142"}
	if res := e.call(t, "list_calls", args); !res.IsError || !strings.Contains(res.Text, "pageToken") {
		t.Errorf("a token resumed with another participant: %s", res.Text)
	}
	if n := sb.RequestsTo("/calls"); n != 2 {
		t.Errorf("GET /calls %d times, want still 2: a refused token costs no calls request", n)
	}

	// A v1 token (the API's own, as list_calls gave before the dated
	// surface) goes on through v1.
	args["participants"] = []string{pairOther}
	args["pageToken"] = "tok_page2"
	e.call(t, "list_calls", args)
	if n := sb.RequestsTo("/v1/calls"); n != 1 {
		t.Errorf("a v1 page token made %d GET /v1/calls, want 1", n)
	}
}

// TestListCallsDatedFallback: where the API does not know the dated
// surface, list_calls answers through v1 as before, byte for byte, and
// asks the dated surface no more for this key.
func TestListCallsDatedFallback(t *testing.T) {
	e, sb := newDatedEnv(t, fxWorkspace(), sandbox.Options{DatedOff: true})
	v1, _ := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy)
	for i := range 2 {
		got := e.call(t, "list_calls", withArgs(map[string]any{"includeSummaries": true}))
		want := v1.call(t, "list_calls", withArgs(map[string]any{"includeSummaries": true}))
		if got.IsError || got.Text != want.Text {
			t.Errorf("call %d after the fallback:\n%s\nwant:\n%s", i+1, got.Text, want.Text)
		}
	}
	if calls, v1calls := sb.RequestsTo("/calls"), sb.RequestsTo("/v1/calls"); calls != 1 || v1calls != 2 {
		t.Errorf("GET /calls %d times and /v1/calls %d times, want 1 (then remembered) and 2", calls, v1calls)
	}
}

// TestListCallsDatedTokenOnV1: a token of the dated surface given where v1
// answers (pinned, or fallen back since) is refused with the way on, not
// sent to GET /v1/calls.
func TestListCallsDatedTokenOnV1(t *testing.T) {
	dated, _ := newDatedEnv(t, historyWorkspace(15), sandbox.Options{})
	args := map[string]any{"phoneNumberId": pairNumberID, "participants": []string{pairOther}, "maxResults": 10}
	tok, _ := dated.call(t, "list_calls", args).Structured.(map[string]any)["nextPageToken"].(string)
	if tok == "" {
		t.Fatal("no page token from the dated surface")
	}
	v1, sb := newSandboxEnv(t, historyWorkspace(15), testutil.ProtocolLegacy)
	args["pageToken"] = tok
	res := v1.call(t, "list_calls", args)
	if !res.IsError || !strings.Contains(res.Text, "no pageToken") {
		t.Errorf("a dated token on v1: %s", res.Text)
	}
	if n := sb.RequestsTo("/v1/calls"); n != 0 {
		t.Errorf("%d GET /v1/calls with a dated token, want 0", n)
	}
}
