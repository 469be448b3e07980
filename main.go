// Command openphone-mcp is an MCP server that gives AI assistants tools over
// the call history of an OpenPhone (Quo) workspace.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `openphone-mcp: an MCP server over the call history of an OpenPhone (Quo) workspace.

Usage:
  OPENPHONE_API_KEY=... openphone-mcp [flags]

Environment:
  OPENPHONE_API_KEY    the workspace's API key (required)
  OPENPHONE_BASE_URL   the API root (default https://api.openphone.com)

Flags:
`

type config struct {
	apiRate  float64
	timeout  time.Duration
	logLevel string
	version  bool
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: testable, and it returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("openphone-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.Float64Var(&cfg.apiRate, "api-rate", client.DefaultRateLimit, "OpenPhone API requests per second, shared by all tools (0 turns pacing off)")
	fs.DurationVar(&cfg.timeout, "timeout", client.DefaultTimeout, "limit for each OpenPhone API request")
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
	if cfg.version {
		fmt.Fprintln(stdout, "openphone-mcp", version)
		return 0
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		fmt.Fprintf(stderr, "openphone-mcp: --log-level %q is not one of debug, info, warn, error\n", cfg.logLevel)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	key := strings.TrimSpace(getenv("OPENPHONE_API_KEY"))
	if key == "" {
		fmt.Fprintln(stderr, "openphone-mcp: OPENPHONE_API_KEY is not set; set it to your OpenPhone API key (OpenPhone > Settings > API)")
		return 2
	}
	opts := []client.Option{
		client.WithRateLimit(cfg.apiRate),
		client.WithTimeout(cfg.timeout),
		client.WithUserAgent("openphone-mcp/" + version),
		client.WithLogger(logger),
	}
	if base := getenv("OPENPHONE_BASE_URL"); base != "" {
		opts = append(opts, client.WithBaseURL(base))
	}
	api, err := client.New(key, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "openphone-mcp:", err)
		return 2
	}

	s := newServer(tools.Deps{
		Client: func(context.Context) (*client.Client, error) { return api, nil },
		Logger: logger,
	})

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger.Info("serving MCP on stdio", "version", version, "api", api.BaseURL())
	err = server.NewStdioServer(s).Listen(ctx, stdin, stdout)
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		logger.Error("server stopped", "error", err)
		return 1
	}
	return 0
}

const instructions = `Tools over the call history of an OpenPhone (Quo) workspace. Times are UTC. Results that have more pages end with a pageToken to pass back to the same tool.`

func newServer(d tools.Deps) *server.MCPServer {
	s := server.NewMCPServer("openphone-mcp", version,
		server.WithToolCapabilities(false),
		server.WithLogging(),
		server.WithInstructions(instructions),
		server.WithRecovery(),
	)
	tools.Register(s, d)
	return s
}
