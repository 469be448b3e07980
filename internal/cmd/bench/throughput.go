package main

// Throughput figures: tool calls per second over concurrent streamable
// HTTP sessions, and the server's CPU time per call (read from /proc, see
// proc_linux.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

func (b *bench) throughput() error {
	ours := b.ours()
	// Spread the sessions over the busiest pairs: every call still hits a
	// warm cache after the warm-up, but not always the same page.
	k := min(8, len(b.pairs))
	params := make([][]byte, k)
	for i := range params {
		params[i] = toolCallParams("list_calls", listCallsArgs(b.pairs[i], 0))
	}
	ours.params = func(i int) []byte { return params[i%k] }
	// Without /proc (not Linux) the rate stands and the CPU time is noted
	// as unavailable.
	v, cpu, err := callsPerSecondCPU(ours, b.cfg.sessions, b.cfg.duration)
	cpuErr := err
	if err != nil && !errors.Is(err, errUnavailable) {
		return err
	}
	e, ecpu, err := callsPerSecondCPU(b.echo(), b.cfg.sessions, b.cfg.duration)
	if err != nil && !errors.Is(err, errUnavailable) {
		return err
	}
	f := b.fig(fmt.Sprintf("tool calls/s, streamable HTTP, %d sessions", b.cfg.sessions), "calls/s", "≥ 3000", 0, atLeast(3000))
	f.Runs, f.Baseline = append(f.Runs, v), append(f.Baseline, e)
	f.Note = fmt.Sprintf("list_calls over the %d busiest pairs for %v per run; the client runs on the same 2 cores", k, b.cfg.duration)
	const cpuName = "server CPU per tool call, streamable HTTP"
	if cpuErr != nil {
		b.noteUnavailable(cpuName, cpuErr)
		return nil
	}
	c := b.fig(cpuName, "µs", "", 0, nil)
	c.Runs, c.Baseline = append(c.Runs, cpu), append(c.Baseline, ecpu)
	c.Note = "user+system CPU time of the server process during the throughput window, per completed call (robust to a noisy machine); 2 cores / this = the calls/s the server alone could sustain"
	return nil
}

// callsPerSecondCPU runs sessions concurrent sessions, each calling as fast
// as it gets answers, for d after a warm-up, and returns completed calls per
// second and the server's CPU time (user+system) per completed call in µs:
// unlike the rate, the CPU time hardly depends on what else the machine is
// running.
func callsPerSecondCPU(t target, sessions int, d time.Duration) (float64, float64, error) {
	p, err := startHTTP(t.bin, t.args, t.env, "/mcp")
	if err != nil {
		return 0, 0, err
	}
	defer p.stop()
	hc := newHTTPClient(sessions)
	defer hc.CloseIdleConnections()
	ctx := context.Background()
	ss := make([]*httpSession, sessions)
	for i := range ss {
		if ss[i], err = newHTTPSession(ctx, hc, p.url); err != nil {
			return 0, 0, err
		}
	}
	var done atomic.Int64
	var counting atomic.Bool
	var firstErr error
	var errOnce sync.Once
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				id, body, err := s.send(ctx, "tools/call", t.params(i+n))
				if err == nil && n%101 == 0 {
					var res json.RawMessage
					if res, err = decodeResponse(body, id); err == nil {
						_, err = decodeToolResult(res)
					}
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				if counting.Load() {
					done.Add(1)
				}
			}
		}()
	}
	time.Sleep(min(d/3, time.Second)) // warm-up
	cpu0, cerr := cpuTime(p.cmd.Process.Pid)
	counting.Store(true)
	start := time.Now()
	time.Sleep(d)
	n := done.Load()
	cpu1, cerr1 := cpuTime(p.cmd.Process.Pid)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if firstErr != nil {
		return 0, 0, firstErr
	}
	if cerr == nil {
		cerr = cerr1
	}
	if n == 0 {
		return 0, 0, errors.New("no call completed")
	}
	return float64(n) / elapsed.Seconds(), float64(cpu1-cpu0) / float64(time.Microsecond) / float64(n), cerr
}
