package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/serve"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	ownMarkerKey = "opk_test_OWN_MARKER_app_3f1d"
	keyA         = "opk_test_CALLER_A_MARKER_8b20"
	keyB         = "opk_test_CALLER_B_MARKER_c4e7"
)

// recordingAPI serves the demo workspace over loopback and counts the
// requests per Authorization value and path.
type recordingAPI struct {
	url  string
	mu   sync.Mutex
	seen map[string]int // "<Authorization> <path>"
}

func newRecordingAPI(t *testing.T) *recordingAPI {
	t.Helper()
	api := &recordingAPI{seen: map[string]int{}}
	sb := sandbox.New(sandbox.Demo(time.Now()), sandbox.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.mu.Lock()
		api.seen[r.Header.Get("Authorization")+" "+r.URL.Path]++
		api.mu.Unlock()
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	api.url = srv.URL
	return api
}

func (api *recordingAPI) count(key, path string) int {
	api.mu.Lock()
	defer api.mu.Unlock()
	return api.seen[key+" "+path]
}

// newApp is New with the test's config, failing the test on error; logs go
// to the returned buffer.
func newApp(t *testing.T, cfg Config) (*App, *testutil.Buffer) {
	t.Helper()
	logs := &testutil.Buffer{}
	cfg.Version = "test"
	cfg.Timeout = 10 * time.Second
	a, err := New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	return a, logs
}

// session connects an initialized mcp-go client to a's server over
// streamable HTTP, sending headers with every request.
func session(t *testing.T, a *App, headers map[string]string) (*mcpclient.Client, *mcp.InitializeResult) {
	t.Helper()
	h, shutdown, err := serve.Handler(a.MCPServer(), serve.Config{
		Transport: "http", AllowClientAPIKeys: a.cfg.AllowClientAPIKeys, Logger: a.logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	hc := &http.Transport{}
	tr, err := transport.NewStreamableHTTP(ts.URL+"/mcp", transport.WithHTTPBasicClient(&http.Client{Transport: hc}), transport.WithHTTPHeaders(headers))
	if err != nil {
		t.Fatal(err)
	}
	c := mcpclient.NewClient(tr)
	t.Cleanup(func() {
		c.Close()
		hc.CloseIdleConnections()
		_ = shutdown(context.Background())
		ts.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "app-test", Version: "1"}
	res, err := c.Initialize(ctx, init)
	if err != nil {
		t.Fatal(err)
	}
	return c, res
}

// call runs a tool and returns the text of its result.
func call(t *testing.T, c *mcpclient.Client, tool string, args map[string]any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	var b strings.Builder
	for _, content := range res.Content {
		if tc, ok := content.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

// TestNewGivesEachCallerKeyItsOwnClient: with AllowClientAPIKeys each key a
// caller sends gets a client of its own, kept between sessions (the phone
// numbers, cached per client, are fetched once per key), and a caller who
// sends none gets the server's own key.
func TestNewGivesEachCallerKeyItsOwnClient(t *testing.T) {
	api := newRecordingAPI(t)
	a, logs := newApp(t, Config{APIKey: ownMarkerKey, BaseURL: api.url, APIRate: 0, AllowClientAPIKeys: true})
	var outputs []string
	for _, key := range []string{keyA, keyA, keyB, ""} {
		var headers map[string]string
		if key != "" {
			headers = map[string]string{"X-OpenPhone-Api-Key": key}
		}
		c, _ := session(t, a, headers)
		text, isError := call(t, c, "list_phone_numbers", map[string]any{})
		if isError {
			t.Fatalf("list_phone_numbers with key %q: %s", key, text)
		}
		outputs = append(outputs, text)
	}
	for key, want := range map[string]int{keyA: 1, keyB: 1, ownMarkerKey: 1} {
		if got := api.count(key, "/v1/phone-numbers"); got != want {
			t.Errorf("the API saw %d phone-number requests with %s, want %d", got, key, want)
		}
	}
	for _, key := range []string{ownMarkerKey, keyA, keyB} {
		for _, out := range append(outputs, logs.String()) {
			if strings.Contains(out, key) {
				t.Errorf("the key %s leaked:\n%s", key, out)
			}
		}
	}
}

// TestNewWithoutOwnKey: a server started with no key of its own answers a
// caller who sends none with an error that says to send one, and never
// calls the API.
func TestNewWithoutOwnKey(t *testing.T) {
	api := newRecordingAPI(t)
	a, _ := newApp(t, Config{BaseURL: api.url, AllowClientAPIKeys: true})
	c, _ := session(t, a, nil)
	text, isError := call(t, c, "list_phone_numbers", map[string]any{})
	if !isError || !strings.Contains(text, "X-OpenPhone-Api-Key") {
		t.Errorf("want an error naming X-OpenPhone-Api-Key, got (isError=%v) %q", isError, text)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.seen) != 0 {
		t.Errorf("the API was called: %v", api.seen)
	}
}

// TestNewWithoutClientKeysIgnoresTheHeader: without AllowClientAPIKeys the
// server's own key serves every caller, whatever header it sends.
func TestNewWithoutClientKeysIgnoresTheHeader(t *testing.T) {
	api := newRecordingAPI(t)
	a, _ := newApp(t, Config{APIKey: ownMarkerKey, BaseURL: api.url})
	c, _ := session(t, a, map[string]string{"X-OpenPhone-Api-Key": keyA})
	if text, isError := call(t, c, "list_phone_numbers", map[string]any{}); isError {
		t.Fatal(text)
	}
	if api.count(ownMarkerKey, "/v1/phone-numbers") != 1 || api.count(keyA, "/v1/phone-numbers") != 0 {
		t.Errorf("want the server's own key only, the API saw %v", api.seen)
	}
}

// TestNewDemo: Demo serves the simulated workspace in process (BaseURL is
// ignored, the API behind it never called), says so in its instructions and
// every result, and logs when the workspace is ready.
func TestNewDemo(t *testing.T) {
	api := newRecordingAPI(t)
	a, logs := newApp(t, Config{Demo: true, BaseURL: api.url, APIKey: ownMarkerKey})
	c, init := session(t, a, nil)
	if !strings.HasPrefix(init.Instructions, "This is a DEMO workspace") {
		t.Errorf("instructions = %q", init.Instructions)
	}
	text, isError := call(t, c, "list_phone_numbers", map[string]any{})
	if isError || !strings.HasPrefix(text, "[Demo workspace: simulated data]") || !strings.Contains(text, "Sales") {
		t.Errorf("list_phone_numbers on the demo (isError=%v):\n%s", isError, text)
	}
	api.mu.Lock()
	if len(api.seen) != 0 {
		t.Errorf("the demo called the API at BaseURL: %v", api.seen)
	}
	api.mu.Unlock()
	if !strings.Contains(logs.String(), "demo workspace ready") {
		t.Errorf("no 'demo workspace ready' log line:\n%s", logs.String())
	}
}

// TestNewInstructions: a real workspace's instructions do not call it a demo.
func TestNewInstructions(t *testing.T) {
	a, _ := newApp(t, Config{APIKey: ownMarkerKey, BaseURL: "http://127.0.0.1:1"})
	_, init := session(t, a, nil)
	if init.Instructions != instructions {
		t.Errorf("instructions = %q, want %q", init.Instructions, instructions)
	}
}

// TestNewBadBaseURL: a base URL the client refuses is New's error, and the
// error does not carry the key.
func TestNewBadBaseURL(t *testing.T) {
	_, err := New(Config{APIKey: ownMarkerKey, BaseURL: "ftp:/nowhere", Timeout: client.DefaultTimeout}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "base URL") {
		t.Fatalf("err = %v, want one about the base URL", err)
	}
	if strings.Contains(err.Error(), ownMarkerKey) {
		t.Errorf("the key is in the error: %v", err)
	}
}

// TestDemoAPIRoundTripEndsWithItsContext: a request that comes before the
// workspace is ready waits for it only as long as its context lives, and
// its body is closed as a RoundTripper must.
func TestDemoAPIRoundTripEndsWithItsContext(t *testing.T) {
	d := newDemoAPI(demoKey, slog.New(slog.DiscardHandler))
	d.once.Do(func() {}) // the workspace is never built: ready never closes
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	body := &closeRecorder{Reader: strings.NewReader("{}")}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://demo/v1/phone-numbers", body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.RoundTrip(req)
	if !errors.Is(err, context.DeadlineExceeded) || resp != nil {
		t.Errorf("RoundTrip = %v, %v; want no response and the context's error", resp, err)
	}
	if !body.closed {
		t.Error("the request body was not closed")
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }
