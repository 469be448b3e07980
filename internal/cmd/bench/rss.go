package main

// Memory figures: the server's peak RSS after a run of tool calls, with
// --demo and with an API key (read from /proc, see proc_linux.go).

import (
	"errors"
	"fmt"
)

func (b *bench) rss() error {
	ours := b.ours()
	// Every pair in turn, with page sizes 10, 50 and 100.
	sizes := []int{10, 50, 100}
	ours.params = func(i int) []byte {
		return toolCallParams("list_calls", listCallsArgs(b.pairs[i%len(b.pairs)], sizes[i%len(sizes)]))
	}
	v, split, err := peakRSSDetail(ours, b.cfg.rssCalls)
	if errors.Is(err, errUnavailable) { // not Linux: no /proc to read
		b.noteUnavailable("peak RSS", err)
		return nil
	}
	if err != nil {
		return err
	}
	e, err := peakRSS(b.echo(), b.cfg.rssCalls)
	if err != nil {
		return err
	}
	f := b.fig(fmt.Sprintf("peak RSS after %d calls, --demo", b.cfg.rssCalls), "MB", "≤ 30 MB", 1, atMost(30))
	f.Runs, f.Baseline = append(f.Runs, v), append(f.Baseline, e)
	f.Note = "VmHWM of the server process (MiB); list_calls over every pair with maxResults 10/50/100; at the end " + split

	// The production path: an API key, the API on loopback (this process
	// serves the same demo data), so the workspace is not in the server.
	api := newLoopbackAPI(b.now)
	defer api.srv.Close()
	key := ours
	key.args = []string{"--api-rate", "0"}
	key.env = serverEnv("OPENPHONE_API_KEY=bench", "OPENPHONE_BASE_URL="+api.srv.URL)
	v, split, err = peakRSSDetail(key, b.cfg.rssCalls)
	if err != nil {
		return err
	}
	g := b.fig(fmt.Sprintf("peak RSS after %d calls, API key", b.cfg.rssCalls), "MB", "≤ 30 MB", 1, atMost(30))
	g.Runs, g.Baseline = append(g.Runs, v), append(g.Baseline, e)
	g.Note = "as above with OPENPHONE_API_KEY and a loopback API instead of --demo; at the end " + split
	return nil
}

// peakRSS makes n tool calls over stdio and reads the server's VmHWM.
func peakRSS(t target, n int) (float64, error) {
	v, _, err := peakRSSDetail(t, n)
	return v, err
}

// peakRSSDetail also gives the resident set split at the end (RssAnon:
// heap and stacks; RssFile: the binary's pages).
func peakRSSDetail(t target, n int) (float64, string, error) {
	p, err := startStdio(t.bin, t.args, t.env)
	if err != nil {
		return 0, "", err
	}
	defer p.stop()
	if err := p.initialize(); err != nil {
		return 0, "", err
	}
	for i := range n {
		res, err := p.call("tools/call", t.params(i))
		if err == nil {
			_, err = decodeToolResult(res)
		}
		if err != nil {
			return 0, "", err
		}
	}
	hwm, _, err := procStatus(p.cmd.Process.Pid)
	return float64(hwm) / (1 << 20), rssSplit(p.cmd.Process.Pid), err
}
