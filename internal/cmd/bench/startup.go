package main

// Startup figures: spawn to the initialize reply (--demo, then with an API
// key) and spawn to the first list_calls answer.

import (
	"encoding/json"
	"fmt"
	"time"
)

func (b *bench) startup() error {
	f := b.fig("start to initialize reply, --demo", "ms", "≤ 20 ms", 1, atMost(20))
	v, err := spawnToInitialize(b.ours(), b.cfg.spawns)
	if err != nil {
		return err
	}
	e, err := spawnToInitialize(b.echo(), b.cfg.spawns)
	if err != nil {
		return err
	}
	f.Runs, f.Baseline = append(f.Runs, v), append(f.Baseline, e)
	f.Note = fmt.Sprintf("median of %d spawns per run; spawn to the initialize reply over stdio", b.cfg.spawns)

	// What a client waits for its first answer: spawn, initialize, then
	// list_calls at once (the demo workspace is built after initialize).
	fc := b.fig("start to first list_calls reply, --demo", "ms", "", 1, nil)
	v, err = spawnToFirstCall(b.ours(), b.cfg.spawns)
	if err != nil {
		return err
	}
	fc.Runs = append(fc.Runs, v)
	fc.Note = "spawn, initialize, notifications/initialized and list_calls sent back to back; includes building the demo workspace"

	// With an API key (the production path): no demo workspace to build.
	g := b.fig("start to initialize reply, API key", "ms", "≤ 20 ms", 1, atMost(20))
	key := b.ours()
	key.args = nil
	key.env = serverEnv("OPENPHONE_API_KEY=bench", "OPENPHONE_BASE_URL=http://127.0.0.1:9")
	v, err = spawnToInitialize(key, b.cfg.spawns)
	if err != nil {
		return err
	}
	g.Runs, g.Baseline = append(g.Runs, v), append(g.Baseline, e)
	g.Note = "as above, OPENPHONE_API_KEY set instead of --demo (initialize makes no API request)"
	return nil
}

// spawnToInitialize starts t's binary on stdio, sends initialize at once
// and times the reply (the wall time a client waits before it can list
// tools). It returns the median of n starts.
func spawnToInitialize(t target, n int) (float64, error) {
	var times []float64
	for range n {
		start := time.Now()
		p, err := startStdio(t.bin, t.args, t.env)
		if err != nil {
			return 0, err
		}
		id, err := p.send("initialize", initializeParams)
		if err == nil {
			var line []byte
			line, err = p.readResponse(id)
			elapsed := time.Since(start)
			if err == nil {
				_, err = decodeResponse(line, id)
			}
			times = append(times, ms(elapsed))
		}
		if serr := p.stop(); err == nil && serr != nil {
			err = serr
		}
		if err != nil {
			return 0, err
		}
	}
	return median(times), nil
}

// spawnToFirstCall is spawnToInitialize up to the answer of a first tool
// call sent right after initialize.
func spawnToFirstCall(t target, n int) (float64, error) {
	var times []float64
	for range n {
		start := time.Now()
		p, err := startStdio(t.bin, t.args, t.env)
		if err != nil {
			return 0, err
		}
		var res json.RawMessage
		if err = p.initialize(); err == nil {
			res, err = p.call("tools/call", t.params(0))
			times = append(times, ms(time.Since(start)))
			if err == nil {
				_, err = decodeToolResult(res)
			}
		}
		if serr := p.stop(); err == nil && serr != nil {
			err = serr
		}
		if err != nil {
			return 0, err
		}
	}
	return median(times), nil
}
