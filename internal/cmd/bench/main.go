// Command bench measures openphone-mcp end to end, as an MCP client sees it,
// against the targets of BENCHMARKS.md, and prints a table (and optionally
// JSON). It is not a test: run it on purpose.
//
//	go run ./internal/cmd/bench [--runs 3] [--bin path] [--json out.json] [--short]
//
// Without --bin it builds the server (go build into a temporary directory).
// The server runs with --demo --api-rate 0 (the sandbox in process, zero
// latency, pacing off) except where a figure needs to see the API traffic:
// text bytes against the API's JSON and recent_calls against the pacing
// floor use a loopback copy of the same sandbox served by this process.
//
// The client side is raw JSON-RPC over pipes and HTTP (see rpc.go). A
// trivial echo server built with mcp-go (this binary, re-executed with
// BENCH_ECHO=1) is measured the same way in the same run, as the floor.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

type config struct {
	bin        string
	runs       int
	spawns     int
	calls      int
	sessions   int
	duration   time.Duration
	rssCalls   int
	recentRuns int
	recentArgs string
	jsonOut    string
	short      bool
	skip       string
}

func main() {
	if os.Getenv(echoEnv) == "1" {
		os.Exit(runEcho(os.Args[1:]))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.bin, "bin", "", "the openphone-mcp binary to measure (default: go build it into a temp dir)")
	fs.IntVar(&cfg.runs, "runs", 3, "repeats of every measurement; figures are medians over runs")
	fs.IntVar(&cfg.spawns, "spawns", 21, "process starts per run for start-to-initialize (median per run)")
	fs.IntVar(&cfg.calls, "calls", 2000, "sequential list_calls round trips per run, per transport")
	fs.IntVar(&cfg.sessions, "sessions", 32, "concurrent HTTP sessions for throughput")
	fs.DurationVar(&cfg.duration, "duration", 3*time.Second, "throughput window per run")
	fs.IntVar(&cfg.rssCalls, "rss-calls", 300, "tool calls before reading the server's peak RSS")
	fs.IntVar(&cfg.recentRuns, "recent-runs", 3, "recent_calls runs against the 10 req/s pacing floor (each on a fresh server)")
	fs.StringVar(&cfg.recentArgs, "recent-args", "{}", "arguments of the recent_calls call, as JSON")
	fs.StringVar(&cfg.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.BoolVar(&cfg.short, "short", false, "a quick smoke run: 1 run, few spawns and calls (numbers are not meaningful)")
	fs.StringVar(&cfg.skip, "skip", "", "comma-separated sections to skip: startup,stdio,http,throughput,rss,bytes,tools,recent")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.short {
		cfg.runs, cfg.spawns, cfg.calls, cfg.duration, cfg.recentRuns = 1, 3, 100, 500*time.Millisecond, 1
	}
	if cfg.runs < 1 || cfg.spawns < 1 || cfg.calls < 10 || cfg.sessions < 1 || cfg.rssCalls < 1 {
		fmt.Fprintln(stderr, "bench: --runs, --spawns, --sessions, --rss-calls must be at least 1 and --calls at least 10")
		return 2
	}
	var recentArgs map[string]any
	if err := json.Unmarshal([]byte(cfg.recentArgs), &recentArgs); err != nil {
		fmt.Fprintf(stderr, "bench: --recent-args is not a JSON object: %v\n", err)
		return 2
	}
	b, err := newBench(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	defer b.close()
	b.recentArgs = recentArgs
	if err := b.runAll(); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		b.report(stdout)
		return 1
	}
	b.report(stdout)
	if cfg.jsonOut != "" {
		if err := b.writeJSON(cfg.jsonOut); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
	}
	return 0
}

// figure is one measured quantity, with its value per run.
type figure struct {
	Name     string    `json:"name"`
	Unit     string    `json:"unit"`
	Target   string    `json:"target,omitempty"`
	Runs     []float64 `json:"runs"`
	Median   float64   `json:"median"`
	Met      *bool     `json:"met,omitempty"`
	Baseline []float64 `json:"baseline,omitempty"` // the echo server, same measurement
	BaseMed  float64   `json:"baselineMedian,omitempty"`
	Note     string    `json:"note,omitempty"`
	check    func(float64) bool
	prec     int
}

type bench struct {
	cfg        config
	log        io.Writer
	bin        string
	self       string
	tmp        string
	now        time.Time
	pairs      []sandbox.Pair // of the demo, busiest first: the same as the server's --demo
	recentArgs map[string]any
	figs       []*figure
	byName     map[string]*figure
	notes      []string
	machine    map[string]string
	toolParts  map[string]int // bytes of the tools' fields in tools/list
}

func newBench(cfg config, log io.Writer) (*bench, error) {
	b := &bench{cfg: cfg, log: log, now: time.Now(), byName: map[string]*figure{}}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b.self = self
	b.tmp, err = os.MkdirTemp("", "openphone-mcp-bench-")
	if err != nil {
		return nil, err
	}
	if cfg.bin != "" {
		b.bin = cfg.bin
	} else {
		root, err := moduleRoot()
		if err != nil {
			return nil, err
		}
		b.bin = filepath.Join(b.tmp, "openphone-mcp")
		fmt.Fprintf(log, "building %s ...\n", root)
		cmd := exec.Command("go", "build", "-o", b.bin, ".")
		cmd.Dir = root
		cmd.Stderr = log
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go build: %w", err)
		}
	}
	b.pairs = sandbox.Demo(b.now).Pairs()
	b.machine = machineInfo()
	return b, nil
}

