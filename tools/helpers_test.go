package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// markerKey is the API key in tests: it must never appear in any output.
const markerKey = "opk_test_MARKER_9f2c71d0"

// testNow is the clock of every tool test.
var testNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

// fakeAPI counts requests and serves them with a handler the test swaps.
type fakeAPI struct {
	requests atomic.Int64
	mu       sync.Mutex
	handler  http.HandlerFunc
	lastAuth atomic.Value
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.lastAuth.Store(r.Header.Get("Authorization"))
	f.mu.Lock()
	h := f.handler
	f.mu.Unlock()
	h(w, r)
}

func (f *fakeAPI) set(h http.HandlerFunc) {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
}

// env is one MCP session over the tools, wired to an API at baseURL.
type env struct {
	mcp  *mcpclient.Client
	logs *testutil.Buffer
}

func newEnv(t *testing.T, opts []client.Option, protocol string, mutate ...func(*Deps)) *env {
	t.Helper()
	logs := &testutil.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts = append([]client.Option{
		client.WithRateLimit(0),
		client.WithRetries(3, time.Millisecond, 4*time.Millisecond),
		client.WithTimeout(5 * time.Second),
		client.WithLogger(logger),
	}, opts...)
	api, err := client.New(markerKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{
		Client: func(context.Context) (*client.Client, error) { return api, nil },
		Now:    func() time.Time { return testNow },
		Logger: logger,
	}
	for _, m := range mutate {
		m(&d)
	}
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false), server.WithRecovery())
	Register(s, d)
	e := &env{mcp: testutil.Connect(t, s, protocol), logs: logs}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), markerKey) {
			t.Errorf("the API key appears in the logs:\n%s", logs.String())
		}
	})
	return e
}

// newFakeEnv serves the tools against a fake API whose handler tests swap.
func newFakeEnv(t *testing.T, protocol string) (*env, *fakeAPI) {
	t.Helper()
	f := &fakeAPI{handler: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return newEnv(t, []client.Option{client.WithBaseURL(srv.URL)}, protocol), f
}

func (e *env) call(t *testing.T, name string, args any) testutil.Result {
	t.Helper()
	res := testutil.Call(t, e.mcp, name, args)
	if strings.Contains(res.Text, markerKey) {
		t.Errorf("the API key appears in the result of %s: %s", name, res.Text)
	}
	if b, _ := json.Marshal(res.Structured); bytes.Contains(b, []byte(markerKey)) {
		t.Errorf("the API key appears in the structured result of %s", name)
	}
	return res
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ptr[T any](v T) *T { return &v }

// resultText is the text of a tool result: its text contents, joined.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}
