package main

// The paced figures: recent_calls, call_stats and missed_calls, each one's
// wall time against the floor that the API's pacing (--api-rate 10) sets
// for the requests it makes.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// recentCalls times recent_calls against the floor the API's pacing sets:
// with the default --api-rate 10, n requests take at least n/10 s.
func (b *bench) recentCalls() error { return b.paced("recent_calls", b.cfg.recentArgs, b.recentArgs) }

// answers times call_stats (the demo's week by user) and missed_calls (its
// last 24 hours) the same way.
func (b *bench) answers() error {
	if err := b.paced("call_stats", `{"groupBy":["user"]}`, map[string]any{"groupBy": []string{"user"}}); err != nil {
		return err
	}
	return b.paced("missed_calls", `{}`, map[string]any{})
}

// paced times tool with args (as written, and decoded) on fresh servers
// against the pacing floor.
func (b *bench) paced(tool, args string, decoded map[string]any) error {
	names, _, _, err := b.listTools()
	if err != nil {
		return err
	}
	if !slices.Contains(names, tool) {
		b.notes = append(b.notes, tool+": not measured, the server has no "+tool+" tool yet (tools: "+strings.Join(names, ", ")+")")
		return nil
	}
	f := b.fig(tool+" wall / pacing floor", "x", "≤ 1.2x", 2, atMost(1.2))
	var reqs, walls []float64
	for range b.cfg.recentRuns {
		api := newLoopbackAPI(b.now)
		p, err := startStdio(b.bin, nil, serverEnv("OPENPHONE_API_KEY=bench", "OPENPHONE_BASE_URL="+api.srv.URL))
		if err != nil {
			api.srv.Close()
			return err
		}
		err = p.initialize()
		var wall time.Duration
		var n int64
		if err == nil {
			before := api.sb.Requests()
			start := time.Now()
			var res json.RawMessage
			res, err = p.call("tools/call", toolCallParams(tool, decoded))
			wall = time.Since(start)
			n = api.sb.Requests() - before
			if err == nil {
				_, err = decodeToolResult(res)
			}
		}
		p.stop()
		api.srv.Close()
		if err != nil {
			return fmt.Errorf("%s %s: %w", tool, args, err)
		}
		floor := float64(n) / client.DefaultRateLimit
		f.Runs = append(f.Runs, wall.Seconds()/floor)
		reqs, walls = append(reqs, float64(n)), append(walls, wall.Seconds())
	}
	f.Note = fmt.Sprintf("%s %s on a fresh server (cold caches), default --api-rate 10: median %.0f API requests, wall %.2fs, floor requests/10 = %.2fs",
		tool, args, median(reqs), median(walls), median(reqs)/client.DefaultRateLimit)
	return nil
}
