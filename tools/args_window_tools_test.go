package tools

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// structuredField is one top-level string of a result's structured content.
func structuredField(t *testing.T, res testutil.Result, name string) string {
	t.Helper()
	raw, _ := json.Marshal(res.Structured)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("structured content: %v", err)
	}
	s, _ := m[name].(string)
	return s
}

// TestTodayIsLocalMidnightInEveryTool: with --timezone America/Los_Angeles,
// createdAfter "today" is local midnight and createdBefore "today" the next
// one, on both days the clocks change (23 and 25 hours long), in every
// tool with a window; the answer's header and structured content show the
// instants. call_stats' timezone argument decides instead when given.
func TestTodayIsLocalMidnightInEveryTool(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	for _, day := range []struct {
		now                     time.Time
		start, end, berlinStart string
		localWindow             string // the header's, in the zone: each midnight with its own offset
	}{
		{time.Date(2026, 3, 8, 15, 0, 0, 0, la), "2026-03-08T08:00:00Z", "2026-03-09T07:00:00Z", "2026-03-07T23:00:00Z", "2026-03-08 00:00:00-08:00 to 2026-03-09 00:00:00-07:00"},
		{time.Date(2026, 11, 1, 12, 0, 0, 0, la), "2026-11-01T07:00:00Z", "2026-11-02T08:00:00Z", "2026-10-31T23:00:00Z", "2026-11-01 00:00:00-07:00 to 2026-11-02 00:00:00-08:00"},
	} {
		zoned := func(d *Deps) { d.TimeZone, d.Now = la, func() time.Time { return day.now } }
		e, _ := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy, zoned)

		res := e.call(t, "recent_calls", map[string]any{"createdAfter": "today", "createdBefore": "today"})
		if res.IsError || !strings.Contains(res.Text, "created from "+day.localWindow+", newest first, times in America/Los_Angeles:") ||
			structuredField(t, res, "from") != day.start || structuredField(t, res, "to") != day.end {
			t.Errorf("recent_calls today on %s: want the window %s to %s:\n%s", day.now, day.start, day.end, res.Text)
		}
		for _, tool := range []string{"call_stats", "missed_calls"} {
			res := e.call(t, tool, map[string]any{"createdAfter": "today"})
			if res.IsError || structuredField(t, res, "from") != day.start {
				t.Errorf("%s today on %s: createdAfter %q, want %s:\n%s", tool, day.now, structuredField(t, res, "from"), day.start, res.Text)
			}
		}
		res = e.call(t, "call_stats", map[string]any{"createdAfter": "today", "timezone": "Europe/Berlin"})
		if res.IsError || structuredField(t, res, "from") != day.berlinStart {
			t.Errorf("call_stats today in Berlin on %s: createdAfter %q, want %s:\n%s", day.now, structuredField(t, res, "from"), day.berlinStart, res.Text)
		}

		// list_calls: what reaches the API.
		var query atomic.Value
		f := &fakeAPI{handler: fakeWorkspace(nil, func(w http.ResponseWriter, r *http.Request) {
			query.Store(r.URL.Query())
			writeJSON(w, 200, client.CallPage{Data: []client.Call{}})
		})}
		srv := httptest.NewServer(f)
		t.Cleanup(srv.Close)
		v1 := newEnv(t, []client.Option{client.WithBaseURL(srv.URL)}, testutil.ProtocolLegacy, zoned, func(d *Deps) { d.APIVersion = APIV1 })
		res = v1.call(t, "list_calls", withArgs(map[string]any{"createdAfter": "today", "createdBefore": "yesterday"}))
		if !res.IsError || !strings.Contains(res.Text, "createdAfter ("+day.start+") must be earlier than createdBefore ("+day.start+")") {
			t.Errorf("list_calls from today to yesterday is an empty window, want a refusal:\n%s", res.Text)
		}
		res = v1.call(t, "list_calls", withArgs(map[string]any{"createdAfter": "today"}))
		q, _ := query.Load().(url.Values)
		if res.IsError || q.Get("createdAfter") != day.start {
			t.Errorf("list_calls today on %s: the API got createdAfter %q, want %s (%s)", day.now, q.Get("createdAfter"), day.start, res.Text)
		}
	}

	// search_calls, over a ledger synced up to the fixtures' now.
	e, _, _ := newLedgerEnv(t, sandbox.Demo(testNow), true, func(d *Deps) { d.TimeZone = la })
	res := e.call(t, "search_calls", map[string]any{"query": "refund OR return", "createdAfter": "today"})
	var out SearchCallsOutput
	raw, _ := json.Marshal(res.Structured)
	if err := json.Unmarshal(raw, &out); err != nil || res.IsError || len(out.Notes) == 0 || !strings.Contains(out.Notes[len(out.Notes)-1], " calls since 2026-11-27 00:00:00-08:00;") || !strings.Contains(res.Text, " calls since 2026-11-27 00:00:00-08:00;") {
		t.Errorf("search_calls today in Los Angeles: want the window from local midnight (08:00 UTC), got notes %q:\n%s", out.Notes, res.Text)
	}
}

