package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// The hardening tests of the whole program: run() over stdio pipes and over
// streamable HTTP on a loopback port, against a loopback fake API that the
// tests turn faulty.

// clientMarkerKey is the key an HTTP client sends in X-OpenPhone-Api-Key.
const clientMarkerKey = "opk_test_CLIENT_MARKER_7e41"

// authMarkerToken is MCP_AUTH_TOKEN in the HTTP runs.
const authMarkerToken = "mcp_auth_MARKER_token_5d0a"

// fakeAPI serves the demo workspace, except where a test's handler takes
// over; it records every Authorization header it sees.
type fakeAPI struct {
	srv     *httptest.Server
	healthy http.Handler
	ws      *sandbox.Workspace

	mu    sync.Mutex
	fault http.HandlerFunc // nil: healthy
	auths map[string]int
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	ws := sandbox.Demo(time.Now())
	f := &fakeAPI{ws: ws, healthy: sandbox.New(ws, sandbox.Options{}), auths: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auths[r.Header.Get("Authorization")]++
		h := f.fault
		f.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		f.healthy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) set(h http.HandlerFunc) {
	f.mu.Lock()
	f.fault = h
	f.mu.Unlock()
}

// demoArgs are arguments for every tool that reach data in the demo
// workspace.
func demoArgs(ws *sandbox.Workspace) map[string]map[string]any {
	call := ws.Calls[0]
	var own string
	for _, n := range ws.PhoneNumbers {
		if n.ID == call.PhoneNumberID {
			own = n.Number
		}
	}
	var other string
	for _, p := range call.Participants {
		if p != own {
			other = p
		}
	}
	byID := map[string]any{"callId": call.ID}
	return map[string]map[string]any{
		"list_calls":          {"phoneNumberId": call.PhoneNumberID, "participants": []string{other}, "includeSummaries": true},
		"recent_calls":        {"maxResults": 20, "includeSummaries": true},
		"list_phone_numbers":  {},
		"get_call":            byID,
		"get_call_summary":    byID,
		"get_call_transcript": byID,
		"get_call_recordings": byID,
	}
}

// program is the real program serving one MCP client session.
type program struct {
	c      *mcpclient.Client
	stderr *testutil.Buffer
	stop   func(t *testing.T)
}

var urlLine = regexp.MustCompile(`url=(http://\S+/mcp)`)

// startProgram runs run() with args and env over transport "stdio" or
// "http" (streamable HTTP on a free loopback port), and connects one mcp-go
// client session with the given protocol version ("" = mcp-go's default).
func startProgram(t *testing.T, kind, protocol string, args []string, envm map[string]string, headers map[string]string) *program {
	t.Helper()
	stderr := &testutil.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var opts []mcpclient.ClientOption
	if protocol != "" {
		opts = append(opts, mcpclient.WithProtocolVersion(protocol))
	}
	p := &program{stderr: stderr}
	var closers []func()
	switch kind {
	case "stdio":
		serverIn, clientOut := io.Pipe()
		clientIn, serverOut := io.Pipe()
		go func() { done <- run(ctx, args, env(envm), serverIn, serverOut, stderr) }()
		p.c = mcpclient.NewClient(transport.NewIO(clientIn, clientOut, io.NopCloser(strings.NewReader(""))), opts...)
		closers = append(closers, func() { clientOut.Close() }, func() { serverOut.Close(); clientIn.Close() })
	case "http":
		args = append(append([]string(nil), args...), "--transport", "http", "--addr", "127.0.0.1:0")
		go func() { done <- run(ctx, args, env(envm), nil, io.Discard, stderr) }()
		var url string
		for deadline := time.Now().Add(10 * time.Second); url == ""; {
			if m := urlLine.FindStringSubmatch(stderr.String()); m != nil {
				url = m[1]
			} else if time.Now().After(deadline) {
				cancel()
				t.Fatalf("the server did not start:\n%s", stderr.String())
			} else {
				time.Sleep(5 * time.Millisecond)
			}
		}
		hc := &http.Transport{}
		closers = append(closers, hc.CloseIdleConnections)
		tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPBasicClient(&http.Client{Transport: hc}), transport.WithHTTPHeaders(headers))
		if err != nil {
			t.Fatal(err)
		}
		p.c = mcpclient.NewClient(tr, opts...)
	default:
		t.Fatalf("transport %q", kind)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := p.c.Start(sctx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = protocol
	init.Params.ClientInfo = mcp.Implementation{Name: "hardening-test", Version: "1"}
	if _, err := p.c.Initialize(sctx, init); err != nil {
		t.Fatalf("initialize: %v\n%s", err, stderr.String())
	}
	stopped := false
	p.stop = func(t *testing.T) {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if len(closers) > 0 {
			closers[0]()
		}
		p.c.Close()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit status %d after shutdown, stderr:\n%s", code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Errorf("the server did not stop:\n%s", stderr.String())
		}
		for _, c := range closers[1:] {
			c()
		}
	}
	t.Cleanup(func() { p.stop(t) })
	return p
}

// callTool calls a tool with its own context; it returns the text of the
// result (all content, structured content included) or the error.
func callTool(ctx context.Context, c *mcpclient.Client, name string, args map[string]any) (text string, isError bool, err error) {
	var req mcp.CallToolRequest
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return "", false, err
	}
	raw, _ := json.Marshal(res)
	var b strings.Builder
	for _, content := range res.Content {
		if tc, ok := content.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String() + "\n" + string(raw), res.IsError, nil
}

// TestSecretsNeverLeak runs every tool over stdio and over streamable HTTP
// with marker keys (the server's own from OPENPHONE_API_KEY; over HTTP also
// a client's from X-OpenPhone-Api-Key) while the API fails in the ways that
// could echo a key: a 401 and a 500 that repeat it in their bodies (also
// across the message's clip boundary), an HTML error page and a malformed
// 200 that contain it, a hung API cut by --timeout, and a redirect to
// another host with the key in its Location. No result, error, log line
// (debug level) or panic message carries a key (nor, over HTTP, the
// MCP_AUTH_TOKEN the client authenticates with), and the other host never
// receives one.
func TestSecretsNeverLeak(t *testing.T) {
	var otherMu sync.Mutex
	var otherSaw []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherMu.Lock()
		otherSaw = append(otherSaw, fmt.Sprint(r.Header))
		otherMu.Unlock()
	}))
	defer other.Close()

	echo := func(status int, contentType string, body func(key string) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			io.WriteString(w, body(r.Header.Get("Authorization")))
		}
	}
	faults := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"401 echoing the key", echo(401, "application/json", func(k string) string {
			return `{"message":"Invalid API key ` + k + `","code":"0100401","status":401,"title":"Unauthorized","docs":"` + k + `","trace":"` + k + `"}`
		})},
		{"500 echoing the key", echo(500, "application/json", func(k string) string {
			return `{"message":"` + strings.Repeat("x", 480) + k + `","title":"Internal ` + k + `","errors":[{"path":"/authorization","message":"` + k + `","value":"` + k + `","schema":{"type":"` + k + `"}}],"error":{"key":"` + k + `"}}`
		})},
		// Retried (502), quickly: Retry-After takes fractions of a second.
		{"HTML 502 page with the key", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0.01")
			echo(502, "text/html", func(k string) string { return "<html><body>Authorization: " + k + "</body></html>" })(w, r)
		}},
		{"malformed 200 echoing the key", echo(200, "application/json", func(k string) string { return `{"data":"` + k })},
		{"hung API cut by --timeout", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/steal?key="+r.Header.Get("Authorization"), http.StatusFound)
		}},
		{"healthy", nil},
	}
	for _, kind := range []string{"stdio", "http"} {
		t.Run(kind, func(t *testing.T) {
			api := newFakeAPI(t)
			args := []string{"--log-level", "debug", "--timeout", "300ms", "--api-rate", "0"}
			envm := map[string]string{"OPENPHONE_API_KEY": markerKey, "OPENPHONE_BASE_URL": api.srv.URL}
			var headers map[string]string
			want := markerKey
			if kind == "http" {
				args = append(args, "--allow-client-api-keys")
				envm["MCP_AUTH_TOKEN"] = authMarkerToken
				headers = map[string]string{"X-OpenPhone-Api-Key": clientMarkerKey, "Authorization": "Bearer " + authMarkerToken}
				want = clientMarkerKey
			}
			p := startProgram(t, kind, "2025-06-18", args, envm, headers)
			var outputs []string
			calls := demoArgs(api.ws)
			for _, fault := range faults {
				api.set(fault.handler)
				faultStart := time.Now()
				for name, a := range calls {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					start := time.Now()
					text, isError, err := callTool(ctx, p.c, name, a)
					cancel()
					if err != nil {
						t.Errorf("%s, %s: %v", fault.name, name, err)
						continue
					}
					outputs = append(outputs, text)
					if fault.handler != nil && !isError {
						t.Errorf("%s, %s: not an error:\n%.300s", fault.name, name, text)
					}
					if fault.handler == nil && isError {
						t.Errorf("%s: %.300s", name, text)
					}
					if strings.HasPrefix(fault.name, "hung") {
						if !strings.Contains(text, "did not answer in time") {
							t.Errorf("%s: the timeout is not named:\n%.300s", name, text)
						}
						if took := time.Since(start); took > 2*time.Second {
							t.Errorf("%s: %v for a 300ms --timeout", name, took)
						}
					}
				}
				t.Logf("%s: every tool in %v", fault.name, time.Since(faultStart).Round(time.Millisecond))
			}
			p.stop(t)
			logs := p.stderr.String()
			for _, key := range []string{markerKey, clientMarkerKey, authMarkerToken} {
				for i, out := range outputs {
					if strings.Contains(out, key) || strings.Contains(out, key[:12]) {
						t.Errorf("a result carries (a piece of) the key %s:\n%s", key, outputs[i])
					}
				}
				if strings.Contains(logs, key) || strings.Contains(logs, key[:12]) {
					t.Errorf("the logs carry the key %s:\n%s", key, logs)
				}
			}
			if strings.Contains(logs, "panic") {
				t.Errorf("a panic was logged:\n%s", logs)
			}
			if !strings.Contains(logs, "retrying OpenPhone API request") || !strings.Contains(logs, "tool call failed") {
				t.Errorf("the debug logs lack the retries and failures they should show (so the check above saw nothing):\n%.2000s", logs)
			}
			api.mu.Lock()
			if len(api.auths) != 1 || api.auths[want] == 0 {
				t.Errorf("the API saw Authorization values %v, want only the %s key", len(api.auths), kind)
			}
			api.mu.Unlock()
		})
	}
	otherMu.Lock()
	defer otherMu.Unlock()
	if len(otherSaw) > 0 {
		t.Errorf("the other host got %d requests: %v", len(otherSaw), otherSaw)
	}
}