func (b *bench) close() { _ = os.RemoveAll(b.tmp) }

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the openphone-mcp module: run from the repository or pass --bin")
	}
	return filepath.Dir(mod), nil
}

// listCallsArgs are the list_calls arguments of pair p; maxResults 0
// leaves the tool's default.
func listCallsArgs(p sandbox.Pair, maxResults int) map[string]any {
	a := map[string]any{"phoneNumberId": p.PhoneNumberID, "participants": []string{p.Participant}}
	if maxResults > 0 {
		a["maxResults"] = maxResults
	}
	return a
}

func machineInfo() map[string]string {
	m := map[string]string{
		"nproc":      fmt.Sprint(runtime.NumCPU()),
		"go":         runtime.Version(),
		"os/arch":    runtime.GOOS + "/" + runtime.GOARCH,
		"GOGC":       os.Getenv("GOGC"),
		"GOMEMLIMIT": os.Getenv("GOMEMLIMIT"),
	}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m["cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func (b *bench) skipped(section string) bool {
	for _, s := range strings.Split(b.cfg.skip, ",") {
		if strings.TrimSpace(s) == section {
			return true
		}
	}
	return false
}

// fig returns the figure called name, creating it.
func (b *bench) fig(name, unit, target string, prec int, check func(float64) bool) *figure {
	if f, ok := b.byName[name]; ok {
		return f
	}
	f := &figure{Name: name, Unit: unit, Target: target, check: check, prec: prec}
	b.figs = append(b.figs, f)
	b.byName[name] = f
	return f
}

func atMost(limit float64) func(float64) bool  { return func(v float64) bool { return v <= limit } }
func atLeast(limit float64) func(float64) bool { return func(v float64) bool { return v >= limit } }
func below(limit float64) func(float64) bool   { return func(v float64) bool { return v < limit } }

// serverEnv is the environment of a server under test: ours without any
// OpenPhone or MCP settings, plus extra.
func serverEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OPENPHONE_") || strings.HasPrefix(kv, "MCP_") || strings.HasPrefix(kv, echoEnv+"=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

var demoArgs = []string{"--demo", "--api-rate", "0"}

// target describes a server to start: ours or the echo baseline.
type target struct {
	bin    string
	args   []string
	env    []string
	tool   string
	params func(i int) []byte // tool call params for the i-th call
}

func (b *bench) ours() target {
	p := b.pairs[0]
	params := toolCallParams("list_calls", listCallsArgs(p, 0))
	return target{bin: b.bin, args: demoArgs, env: serverEnv(), tool: "list_calls",
		params: func(int) []byte { return params }}
}

func (b *bench) echo() target {
	// The echo gets the same arguments, so request sizes match.
	params := toolCallParams("echo", map[string]any{"text": fmt.Sprint(listCallsArgs(b.pairs[0], 0))})
	return target{bin: b.self, env: serverEnv(echoEnv + "=1"), tool: "echo",
		params: func(int) []byte { return params }}
}

func (b *bench) runAll() error {
	if len(b.pairs) == 0 {
		return errors.New("the demo workspace has no calls")
	}
	fmt.Fprintf(b.log, "server %s; pair %s / %s (%d calls); %d runs\n", b.bin, b.pairs[0].PhoneNumberID, b.pairs[0].Participant, b.pairs[0].Calls, b.cfg.runs)
	for r := 1; r <= b.cfg.runs; r++ {
		fmt.Fprintf(b.log, "run %d/%d\n", r, b.cfg.runs)
		steps := []struct {
			name string
			fn   func() error
		}{
			{"startup", b.startup},
			{"stdio", b.stdioRoundTrip},
			{"http", b.httpRoundTrip},
			{"throughput", b.throughput},
			{"rss", b.rss},
		}
		for _, s := range steps {
			if b.skipped(s.name) {
				continue
			}
			start := time.Now()
			if err := s.fn(); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			fmt.Fprintf(b.log, "  %-10s %v\n", s.name, time.Since(start).Round(time.Millisecond))
		}
	}
	for _, s := range []struct {
		name string
		fn   func() error
	}{{"tools", b.toolList}, {"bytes", b.textBytes}, {"recent", b.recentCalls}} {
		if b.skipped(s.name) {
			continue
		}
		start := time.Now()
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(b.log, "  %-10s %v\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

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

// percentiles returns p50 and p99 of times (ms).
func percentiles(times []float64) (p50, p99 float64) {
	s := slices.Clone(times)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, int(float64(len(s))*0.99))]
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
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

func (b *bench) stdioRoundTrip() error {
	note := fmt.Sprintf("%d sequential list_calls (default page of 10) after a warm-up, one session", b.cfg.calls)
	return b.roundTrip("stdio", note, stdioLatency, "≤ 1 ms", atMost(1))
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

func (b *bench) httpRoundTrip() error {
	note := fmt.Sprintf("%d sequential list_calls over one keep-alive connection, one session", b.cfg.calls)
	return b.roundTrip("streamable HTTP", note, httpLatency, "", nil)
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

// cpuTime is the user+system CPU time of a live process, from
// /proc/<pid>/stat (clock ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields count from its closing ")".
	i := strings.LastIndexByte(string(raw), ')')
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	var ticks int64
	for _, s := range f[11:13] { // utime, stime (fields 14 and 15)
		var v int64
		if _, err := fmt.Sscan(s, &v); err != nil {
			return 0, err
		}
		ticks += v
	}
	const hz = 100 // USER_HZ on Linux
	return time.Duration(ticks) * time.Second / hz, nil
}

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
	v, cpu, err := callsPerSecondCPU(ours, b.cfg.sessions, b.cfg.duration)
	if err != nil {
		return err
	}
	e, ecpu, err := callsPerSecondCPU(b.echo(), b.cfg.sessions, b.cfg.duration)
	if err != nil {
		return err
	}
	f := b.fig(fmt.Sprintf("tool calls/s, streamable HTTP, %d sessions", b.cfg.sessions), "calls/s", "≥ 3000", 0, atLeast(3000))
	f.Runs, f.Baseline = append(f.Runs, v), append(f.Baseline, e)
	f.Note = fmt.Sprintf("list_calls over the %d busiest pairs for %v per run; the client runs on the same 2 cores", k, b.cfg.duration)
	c := b.fig("server CPU per tool call, streamable HTTP", "µs", "", 0, nil)
	c.Runs, c.Baseline = append(c.Runs, cpu), append(c.Baseline, ecpu)
	c.Note = "user+system CPU time of the server process during the throughput window, per completed call (robust to a noisy machine); 2 cores / this = the calls/s the server alone could sustain"
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
	split := ""
	if raw, rerr := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid)); rerr == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "RssAnon:") || strings.HasPrefix(line, "RssFile:") {
				split += strings.Join(strings.Fields(line), " ") + " "
			}
		}
	}
	return float64(hwm) / (1 << 20), strings.TrimSpace(split), err
}

