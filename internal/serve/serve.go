// Package serve puts a ready mcp-go server on a transport: stdio, SSE
// (/sse + /message) or streamable HTTP (/mcp), with /healthz, bearer-token
// auth, Origin and Host checks (DNS-rebinding protection), a request body cap
// and graceful shutdown. It knows nothing of OpenPhone or of the tools it
// serves: internal/app builds the *server.MCPServer and hands it over.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// Config selects and tunes the transport. Zero values get the defaults noted.
type Config struct {
	Transport string // "stdio" (default in Run) | "sse" | "http"
	Addr      string // default "127.0.0.1:8080"
	Stateless bool   // streamable HTTP without server-side sessions

	// MaxSessions caps open streamable HTTP sessions (503 with Retry-After
	// beyond); 0 is DefaultMaxSessions(). SessionIdle is how long a session
	// without a request in progress is kept; default 10 minutes.
	MaxSessions int
	SessionIdle time.Duration

	// AuthToken (MCP_AUTH_TOKEN): when set, every HTTP request except
	// GET /healthz needs "Authorization: Bearer <token>".
	AuthToken string
	// AllowedOrigins are extra Origin values accepted besides the loopback
	// ones (http/https, any port). Requests without Origin are accepted.
	AllowedOrigins []string
	// AllowClientAPIKeys accepts X-OpenPhone-Api-Key per request and exposes
	// it to tools via APIKeyFromContext. The header is never logged.
	AllowClientAPIKeys bool
	// Routes are mounted beside the MCP endpoints on the HTTP transports,
	// for requests that authenticate themselves (a webhook its sender
	// signs): no MCP token, Origin or CORS rules; the body cap, the drain
	// and the shutdown wait apply (routes.go). Stdio refuses them.
	Routes []Route

	ShutdownTimeout time.Duration // grace for in-flight calls; default 10s
	MaxBodyBytes    int64         // request body cap; default 1 MiB (413 beyond)
	Logger          *slog.Logger  // default slog.Default()

	Stdin  io.Reader // stdio only; default os.Stdin
	Stdout io.Writer // stdio only; default os.Stdout

	// Unexported knobs so tests can shorten them; production uses defaults.
	readHeaderTimeout time.Duration // default 5s
	readTimeout       time.Duration // default 30s
	onListen          func(addr string)
	sessionEvents     int              // events kept per session; default 512
	sessionEventBytes int              // their bytes; default 1 MiB
	sessionClock      func() time.Time // default time.Now
	sessionsCreated   func(*sessions)  // lets tests reach the session table
}

const (
	defaultAddr              = "127.0.0.1:8080"
	defaultShutdownTimeout   = 10 * time.Second
	defaultMaxBodyBytes      = 1 << 20
	defaultReadHeaderTimeout = 5 * time.Second
	defaultReadTimeout       = 30 * time.Second
	idleTimeout              = 120 * time.Second
	// connectionGrace is how long, after the drain, responses already
	// written may take to reach their clients before connections are closed.
	connectionGrace = 250 * time.Millisecond
)

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = defaultAddr
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = defaultShutdownTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = defaultMaxBodyBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Stdin == nil {
		c.Stdin = os.Stdin
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.readHeaderTimeout <= 0 {
		c.readHeaderTimeout = defaultReadHeaderTimeout
	}
	if c.readTimeout <= 0 {
		c.readTimeout = defaultReadTimeout
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions()
	}
	if c.SessionIdle <= 0 {
		c.SessionIdle = defaultSessionIdle
	}
	if c.sessionEvents <= 0 {
		c.sessionEvents = defaultSessionEvents
	}
	if c.sessionEventBytes <= 0 {
		c.sessionEventBytes = defaultSessionEventBytes
	}
	if c.sessionClock == nil {
		c.sessionClock = time.Now
	}
	return c
}

