package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const markerKey = "opk_test_MARKER_main_51c9"

// env is a process environment of m; the ledger is off unless m sets
// OPENPHONE_LEDGER, so no test writes to the user's cache directory.
func env(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; ok || k != "OPENPHONE_LEDGER" {
			return v
		}
		return "off"
	}
}

func TestRunWithoutKeyExits2(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, env(nil), strings.NewReader(""), &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n") + 1; lines != 1 || !strings.Contains(stderr.String(), "OPENPHONE_API_KEY") {
		t.Errorf("want one line naming OPENPHONE_API_KEY, got %q", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout belongs to the protocol, got %q", stdout.String())
	}
}

func TestRunVersionAndHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, env(nil), nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), version) {
		t.Errorf("--version: status %d, output %q", code, stdout.String())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"--help"}, env(nil), nil, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "OPENPHONE_API_KEY") || !strings.Contains(stderr.String(), "-api-rate") {
		t.Errorf("--help: status %d, output %q", code, stderr.String())
	}
	if code := run(context.Background(), []string{"--no-such-flag"}, env(nil), nil, &stdout, &stderr); code != 2 {
		t.Errorf("unknown flag: status %d, want 2", code)
	}
}

func TestRunBadBaseURL(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, env(map[string]string{"OPENPHONE_API_KEY": markerKey, "OPENPHONE_BASE_URL": "ftp:/nowhere"}), nil, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "base URL") {
		t.Errorf("status %d, stderr %q", code, stderr.String())
	}
	if strings.Contains(stderr.String(), markerKey) {
		t.Error("the key leaked to stderr")
	}
}

// TestRunQuoAPIKeyAlias: QUO_API_KEY alone is taken as the key (the run
// gets past the key check to the base URL check).
func TestRunQuoAPIKeyAlias(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, env(map[string]string{"QUO_API_KEY": markerKey, "OPENPHONE_BASE_URL": "ftp:/nowhere"}), nil, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "base URL") || strings.Contains(stderr.String(), "not set") {
		t.Errorf("status %d, stderr %q; want the base URL refused, not a missing key", code, stderr.String())
	}
	if strings.Contains(stderr.String(), markerKey) {
		t.Error("the key leaked to stderr")
	}
}

// TestStdioSession drives the real program over stdio pipes with mcp-go's
// client against a fake API, pinned to the protocol Claude Desktop speaks
// (and to v1: the fake answers every path with a v1 calls page).
func TestStdioSession(t *testing.T) {
	var auth atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":[{"id":"ACstdio1","phoneNumberId":"PNmain1","userId":"US1","direction":"incoming","status":"completed","duration":61,"participants":["+12125550103"],"createdAt":"2026-11-26T10:00:00Z","answeredAt":null,"answeredBy":null,"initiatedBy":null,"completedAt":null,"updatedAt":null,"forwardedFrom":null,"forwardedTo":null,"callRoute":null,"aiHandled":null}],"totalItems":1,"nextPageToken":null}`)
	}))
	defer api.Close()

	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	stderr := &testutil.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--log-level", "debug", "--api-version", "v1"}, env(map[string]string{"OPENPHONE_API_KEY": markerKey, "OPENPHONE_BASE_URL": api.URL}), serverIn, serverOut, stderr)
	}()

	c := mcpclient.NewClient(transport.NewIO(clientIn, clientOut, io.NopCloser(strings.NewReader(""))), mcpclient.WithProtocolVersion("2025-06-18"))
	tctx, tcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer tcancel()
	if err := c.Start(tctx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = "2025-06-18"
	init.Params.ClientInfo = mcp.Implementation{Name: "stdio-test", Version: "1"}
	res, err := c.Initialize(tctx, init)
	if err != nil {
		t.Fatal(err)
	}
	if res.ServerInfo.Name != "openphone-mcp" || res.ProtocolVersion != "2025-06-18" {
		t.Errorf("initialize = %+v", res)
	}
	list, err := c.ListTools(tctx, mcp.ListToolsRequest{})
	if err != nil || len(list.Tools) == 0 {
		t.Fatalf("tools/list: %v %v", list, err)
	}
	var req mcp.CallToolRequest
	req.Params.Name = "list_calls"
	req.Params.Arguments = map[string]any{"phoneNumberId": "PNmain1", "participants": []string{"212-555-0103"}}
	out, err := c.CallTool(tctx, req)
	if err != nil || out.IsError {
		t.Fatalf("tools/call: %v %+v", err, out)
	}
	text := out.Content[0].(mcp.TextContent).Text
	if !strings.Contains(text, "ACstdio1") || !strings.Contains(text, "Last page.") {
		t.Errorf("unexpected result: %s", text)
	}
	if got, _ := auth.Load().(string); got != markerKey {
		t.Errorf("Authorization = %q, want the raw key", got)
	}
	cancel()
	clientOut.Close()
	c.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d after shutdown, stderr:\n%s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
	serverOut.Close()
	clientIn.Close()
	if strings.Contains(stderr.String(), markerKey) || strings.Contains(text, markerKey) {
		t.Error("the API key leaked")
	}
	if !strings.Contains(stderr.String(), "serving MCP over stdio") {
		t.Errorf("stderr lacks the start-up log line: %s", stderr.String())
	}
}

func TestRun_refusesOutOfRangeFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo", "--api-rate", "-1"}, "--api-rate -1 is not a number of requests per second from 0"},
		{[]string{"--demo", "--api-rate", "NaN"}, "--api-rate NaN is not a number"},
		{[]string{"--demo", "--api-rate", "5000"}, "--api-rate 5000 is not"},
		{[]string{"--demo", "--timeout", "0s"}, "--timeout 0s is not a positive duration"},
		{[]string{"--demo", "--shutdown-timeout", "0s"}, "--shutdown-timeout 0s is not a positive duration such as 10s"},
		{[]string{"--demo", "--shutdown-timeout", "-5s"}, "--shutdown-timeout -5s is not a positive duration"},
	} {
		var stdout, stderr strings.Builder
		if code := run(context.Background(), c.args, env(nil), nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: status %d, stderr %q; want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
}

func TestRun_helpSpellsFlagsWithTwoDashes(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"--help"}, env(nil), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("--help: status %d", code)
	}
	for _, want := range []string{"\n  --addr string\n", "\n  --demo\n", "(default \"127.0.0.1:8080\")", "--api-rate float"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "\n  -addr") {
		t.Errorf("--help still spells a flag with one dash")
	}
}