func (b *bench) rss() error {
	ours := b.ours()
	// Every pair in turn, with page sizes 10, 50 and 100.
	sizes := []int{10, 50, 100}
	ours.params = func(i int) []byte {
		return toolCallParams("list_calls", listCallsArgs(b.pairs[i%len(b.pairs)], sizes[i%len(sizes)]))
	}
	v, split, err := peakRSSDetail(ours, b.cfg.rssCalls)
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

// toolList measures the tools/list result: the context every conversation
// pays for the tool definitions.
func (b *bench) toolList() error {
	names, size, perTool, err := b.listTools()
	if err != nil {
		return err
	}
	f := b.fig("tool definitions (tools/list result JSON)", "bytes", "< 8192", 0, below(8192))
	f.Runs = []float64{float64(size)}
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d", n, perTool[n]))
	}
	f.Note = fmt.Sprintf("%d tools: %s; of which name+description+inputSchema (what a model's tool definitions carry) %d, outputSchema %d, annotations %d",
		len(names), strings.Join(parts, ", "), b.toolParts["model"], b.toolParts["outputSchema"], b.toolParts["annotations"])
	return nil
}

func (b *bench) listTools() (names []string, size int, perTool map[string]int, err error) {
	p, err := startStdio(b.bin, demoArgs, serverEnv())
	if err != nil {
		return nil, 0, nil, err
	}
	defer p.stop()
	if err := p.initialize(); err != nil {
		return nil, 0, nil, err
	}
	res, err := p.call("tools/list", []byte(`{}`))
	if err != nil {
		return nil, 0, nil, err
	}
	var list struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(res, &list); err != nil {
		return nil, 0, nil, err
	}
	perTool = map[string]int{}
	b.toolParts = map[string]int{}
	for _, t := range list.Tools {
		var n struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(t, &n)
		names = append(names, n.Name)
		perTool[n.Name] = len(t)
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(t, &fields)
		for k, v := range fields {
			switch k {
			case "name", "description", "inputSchema":
				b.toolParts["model"] += len(v)
			default:
				b.toolParts[k] += len(v)
			}
		}
	}
	return names, len(res), perTool, nil
}

