package serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// These tests speak raw HTTP: the point is what a client that does not
// follow the protocol (a forged id, someone else's id) gets.

const (
	initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
	echoBody       = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`
)

// caller is one client: its bearer token and its own API key, if any.
type caller struct {
	t     *testing.T
	c     *http.Client
	url   string
	token string
	key   string
}

func newCaller(t *testing.T, url, token, key string) caller {
	return caller{t: t, c: httpClient(t), url: url + "/mcp", token: token, key: key}
}

// do sends one request and reads the whole answer, except a 200 to a GET
// (a stream), whose body it leaves unread.
func (c caller) do(method, sid, body string, extra ...string) (int, http.Header, string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if sid != "" {
		req.Header.Set(server.HeaderKeySessionID, sid)
		req.Header.Set(mcp.HeaderProtocolVersion, "2025-06-18")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.key != "" {
		req.Header.Set(APIKeyHeader, c.key)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	if method == http.MethodGet && resp.StatusCode == http.StatusOK {
		return resp.StatusCode, resp.Header, ""
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s: reading the answer: %v", method, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// initialize opens a session and returns its id.
func (c caller) initialize() string {
	c.t.Helper()
	code, h, body := c.do(http.MethodPost, "", initializeBody)
	sid := h.Get(server.HeaderKeySessionID)
	if code != http.StatusOK || sid == "" {
		c.t.Fatalf("initialize: %d %q, session %q", code, body, sid)
	}
	return sid
}

// skipUnderRace: the loads below run in .ci/run without -race.
func skipUnderRace(t *testing.T) {
	if raceEnabled {
		t.Skip("a load: run without -race (.ci/run does)")
	}
}

func heapInUseMB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / 1e6
}

// heapLimitMB is the bound for each load below: Go heap in use,
// after GC, in this process (server and client alike).
const heapLimitMB = 100

// TestSessions_NeverIssuedIDsGet404: an id this server did not issue is
// refused for every method, whatever its form or size, before any state is
// kept; mcp-go alone accepts a well-formed one for tools/call without
// initialize, and any one for GET (a stream, held after it closes).
func TestSessions_NeverIssuedIDsGet404(t *testing.T) {
	s, _ := newMCP()
	ts := startHandler(t, s, Config{Transport: "http"})
	c := newCaller(t, ts.URL, "", "")
	c.initialize() // a real session exists; forged ids still fail
	ids := map[string]string{
		"mcp-go's own form":  "mcp-session-123e4567-e89b-42d3-a456-426614174000",
		"this server's form": "mcp-session-0123456789abcdef0123456789abcdef",
		"512 KiB":            strings.Repeat("x", 512<<10),
	}
	for name, id := range ids {
		for _, rq := range []struct{ method, body string }{
			{http.MethodPost, echoBody},
			{http.MethodPost, `{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"debug"}}`},
			{http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}`},
			{http.MethodPost, `{"jsonrpc":"2.0","id":4,"result":{}}`},
			{http.MethodGet, ""},
			{http.MethodDelete, ""},
		} {
			if code, _, body := c.do(rq.method, id, rq.body); code != http.StatusNotFound {
				t.Errorf("%s id, %s %.40s: %d %.80q, want 404", name, rq.method, rq.body, code, body)
			}
		}
		if code, _, _ := c.do(http.MethodGet, id, "", "Last-Event-ID", "1"); code != http.StatusNotFound {
			t.Errorf("%s id, GET Last-Event-ID 1: %d, want 404", name, code)
		}
	}
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		if code, _, _ := c.do(method, "", ""); code != http.StatusBadRequest {
			t.Errorf("%s without Mcp-Session-Id: %d, want 400", method, code)
		}
	}
}