// TestCancelStopsAPIRequests: a tools/call whose client gives up (the
// context of CallTool is cancelled) stops its API request: the fake API
// sees that request's context end, well before --timeout. Over stdio mcp-go's
// client sends notifications/cancelled and the server cancels the handler;
// over streamable HTTP the aborted POST is the cancellation. More cancelled
// calls than stdio's 5 tool workers are made in a row, so a worker that was
// not freed would leave the next call queued; then a call is answered at
// once.
func TestCancelStopsAPIRequests(t *testing.T) {
	for _, tc := range []struct{ kind, protocol string }{
		{"stdio", "2025-06-18"}, {"stdio", ""}, {"http", "2025-06-18"}, {"http", ""},
	} {
		name := tc.kind + "/" + tc.protocol
		if tc.protocol == "" {
			name = tc.kind + "/default"
		}
		t.Run(name, func(t *testing.T) {
			api := newFakeAPI(t)
			p := startProgram(t, tc.kind, tc.protocol, []string{"--timeout", "30s", "--api-rate", "0"},
				map[string]string{"OPENPHONE_API_KEY": markerKey, "OPENPHONE_BASE_URL": api.srv.URL}, nil)
			calls := demoArgs(api.ws)
			for i := range 6 {
				tool := []string{"list_calls", "recent_calls"}[i%2]
				// This call's own requests: recent_calls may have several
				// /v1/calls requests in flight, or one dated /calls.
				started := make(chan struct{}, 64)
				var inflight, total atomic.Int64
				api.set(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/v1/calls" && r.URL.Path != "/calls" {
						api.healthy.ServeHTTP(w, r)
						return
					}
					inflight.Add(1)
					total.Add(1)
					defer inflight.Add(-1)
					started <- struct{}{}
					<-r.Context().Done()
				})
				ctx, cancel := context.WithCancel(context.Background())
				errc := make(chan error, 1)
				go func() {
					_, _, err := callTool(ctx, p.c, tool, calls[tool])
					errc <- err
				}()
				select {
				case <-started:
				case <-time.After(10 * time.Second):
					cancel()
					t.Fatalf("call %d (%s) never reached the API: a tool worker is still busy?", i+1, tool)
				}
				at := time.Now()
				cancel()
				if err := <-errc; err == nil {
					t.Errorf("%s: no error after cancellation", tool)
				}
				for inflight.Load() > 0 {
					if time.Since(at) > 5*time.Second {
						t.Fatalf("%s: %d API requests still running 5s after the client gave up (they would run until --timeout)", tool, inflight.Load())
					}
					time.Sleep(100 * time.Microsecond)
				}
				t.Logf("%s: its API requests (%d) were cancelled within %v of the client giving up", tool, total.Load(), time.Since(at).Round(time.Microsecond))
			}
			api.set(nil)
			for _, tool := range []string{"list_calls", "recent_calls"} {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				start := time.Now()
				_, isError, err := callTool(ctx, p.c, tool, calls[tool])
				cancel()
				if err != nil || isError {
					t.Errorf("%s after the cancellations: %v", tool, err)
				}
				t.Logf("%s answered %v after the cancellations", tool, time.Since(start).Round(time.Microsecond))
			}
			// No cancelled call is still counted in flight: shutdown does
			// not wait out its grace period for one.
			start := time.Now()
			p.stop(t)
			if took := time.Since(start); took > 5*time.Second || strings.Contains(p.stderr.String(), "did not finish") {
				t.Errorf("shutdown took %v after the cancellations:\n%s", took, p.stderr.String())
			}
		})
	}
}
