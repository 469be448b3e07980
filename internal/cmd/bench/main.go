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
//
// This file holds the flags, the servers under test and the order of the
// measurements; each figure has its own file (startup.go, roundtrip.go,
// throughput.go, rss.go, tooldefs.go, textbytes.go, recent.go), and
// figures.go prints them. Memory and CPU time come from /proc
// (proc_linux.go); elsewhere those figures are noted as unavailable.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

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
	fs.StringVar(&cfg.skip, "skip", "", "comma-separated sections to skip: startup,stdio,http,throughput,rss,bytes,tools,recent,answers")
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

func machineInfo() map[string]string {
	m := map[string]string{
		"nproc":      fmt.Sprint(runtime.NumCPU()),
		"go":         runtime.Version(),
		"os/arch":    runtime.GOOS + "/" + runtime.GOARCH,
		"GOGC":       os.Getenv("GOGC"),
		"GOMEMLIMIT": os.Getenv("GOMEMLIMIT"),
	}
	if cpu := cpuModel(); cpu != "" {
		m["cpu"] = cpu
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
	}{{"tools", b.toolList}, {"bytes", b.textBytes}, {"recent", b.recentCalls}, {"answers", b.answers}} {
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

// listCallsArgs are the list_calls arguments of pair p; maxResults 0
// leaves the tool's default.
func listCallsArgs(p sandbox.Pair, maxResults int) map[string]any {
	a := map[string]any{"phoneNumberId": p.PhoneNumberID, "participants": []string{p.Participant}}
	if maxResults > 0 {
		a["maxResults"] = maxResults
	}
	return a
}