// TestSessions_ForgedIDsHoldNoMemory: 400 GETs with 512 KiB ids (the
// red team's load: 20 -> 357 MB, held with no connection open).
func TestSessions_ForgedIDsHoldNoMemory(t *testing.T) {
	skipUnderRace(t)
	s, _ := newMCP()
	ts := startHandler(t, s, Config{Transport: "http"})
	c := newCaller(t, ts.URL, "", "")
	before := heapInUseMB()
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 400; i += 8 {
				id := fmt.Sprintf("%04d", i) + strings.Repeat("x", 512<<10-4) // each its own
				if code, _, _ := c.do(http.MethodGet, id, ""); code != http.StatusNotFound {
					wrong.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	httpClientIdle(c)
	after := heapInUseMB()
	t.Logf("400 x 512 KiB forged ids: heap in use %.1f -> %.1f MB", before, after)
	if n := wrong.Load(); n > 0 {
		t.Errorf("%d of 400 forged GETs were not refused with 404", n)
	}
	if after > heapLimitMB {
		t.Errorf("heap in use %.1f MB after 400 forged ids, want <= %d", after, heapLimitMB)
	}
}

func httpClientIdle(c caller) {
	if tr, ok := c.c.Transport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
}

// TestSessions_BoundToTheirCredential: with one MCP token shared by tenants
// that each send their own API key, a session id is no use to anyone but
// its creator: every method on it gets 404 (replaying its stored results,
// taking its stream, cancelling, setting its log level, deleting it), and
// the session works on for its owner.
func TestSessions_BoundToTheirCredential(t *testing.T) {
	s := progressMCP(2 << 10)
	ts := startHandler(t, s, Config{Transport: "http", AuthToken: "shared-token", AllowClientAPIKeys: true})
	owner := newCaller(t, ts.URL, "shared-token", "key-of-tenant-A")
	sid := owner.initialize()
	// A call with progress, so the session has stored events to replay.
	code, _, stream := owner.do(http.MethodPost, sid, reportCall(7, 7))
	firstID := firstEventID(stream)
	if code != http.StatusOK || firstID == "" || !strings.Contains(stream, `"result"`) {
		t.Fatalf("owner's call: %d, events %.200q", code, stream)
	}

	others := map[string]caller{
		"another tenant's key": newCaller(t, ts.URL, "shared-token", "key-of-tenant-B"),
		"the token alone":      newCaller(t, ts.URL, "shared-token", ""),
	}
	for name, other := range others {
		for _, rq := range []struct{ method, body string }{
			{http.MethodPost, echoBody},
			{http.MethodPost, reportCall(8, 8)},
			{http.MethodPost, `{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"debug"}}`},
			{http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}`},
			{http.MethodPost, `{"jsonrpc":"2.0","id":4,"method":"ping"}`},
			{http.MethodPost, `{"jsonrpc":"2.0","id":5,"result":{}}`},
			{http.MethodPost, `{"jsonrpc":"2.0","id":6,"result":{"role":"user"}}`},
			{http.MethodGet, ""},
			{http.MethodDelete, ""},
		} {
			if code, _, body := other.do(rq.method, sid, rq.body); code != http.StatusNotFound {
				t.Errorf("%s: %s %.50s on the owner's session: %d %.80q, want 404", name, rq.method, rq.body, code, body)
			}
		}
		for _, last := range []string{"1", firstID} {
			if code, _, body := other.do(http.MethodGet, sid, "", "Last-Event-ID", last); code != http.StatusNotFound {
				t.Errorf("%s: replay after event %s: %d %.80q, want 404", name, last, code, body)
			}
		}
	}

	// The owner's session survived all that, and its stream still resumes.
	if code, _, body := owner.do(http.MethodPost, sid, echoBody); code != http.StatusOK || !strings.Contains(body, "hi") {
		t.Errorf("owner after the others: %d %.80q", code, body)
	}
	if code, _, _ := owner.do(http.MethodGet, sid, "", "Last-Event-ID", firstID); code != http.StatusOK {
		t.Errorf("owner's resume after event %s: %d, want 200", firstID, code)
	}
	if code, _, _ := owner.do(http.MethodDelete, sid, ""); code != http.StatusOK {
		t.Errorf("owner's DELETE: %d", code)
	}
	if code, _, _ := owner.do(http.MethodPost, sid, echoBody); code != http.StatusNotFound {
		t.Errorf("after DELETE: %d, want 404", code)
	}
}

// TestSessions_Stateless: --stateless keeps no sessions, so ids mean nothing
// and nothing is refused for one.
func TestSessions_Stateless(t *testing.T) {
	s, _ := newMCP()
	ts := startHandler(t, s, Config{Transport: "http", Stateless: true})
	c := newCaller(t, ts.URL, "", "")
	code, h, _ := c.do(http.MethodPost, "", initializeBody)
	if code != http.StatusOK || h.Get(server.HeaderKeySessionID) != "" {
		t.Errorf("stateless initialize: %d, session %q", code, h.Get(server.HeaderKeySessionID))
	}
	if code, _, body := c.do(http.MethodPost, "anything", echoBody); code != http.StatusOK || !strings.Contains(body, "hi") {
		t.Errorf("stateless call: %d %.80q", code, body)
	}
}

// TestSessions_Capped: past MaxSessions, initialize gets 503 with a
// Retry-After; a DELETE frees a slot.
func TestSessions_Capped(t *testing.T) {
	s, _ := newMCP()
	ts := startHandler(t, s, Config{Transport: "http", MaxSessions: 3})
	c := newCaller(t, ts.URL, "", "")
	var sids []string
	for range 3 {
		sids = append(sids, c.initialize())
	}
	code, h, _ := c.do(http.MethodPost, "", initializeBody)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("4th initialize with 3 open: %d, want 503", code)
	}
	if n, err := strconv.Atoi(h.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After %q, want whole seconds >= 1", h.Get("Retry-After"))
	}
	if code, _, _ := c.do(http.MethodDelete, sids[0], ""); code != http.StatusOK {
		t.Fatalf("DELETE: %d", code)
	}
	c.initialize()
}

// fakeClock is the session table's clock in the expiry tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestSessions_IdleExpiry: a session with nothing in progress for
// SessionIdle is dropped (its id then gets 404); one with an open stream is
// not idle, however long it stays open.
func TestSessions_IdleExpiry(t *testing.T) {
	s, _ := newMCP()
	clock := &fakeClock{now: time.Unix(1e9, 0)}
	var table *sessions
	cfg := Config{Transport: "http", SessionIdle: time.Minute, sessionClock: clock.Now, sessionsCreated: func(ss *sessions) { table = ss }}
	ts := startHandler(t, s, cfg)
	c := newCaller(t, ts.URL, "", "")

	idle := c.initialize()
	clock.advance(time.Minute - time.Second)
	table.sweep()
	if code, _, _ := c.do(http.MethodPost, idle, echoBody); code != http.StatusOK {
		t.Fatalf("a session idle for less than SessionIdle: %d, want 200", code)
	}
	clock.advance(time.Minute)
	table.sweep()
	if code, _, _ := c.do(http.MethodPost, idle, echoBody); code != http.StatusNotFound {
		t.Errorf("a session idle for SessionIdle: %d, want 404", code)
	}

	listening := c.initialize()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	req.Header.Set(server.HeaderKeySessionID, listening)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.c.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: %v %v", err, resp)
	}
	clock.advance(time.Hour)
	table.sweep()
	if code, _, _ := c.do(http.MethodPost, listening, echoBody); code != http.StatusOK {
		t.Errorf("a session with an open stream, an hour on: %d, want 200", code)
	}
	cancel()
	_ = resp.Body.Close()
	// The stream's handler ends a moment after the client goes; until then
	// the session is busy. Each round is another idle period later.
	deadline := time.Now().Add(testTimeout)
	for table.count() > 0 && time.Now().Before(deadline) {
		clock.advance(2 * time.Minute)
		table.sweep()
		time.Sleep(5 * time.Millisecond)
	}
	if code, _, _ := c.do(http.MethodPost, listening, echoBody); code != http.StatusNotFound {
		t.Errorf("the session after its stream closed and SessionIdle passed: %d, want 404", code)
	}
	c.initialize() // the table still issues
}

// TestSessions_ManyNeverClosed: the red team's 20,000 initialize calls that
// never close (274 MB, nothing refused) with the default cap.
func TestSessions_ManyNeverClosed(t *testing.T) {
	skipUnderRace(t)
	s, _ := newMCP()
	ts := startHandler(t, s, Config{Transport: "http"})
	c := newCaller(t, ts.URL, "", "")
	before := heapInUseMB()
	var wg sync.WaitGroup
	var opened, refused, other atomic.Int64
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 20000; i += 8 {
				switch code, h, _ := c.do(http.MethodPost, "", initializeBody); {
				case code == http.StatusOK && h.Get(server.HeaderKeySessionID) != "":
					opened.Add(1)
				case code == http.StatusServiceUnavailable && h.Get("Retry-After") != "":
					refused.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	httpClientIdle(c)
	after := heapInUseMB()
	t.Logf("20,000 initialize never closed: %d opened (cap %d), %d refused; heap in use %.1f -> %.1f MB",
		opened.Load(), DefaultMaxSessions(), refused.Load(), before, after)
	if got := opened.Load(); got != int64(DefaultMaxSessions()) || other.Load() != 0 {
		t.Errorf("opened %d sessions (%d other answers), want exactly the cap %d and 503 for the rest", got, other.Load(), DefaultMaxSessions())
	}
	if after > heapLimitMB {
		t.Errorf("heap in use %.1f MB with the sessions open, want <= %d", after, heapLimitMB)
	}
}

// progressMCP serves "report": three progress notifications when the call
// carries a progressToken, then a result of resultBytes.
func progressMCP(resultBytes int) *server.MCPServer {
	s := server.NewMCPServer("sessions-test", "0", server.WithToolCapabilities(false), server.WithLogging())
	s.AddTool(mcp.NewTool("echo", mcp.WithString("text")), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText(req.GetString("text", "")), nil
	})
	s.AddTool(mcp.NewTool("report"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.Meta != nil && req.Params.Meta.ProgressToken != nil {
			for i := range 3 {
				_ = server.ServerFromContext(ctx).SendNotificationToClient(ctx, "notifications/progress",
					map[string]any{"progressToken": req.Params.Meta.ProgressToken, "progress": i, "total": 3})
			}
		}
		return mcp.NewToolResultText(strings.Repeat("call line ", resultBytes/10)), nil
	})
	return s
}

func reportCall(id, token int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"report","_meta":{"progressToken":%d}}}`, id, token)
}

func firstEventID(stream string) string {
	sc := bufio.NewScanner(strings.NewReader(stream))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			return v
		}
	}
	return ""
}

// TestSessions_ProgressCallsBounded: the red team's 1,500 calls with a
// progressToken in one session (150 kB results; 32 -> 253 MB, kept for the
// session's life). Their progress goes once each call answers, and what
// stays is within the session's event budget.
func TestSessions_ProgressCallsBounded(t *testing.T) {
	skipUnderRace(t)
	s := progressMCP(150_000)
	var table *sessions
	ts := startHandler(t, s, Config{Transport: "http", sessionsCreated: func(ss *sessions) { table = ss }})
	c := newCaller(t, ts.URL, "", "")
	sid := c.initialize()
	before := heapInUseMB()
	for i := range 1500 {
		code, _, body := c.do(http.MethodPost, sid, reportCall(10+i, 10+i))
		if code != http.StatusOK || !strings.Contains(body, "call line") {
			t.Fatalf("call %d: %d %.100q", i, code, body)
		}
	}
	after := heapInUseMB()
	t.Logf("1,500 progress calls in one session: heap in use %.1f -> %.1f MB", before, after)
	if after > heapLimitMB {
		t.Errorf("heap in use %.1f MB, want <= %d", after, heapLimitMB)
	}
	table.withEvents(sid, func(l *eventLog) {
		if l.bytes > defaultSessionEventBytes || len(l.events) > defaultSessionEvents {
			t.Errorf("session keeps %d events, %d bytes; limits %d, %d", len(l.events), l.bytes, defaultSessionEvents, defaultSessionEventBytes)
		}
		for _, e := range l.events {
			if e.progress != "" && e.msg != nil {
				t.Errorf("progress of an answered call kept: %s", e.msg)
			}
		}
	})
}
