// Package testutil holds the helpers shared by the project's tests: golden
// files, and MCP client sessions against an in-process server.
package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

var update = flag.Bool("update", false, "rewrite golden files and schema snapshots instead of comparing")

// Golden compares got with the file testdata/<name> and rewrites the file
// instead when the test runs with -update.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; run with -update if the change is intended):\n%s", path, diff)
	}
}

// Buffer is a bytes.Buffer safe for concurrent writers, such as a logger
// shared by a server's goroutines and the test that reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Protocol versions the tests pin: the default of mcp-go's client (the
// stateless 2026-07-28 core) and the initialize handshake that Claude
// Desktop and the TypeScript SDK use.
const (
	ProtocolDefault = ""
	ProtocolLegacy  = "2025-06-18"
)

// Connect returns an initialized in-process MCP client session for s.
func Connect(t testing.TB, s *server.MCPServer, protocol string) *mcpclient.Client {
	t.Helper()
	var opts []mcpclient.ClientOption
	if protocol != "" {
		opts = append(opts, mcpclient.WithProtocolVersion(protocol))
	}
	c, err := mcpclient.NewInProcessClientWithOptions(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = protocol
	init.Params.ClientInfo = mcp.Implementation{Name: "openphone-mcp-tests", Version: "1"}
	res, err := c.Initialize(ctx, init)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if protocol != "" && res.ProtocolVersion != protocol {
		t.Fatalf("negotiated protocol %s, want %s", res.ProtocolVersion, protocol)
	}
	return c
}

// Result is a tool call's outcome, flattened for assertions.
type Result struct {
	Text       string
	IsError    bool
	Structured any
	Raw        *mcp.CallToolResult
}

// Call calls a tool with args (a map or a struct) and returns its result.
// A JSON-RPC error fails the test: tools report problems as isError results.
func Call(t testing.TB, c *mcpclient.Client, name string, args any) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("tools/call %s: %v", name, err)
	}
	var texts []string
	for _, content := range res.Content {
		if tc, ok := content.(mcp.TextContent); ok {
			texts = append(texts, tc.Text)
		}
	}
	return Result{Text: strings.Join(texts, "\n"), IsError: res.IsError, Structured: res.StructuredContent, Raw: res}
}

// JSON renders v as indented JSON for snapshots.
func JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}