// Run serves s on cfg.Transport until ctx is cancelled, then shuts down
// gracefully (in-flight calls get up to cfg.ShutdownTimeout) and returns nil.
// It returns an error only if serving could not start or failed on its own.
func Run(ctx context.Context, s *server.MCPServer, cfg Config) error {
	cfg = cfg.withDefaults()
	switch cfg.Transport {
	case "", "stdio":
		if len(cfg.Routes) > 0 {
			return fmt.Errorf("HTTP routes such as %q need an HTTP transport: serve with --transport http or sse", cfg.Routes[0].Pattern)
		}
		return runStdio(ctx, s, cfg)
	case "http", "sse":
		return runHTTP(ctx, s, cfg)
	default:
		return fmt.Errorf("unknown transport %q (want stdio, sse or http)", cfg.Transport)
	}
}

func runHTTP(ctx context.Context, s *server.MCPServer, cfg Config) error {
	log := cfg.Logger
	if err := CheckBind(cfg.Addr, cfg.AuthToken); err != nil {
		return err
	}
	f, h, err := newFrontend(s, cfg)
	if err != nil {
		return err
	}
	shutdown := f.shutdown
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		_ = shutdown(context.Background())
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.readHeaderTimeout, // slowloris on the headers
		// ReadTimeout bounds headers plus body (a body trickled in slowly).
		// It does not touch long streams: net/http clears the read deadline
		// once the body is consumed (limitBody reads it all up front).
		ReadTimeout: cfg.readTimeout,
		// No WriteTimeout: it is one deadline for the whole response, and
		// /sse, GET /mcp and streamed POST responses stay open as long as
		// the session or the tool call lasts; it would cut them off.
		IdleTimeout: idleTimeout,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	path := "/mcp"
	if cfg.Transport == "sse" {
		path = "/sse"
	}
	log.Info("serving MCP over HTTP", "transport", cfg.Transport, "addr", ln.Addr().String(),
		"url", "http://"+ln.Addr().String()+path, "auth", cfg.AuthToken != "")

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	if cfg.onListen != nil {
		cfg.onListen(ln.Addr().String())
	}

	select {
	case err := <-serveErr:
		_ = shutdown(context.Background())
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	log.Info("shutting down", "in_flight", f.track.pending(), "grace", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Stop accepting and close idle connections now; srv.Shutdown then
	// waits for active connections, which include long-lived streams that
	// only end once shutdown (below) closes the sessions.
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.Shutdown(sctx) }()
	drained := shutdown(sctx)
	if drained != nil {
		log.Warn("in-flight calls did not finish within the grace period", "err", drained)
		// The calls just cut off write their "shutting down" errors; give
		// them that moment before srv.Close drops their connections.
		wctx, wcancel := context.WithTimeout(context.Background(), connectionGrace)
		_ = f.track.wait(wctx)
		wcancel()
	}
	var shutErr error
	select {
	case shutErr = <-srvDone:
	case <-time.After(connectionGrace):
		if drained == nil {
			// Every call has answered and every session is closed. What is
			// left are connections that never sent a request, which
			// Shutdown counts as busy for 5 seconds: don't wait for them.
			_ = srv.Close()
		}
		shutErr = <-srvDone
	}
	if shutErr != nil && !errors.Is(shutErr, http.ErrServerClosed) {
		log.Warn("forcing connections closed", "err", shutErr)
		_ = srv.Close()
	}
	<-serveErr // http.ErrServerClosed
	log.Info("server stopped")
	return nil
}

// CheckBind refuses to listen beyond loopback without an auth token: the
// server holds the OpenPhone API key, so anyone who can reach it could use it.
func CheckBind(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid listen address %q: %v", addr, err)
	}
	if token != "" || isLoopbackHostname(host) {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s without MCP_AUTH_TOKEN: anyone on the network could use your OpenPhone key; set MCP_AUTH_TOKEN or bind to 127.0.0.1", addr)
}

// isLoopbackHostname reports whether host (no port, brackets optional) is
// "localhost" or a loopback IP. Other names are not resolved: a name that
// happens to resolve to loopback today is not something to bet a key on.
func isLoopbackHostname(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
