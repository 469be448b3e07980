package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/server"
)

// APIKeyHeader carries a per-request OpenPhone API key when
// Config.AllowClientAPIKeys is set.
const APIKeyHeader = "X-OpenPhone-Api-Key"

// Handler returns the HTTP handler for cfg.Transport ("http", the default
// here, or "sse") and a shutdown func. shutdown refuses new calls and
// streams (503), waits until in-flight calls are answered or its ctx ends,
// then closes all sessions and streams; it returns an error wrapping
// ctx.Err() if the wait was cut short.
// Handler does not call CheckBind: it does not know where it is mounted.
func Handler(s *server.MCPServer, cfg Config) (http.Handler, func(ctx context.Context) error, error) {
	f, h, err := newFrontend(s, cfg.withDefaults())
	if err != nil {
		return nil, nil, err
	}
	return h, f.shutdown, nil
}

func newFrontend(s *server.MCPServer, cfg Config) (*frontend, http.Handler, error) {
	origins, err := normalizeOrigins(cfg.AllowedOrigins)
	if err != nil {
		return nil, nil, err
	}
	f := &frontend{
		cfg:     cfg,
		origins: origins,
		track:   newTracker(),
	}
	f.stopCtx, f.stop = context.WithCancel(context.Background())
	// The routes are checked before anything starts that would need
	// stopping on an error.
	routes, err := f.routeMux(cfg.Routes)
	if err != nil {
		f.stop()
		return nil, nil, err
	}
	if cfg.AuthToken != "" {
		sum := sha256.Sum256([]byte(cfg.AuthToken))
		f.tokenSum = sum[:]
	}

	// mcp-go refuses requests that arrive on a loopback connection with a
	// non-localhost Host (DNS-rebinding protection). Requests reaching us
	// on a non-loopback address (a load balancer on another machine) are
	// never affected, but a reverse proxy or tunnel on the same host that
	// connects to 127.0.0.1 and keeps Host: api.example.com gets 403. With
	// an auth token that check adds nothing (a rebinding page cannot know
	// the token, and our Origin check still applies), so we turn it off;
	// without a token we keep it, which is exactly the case where exposing
	// the server through such a proxy would be unsafe.
	hostCheckOff := cfg.AuthToken != ""
	ctxFunc := func(ctx context.Context, r *http.Request) context.Context {
		if key, ok := APIKeyFromContext(r.Context()); ok {
			return withCaller(withAPIKey(ctx, key), r) // the key's slot is charged to its caller
		}
		return ctx
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	})
	switch cfg.Transport {
	case "", "http":
		opts := []server.StreamableHTTPOption{
			server.WithHTTPContextFunc(ctxFunc),
			server.WithDisableLocalhostProtection(hostCheckOff),
			server.WithStreamableHTTPLogger(cfg.Logger),
		}
		// Sessions (ids, credentials, caps, expiry, stored events): sessions.go.
		sessions, sessionOpts := streamableSessions(cfg)
		if cfg.Stateless {
			opts = append(opts, server.WithStateLess(true))
		}
		st := server.NewStreamableHTTPServer(s, append(opts, sessionOpts...)...)
		sessions.attach(st)
		f.closeSessions = func(ctx context.Context) {
			// st has no http.Server of its own, so Shutdown only stops the
			// idle sweeper and closes the sessions.
			_ = st.Shutdown(ctx)
			sessions.close()
		}
		// The streamable handler answers on any path; mount it at /mcp only.
		mux.Handle("/mcp", f.trackCall(sessions.gate(st)))
	case "sse":
		sse := server.NewSSEServer(s,
			server.WithSSEContextFunc(ctxFunc),
			server.WithSSEDisableLocalhostProtection(hostCheckOff))
		// Shutdown of the SSE server does nothing for a server it did not
		// start; CloseSessions ends the /sse streams.
		f.closeSessions = func(context.Context) { sse.CloseSessions() }
		// No WithBaseURL: the endpoint event then carries the relative
		// "/message?sessionId=…", which clients resolve against the URL
		// they used (127.0.0.1, localhost or a proxy's name alike).
		mux.Handle("/sse", f.track.sseStream(sse.SSEHandler()))
		mux.Handle("/message", f.track.sseMessage(sse.MessageHandler()))
	default:
		return nil, nil, fmt.Errorf("transport %q has no HTTP handler (want http or sse)", cfg.Transport)
	}
	if routes != nil {
		routes.Handle("/", f.middleware(mux))
		return f, routes, nil
	}
	return f, f.middleware(mux), nil
}

type frontend struct {
	cfg           Config
	origins       map[string]bool
	tokenSum      []byte // sha256 of AuthToken, nil when auth is off
	track         *tracker
	closeSessions func(context.Context)

	draining atomic.Bool
	stopCtx  context.Context // cancelled when shutdown gives up on streams
	stop     context.CancelFunc
	once     sync.Once

	ignoredKey sync.Once
}

func (f *frontend) shutdown(ctx context.Context) error {
	var err error
	f.once.Do(func() {
		f.draining.Store(true)
		if werr := f.track.wait(ctx); werr != nil {
			err = fmt.Errorf("%d calls still running: %w", f.track.pending(), werr)
		}
		f.closeSessions(ctx)
		// Whatever is still open (streams of either transport, a call cut
		// off by the grace period) sees its request context cancelled.
		f.stop()
	})
	return err
}