// loopbackAPI serves a sandbox over the demo workspace on a loopback port
// and counts the bytes of the /v1/calls answers.
type loopbackAPI struct {
	sb        *sandbox.Server
	srv       *httptest.Server
	callBytes atomic.Int64
}

func newLoopbackAPI(now time.Time) *loopbackAPI {
	a := &loopbackAPI{sb: sandbox.New(sandbox.Demo(now), sandbox.Options{})}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/calls" {
			w = &countingWriter{ResponseWriter: w, n: &a.callBytes}
		}
		a.sb.ServeHTTP(w, r)
	}))
	return a
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.ResponseWriter.Write(p)
}

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

// recentCalls times recent_calls against the floor the API's pacing sets:
// with the default --api-rate 10, n requests take at least n/10 s.
func (b *bench) recentCalls() error {
	names, _, _, err := b.listTools()
	if err != nil {
		return err
	}
	if !slices.Contains(names, "recent_calls") {
		b.notes = append(b.notes, "recent_calls: not measured, the server has no recent_calls tool yet (tools: "+strings.Join(names, ", ")+")")
		return nil
	}
	f := b.fig("recent_calls wall / pacing floor", "x", "≤ 1.2x", 2, atMost(1.2))
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
			res, err = p.call("tools/call", toolCallParams("recent_calls", b.recentArgs))
			wall = time.Since(start)
			n = api.sb.Requests() - before
			if err == nil {
				_, err = decodeToolResult(res)
			}
		}
		p.stop()
		api.srv.Close()
		if err != nil {
			return fmt.Errorf("recent_calls %s: %w", b.cfg.recentArgs, err)
		}
		floor := float64(n) / client.DefaultRateLimit
		f.Runs = append(f.Runs, wall.Seconds()/floor)
		reqs, walls = append(reqs, float64(n)), append(walls, wall.Seconds())
	}
	f.Note = fmt.Sprintf("recent_calls %s on a fresh server (cold caches), default --api-rate 10: median %.0f API requests, wall %.2fs, floor requests/10 = %.2fs",
		b.cfg.recentArgs, median(reqs), median(walls), median(reqs)/client.DefaultRateLimit)
	return nil
}

func (f *figure) finish() {
	f.Median = median(f.Runs)
	if len(f.Baseline) > 0 {
		f.BaseMed = median(f.Baseline)
	}
	if f.check != nil && len(f.Runs) > 0 {
		met := f.check(f.Median)
		f.Met = &met
	}
}

func (f *figure) format(v float64) string {
	return fmt.Sprintf("%.*f", f.prec, v)
}

func (b *bench) report(w io.Writer) {
	fmt.Fprintf(w, "\nopenphone-mcp bench: %s, %s cores, %s, %s; %d runs\n\n",
		b.machine["cpu"], b.machine["nproc"], b.machine["go"], b.machine["os/arch"], b.cfg.runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tunit\ttarget\tmedian\truns\techo baseline\tmet")
	for _, f := range b.figs {
		f.finish()
		var runs []string
		for _, v := range f.Runs {
			runs = append(runs, f.format(v))
		}
		base := ""
		if len(f.Baseline) > 0 {
			base = f.format(f.BaseMed)
		}
		met := ""
		if f.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*f.Met]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, f.Unit, f.Target, f.format(f.Median), strings.Join(runs, " "), base, met)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, f := range b.figs {
		if f.Note != "" {
			fmt.Fprintf(w, "- %s: %s\n", f.Name, f.Note)
		}
	}
	for _, n := range b.notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}

func (b *bench) writeJSON(path string) error {
	out := map[string]any{
		"machine": b.machine,
		"config": map[string]any{
			"runs": b.cfg.runs, "spawns": b.cfg.spawns, "calls": b.cfg.calls, "sessions": b.cfg.sessions,
			"duration": b.cfg.duration.String(), "rssCalls": b.cfg.rssCalls, "recentRuns": b.cfg.recentRuns,
			"recentArgs": b.cfg.recentArgs,
		},
		"figures": b.figs,
		"notes":   b.notes,
		"at":      b.now.UTC().Format(time.RFC3339),
	}
	raw, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
