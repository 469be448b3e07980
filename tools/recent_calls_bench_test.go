package tools

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// rcbSlowEnv asks BenchmarkRecentCallsSurfaces for its v1/7d case.
const rcbSlowEnv = "RECENT_CALLS_BENCH_V1_7D"

// BenchmarkRecentCallsSurfaces (issue 11) pages through every call of the
// last day and of the last 7 days of a 400-calls-a-day workspace
// (newRCBWorkspace) with recent_calls, 100 calls a page, on Quo's dated
// API (Deps.APIVersion "2026-03-30") and on v1 (the conversation walk),
// side by side:
//
//	go test ./tools -run '^$' -bench RecentCallsSurfaces -count 3
//	RECENT_CALLS_BENCH_V1_7D=1 go test ./tools -run '^$' -bench 'RecentCallsSurfaces/v1/7d' -count 3
//
// Everything is real but the network: the tool handler through an MCP
// session (mcp-go's in-process client), the client at its default pacing
// (10 requests per second, burst 1, and its rolling-second guard), and the
// sandbox in process (sandbox.Server.RoundTripper) enforcing the API's
// documented 10 requests per second per key with 429s. Each iteration
// starts from a fresh sandbox, client and server (no cached directory or
// walk); wall time runs from the first page's request to the last page's
// answer.
//
// The v1/7d case takes about a minute an iteration at 10 requests per
// second, so it is skipped unless RECENT_CALLS_BENCH_V1_7D=1 is set or
// -benchtime is given other than its default (such as -benchtime 1x).
//
// Metrics: calls (listed), requests (every API request, the directory's
// numbers and conversation names included), req/call, pages, wall-s,
// floor-s (requests / 10, the time the API's limit alone takes),
// x-floor (wall-s / floor-s), max-page-s (the slowest page: the longest an
// assistant waits), 429s (sandbox.Server.Throttled). Every call of the
// window must be listed exactly once (v1: every 1:1 call; the dated
// surface: the group calls too), else the benchmark fails.
func BenchmarkRecentCallsSurfaces(b *testing.B) {
	w := newRCBWorkspace()
	for _, surface := range []struct{ name, version string }{{"dated", APIDated}, {"v1", APIV1}} {
		b.Run(surface.name, func(b *testing.B) {
			for _, days := range []int{1, 7} {
				b.Run(fmt.Sprintf("%dd", days), func(b *testing.B) {
					if surface.version == APIV1 && days == 7 && !rcbSlowWanted() {
						b.Skipf("about a minute at 10 requests/s: set %s=1 or give -benchtime to run it", rcbSlowEnv)
					}
					rcbRun(b, w, surface.version, days)
				})
			}
		})
	}
}

// rcbSlowWanted reports whether the slow case was asked for.
func rcbSlowWanted() bool {
	if os.Getenv(rcbSlowEnv) == "1" {
		return true
	}
	f := flag.Lookup("test.benchtime")
	return f != nil && f.Value.String() != "1s"
}

// rcbResult is what one listing of the window measured.
type rcbResult struct {
	ids                      []string
	pages                    int
	wall, slowest            time.Duration
	requests, throttled      int64
	datedReq, convReq, v1Req int64
}

