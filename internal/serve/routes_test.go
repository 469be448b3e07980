package serve

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// echoRoute answers 200 with what it read of the body, or 413 when the
// cap stopped its read (as a route that reads its own body would).
func echoRoute(calls *int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		b, err := io.ReadAll(r.Body)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			http.Error(w, "too large for the route", http.StatusRequestEntityTooLarge)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		default:
			_, _ = w.Write(b)
		}
	})
}

// TestRoutes_SkipTokenAndOrigin: a route is reached without the MCP token
// and with a foreign Origin, while /mcp (or /sse) still refuses both, on
// both HTTP transports.
func TestRoutes_SkipTokenAndOrigin(t *testing.T) {
	for _, transport := range []string{"http", "sse"} {
		t.Run(transport, func(t *testing.T) {
			calls := 0
			ts := startHandler(t, mustMCP(), Config{Transport: transport, AuthToken: "s3cret",
				Routes: []Route{{Pattern: "/webhooks/quo", Handler: echoRoute(&calls)}}})
			mcpPath := "/mcp"
			if transport == "sse" {
				mcpPath = "/sse"
			}
			if r := do(t, ts, http.MethodPost, "/webhooks/quo", `{"type":"call.completed"}`, nil); r.StatusCode != http.StatusOK {
				t.Errorf("route without the token: %d, want 200", r.StatusCode)
			}
			if r := do(t, ts, http.MethodPost, "/webhooks/quo", `{}`, map[string]string{"Origin": "https://evil.example"}); r.StatusCode != http.StatusOK {
				t.Errorf("route with a foreign Origin: %d, want 200", r.StatusCode)
			}
			if calls != 2 {
				t.Errorf("the route ran %d times, want 2", calls)
			}
			if r := do(t, ts, http.MethodGet, mcpPath, "", nil); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s without the token: %d, want 401", mcpPath, r.StatusCode)
			}
			if r := do(t, ts, http.MethodGet, mcpPath, "", map[string]string{"Origin": "https://evil.example", "Authorization": "Bearer s3cret"}); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s with a foreign Origin: %d, want 403", mcpPath, r.StatusCode)
			}
			if r := do(t, ts, http.MethodGet, "/healthz", "", nil); r.StatusCode != http.StatusOK {
				t.Errorf("/healthz beside a route: %d, want 200", r.StatusCode)
			}
		})
	}
}

// TestRoutes_BodyCap: a body announced over the cap is refused before the
// route runs; one that does not announce its length stops the route's read
// at the cap.
func TestRoutes_BodyCap(t *testing.T) {
	calls := 0
	h, shutdown, err := Handler(mustMCP(), Config{Logger: quietLogger(), MaxBodyBytes: 64,
		Routes: []Route{{Pattern: "POST /hook", Handler: echoRoute(&calls)}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })
	big := strings.Repeat("x", 65)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(big)))
	if rec.Code != http.StatusRequestEntityTooLarge || calls != 0 {
		t.Errorf("announced 65 bytes over a cap of 64: %d after %d route calls, want 413 before any", rec.Code, calls)
	}

	req := httptest.NewRequest(http.MethodPost, "/hook", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1 // unknown, as with chunked encoding
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "too large for the route") {
		t.Errorf("65 unannounced bytes: %d %q, want the route's own 413", rec.Code, rec.Body.String())
	}

	req = httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(big[:64]))
	req.Header.Set(APIKeyHeader, "opk_should_not_reach")
	rec = httptest.NewRecorder()
	var seenKey string
	h2, shutdown2, err := Handler(mustMCP(), Config{Logger: quietLogger(), MaxBodyBytes: 64,
		Routes: []Route{{Pattern: "/hook", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seenKey = r.Header.Get(APIKeyHeader)
			b, _ := io.ReadAll(r.Body)
			_, _ = w.Write(b)
		})}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown2(context.Background()) })
	h2.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() != 64 || seenKey != "" {
		t.Errorf("64 bytes at a cap of 64: %d, %d bytes, key header %q; want 200, all 64, no key", rec.Code, rec.Body.Len(), seenKey)
	}
}

// TestRoutes_RefusedPatterns: a route must not take a transport's path,
// name a host, repeat another or lack a handler; stdio takes no routes.
func TestRoutes_RefusedPatterns(t *testing.T) {
	ok := http.NotFoundHandler()
	for _, tc := range []struct {
		name   string
		routes []Route
		want   string
	}{
		{"the MCP path", []Route{{"/mcp", ok}}, "/mcp"},
		{"the MCP path for POST", []Route{{"POST /mcp", ok}}, "/mcp"},
		{"every path", []Route{{"/", ok}}, "would take"},
		{"a wildcard", []Route{{"/{name}", ok}}, "would take"},
		{"the health check", []Route{{"GET /healthz", ok}}, "/healthz"},
		{"the SSE message path", []Route{{"/message", ok}}, "/message"},
		{"a host", []Route{{"example.com/hook", ok}}, "without a host"},
		{"a bad pattern", []Route{{"/hook/{", ok}}, "route pattern"},
		{"twice the same", []Route{{"/hook", ok}, {"/hook", ok}}, "route pattern"},
		{"no handler", []Route{{"/hook", nil}}, "no handler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Handler(mustMCP(), Config{Logger: quietLogger(), Routes: tc.routes})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Handler: %v, want an error saying %q", err, tc.want)
			}
		})
	}
	err := Run(context.Background(), mustMCP(), Config{Transport: "stdio", Logger: quietLogger(), Routes: []Route{{"/hook", ok}}})
	if err == nil || !strings.Contains(err.Error(), "HTTP transport") {
		t.Errorf("stdio with a route: %v, want an error naming the HTTP transport", err)
	}
}

// TestRoutes_Shutdown: shutdown counts a route's request in flight and
// ends its context at the final stop; after it, routes get 503 without
// running.
func TestRoutes_Shutdown(t *testing.T) {
	started, ended := make(chan struct{}), make(chan struct{})
	calls := 0
	h, shutdown, err := Handler(mustMCP(), Config{Logger: quietLogger(), Routes: []Route{{"/hook",
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			close(started)
			<-r.Context().Done() // held until the final stop
			close(ended)
		})}}})
	if err != nil {
		t.Fatal(err)
	}
	go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader("{}")))
	<-started

	expired, cancel := context.WithCancel(context.Background())
	cancel()
	if err := shutdown(expired); err == nil || !strings.Contains(err.Error(), "1 calls still running") {
		t.Errorf("shutdown with a route in flight and no grace: %v, want 1 call still running", err)
	}
	<-ended // the final stop ended its context

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader("{}")))
	if rec.Code != http.StatusServiceUnavailable || calls != 1 {
		t.Errorf("a route after shutdown: %d after %d calls, want 503 and no new call", rec.Code, calls)
	}
}
