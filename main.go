// Command openphone-mcp is an MCP server that gives AI assistants tools over
// the call history of an OpenPhone (Quo) workspace, on stdio, SSE or
// streamable HTTP, or over a built-in demo workspace with --demo.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // --timezone and the tools' timezone work on machines without a zoneinfo database

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/app"
	"github.com/openphone-mcp/openphone-mcp/internal/serve"
	"github.com/openphone-mcp/openphone-mcp/internal/webhooks"
	"github.com/openphone-mcp/openphone-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=..." (the
// releases do); without it app.Version reads the build info.
var version string

const usage = `openphone-mcp: an MCP server over the call history of an OpenPhone (Quo) workspace.

Usage:
  OPENPHONE_API_KEY=... openphone-mcp [flags]
  openphone-mcp --demo [flags]          (a simulated workspace, no account needed)

Commands (with the server's flags and environment):
  openphone-mcp sync [--days N]         sync the local ledger now, with progress on stderr
  openphone-mcp ledger status           the ledger's file, size, range, counts and last sync
  openphone-mcp ledger purge            delete this workspace's ledger (it holds transcripts)
  openphone-mcp webhooks register --url URL
                                        subscribe URL (this server's /webhooks/quo) to the
                                        workspace's call events: the one write it makes

Environment:
  OPENPHONE_API_KEY    the workspace's API key (required unless --demo);
                       QUO_API_KEY is read when it is unset
  OPENPHONE_BASE_URL   the API root (default https://api.quo.com)
  MCP_AUTH_TOKEN       bearer token every HTTP request must carry (sse, http);
                       required to listen beyond loopback
  OPENPHONE_LEDGER     the --ledger default: a file, or off
  OPENPHONE_LEDGER_URL a team's Postgres ledger, postgres://user:password@host/db
                       (read before OPENPHONE_LEDGER): replicas on one database share
                       the ledger, one sync, and the key's 10 requests/second
  QUO_WEBHOOK_SECRET   the signing key(s) of Quo's webhooks, comma-separated: serves
                       POST /webhooks/quo on sse and http, which updates the ledger

Flags:
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: testable, and it returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	command, args, ok := commandOf(args)
	if !ok {
		fmt.Fprintf(stderr, "openphone-mcp: %q is not a command: give ledger status, ledger purge or webhooks register, see --help\n", strings.Join(args, " "))
		return 2
	}
	fs := flag.NewFlagSet("openphone-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// The flags fill app.Config; the environment fills the rest below.
	var cfg app.Config
	var logLevel, allowedOrigins, timezone, webhookURL string
	var showVersion bool
	fs.BoolVar(&cfg.Demo, "demo", false, "serve a built-in simulated workspace instead of a real account (no API key needed)")
	fs.StringVar(&cfg.Transport, "transport", "stdio", "stdio, sse (/sse + /message) or http (streamable HTTP at /mcp)")
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address for sse and http")
	fs.BoolVar(&cfg.Stateless, "stateless", false, "streamable HTTP without server-side sessions, for replicas behind a load balancer")
	fs.IntVar(&cfg.MaxSessions, "max-sessions", 0, fmt.Sprintf("open streamable HTTP sessions at most, 503 beyond (0: sized for this machine, %d here)", serve.DefaultMaxSessions()))
	fs.DurationVar(&cfg.SessionIdle, "session-idle", 10*time.Minute, "a streamable HTTP session with nothing in progress for this long is dropped")
	fs.StringVar(&allowedOrigins, "allowed-origins", "", "comma-separated extra Origin values allowed on HTTP (localhost origins always are)")
	fs.BoolVar(&cfg.AllowClientAPIKeys, "allow-client-api-keys", false, "let each HTTP client send its own OpenPhone key in X-OpenPhone-Api-Key (paced per key)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long in-flight tool calls may finish")
	fs.Float64Var(&cfg.APIRate, "api-rate", client.DefaultRateLimit, "OpenPhone API requests per second per key, shared by all tools (0 turns pacing off)")
	fs.DurationVar(&cfg.Timeout, "timeout", client.DefaultTimeout, "limit for each OpenPhone API request")
	fs.StringVar(&cfg.DefaultRegion, "default-region", tools.DefaultRegion, "region (ISO 3166 code) of phone numbers written without a country code")
	fs.StringVar(&cfg.APIVersion, "api-version", tools.APIAuto, "API surface to list calls from: auto (Quo's dated API 2026-03-30, v1 where the API does not know it), 2026-03-30 or v1")
	fs.StringVar(&timezone, "timezone", "", "IANA time zone of days and hours in answers, such as America/New_York (default: this machine's zone, TZ)")
	fs.IntVar(&cfg.MaxWalkRequests, "max-walk-requests", tools.DefaultMaxWalkRequests, "API requests at most for one answer that reads a whole window (call_stats, missed_calls); it says what it counted")
	fs.StringVar(&cfg.Ledger, "ledger", "", "the ledger of calls: a file, a team's postgres://... URL (OPENPHONE_LEDGER_URL), or off (default: <user cache dir>/openphone-mcp/<workspace>.db; the demo's is in memory)")
	fs.IntVar(&cfg.LedgerDays, "ledger-days", 30, "the ledger keeps the calls of the last this many days (sync --days sets it too)")
	fs.IntVar(&cfg.LedgerDays, "days", 30, "for sync: the days to sync (the same as --ledger-days)")
	fs.DurationVar(&cfg.SyncInterval, "sync-interval", time.Minute, "an answer from the ledger is at most this old: the ledger syncs again after it")
	fs.StringVar(&webhookURL, "url", "", "for webhooks register: the https URL of this server's /webhooks/quo")
	fs.StringVar(&logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		printFlags(stderr, fs)
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
	if showVersion {
		fmt.Fprintln(stdout, "openphone-mcp", app.Version(version))
		return 0
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "openphone-mcp: "+format+"\n", a...)
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fail("--log-level %q is not one of debug, info, warn, error", logLevel)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	switch cfg.Transport {
	case "stdio", "sse", "http":
	default:
		return fail("--transport %q is not one of stdio, sse, http", cfg.Transport)
	}
	if math.IsNaN(cfg.APIRate) || cfg.APIRate < 0 || cfg.APIRate > 1000 {
		return fail("--api-rate %v is not a number of requests per second from 0 (no pacing) to 1000, such as %d (OpenPhone's limit per key)", cfg.APIRate, client.DefaultRateLimit)
	}
	if cfg.Timeout <= 0 {
		return fail("--timeout %v is not a positive duration such as %v", cfg.Timeout, client.DefaultTimeout)
	}
	if cfg.ShutdownTimeout <= 0 {
		return fail("--shutdown-timeout %v is not a positive duration such as 10s (how long tool calls in flight may finish on SIGTERM)", cfg.ShutdownTimeout)
	}
	if cfg.MaxSessions < 0 {
		return fail("--max-sessions %d is negative; give a number of sessions, or 0 to size it for this machine", cfg.MaxSessions)
	}
	if cfg.SessionIdle <= 0 {
		return fail("--session-idle %v is not a positive duration such as 10m", cfg.SessionIdle)
	}
	if v := cfg.APIVersion; v != tools.APIAuto && v != tools.APIDated && v != tools.APIV1 {
		return fail("--api-version %q is not one of auto, 2026-03-30 or v1", v)
	}
	if cfg.MaxWalkRequests < 1 {
		return fail("--max-walk-requests %d is not a positive number of requests such as 600", cfg.MaxWalkRequests)
	}
	if cfg.LedgerDays < 1 || cfg.LedgerDays > 366 {
		return fail("--ledger-days %d is not a number of days from 1 to 366, such as 30", cfg.LedgerDays)
	}
	if cfg.SyncInterval < 5*time.Second {
		return fail("--sync-interval %v is shorter than 5s; give a duration such as 60s", cfg.SyncInterval)
	}
	if cfg.Ledger == "" {
		cfg.Ledger = strings.TrimSpace(getenv("OPENPHONE_LEDGER_URL"))
	}
	if cfg.Ledger == "" {
		cfg.Ledger = strings.TrimSpace(getenv("OPENPHONE_LEDGER"))
	}
	switch {
	case cfg.Ledger == "":
		cfg.Ledger = app.LedgerAuto
	case cfg.Ledger == app.LedgerOff:
	case app.IsPostgresURL(cfg.Ledger):
		if cfg.Demo {
			return fail("--demo keeps its ledger in memory; --ledger %s is for a real workspace's team deployment", app.RedactURL(cfg.Ledger))
		}
	default:
		if st, err := os.Stat(cfg.Ledger); err == nil && st.IsDir() {
			return fail("--ledger %q is a directory; give a file, such as %s", cfg.Ledger, filepath.Join(cfg.Ledger, "ledger.db"))
		}
	}
	zone, err := timeZone(timezone, getenv)
	if err != nil {
		return fail("%v", err)
	}
	cfg.TimeZone = zone
	if len(cfg.DefaultRegion) != 2 || strings.ToUpper(cfg.DefaultRegion) != cfg.DefaultRegion {
		return fail("--default-region %q is not a two-letter ISO 3166 code such as US or GB", cfg.DefaultRegion)
	}
	if cfg.Transport == "stdio" && stdin == io.Reader(os.Stdin) && cfg.Ledger == app.LedgerOff {
		// Only as a process of its own: tests that call run keep their
		// runtime's settings. Not with a ledger: its listing of calls
		// lives in memory (about 340 bytes a call) and can outgrow any
		// fixed limit, past which the collector would run all the time.
		limitStdioMemory()
	}
	cfg.AuthToken = getenv("MCP_AUTH_TOKEN")
	if cfg.Transport != "stdio" {
		if err := serve.CheckBind(cfg.Addr, cfg.AuthToken); err != nil {
			return fail("%v", err)
		}
	}

	cfg.APIKey = strings.TrimSpace(getenv("OPENPHONE_API_KEY"))
	if cfg.APIKey == "" { // Quo's name for it; OPENPHONE_API_KEY wins when both are set
		cfg.APIKey = strings.TrimSpace(getenv("QUO_API_KEY"))
	}
	if cfg.APIKey == "" && !cfg.Demo && !(cfg.AllowClientAPIKeys && cfg.Transport != "stdio") {
		return fail("OPENPHONE_API_KEY is not set; set it to your OpenPhone API key (OpenPhone > Settings > API), or try --demo")
	}
	cfg.BaseURL = getenv("OPENPHONE_BASE_URL")
	if raw := strings.TrimSpace(getenv("QUO_WEBHOOK_SECRET")); raw != "" && command == "" {
		if cfg.WebhookSecrets, err = webhooks.ParseSecrets(raw); err != nil {
			return fail("%v", err)
		}
		switch {
		case cfg.Transport == "stdio":
			return fail("QUO_WEBHOOK_SECRET is set, but webhooks are served over HTTP only: use --transport http (or sse), or unset it")
		case cfg.Ledger == app.LedgerOff:
			return fail("QUO_WEBHOOK_SECRET is set, but webhooks update the ledger and --ledger is off: keep a ledger, or unset it")
		case cfg.APIKey == "" && !cfg.Demo:
			return fail("QUO_WEBHOOK_SECRET is set, but webhooks update the ledger of the server's own key: set OPENPHONE_API_KEY too")
		}
	}
	if command == "webhooks register" && webhookURL == "" {
		return fail("webhooks register needs --url, the https address of this server's webhook endpoint, such as https://mcp.example.com/webhooks/quo")
	}
	cfg.AllowedOrigins = splitList(allowedOrigins)
	cfg.Version = app.Version(version)
	if command != "" {
		return runCommand(ctx, command, cfg, webhookURL, logger, stdout, stderr)
	}
	a, err := app.New(cfg, logger)
	if err != nil {
		return fail("%v", err)
	}

	if cfg.Transport == "stdio" && isTerminal(stdin) {
		// Someone ran it by hand: stdin is the protocol's, and what they
		// type would only get JSON-RPC parse errors back.
		fmt.Fprintln(stderr, "openphone-mcp: this is an MCP server; it talks JSON-RPC on stdin and stdout. Connect it from an MCP client (Claude Desktop, Claude Code, VS Code: see README.md), or run it with --transport http. Ctrl-C stops it.")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.Run(ctx, stdin, stdout); err != nil {
		logger.Error("server stopped", "error", err)
		return 1
	}
	return 0
}

// commandOf splits a command (sync, ledger status, ledger purge, webhooks
// register) off the
// arguments; ok is false for a ledger command this server does not know.
func commandOf(args []string) (command string, rest []string, ok bool) {
	if len(args) == 0 {
		return "", args, true
	}
	switch args[0] {
	case "sync":
		return "sync", args[1:], true
	case "ledger":
		if len(args) > 1 && (args[1] == "status" || args[1] == "purge") {
			return "ledger " + args[1], args[2:], true
		}
		return "", args, false
	case "webhooks":
		if len(args) > 1 && args[1] == "register" {
			return "webhooks register", args[2:], true
		}
		return "", args, false
	}
	return "", args, true
}

// runCommand runs a ledger command; its exit status is 1 when it fails.
func runCommand(ctx context.Context, command string, cfg app.Config, webhookURL string, logger *slog.Logger, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch command {
	case "sync":
		err = app.Sync(ctx, cfg, logger, stderr, isTerminal(stderr))
	case "ledger status":
		err = app.LedgerStatus(ctx, cfg, stdout)
	case "ledger purge":
		err = app.LedgerPurge(ctx, cfg, stdout)
	case "webhooks register":
		err = app.RegisterWebhooks(ctx, cfg, webhookURL, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "openphone-mcp %s: %v\n", command, err)
		return 1
	}
	return 0
}

// stdioMemoryLimit is the Go runtime's soft memory limit on stdio with
// --ledger off, unless GOMEMLIMIT is set. There the server is one client's child process with a
// small live heap (~3 MB with an API key, ~8 MB with --demo's workspace),
// and GOGC=100 alone lets the heap grow to twice that before collecting.
// The limit makes the collector start earlier only as the heap nears it:
// peak RSS after 300 list_calls with --demo 32.4 -> 28.7 MB, stdio round
// trip p50 unchanged, p99 ~1 ms worse with --demo only (go run
// ./internal/cmd/bench; BENCHMARKS.md). HTTP keeps the default:
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

// isTerminal reports whether f is a file that is a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// printFlags is flag.PrintDefaults with the flags spelled as the README
// and the errors spell them, --name (the flag package takes -name and
// --name alike, and prints -name).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		switch {
		case f.DefValue == "" || f.DefValue == "0" || f.DefValue == "false":
		case name == "string":
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			line += " (default " + f.DefValue + ")"
		}
		fmt.Fprintln(w, line)
	})
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

// timeZone is --timezone's zone, or the machine's: TZ, else the zone
// /etc/localtime links to, else Go's local zone.
func timeZone(flagValue string, getenv func(string) string) (*time.Location, error) {
	if flagValue != "" {
		loc, err := time.LoadLocation(flagValue)
		if err != nil || strings.EqualFold(flagValue, "local") {
			return nil, fmt.Errorf("--timezone %q is not an IANA time zone name such as America/New_York or UTC", flagValue)
		}
		return loc, nil
	}
	if tz := strings.TrimPrefix(getenv("TZ"), ":"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc, nil
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			if loc, err := time.LoadLocation(name); err == nil {
				return loc, nil
			}
		}
	}
	return time.Local, nil
}