func rcbRun(b *testing.B, w *rcbWorkspace, version string, days int) {
	before := rcbNow
	after := before.Add(-time.Duration(days) * 24 * time.Hour)
	oneToOne, group := w.inWindow(after, before)
	want := oneToOne
	if version == APIDated {
		want = append(slices.Clone(oneToOne), group...)
	}
	var last rcbResult
	var wall, slowest time.Duration
	var throttled int64
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		last = rcbListWindow(b, w, version, after, before)
		rcbCheck(b, last.ids, want)
		wall += last.wall
		slowest = max(slowest, last.slowest)
		throttled += last.throttled
	}
	floor := float64(last.requests) / 10
	b.ReportMetric(float64(len(last.ids)), "calls")
	b.ReportMetric(float64(last.requests), "requests")
	b.ReportMetric(float64(last.requests)/float64(len(last.ids)), "req/call")
	b.ReportMetric(float64(last.pages), "pages")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
	b.ReportMetric(floor, "floor-s")
	b.ReportMetric(wall.Seconds()/float64(b.N)/floor, "x-floor")
	b.ReportMetric(slowest.Seconds(), "max-page-s")
	b.ReportMetric(float64(throttled)/float64(b.N), "429s")
	b.Logf("%s %dd: %d calls (%d 1:1, %d group in the window), %d pages, %d requests (dated /calls %d, /v1/conversations %d, /v1/calls %d), %.2f s, %d 429s",
		version, days, len(last.ids), len(oneToOne), len(group), last.pages, last.requests, last.datedReq, last.convReq, last.v1Req, last.wall.Seconds(), last.throttled)
}

// rcbListWindow pages through [after, before) with recent_calls, 100 calls
// a page, over a fresh sandbox, client and server; only the paging is timed.
func rcbListWindow(b *testing.B, w *rcbWorkspace, version string, after, before time.Time) rcbResult {
	const key = "rcb-bench-key"
	sb := sandbox.New(w.ws, sandbox.Options{APIKey: key, RateLimit: client.DefaultRateLimit})
	api, err := client.New(key, client.WithTransport(sb.RoundTripper())) // default pacing, retries, timeout
	if err != nil {
		b.Fatal(err)
	}
	s := server.NewMCPServer("bench", "1", server.WithToolCapabilities(false), server.WithRecovery())
	Register(s, Deps{
		Client:     func(context.Context) (*client.Client, error) { return api, nil },
		Now:        func() time.Time { return rcbNow },
		APIVersion: version,
	})
	mc := testutil.Connect(b, s, testutil.ProtocolLegacy)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	args := map[string]any{"createdAfter": after.Format(time.RFC3339), "createdBefore": before.Format(time.RFC3339), "maxResults": 100}

	var r rcbResult
	b.StartTimer()
	start := time.Now()
	for {
		if r.pages > 1000 {
			b.Fatal("paging does not end")
		}
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = "recent_calls", args
		t0 := time.Now()
		res, err := mc.CallTool(ctx, req)
		r.slowest = max(r.slowest, time.Since(t0))
		if err != nil {
			b.Fatalf("page %d: %v", r.pages+1, err)
		}
		r.pages++
		if res.IsError {
			b.Fatalf("page %d: %s", r.pages, resultText(res))
		}
		var out RecentCallsOutput
		raw, err := json.Marshal(res.StructuredContent)
		if err == nil {
			err = json.Unmarshal(raw, &out)
		}
		if err != nil {
			b.Fatalf("page %d: structured content: %v", r.pages, err)
		}
		for _, c := range out.Calls {
			r.ids = append(r.ids, c.ID)
		}
		if out.NextPageToken == "" {
			break
		}
		args["pageToken"] = out.NextPageToken
	}
	r.wall = time.Since(start)
	b.StopTimer()
	r.requests, r.throttled = sb.Requests(), sb.Throttled()
	r.datedReq, r.convReq, r.v1Req = sb.RequestsTo("/calls"), sb.RequestsTo("/v1/conversations"), sb.RequestsTo("/v1/calls")
	return r
}

// rcbCheck fails unless got lists every call of want exactly once.
func rcbCheck(b *testing.B, got, want []string) {
	b.Helper()
	seen := make(map[string]int, len(got))
	for _, id := range got {
		seen[id]++
	}
	for id, n := range seen {
		if n != 1 {
			b.Fatalf("%s listed %d times", id, n)
		}
	}
	var missing []string
	for _, id := range want {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 || len(got) != len(want) {
		b.Fatalf("listed %d calls, want %d; %d missing (first %v)", len(got), len(want), len(missing), missing[:min(3, len(missing))])
	}
}
