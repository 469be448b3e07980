package main

// Round-trip figures: p50 and p99 of sequential list_calls over stdio and
// over streamable HTTP, against the echo baseline.

import (
	"context"
	"fmt"
	"time"
)

func (b *bench) stdioRoundTrip() error {
	note := fmt.Sprintf("%d sequential list_calls (default page of 10) after a warm-up, one session", b.cfg.calls)
	return b.roundTrip("stdio", note, stdioLatency, "≤ 1 ms", atMost(1))
}

func (b *bench) httpRoundTrip() error {
	note := fmt.Sprintf("%d sequential list_calls over one keep-alive connection, one session", b.cfg.calls)
	return b.roundTrip("streamable HTTP", note, httpLatency, "", nil)
}

// roundTrip measures the p50 and p99 of our server and of the echo baseline
// with measure and records them as figures; target and check apply to p50.
func (b *bench) roundTrip(transport, note string, measure func(target, int) (float64, float64, error), target string, check func(float64) bool) error {
	p50, p99, err := measure(b.ours(), b.cfg.calls)
	if err != nil {
		return err
	}
	e50, e99, err := measure(b.echo(), b.cfg.calls)
	if err != nil {
		return err
	}
	f := b.fig("list_calls round trip, "+transport+", p50", "ms", target, 3, check)
	f.Runs, f.Baseline, f.Note = append(f.Runs, p50), append(f.Baseline, e50), note
	g := b.fig("list_calls round trip, "+transport+", p99", "ms", "", 3, nil)
	g.Runs, g.Baseline, g.Note = append(g.Runs, p99), append(g.Baseline, e99), note
	return nil
}

// stdioLatency times n sequential tool calls after a warm-up.
func stdioLatency(t target, n int) (p50, p99 float64, err error) {
	p, err := startStdio(t.bin, t.args, t.env)
	if err != nil {
		return 0, 0, err
	}
	defer p.stop()
	if err := p.initialize(); err != nil {
		return 0, 0, err
	}
	return timeCalls(n, func(i int) (int64, []byte, error) {
		id, err := p.send("tools/call", t.params(i))
		if err != nil {
			return 0, nil, err
		}
		line, err := p.readResponse(id)
		return id, line, err
	})
}

func httpLatency(t target, n int) (p50, p99 float64, err error) {
	p, err := startHTTP(t.bin, t.args, t.env, "/mcp")
	if err != nil {
		return 0, 0, err
	}
	defer p.stop()
	ctx := context.Background()
	hc := newHTTPClient(1)
	defer hc.CloseIdleConnections()
	s, err := newHTTPSession(ctx, hc, p.url)
	if err != nil {
		return 0, 0, err
	}
	return timeCalls(n, func(i int) (int64, []byte, error) {
		return s.send(ctx, "tools/call", t.params(i))
	})
}

// timeCalls times n sequential calls of call after a warm-up, checking some
// answers outside the timed window, and returns the p50 and p99 in ms.
func timeCalls(n int, call func(i int) (id int64, answer []byte, err error)) (p50, p99 float64, err error) {
	warm := max(50, n/20)
	times := make([]float64, 0, n)
	for i := range warm + n {
		start := time.Now()
		id, answer, err := call(i)
		elapsed := time.Since(start)
		if err != nil {
			return 0, 0, err
		}
		if i < warm || i%97 == 0 {
			res, err := decodeResponse(answer, id)
			if err == nil {
				_, err = decodeToolResult(res)
			}
			if err != nil {
				return 0, 0, err
			}
		}
		if i >= warm {
			times = append(times, ms(elapsed))
		}
	}
	p50, p99 = percentiles(times)
	return p50, p99, nil
}
