package tools

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestCallStatsAnswerSize is issue 12's size figure: "missed calls by user
// this week" for a workspace of 400 calls a weekday is one answer under
// 1,500 bytes of text, against the pages of call lines recent_calls needs
// to list the same misses.
func TestCallStatsAnswerSize(t *testing.T) {
	start := testNow.Add(-7 * 24 * time.Hour)
	f := newAnswersFixture(5, start, 7, 400)
	e, sb := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	after := start.Format(time.RFC3339)
	res := e.call(t, "call_stats", map[string]any{"createdAfter": after, "groupBy": []string{"user"}})
	if res.IsError {
		t.Fatal(res.Text)
	}
	statsRequests := sb.Requests()
	calls := len(f.inWindow(start, testNow))
	if len(res.Text) >= 1500 {
		t.Errorf("missed calls by user this week: %d bytes of text, want under 1,500:\n%s", len(res.Text), res.Text)
	}
	// What listing the misses costs: every page of recent_calls.
	listed, pages := 0, 0
	args := map[string]any{"createdAfter": after, "status": []string{"missed"}, "direction": "incoming", "maxResults": 100}
	for {
		page := e.call(t, "recent_calls", args)
		listed += len(page.Text)
		pages++
		next, _ := page.Structured.(map[string]any)["nextPageToken"].(string)
		if next == "" || pages > 100 {
			break
		}
		args["pageToken"] = next
	}
	t.Logf("%d calls in the week: call_stats by user %d bytes of text in %d requests; listing the misses with recent_calls %d bytes in %d pages (%.0fx)",
		calls, len(res.Text), statsRequests, listed, pages, float64(listed)/float64(len(res.Text)))
}

// TestCallStatsProgress: a client that sends a progress token hears how
// the count goes.
func TestCallStatsProgress(t *testing.T) {
	f := newAnswersFixture(5, testNow.Add(-3*24*time.Hour), 3, 200)
	e, _ := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	var mu sync.Mutex
	n := 0
	e.mcp.OnNotification(func(note mcp.JSONRPCNotification) {
		if note.Method == "notifications/progress" {
			mu.Lock()
			n++
			mu.Unlock()
		}
	})
	var req mcp.CallToolRequest
	req.Params.Name = "call_stats"
	req.Params.Arguments = map[string]any{"createdAfter": testNow.Add(-3 * 24 * time.Hour).Format(time.RFC3339)}
	req.Params.Meta = &mcp.Meta{ProgressToken: "stats"}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if res, err := e.mcp.CallTool(ctx, req); err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	// Delivered asynchronously: wait (a hang guard, not a timing assertion).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		got := n
		mu.Unlock()
		if got >= 3 {
			return
		}
	}
	t.Errorf("%d progress notifications for a count of several pages, want at least 3", n)
}

// BenchmarkCallStatsWeek: call_stats by user over a week of 400 calls a
// weekday (2,100 calls), the API in process without pacing: the server's
// own cost of counting, per answer (decoding 42 pages of the dated API's
// JSON included).
func BenchmarkCallStatsWeek(b *testing.B) {
	start := testNow.Add(-7 * 24 * time.Hour)
	f := newAnswersFixture(5, start, 7, 400)
	api, err := client.New("bench", client.WithTransport(sandbox.New(f.ws, sandbox.Options{}).RoundTripper()), client.WithRateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	srv := server.NewMCPServer("bench", "1", server.WithToolCapabilities(false), server.WithRecovery())
	Register(srv, Deps{Client: func(context.Context) (*client.Client, error) { return api, nil }, Now: func() time.Time { return testNow }, APIVersion: APIAuto})
	benchToolCall(b, &benchEnv{srv: srv}, "call_stats", map[string]any{"createdAfter": start.Format(time.RFC3339), "groupBy": []string{"user"}})
}

// TestSelectNth: the selection gives what a sort gives, for every k of
// random slices with many ties, and the median of metrics matches it.
func TestSelectNth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 60; n++ {
		for trial := 0; trial < 20; trial++ {
			s := make([]int, n)
			for i := range s {
				s[i] = r.IntN(n/2 + 1)
			}
			sorted := slices.Clone(s)
			slices.Sort(sorted)
			for k := range n {
				if got := selectNth(slices.Clone(s), k); got != sorted[k] {
					t.Fatalf("%v: k=%d got %d, want %d", s, k, got, sorted[k])
				}
			}
			m := metrics{talk: slices.Clone(s)}
			_, median, _ := m.talkTime()
			want := sorted[n/2]
			if n%2 == 0 {
				want = (sorted[n/2-1] + sorted[n/2] + 1) / 2
			}
			if median != want {
				t.Fatalf("%v: median %d, want %d", s, median, want)
			}
		}
	}
}