// TestWindowWordsOneSentence: a window argument of no form gets the same
// sentence, listing the forms, from every tool that takes one, and costs
// no API request.
func TestWindowWordsOneSentence(t *testing.T) {
	e, sb := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy)
	var takers []string
	for _, st := range All(Deps{}) {
		if strings.Contains(string(st.Tool.RawInputSchema), `"createdAfter"`) {
			takers = append(takers, st.Tool.Name)
		}
	}
	if len(takers) != 5 {
		t.Fatalf("tools with a window: %v; want recent_calls, list_calls, call_stats, missed_calls, search_calls", takers)
	}
	for _, bad := range []struct{ arg, raw string }{{"createdAfter", "last month"}, {"createdBefore", "tomorrow"}, {"createdAfter", "9999d"}} {
		_, want := resolveWindowArg(bad.arg, bad.raw, testNow, time.UTC)
		if want == nil {
			t.Fatalf("%s %q resolves; the test needs a bad one", bad.arg, bad.raw)
		}
		for _, tool := range takers {
			args := map[string]any{bad.arg: bad.raw, "query": "refund", "participants": []string{fxMaple}}
			if tool != "search_calls" {
				delete(args, "query")
			}
			if tool != "list_calls" {
				delete(args, "participants")
			}
			if res := e.call(t, tool, args); !res.IsError || res.Text != want.Error() {
				t.Errorf("%s %s %q: %q, want %q", tool, bad.arg, bad.raw, res.Text, want.Error())
			}
		}
	}
	if n := sb.Requests(); n != 0 {
		t.Errorf("bad windows made %d API requests, want none", n)
	}
}

// clock is a test's clock that moves between calls.
type clock struct{ at atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.at.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.at.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.at.Add(int64(d)) }

// TestWindowWordsKeepTheirPage: the next page of a listing asked with a
// relative word is the listing's next page, although the word now means
// another instant (24h ten minutes later, today after midnight); the token
// with another word is refused.
func TestWindowWordsKeepTheirPage(t *testing.T) {
	pageTwo := func(t *testing.T, e *env, c *clock, tool string, args map[string]any, moved time.Duration) {
		t.Helper()
		first := e.call(t, tool, args)
		tok := structuredField(t, first, "nextPageToken")
		if first.IsError || tok == "" {
			t.Fatalf("%s %v: want a page with a pageToken:\n%s", tool, args, first.Text)
		}
		c.add(moved)
		next := map[string]any{"pageToken": tok}
		for k, v := range args {
			next[k] = v
		}
		if res := e.call(t, tool, next); res.IsError {
			t.Errorf("%s %v, page 2 %s later: %s", tool, args, moved, res.Text)
		}
		next["createdAfter"] = "2w"
		if res := e.call(t, tool, next); !res.IsError || !strings.Contains(res.Text, "pageToken") {
			t.Errorf("%s: the token with createdAfter 2w: want a refusal, got\n%s", tool, res.Text)
		}
	}
	c := &clock{}
	c.set(testNow)
	moving := func(d *Deps) { d.Now = c.now }

	e, _ := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy, moving)
	pageTwo(t, e, c, "recent_calls", map[string]any{"createdAfter": "7d", "maxResults": 1}, 10*time.Minute)
	c.set(time.Date(2026, 11, 26, 23, 58, 0, 0, time.UTC)) // the fixtures' day, two minutes to midnight
	pageTwo(t, e, c, "recent_calls", map[string]any{"createdAfter": "today", "maxResults": 1}, 5*time.Minute)

	c.set(testNow)
	e, _ = newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy, moving, func(d *Deps) { d.APIVersion = APIAuto })
	pageTwo(t, e, c, "missed_calls", map[string]any{"createdAfter": "7d", "maxResults": 1}, 10*time.Minute)
	c.set(testNow)
	pageTwo(t, e, c, "list_calls", map[string]any{"createdAfter": "30d", "phoneNumberId": sandbox.DemoMainID, "participants": []string{"+12125550178"}, "maxResults": 1}, 10*time.Minute)

	c.set(testNow)
	e, _, _ = newLedgerEnv(t, sandbox.Demo(testNow), true, moving)
	pageTwo(t, e, c, "search_calls", map[string]any{"query": "refund OR return", "createdAfter": "7d", "maxResults": 1}, 10*time.Minute)
}

// TestListCallsTokenWindow: a dated list_calls token starts its window 1ns
// after createdAfter (which is exclusive); the window it gives back is in
// the argument's terms.
func TestListCallsTokenWindow(t *testing.T) {
	after := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	tok := mustEncode(t, history.Cursor{After: after.Add(time.Nanosecond), Last: history.Key{At: after.Add(time.Hour), ID: "AC1"}})
	if a, b, ok := (ListCallsArgs{}).tokenWindow(tok); !ok || !a.Equal(after) || !b.IsZero() {
		t.Errorf("tokenWindow = %v, %v, %v; want %v, none", a, b, ok, after)
	}
	if _, _, ok := (ListCallsArgs{}).tokenWindow("v1-token"); ok {
		t.Error("an API token read as a window")
	}
}
