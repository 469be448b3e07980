package main

// Text ratio figures: the bytes of the text list_calls returns against the
// minified JSON the API answered for the same calls.

import (
	"fmt"
	"slices"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// textBytes compares, call by call, the text list_calls returns with the
// minified JSON the API answered for the same calls.
func (b *bench) textBytes() error {
	api := newLoopbackAPI(b.now)
	defer api.srv.Close()
	p, err := startStdio(b.bin, []string{"--api-rate", "0"}, serverEnv("OPENPHONE_API_KEY=bench", "OPENPHONE_BASE_URL="+api.srv.URL))
	if err != nil {
		return err
	}
	defer p.stop()
	if err := p.initialize(); err != nil {
		return err
	}
	type sample struct{ text, structured, api int }
	var defaults, full []sample
	do := func(pr sandbox.Pair, maxResults int) (sample, error) {
		before := api.callBytes.Load()
		res, err := p.call("tools/call", toolCallParams("list_calls", listCallsArgs(pr, maxResults)))
		if err != nil {
			return sample{}, err
		}
		tr, err := decodeToolResult(res)
		if err != nil {
			return sample{}, err
		}
		return sample{len(tr.text()), len(tr.StructuredContent), int(api.callBytes.Load() - before)}, nil
	}
	for _, pr := range b.pairs {
		s, err := do(pr, 0)
		if err != nil {
			return err
		}
		defaults = append(defaults, s)
	}
	for _, pr := range b.pairs[:min(20, len(b.pairs))] {
		s, err := do(pr, 100)
		if err != nil {
			return err
		}
		full = append(full, s)
	}
	summarize := func(name string, ss []sample, what string) {
		var text, st, apiBytes int
		var ratios []float64
		for _, s := range ss {
			text += s.text
			st += s.structured
			apiBytes += s.api
			ratios = append(ratios, 100*float64(s.text)/float64(s.api))
		}
		f := b.fig("text / API JSON bytes, "+name, "%", "≤ 25%", 1, atMost(25))
		f.Runs = []float64{100 * float64(text) / float64(apiBytes)}
		f.Note = fmt.Sprintf("%s: %d calls; text %d B, API JSON %d B in all (%.0f B vs %.0f B per call); per call median %.1f%%, worst %.1f%%; structuredContent is %.0f%% of the API's bytes",
			what, len(ss), text, apiBytes, float64(text)/float64(len(ss)), float64(apiBytes)/float64(len(ss)),
			median(ratios), slices.Max(ratios), 100*float64(st)/float64(apiBytes))
	}
	summarize("default page", defaults, "every pair of the demo, default maxResults (10)")
	summarize("maxResults 100", full, "the 20 busiest pairs, maxResults 100")
	return nil
}
