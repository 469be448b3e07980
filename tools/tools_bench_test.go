package tools

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// Benchmarks of the tools' hot paths, over the sandbox's demo workspace
// with pacing off. They run only with -bench; see BENCHMARKS.md.

// benchNow pins the demo workspace (and the tools' clock) for benchmarks.
var benchNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

type benchEnv struct {
	ws   *sandbox.Workspace
	api  *client.Client
	deps *Deps
	srv  *server.MCPServer
	pn   string // the busiest (number, participant) pair of the demo
	peer string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	ws := sandbox.Demo(benchNow)
	api, err := client.New("bench", client.WithTransport(sandbox.New(ws, sandbox.Options{}).RoundTripper()), client.WithRateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	e := &benchEnv{ws: ws, api: api}
	e.deps = &Deps{
		Client: func(context.Context) (*client.Client, error) { return api, nil },
		Now:    func() time.Time { return benchNow },
	}
	e.deps.dirs = &directories{now: e.deps.now}
	e.srv = server.NewMCPServer("bench", "1", server.WithToolCapabilities(false), server.WithRecovery())
	Register(e.srv, *e.deps)

	own := map[string]bool{}
	for _, n := range ws.PhoneNumbers {
		own[n.Number] = true
	}
	count := map[[2]string]int{}
	best := 0
	for _, c := range ws.Calls {
		for _, p := range c.Participants {
			if !own[p] {
				k := [2]string{c.PhoneNumberID, p}
				count[k]++
				if count[k] > best {
					best, e.pn, e.peer = count[k], k[0], k[1]
				}
			}
		}
	}
	if best < 100 {
		b.Fatalf("the busiest pair of the demo has %d calls, want 100", best)
	}
	return e
}

// page fetches one page of the busiest pair's calls, and warms the
// directory (numbers, users, conversation names) the way a second
// call of a conversation finds it.
func (e *benchEnv) page(b *testing.B, n int) (*directory, client.PhoneNumber, client.ListCallsParams, *client.CallPage) {
	b.Helper()
	ctx := context.Background()
	w := e.deps.directory(e.api)
	num, err := w.resolveNumber(ctx, numberArg{id: e.pn})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.fetchConversationNames(ctx, num.ID, e.peer); err != nil {
		b.Fatal(err)
	}
	p := client.ListCallsParams{PhoneNumberID: num.ID, Participants: []string{e.peer}, MaxResults: n}
	page, err := e.api.ListCalls(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	if len(page.Data) != n {
		b.Fatalf("page has %d calls, want %d", len(page.Data), n)
	}
	return w, num, p, page
}

// BenchmarkRenderCallPage100 renders a 100-call list_calls page: the text
// and the structured content (as Go values; see ...Encode for the JSON).
func BenchmarkRenderCallPage100(b *testing.B) {
	e := newBenchEnv(b)
	w, num, p, page := e.page(b, 100)
	_, text := renderCallPage(w, time.UTC, num, p, page, len(page.Data), nil)
	b.ReportMetric(float64(len(text)), "text-B")
	b.ReportAllocs()
	for b.Loop() {
		renderCallPage(w, time.UTC, num, p, page, len(page.Data), nil)
	}
}

// BenchmarkRenderCallPage100Encode renders the page and encodes the result
// as it goes on the wire (text block, structuredContent).
func BenchmarkRenderCallPage100Encode(b *testing.B) {
	e := newBenchEnv(b)
	w, num, p, page := e.page(b, 100)
	raw, err := json.Marshal(mcp.NewToolResultStructured(renderCallPage(w, time.UTC, num, p, page, len(page.Data), nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(raw)), "wire-B")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(mcp.NewToolResultStructured(renderCallPage(w, time.UTC, num, p, page, len(page.Data), nil))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToolSchemas builds every tool: input and output schemas
// reflected with invopop/jsonschema. This runs once, at start-up.
func BenchmarkToolSchemas(b *testing.B) {
	d := Deps{Client: func(context.Context) (*client.Client, error) { return nil, nil }}
	b.ReportAllocs()
	for b.Loop() {
		All(d)
	}
}

// BenchmarkToolsList is the tools/list answer as mcp-go builds it.
func BenchmarkToolsList(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	initialize(b, e.srv)
	msg := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(e.srv.HandleMessage(ctx, msg)); err != nil {
			b.Fatal(err)
		}
	}
}

func initialize(b *testing.B, s *server.MCPServer) {
	b.Helper()
	res := s.HandleMessage(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`))
	raw, _ := json.Marshal(res)
	var r struct{ Error any }
	if err := json.Unmarshal(raw, &r); err != nil || r.Error != nil {
		b.Fatalf("initialize: %s", raw)
	}
}

// benchToolCall runs one tools/call through mcp-go's HandleMessage and
// encodes the answer: the whole server path but the transport, against the
// sandbox in process (its JSON encoding included, as with --demo).
func benchToolCall(b *testing.B, e *benchEnv, name string, args map[string]any) {
	b.Helper()
	ctx := context.Background()
	initialize(b, e.srv)
	params, err := json.Marshal(map[string]any{"name": name, "arguments": args})
	if err != nil {
		b.Fatal(err)
	}
	msg := []byte(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":` + string(params) + `}`)
	check := func() int {
		raw, err := json.Marshal(e.srv.HandleMessage(ctx, msg))
		if err != nil {
			b.Fatal(err)
		}
		var r struct {
			Result *struct {
				IsError bool `json:"isError"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || r.Result == nil || r.Result.IsError {
			b.Fatalf("%s: %.300s", name, raw)
		}
		return len(raw)
	}
	b.ReportMetric(float64(check()), "wire-B") // also warms the caches
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(e.srv.HandleMessage(ctx, msg)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandleListCalls(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run("maxResults="+strconv.Itoa(n), func(b *testing.B) {
			e := newBenchEnv(b)
			benchToolCall(b, e, "list_calls", map[string]any{"phoneNumberId": e.pn, "participants": []string{e.peer}, "maxResults": n})
		})
	}
}

// BenchmarkHandleRecentCalls is recent_calls over the default window (the
// last 24 hours, every number): the conversation walk and the merge of
// their calls, with pacing off.
func BenchmarkHandleRecentCalls(b *testing.B) {
	benchToolCall(b, newBenchEnv(b), "recent_calls", map[string]any{})
}
