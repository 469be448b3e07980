package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// rawStdio runs Run on stdio behind pipes and routes the lines it writes:
// responses by id, everything else dropped.
type rawStdio struct {
	t         *testing.T
	in        *io.PipeWriter
	lines     chan string // to stdin; a writer goroutine keeps the test from blocking on a stuck server
	closeOnce sync.Once
	answers   chan map[string]any
	done      chan error
}

func startRawStdio(t *testing.T, s *server.MCPServer, cfg Config) *rawStdio {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	cfg.Transport, cfg.Stdin, cfg.Stdout = "stdio", inR, outW
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	r := &rawStdio{t: t, in: inW, lines: make(chan string, 1000),
		answers: make(chan map[string]any, 1000), done: make(chan error, 1)}
	go func() {
		for line := range r.lines {
			if _, err := io.WriteString(inW, line+"\n"); err != nil {
				break
			}
		}
		_ = inW.Close()
	}()
	go func() {
		err := Run(context.Background(), s, cfg)
		_ = outW.Close()
		_ = inR.Close()
		r.done <- err
	}()
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				m = map[string]any{"unparsable": sc.Text()}
			}
			if _, isCall := m["method"]; !isCall {
				r.answers <- m
			}
		}
		_, _ = io.Copy(io.Discard, outR)
	}()
	t.Cleanup(func() {
		r.closeStdin()
		_ = inW.CloseWithError(io.EOF) // a stuck server stops reading
		_ = outR.Close()
	})
	return r
}

func (r *rawStdio) send(line string) { r.lines <- line }

func (r *rawStdio) closeStdin() { r.closeOnce.Do(func() { close(r.lines) }) }

// await returns the next response (a line with an id and no method).
func (r *rawStdio) await(what string) map[string]any {
	r.t.Helper()
	select {
	case a := <-r.answers:
		return a
	case <-time.After(testTimeout):
		r.t.Fatalf("no answer to %s", what)
		return nil
	}
}

func (r *rawStdio) initialize() {
	r.t.Helper()
	r.send(`{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`)
	if a := r.await("initialize"); a["id"] != "init" || a["result"] == nil {
		r.t.Fatalf("initialize answered %v", a)
	}
	r.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
}

// A cancelled call that no worker has picked up yet never runs, and a ping
// is answered while every worker is busy and calls wait in the queue.
func TestStdioCancelReachesQueuedCallsAndPingJumpsTheQueue(t *testing.T) {
	var ran atomic.Int32
	running := make(chan struct{}, 200)
	srv, _ := newMCP()
	srv.AddTool(mcp.NewTool("block"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ran.Add(1)
		running <- struct{}{}
		<-ctx.Done()
		return mcp.NewToolResultError("cancelled"), nil
	})
	r := startRawStdio(t, srv, Config{})
	r.initialize()

	// More calls than workers plus mcp-go's queue of 100 ever held.
	const calls, workers = 120, 5
	for i := 1; i <= calls; i++ {
		r.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"block"}}`, i))
	}
	for range workers {
		select {
		case <-running:
		case <-time.After(testTimeout):
			t.Fatal("the workers never started their calls")
		}
	}
	for i := workers + 1; i <= calls; i++ {
		r.send(fmt.Sprintf(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%d,"reason":"test"}}`, i))
	}
	r.send(`{"jsonrpc":"2.0","id":"ping","method":"ping"}`)
	if a := r.await("ping behind busy workers"); a["id"] != "ping" {
		t.Fatalf("first answer while the workers are busy: %v, want the ping's", a)
	}
	// Now free the workers: what they pick up next was cancelled.
	for i := 1; i <= workers; i++ {
		r.send(fmt.Sprintf(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%d,"reason":"test"}}`, i))
	}
	r.send(`{"jsonrpc":"2.0","id":"echo","method":"tools/call","params":{"name":"echo","arguments":{"text":"still here"}}}`)
	for {
		a := r.await("the echo after the cancellations")
		if a["id"] == "echo" {
			break
		}
		if id, _ := a["id"].(float64); id > workers {
			t.Errorf("call %v was cancelled while queued but answered: %v", a["id"], a)
		}
	}
	if n := ran.Load(); n != workers {
		t.Errorf("%d calls ran, want %d: calls cancelled in the queue must not run", n, workers)
	}
	r.close()
}

func (r *rawStdio) close() {
	r.t.Helper()
	r.closeStdin()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("Run = %v, want nil on EOF", err)
		}
	case <-time.After(testTimeout):
		r.t.Fatal("Run did not return on EOF")
	}
}
