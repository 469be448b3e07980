package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/tools"
)

// Load test figures: sessions x calls per session over streamable HTTP.
const (
	loadSessions        = 40
	loadCallsPerSession = 10
	loadMaxRSSBytes     = 100 << 20
)

// TestLoadHTTP runs the built program as a process of its own (--demo
// --api-rate 0 --transport http on a free loopback port) and drives it with
// 40 concurrent mcp-go streamable HTTP sessions of 10 tool calls each, over
// every tool. It asserts zero errors and a peak RSS (VmHWM of the server
// process) under 100 MB; it reports the duration but asserts no timing.
// OPENPHONE_MCP_BIN names a built binary to use; otherwise the test builds
// one. Skipped with -short, and with -race (the figures would be those of
// a race-instrumented client): .ci/run runs it on its own.
func TestLoadHTTP(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("load test: skipped with -short and -race; .ci/run runs it on its own")
	}
	bin := os.Getenv("OPENPHONE_MCP_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "openphone-mcp")
		build := exec.Command("go", "build", "-o", bin, ".")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	cmd := exec.Command(bin, "--demo", "--api-rate", "0", "--transport", "http", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "OPENPHONE_API_KEY=", "MCP_AUTH_TOKEN=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	urlc := make(chan string, 1)
	var logMu sync.Mutex
	var logs strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logMu.Lock()
			logs.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
		}
		exited <- cmd.Wait()
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the server exited with %v", err)
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Error("the server did not stop on SIGTERM")
		}
	}
	defer stop()
	var url string
	select {
	case url = <-urlc:
	case <-time.After(20 * time.Second):
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("the server did not start:\n%s", logs.String())
	}

	// One session finds ids in the demo workspace for the calls by id.
	setup, closeSetup, err := newLoadSession(url)
	if err != nil {
		t.Fatal(err)
	}
	var recent tools.RecentCallsOutput
	if err := structured(setup, "recent_calls", map[string]any{"maxResults": 5}, &recent); err != nil || len(recent.Calls) == 0 {
		t.Fatalf("recent_calls on the demo: %v %+v", err, recent)
	}
	c := recent.Calls[0]
	byID := map[string]any{"callId": c.ID}
	plan := []struct {
		tool string
		args map[string]any
	}{
		{"list_phone_numbers", map[string]any{}},
		{"recent_calls", map[string]any{"maxResults": 20}},
		{"list_calls", map[string]any{"phoneNumberId": c.PhoneNumberID, "participants": []string{c.Participant}}},
		{"get_call", byID},
		{"get_call_summary", byID},
		{"get_call_transcript", byID},
		{"get_call_recordings", byID},
		{"recent_calls", map[string]any{"maxResults": 10, "includeSummaries": true}},
		{"list_calls", map[string]any{"phoneNumberId": c.PhoneNumberID, "participants": []string{c.Participant}, "includeSummaries": true}},
		{"get_call", byID},
	}
	if len(plan) != loadCallsPerSession {
		t.Fatalf("plan has %d calls", len(plan))
	}
	closeSetup()

	var calls, failures atomic.Int64
	var failMu sync.Mutex
	var firstFailures []string
	fail := func(format string, a ...any) {
		failures.Add(1)
		failMu.Lock()
		if len(firstFailures) < 5 {
			firstFailures = append(firstFailures, fmt.Sprintf(format, a...))
		}
		failMu.Unlock()
	}
	start := time.Now()
	var wg sync.WaitGroup
	for s := range loadSessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess, closeSess, err := newLoadSession(url)
			if err != nil {
				fail("session %d: %v", s, err)
				return
			}
			defer closeSess()
			for i := range loadCallsPerSession {
				step := plan[(s+i)%len(plan)] // sessions start at different tools
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				var req mcp.CallToolRequest
				req.Params.Name = step.tool
				req.Params.Arguments = step.args
				res, err := sess.CallTool(ctx, req)
				cancel()
				calls.Add(1)
				switch {
				case err != nil:
					fail("session %d, %s: %v", s, step.tool, err)
				case res.IsError:
					fail("session %d, %s: %v", s, step.tool, res.Content)
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	hwm, rss := procStatus(t, cmd.Process.Pid, "VmHWM"), procStatus(t, cmd.Process.Pid, "VmRSS")
	stop()
	t.Logf("LOAD: %d sessions x %d calls = %d calls over streamable HTTP, %d errors, %v (%.0f calls/s), server peak RSS (VmHWM) %.1f MB, RSS after %.1f MB",
		loadSessions, loadCallsPerSession, calls.Load(), failures.Load(), took.Round(time.Millisecond),
		float64(calls.Load())/took.Seconds(), float64(hwm)/(1<<20), float64(rss)/(1<<20))
	if failures.Load() != 0 {
		t.Errorf("%d of %d calls failed; first: %s", failures.Load(), calls.Load(), strings.Join(firstFailures, "; "))
	}
	if calls.Load() != loadSessions*loadCallsPerSession {
		t.Errorf("%d calls made, want %d", calls.Load(), loadSessions*loadCallsPerSession)
	}
	if hwm >= loadMaxRSSBytes {
		t.Errorf("peak RSS %d bytes, want under %d", hwm, loadMaxRSSBytes)
	}
}

// newLoadSession opens an initialized streamable HTTP session with its own
// connections; closing it ends the session and its connections.
func newLoadSession(url string) (*mcpclient.Client, func(), error) {
	ht := &http.Transport{}
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPBasicClient(&http.Client{Transport: ht}))
	if err != nil {
		return nil, nil, err
	}
	c := mcpclient.NewClient(tr)
	closeIt := func() { c.Close(); ht.CloseIdleConnections() }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		closeIt()
		return nil, nil, err
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "load-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		closeIt()
		return nil, nil, err
	}
	return c, closeIt, nil
}

// callWithin calls tool within limit; a tool error is an error.
func callWithin(c *mcpclient.Client, tool string, args map[string]any, limit time.Duration) (*mcp.CallToolResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return nil, err
	}
	if res.IsError {
		return nil, fmt.Errorf("%s answered an error: %v", tool, res.Content)
	}
	return res, nil
}

func structured(c *mcpclient.Client, tool string, args map[string]any, out any) error {
	res, err := callWithin(c, tool, args, 30*time.Second)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

var statusLine = regexp.MustCompile(`^(\w+):\s+(\d+) kB$`)

// procStatus reads a "kB" field of /proc/<pid>/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading the server's memory figures: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if m := statusLine.FindStringSubmatch(line); m != nil && m[1] == field {
			kb, _ := strconv.ParseInt(m[2], 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("/proc/%d/status has no %s", pid, field)
	return 0
}
