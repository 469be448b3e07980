package tools

// The tools over the local ledger: answers from it equal the API's, say
// so in their header with their age, and cost no API request once it is
// synced; search_calls finds what was said.

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// newLedgerEnv serves the tools over ws on the dated surface with a
// ledger in memory, synced once (backfill, content, transcripts) unless
// synced is false.
func newLedgerEnv(t *testing.T, ws *sandbox.Workspace, synced bool, mutate ...func(*Deps)) (*env, *sandbox.Server, *ledger.Ledger) {
	t.Helper()
	sb := sandbox.New(ws, sandbox.Options{APIKey: markerKey, Now: func() time.Time { return testNow }})
	api, err := client.New(markerKey, client.WithTransport(sb.RoundTripper()), client.WithRateLimit(0), client.WithRetries(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	store, err := ledger.OpenSQLiteMemory(context.Background(), ledger.WorkspaceID(markerKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	l := ledger.New(store, api, ledger.Config{Days: 30})
	l.Syncer.Now = func() time.Time { return testNow }
	if synced {
		if _, err := l.Syncer.Sync(context.Background(), ledger.Options{Backfill: true, Settle: 1 << 20, Transcripts: 1 << 20}); err != nil {
			t.Fatal(err)
		}
	}
	mutate = append([]func(*Deps){func(d *Deps) {
		d.APIVersion = APIAuto
		d.Ledger = func(*client.Client) *ledger.Ledger { return l }
	}}, mutate...)
	return newEnv(t, []client.Option{client.WithTransport(sb.RoundTripper())}, testutil.ProtocolLegacy, mutate...), sb, l
}

// ledgerLines are the lines that say where an answer came from and what it
// cost, which differ between the ledger and the API by design.
// Page tokens differ too: the API's name the walk this process keeps.
var ledgerLines = regexp.MustCompile(`(?m)^(Source|Counted|Read): .*$|, from the local ledger, synced [0-9]+ s ago|pageToken "[^"]*"`)

// TestLedgerAnswersEqualTheAPIs: recent_calls, call_stats and missed_calls
// answer from a synced ledger exactly what they answer from the API, but
// for the header's "from the local ledger" and the line that says what it
// cost; and from the ledger they make no API request for calls.
func TestLedgerAnswersEqualTheAPIs(t *testing.T) {
	ws := sandbox.Demo(testNow)
	withLedger, sb, _ := newLedgerEnv(t, ws, true)
	apiOnly, _ := newSandboxEnv(t, ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"recent_calls", map[string]any{"maxResults": 40}},
		{"recent_calls", map[string]any{"createdAfter": testNow.Add(-10 * 24 * time.Hour).Format(time.RFC3339), "status": []string{"missed"}, "includeSummaries": true}},
		{"call_stats", map[string]any{"groupBy": []string{"user"}}},
		{"call_stats", map[string]any{"groupBy": []string{"day", "direction"}, "createdAfter": "2026-11-01"}},
		{"missed_calls", map[string]any{"onlyUnreturned": false}},
	} {
		want := apiOnly.call(t, c.tool, c.args)
		before := sb.RequestsTo("/calls")
		got := withLedger.call(t, c.tool, c.args)
		if got.IsError || want.IsError {
			t.Fatalf("%s %v: %s / %s", c.tool, c.args, got.Text, want.Text)
		}
		if !strings.Contains(got.Text, ", from the local ledger, synced 0 s ago") {
			t.Errorf("%s %v: the header does not say the ledger answered:\n%s", c.tool, c.args, got.Text)
		}
		if n := sb.RequestsTo("/calls") - before; n != 0 {
			t.Errorf("%s %v: %d requests for calls with a synced ledger", c.tool, c.args, n)
		}
		if diff := cmp.Diff(ledgerLines.ReplaceAllString(want.Text, ""), ledgerLines.ReplaceAllString(got.Text, "")); diff != "" {
			t.Errorf("%s %v: the ledger's answer differs from the API's (-api +ledger):\n%s", c.tool, c.args, diff)
		}
	}
}

// TestCallStatsTwiceCostsNothing is issue 13's measure: call_stats over 30
// days, asked again once the ledger has synced, costs 0-2 API requests.
func TestCallStatsTwiceCostsNothing(t *testing.T) {
	e, sb, l := newLedgerEnv(t, sandbox.Demo(testNow), false)
	args := map[string]any{"createdAfter": testNow.Add(-30 * 24 * time.Hour).Format(time.RFC3339), "groupBy": []string{"user"}}
	first := e.call(t, "call_stats", args)
	firstCost := sb.Requests()
	if _, err := l.Syncer.Sync(context.Background(), ledger.Options{Backfill: true}); err != nil {
		t.Fatal(err)
	}
	before := sb.Requests()
	second := e.call(t, "call_stats", args)
	if n := sb.Requests() - before; n > 2 {
		t.Errorf("the second call_stats cost %d API requests, want 0-2", n)
	}
	if diff := cmp.Diff(ledgerLines.ReplaceAllString(first.Text, ""), ledgerLines.ReplaceAllString(second.Text, "")); diff != "" {
		t.Errorf("the two answers differ (-first +second):\n%s", diff)
	}
	t.Logf("first answer %d requests (from the API, written through); second %d", firstCost, sb.Requests()-before)
}

// searchIDs are the call ids of a search_calls result, in order.
func searchIDs(t *testing.T, res testutil.Result) ([]string, SearchCallsOutput) {
	t.Helper()
	if res.IsError {
		t.Fatalf("search_calls: %s", res.Text)
	}
	raw, _ := json.Marshal(res.Structured)
	var out SearchCallsOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range out.Hits {
		ids = append(ids, h.ID)
	}
	return ids, out
}

// TestSearchCalls: a phrase of a summary finds its call and nothing else,
// one of a transcript its call, a name the calls of that party; the
// passage marks the match and names its field; filters and paging hold;
// any query text is a query, never an error.
func TestSearchCalls(t *testing.T) {
	e, sb, _ := newLedgerEnv(t, fxWorkspace(), true)
	for _, tc := range []struct {
		query, field string
		want         []string
	}{
		{"desk phones pricing", "summary", []string{fxCompleted}},
		{`"twelve new desk phones"`, "transcript", []string{fxCompleted}},
		{"wire the money", "", []string{fxHostile}},
	} {
		ids, out := searchIDs(t, e.call(t, "search_calls", map[string]any{"query": tc.query}))
		if !cmp.Equal(ids, tc.want) {
			t.Errorf("%q finds %v, want %v", tc.query, ids, tc.want)
			continue
		}
		if h := out.Hits[0]; (tc.field != "" && h.Field != tc.field) || !strings.Contains(h.Passage, ledger.MarkOpen) {
			t.Errorf("%q: field %q, passage %q; want %s and the match marked", tc.query, h.Field, h.Passage, tc.field)
		}
	}
	ids, _ := searchIDs(t, e.call(t, "search_calls", map[string]any{"query": "Maple Dental"}))
	if len(ids) == 0 {
		t.Error("the party's name finds nothing")
	}
	ids, _ = searchIDs(t, e.call(t, "search_calls", map[string]any{"query": "desk phones", "direction": "outgoing"}))
	if len(ids) != 0 {
		t.Errorf("an incoming call found with direction outgoing: %v", ids)
	}
	before := sb.Requests()
	for _, q := range []string{`"`, `-`, `OR`, `a OR`, `NEAR(x y)`, `*`, `"unclosed phrase`, `-only -exclusions`, `col:val`, `^start`, `))((`, `'; DROP TABLE calls; --`} {
		if res := e.call(t, "search_calls", map[string]any{"query": q}); res.IsError {
			t.Errorf("query %q: %s", q, res.Text)
		}
	}
	if n := sb.Requests() - before; n > 0 {
		t.Errorf("searches made %d API requests with the ledger fresh", n)
	}
}

// TestSearchCallsPaging: pages of one hit list every match once; a token is
// bound to its search.
func TestSearchCallsPaging(t *testing.T) {
	e, _, _ := newLedgerEnv(t, sandbox.Demo(testNow), true)
	args := map[string]any{"query": "refund OR return", "maxResults": 3}
	seen := map[string]bool{}
	total := -1
	for page := 0; ; page++ {
		ids, out := searchIDs(t, e.call(t, "search_calls", args))
		total = out.Total
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		if out.NextPageToken == "" || page > 50 {
			break
		}
		args["pageToken"] = out.NextPageToken
	}
	if total < 4 || len(seen) != total {
		t.Errorf("pages listed %d calls of %d matching", len(seen), total)
	}
	res := e.call(t, "search_calls", map[string]any{"query": "refund", "pageToken": args["pageToken"]})
	if !res.IsError || !strings.Contains(res.Text, "pageToken") {
		t.Errorf("a token of another search: %s", res.Text)
	}
}

// TestSearchCallsWithoutLedger: the tool says the ledger is off, with what
// to do instead, and makes no request.
func TestSearchCallsWithoutLedger(t *testing.T) {
	e, sb := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy)
	res := e.call(t, "search_calls", map[string]any{"query": "refund"})
	if !res.IsError || !strings.Contains(res.Text, "--ledger off") || sb.Requests() != 0 {
		t.Errorf("%q, %d requests", res.Text, sb.Requests())
	}
}

// TestSearchCallsGolden pins the text and structured content of a search,
// the hostile summary fenced.
func TestSearchCallsGolden(t *testing.T) {
	e, _, _ := newLedgerEnv(t, fxWorkspace(), true)
	for _, tc := range []struct{ golden, query string }{{"desk_phones", "desk phones"}, {"hostile", "pageToken evil"}, {"none", "zeppelin"}} {
		res := e.call(t, "search_calls", map[string]any{"query": tc.query})
		if res.IsError {
			t.Fatal(res.Text)
		}
		testutil.Golden(t, "search_calls/"+tc.golden+".txt", res.Text)
		testutil.Golden(t, "search_calls/"+tc.golden+".structured.json", testutil.JSON(t, res.Structured))
	}
}
