// Command openphone-mcp is an MCP server that gives AI assistants tools over
// the call history of an OpenPhone (Quo) workspace, on stdio, SSE or
// streamable HTTP, or over a built-in demo workspace with --demo.
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/serve"
	"github.com/openphone-mcp/openphone-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `openphone-mcp: an MCP server over the call history of an OpenPhone (Quo) workspace.

Usage:
  OPENPHONE_API_KEY=... openphone-mcp [flags]
  openphone-mcp --demo [flags]          (a simulated workspace, no account needed)

Environment:
  OPENPHONE_API_KEY    the workspace's API key (required unless --demo)
  OPENPHONE_BASE_URL   the API root (default https://api.openphone.com)
  MCP_AUTH_TOKEN       bearer token every HTTP request must carry (sse, http);
                       required to listen beyond loopback

Flags:
`

type config struct {
	apiRate         float64
	timeout         time.Duration
	logLevel        string
	version         bool
	demo            bool
	region          string
	transport       string
	addr            string
	stateless       bool
	allowedOrigins  string
	clientAPIKeys   bool
	shutdownTimeout time.Duration
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: testable, and it returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("openphone-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.BoolVar(&cfg.demo, "demo", false, "serve a built-in simulated workspace instead of a real account (no API key needed)")
	fs.StringVar(&cfg.transport, "transport", "stdio", "stdio, sse (/sse + /message) or http (streamable HTTP at /mcp)")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address for sse and http")
	fs.BoolVar(&cfg.stateless, "stateless", false, "streamable HTTP without server-side sessions, for replicas behind a load balancer")
	fs.StringVar(&cfg.allowedOrigins, "allowed-origins", "", "comma-separated extra Origin values allowed on HTTP (localhost origins always are)")
	fs.BoolVar(&cfg.clientAPIKeys, "allow-client-api-keys", false, "let each HTTP client send its own OpenPhone key in X-OpenPhone-Api-Key (paced per key)")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long in-flight tool calls may finish")
	fs.Float64Var(&cfg.apiRate, "api-rate", client.DefaultRateLimit, "OpenPhone API requests per second per key, shared by all tools (0 turns pacing off)")
	fs.DurationVar(&cfg.timeout, "timeout", client.DefaultTimeout, "limit for each OpenPhone API request")
	fs.StringVar(&cfg.region, "default-region", tools.DefaultRegion, "region (ISO 3166 code) of phone numbers written without a country code")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error")
	fs.BoolVar(&cfg.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "openphone-mcp: unexpected argument %q; flags start with --, see --help\n", fs.Arg(0))
		return 2
	}
	if cfg.version {
		fmt.Fprintln(stdout, "openphone-mcp", version)
		return 0
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "openphone-mcp: "+format+"\n", a...)
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fail("--log-level %q is not one of debug, info, warn, error", cfg.logLevel)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	switch cfg.transport {
	case "stdio", "sse", "http":
	default:
		return fail("--transport %q is not one of stdio, sse, http", cfg.transport)
	}
	if len(cfg.region) != 2 || strings.ToUpper(cfg.region) != cfg.region {
		return fail("--default-region %q is not a two-letter ISO 3166 code such as US or GB", cfg.region)
	}
	if cfg.transport == "stdio" && stdin == io.Reader(os.Stdin) {
		// Only as a process of its own: tests that call run keep their
		// runtime's settings.
		limitStdioMemory()
	}
	authToken := getenv("MCP_AUTH_TOKEN")
	if cfg.transport != "stdio" {
		if err := serve.CheckBind(cfg.addr, authToken); err != nil {
			return fail("%v", err)
		}
	}

	opts := []client.Option{
		client.WithTimeout(cfg.timeout),
		client.WithUserAgent("openphone-mcp/" + version),
		client.WithLogger(logger),
	}
	key := strings.TrimSpace(getenv("OPENPHONE_API_KEY"))
	var demo *demoTransport
	if cfg.demo {
		const demoKey = "demo"
		key = demoKey
		demo = newDemoTransport(demoKey, logger)
		opts = append(opts, client.WithTransport(demo))
	} else if base := getenv("OPENPHONE_BASE_URL"); base != "" {
		opts = append(opts, client.WithBaseURL(base))
	}
	if key == "" && !(cfg.clientAPIKeys && cfg.transport != "stdio") {
		return fail("OPENPHONE_API_KEY is not set; set it to your OpenPhone API key (OpenPhone > Settings > API), or try --demo")
	}
	clients, err := newClientPool(key, cfg.apiRate, opts)
	if err != nil {
		return fail("%v", err)
	}
	clientFor := clients.shared
	if cfg.clientAPIKeys && !cfg.demo {
		clientFor = clients.forRequest
	}

	s := newServer(tools.Deps{
		Client:        clientFor,
		Logger:        logger,
		Demo:          cfg.demo,
		DefaultRegion: cfg.region,
	}, demo)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger.Info("starting", "version", version, "transport", cfg.transport, "demo", cfg.demo)
	err = serve.Run(ctx, s, serve.Config{
		Transport:          cfg.transport,
		Addr:               cfg.addr,
		Stateless:          cfg.stateless,
		AuthToken:          authToken,
		AllowedOrigins:     splitList(cfg.allowedOrigins),
		AllowClientAPIKeys: cfg.clientAPIKeys,
		ShutdownTimeout:    cfg.shutdownTimeout,
		Logger:             logger,
		Stdin:              stdin,
		Stdout:             stdout,
	})
	if err != nil {
		logger.Error("server stopped", "error", err)
		return 1
	}
	return 0
}

// demoTransport serves the API from the demo workspace. Building it takes
// ~12 ms of CPU (BenchmarkDemo in internal/sandbox), so it starts in the
// background once a client has its initialize reply
// (notifications/initialized), or at the first API request, whichever
// comes first; stateless HTTP, where no notification arrives, always takes
// the second way. The MCP handshake never waits for it; a tool call that
// comes before it is ready waits in RoundTrip (or until its context ends).
type demoTransport struct {
	key    string
	logger *slog.Logger
	once   sync.Once
	ready  chan struct{}
	rt     http.RoundTripper
}

func newDemoTransport(key string, logger *slog.Logger) *demoTransport {
	return &demoTransport{key: key, logger: logger, ready: make(chan struct{})}
}

// start begins building the workspace, once.
func (d *demoTransport) start() {
	d.once.Do(func() {
		go func() {
			started := time.Now()
			sb := sandbox.New(sandbox.Demo(started), sandbox.Options{APIKey: d.key, RateLimit: 0})
			d.rt = sb.RoundTripper()
			close(d.ready)
			d.logger.Info("demo workspace ready", "took", time.Since(started).Round(time.Microsecond).String())
		}()
	})
}

func (d *demoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	d.start()
	select {
	case <-d.ready:
		return d.rt.RoundTrip(req)
	case <-req.Context().Done():
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, req.Context().Err()
	}
}

// stdioMemoryLimit is the Go runtime's soft memory limit on stdio, unless
// GOMEMLIMIT is set. There the server is one client's child process with a
// small live heap (~3 MB with an API key, ~8 MB with --demo's workspace),
// and GOGC=100 alone lets the heap grow to twice that before collecting.
// The limit makes the collector start earlier only as the heap nears it:
// peak RSS after 300 list_calls with --demo 32.4 -> 28.7 MB, stdio round
// trip p50 unchanged, p99 ~1 ms worse with --demo only (go run
// ./internal/bench; BENCHMARKS.md). HTTP keeps the default:
// many sessions may legitimately hold more, and a limit below the live heap
// would spend up to half the CPU on collection.
const stdioMemoryLimit = 20 << 20

func limitStdioMemory() {
	// The process environment, not run's getenv: the runtime itself reads
	// GOMEMLIMIT from there.
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(stdioMemoryLimit)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// clientPool hands out API clients: one for the server's own key, and with
// --allow-client-api-keys one per caller key, each with its own pacing since
// the API limits each key separately.
type clientPool struct {
	opts   []client.Option // every client's, pacing included
	own    *client.Client
	mu     sync.Mutex
	perKey map[[32]byte]*client.Client
}

// maxClientKeys bounds the per-key clients kept; past it the pool restarts,
// which only costs fresh caches and pacers.
const maxClientKeys = 1024

func newClientPool(key string, rate float64, opts []client.Option) (*clientPool, error) {
	// A copy: appending to the caller's slice could write into its spare
	// capacity.
	opts = append(slices.Clip(opts), client.WithRateLimit(rate))
	p := &clientPool{opts: opts, perKey: map[[32]byte]*client.Client{}}
	if key != "" {
		c, err := client.New(key, opts...)
		if err != nil {
			return nil, err
		}
		p.own = c
	}
	return p, nil
}

func (p *clientPool) shared(context.Context) (*client.Client, error) {
	if p.own == nil {
		return nil, errors.New("this server has no OpenPhone API key of its own: send yours in the X-OpenPhone-Api-Key header")
	}
	return p.own, nil
}

func (p *clientPool) forRequest(ctx context.Context) (*client.Client, error) {
	key, ok := serve.APIKeyFromContext(ctx)
	if !ok || key == "" {
		return p.shared(ctx)
	}
	id := sha256.Sum256([]byte(key))
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.perKey[id]; ok {
		return c, nil
	}
	c, err := client.New(key, p.opts...)
	if err != nil {
		return nil, err
	}
	if len(p.perKey) >= maxClientKeys {
		p.perKey = map[[32]byte]*client.Client{}
	}
	p.perKey[id] = c
	return c, nil
}

const instructions = `Tools over the call history of an OpenPhone (Quo) workspace. Times are UTC. Results that have more pages end with a pageToken to pass back to the same tool with the same arguments.`

const demoInstructions = `This is a DEMO workspace with simulated data (no real OpenPhone account). ` + instructions

func newServer(d tools.Deps, demo *demoTransport) *server.MCPServer {
	// Reflecting the tools' JSON schemas (once) takes a few ms of CPU at
	// start-up: it runs beside the initialize handshake, which does not
	// need the tools, and tools/list and tools/call wait for it, whether or
	// not notifications/initialized came first (stateless HTTP sends none).
	// The initialize reply cannot tell: WithToolCapabilities declares the
	// tools capability up front, and with listChanged false adding the
	// tools later notifies nobody. mcp-go's AddTools takes its own lock.
	registered := make(chan struct{})
	hooks := &server.Hooks{}
	hooks.AddBeforeListTools(func(context.Context, any, *mcp.ListToolsRequest) { <-registered })
	hooks.AddBeforeCallTool(func(context.Context, any, *mcp.CallToolRequest) { <-registered })
	text := instructions
	if demo != nil {
		text = demoInstructions
	}
	s := server.NewMCPServer("openphone-mcp", version,
		server.WithToolCapabilities(false),
		server.WithLogging(),
		server.WithRecovery(),
		server.WithHooks(hooks),
		server.WithInstructions(text),
	)
	if demo != nil {
		// The client sends this once it has the initialize reply: building
		// the demo workspace then cannot delay that reply.
		s.AddNotificationHandler(string(mcp.MethodNotificationInitialized), func(context.Context, mcp.JSONRPCNotification) { demo.start() })
	}
	go func() {
		defer close(registered)
		tools.Register(s, d)
	}()
	return s
}
