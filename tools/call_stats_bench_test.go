package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// BenchmarkCallStatsSurfaces (issue 12) counts every call of the last day
// and of the last 7 days of BenchmarkRecentCallsSurfaces' workspace (400
// calls a day) with call_stats by user, on the dated API and on v1, at the
// API's documented limit (the sandbox answers 429 over 10 requests a
// second; the client paces at its default):
//
//	go test ./tools -run '^$' -bench CallStatsSurfaces -count 3
//
// The v1/7d case is skipped like recent_calls' (RECENT_CALLS_BENCH_V1_7D=1
// or a -benchtime runs it). Metrics as BenchmarkRecentCallsSurfaces'; the
// count must equal the calls of the window (v1: the 1:1 calls), and the
// answer's text bytes are reported (text-B).
func BenchmarkCallStatsSurfaces(b *testing.B) {
	w := newRCBWorkspace()
	for _, surface := range []struct{ name, version string }{{"dated", APIDated}, {"v1", APIV1}} {
		for _, days := range []int{1, 7} {
			b.Run(fmt.Sprintf("%s/%dd", surface.name, days), func(b *testing.B) {
				if surface.version == APIV1 && days == 7 && !rcbSlowWanted() {
					b.Skipf("about a minute at 10 requests/s: set %s=1 or give -benchtime to run it", rcbSlowEnv)
				}
				after := rcbNow.Add(-time.Duration(days) * 24 * time.Hour)
				oneToOne, group := w.inWindow(after, rcbNow)
				want := len(oneToOne)
				if surface.version == APIDated {
					want += len(group)
				}
				var wall time.Duration
				var requests, throttled int64
				var text int
				b.StopTimer()
				for i := 0; i < b.N; i++ {
					var counted int
					var d time.Duration
					counted, text, d, requests, throttled = csbCount(b, w, surface.version, after)
					if counted != want {
						b.Fatalf("counted %d calls, want %d", counted, want)
					}
					wall += d
				}
				floor := float64(requests) / 10
				b.ReportMetric(float64(want), "calls")
				b.ReportMetric(float64(requests), "requests")
				b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
				b.ReportMetric(floor, "floor-s")
				b.ReportMetric(wall.Seconds()/float64(b.N)/floor, "x-floor")
				b.ReportMetric(float64(text), "text-B")
				b.ReportMetric(float64(throttled), "429s")
			})
		}
	}
}

// csbCount runs one call_stats by user over [after, rcbNow) on a fresh
// sandbox, client and server; only the call is timed.
func csbCount(b *testing.B, w *rcbWorkspace, version string, after time.Time) (counted, text int, wall time.Duration, requests, throttled int64) {
	const key = "csb-bench-key"
	sb := sandbox.New(w.ws, sandbox.Options{APIKey: key, RateLimit: client.DefaultRateLimit})
	api, err := client.New(key, client.WithTransport(sb.RoundTripper()))
	if err != nil {
		b.Fatal(err)
	}
	s := server.NewMCPServer("bench", "1", server.WithToolCapabilities(false), server.WithRecovery())
	Register(s, Deps{Client: func(context.Context) (*client.Client, error) { return api, nil }, Now: func() time.Time { return rcbNow }, APIVersion: version})
	mc := testutil.Connect(b, s, testutil.ProtocolLegacy)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = "call_stats"
	req.Params.Arguments = map[string]any{"createdAfter": after.Format(time.RFC3339), "createdBefore": rcbNow.Format(time.RFC3339), "groupBy": []string{"user"}}
	b.StartTimer()
	start := time.Now()
	res, err := mc.CallTool(ctx, req)
	wall = time.Since(start)
	b.StopTimer()
	if err != nil || res.IsError {
		b.Fatalf("call_stats: %v %s", err, resultText(res))
	}
	var out CallStatsOutput
	raw, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(raw, &out); err != nil || !countedOf(out).Complete {
		b.Fatalf("call_stats: %v, counted %+v", err, countedOf(out))
	}
	return countedOf(out).Calls, len(resultText(res)), wall, sb.Requests(), sb.Throttled()
}