// middleware applies, in order: Origin (403), CORS (preflights answered),
// auth (401), the per-request API key, the body cap (413), draining (503),
// and ties each request's context to the final stop.
func (f *frontend) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.originAllowed(r.Header.Get("Origin")) {
			refuseOnHeaders(w, r, http.StatusForbidden, "forbidden origin")
			return
		}
		if f.answerCORS(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/.well-known/") {
			// Before auth: a 401 here would send clients such as the MCP
			// Inspector into an OAuth discovery this server has no part in.
			refuseOnHeaders(w, r, http.StatusNotFound, noWellKnown)
			return
		}
		if f.tokenSum != nil && !(r.Method == http.MethodGet && r.URL.Path == "/healthz") {
			if why := f.unauthorized(r); why != "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="openphone-mcp"`)
				refuseOnHeaders(w, r, http.StatusUnauthorized, why)
				return
			}
		}

		// Take the key out of the headers so nothing downstream (mcp-go
		// hands request headers to tools) can log or echo it.
		key := strings.TrimSpace(r.Header.Get(APIKeyHeader))
		r.Header.Del(APIKeyHeader)
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		defer context.AfterFunc(f.stopCtx, cancel)()
		if key != "" && !f.cfg.AllowClientAPIKeys {
			f.ignoredKey.Do(func() {
				f.cfg.Logger.Warn("client sent " + APIKeyHeader + " but client API keys are not enabled; ignoring it")
			})
		}
		if f.cfg.AllowClientAPIKeys && key != "" {
			if !validAPIKey(key) {
				refuseOnHeaders(w, r, http.StatusBadRequest, "invalid "+APIKeyHeader)
				return
			}
			ctx = withAPIKey(ctx, key)
		}
		r = r.WithContext(ctx)

		if r.Body != nil && r.Body != http.NoBody && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !f.limitBody(w, r) {
				return
			}
		}
		// While draining, still let through what in-flight calls may need
		// (notifications such as cancellation, answers to server requests)
		// but refuse new calls, new streams and health checks.
		if f.draining.Load() && (r.Method != http.MethodPost || countCalls(peekBody(r)) > 0) {
			w.Header().Set("Connection", "close")
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody reads the whole body (mcp-go buffers it anyway) under the size
// cap and answers 413 itself: past mcp-go, an oversized body would only
// surface as a JSON-RPC parse error with status 400.
func (f *frontend) limitBody(w http.ResponseWriter, r *http.Request) bool {
	if r.ContentLength > f.cfg.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, f.cfg.MaxBodyBytes))
	_ = r.Body.Close()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "could not read request body", http.StatusBadRequest)
		}
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return true
}

// authorized compares hashes in constant time, so neither the token's bytes
// nor its length leak through timing.
// The bodies of the refusals that say how to get in.
const (
	noToken = "unauthorized: this server needs a bearer token. Send the header " +
		"Authorization: Bearer <token>, where <token> is the server's MCP_AUTH_TOKEN"
	wrongToken = "unauthorized: the bearer token is not this server's MCP_AUTH_TOKEN. " +
		"Send Authorization: Bearer <token> with the value the server was started with"
	noWellKnown = "not found: this server uses no OAuth; it takes a bearer token " +
		"(Authorization: Bearer <MCP_AUTH_TOKEN>) when it was started with one"
)

// unauthorized is why r may not pass the token check ("" when it may):
// a sentence saying how to send the token.
func (f *frontend) unauthorized(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return noToken
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(sum[:], f.tokenSum) != 1 {
		return wrongToken
	}
	return ""
}

// originAllowed: browsers send Origin on cross-site requests; native MCP
// clients send none. Loopback origins are the local tools (Inspector);
// anything else must be listed, which blocks DNS-rebinding pages.
func (f *frontend) originAllowed(origin string) bool {
	if origin == "" {
		return true
	}
	norm, host, ok := normalizeOrigin(origin)
	if !ok {
		return false
	}
	return isLoopbackHostname(host) || f.origins[norm]
}

func normalizeOrigins(list []string) (map[string]bool, error) {
	m := make(map[string]bool, len(list))
	for _, o := range list {
		norm, _, ok := normalizeOrigin(o)
		if !ok {
			return nil, fmt.Errorf("invalid allowed origin %q: want scheme://host[:port]", o)
		}
		m[norm] = true
	}
	return m, nil
}

// normalizeOrigin lower-cases scheme and host; it rejects "null" and
// anything that is not a bare http(s) origin.
func normalizeOrigin(o string) (norm, hostname string, ok bool) {
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(o), "/"))
	if err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return "", "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", "", false
	}
	return scheme + "://" + strings.ToLower(u.Host), u.Hostname(), true
}

// validAPIKey keeps obviously bogus values (control characters, huge
// strings) from travelling further; OpenPhone decides what is valid.
func validAPIKey(k string) bool {
	if len(k) > 512 {
		return false
	}
	for _, c := range k {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// trackCall counts a streamable POST that carries a request as in flight
// until its response is written, so shutdown waits for it before closing
// sessions. A subscriptions/listen POST is a stream, not a call.
func (f *frontend) trackCall(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && countCalls(peekBody(r)) > 0 {
			f.track.add("", 1)
			defer f.track.done("", 1)
			f.answerCutOffCalls(w, r, next)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type apiKeyCtxKey struct{}

func withAPIKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, apiKeyCtxKey{}, key)
}

// APIKeyFromContext returns the OpenPhone API key the client sent in
// X-OpenPhone-Api-Key, when Config.AllowClientAPIKeys is set.
func APIKeyFromContext(ctx context.Context) (string, bool) {
	key, ok := ctx.Value(apiKeyCtxKey{}).(string)
	return key, ok && key != ""
}
