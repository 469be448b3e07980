// Routes that authenticate themselves, such as a webhook its sender signs,
// mounted beside the MCP endpoints on the HTTP transports.
//
// They skip the MCP bearer token (the sender cannot hold it) and the
// Origin and CORS rules: those keep a browser page from driving the MCP
// endpoints with the server's OpenPhone key (DNS rebinding), which matters
// only for requests that carry no credential of their own. A route's
// authority is its own check (a signature over the body that no page can
// make), and its senders are servers, which send no Origin. The body cap,
// the drain (503 during shutdown, so a sender retries later) and the
// shutdown's wait for requests in flight apply as to MCP requests.

package serve

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Route is an HTTP route that authenticates its own requests.
type Route struct {
	// Pattern is an http.ServeMux pattern without a host, such as
	// "/webhooks/quo" or "POST /webhooks/quo". Without a method the
	// handler sees every method and can answer 405 itself.
	Pattern string
	Handler http.Handler
}

// transportPaths are the paths the transports and /healthz answer on; a
// route must not take any of them.
var transportPaths = []string{"/mcp", "/sse", "/message", "/healthz"}

// routeMux is a mux holding routes behind routeMiddleware, to which the
// caller adds the MCP handler at "/"; nil without routes. A pattern that
// is invalid, has a host, repeats another or would take a transport's
// path is an error.
func (f *frontend) routeMux(routes []Route) (*http.ServeMux, error) {
	if len(routes) == 0 {
		return nil, nil
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		if rt.Handler == nil {
			return nil, fmt.Errorf("route %q has no handler", rt.Pattern)
		}
		_, path, hasMethod := strings.Cut(strings.TrimSpace(rt.Pattern), " ")
		if !hasMethod {
			path = rt.Pattern
		}
		if !strings.HasPrefix(strings.TrimSpace(path), "/") {
			return nil, fmt.Errorf("route pattern %q must be a path without a host, such as \"POST /webhooks/quo\"", rt.Pattern)
		}
		alone := http.NewServeMux()
		if err := handle(alone, rt.Pattern, http.NotFoundHandler()); err != nil {
			return nil, err
		}
		if p, ok := takesTransportPath(alone); ok {
			return nil, fmt.Errorf("route pattern %q would take %s from the MCP transport; mount it elsewhere, such as /webhooks/quo", rt.Pattern, p)
		}
		if err := handle(mux, rt.Pattern, f.routeMiddleware(rt.Handler)); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// takesTransportPath reports a transport path that mux (one route alone)
// matches for some method.
func takesTransportPath(mux *http.ServeMux) (string, bool) {
	for _, p := range transportPaths {
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodDelete, http.MethodOptions} {
			if _, pattern := mux.Handler(&http.Request{Method: m, URL: &url.URL{Path: p}}); pattern != "" {
				return p, true
			}
		}
	}
	return "", false
}

// handle is mux.Handle with its panic (an invalid or conflicting pattern)
// as an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("route pattern %q: %v", pattern, r)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// routeMiddleware is what a route's request gets of middleware: counted in
// flight (shutdown waits for it), refused while draining, the body capped,
// the context ended by the final stop, and the client-key header removed
// (a route has no use for it, and nothing downstream may log it).
func (f *frontend) routeMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del(APIKeyHeader)
		// Counted before the drain is read: shutdown sets draining and then
		// waits, so a request either sees the drain or is waited for.
		f.track.add("", 1)
		defer f.track.done("", 1)
		if f.draining.Load() {
			refuseOnHeaders(w, r, http.StatusServiceUnavailable, "shutting down")
			return
		}
		if r.ContentLength > f.cfg.MaxBodyBytes {
			refuseOnHeaders(w, r, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			// Unlike MCP requests the body is not read here: the route
			// reads it, and past the cap its read fails.
			r.Body = http.MaxBytesReader(w, r.Body, f.cfg.MaxBodyBytes)
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		defer context.AfterFunc(f.stopCtx, cancel)()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
