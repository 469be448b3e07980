package serve

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// A call still running when --shutdown-timeout runs out gets a JSON-RPC
// error saying the server is shutting down, not an empty 200; also when its
// answer had already become an SSE stream (a notification went first).
func TestShutdownAnswersCutOffCalls(t *testing.T) {
	for _, tc := range []struct {
		name      string
		stateless bool
		tool      string
	}{
		{"stateful", false, "sleep"},
		{"stateless", true, "sleep"},
		{"stateful-streamed", false, "notify_then_wait"},
		{"stateless-streamed", true, "notify_then_wait"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, sleepStarted := newMCP()
			notifyStarted := make(chan struct{}, 1)
			s.AddTool(mcp.NewTool("notify_then_wait"),
				func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					_ = server.ServerFromContext(ctx).SendNotificationToClient(ctx, "test/working", nil)
					notifyStarted <- struct{}{}
					<-ctx.Done()
					return mcp.NewToolResultError("cancelled"), nil
				})
			base, stop, done := startRun(t, s, Config{Transport: "http", Stateless: tc.stateless,
				ShutdownTimeout: 100 * time.Millisecond})
			c := connect(t, newStreamable(t, base+"/mcp"), client.WithProtocolVersion("2025-06-18"))
			result := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
				defer cancel()
				req := mcp.CallToolRequest{}
				req.Params.Name = tc.tool
				req.Params.Arguments = map[string]any{"ms": 60_000}
				_, err := c.CallTool(ctx, req)
				result <- err
			}()
			select {
			case <-sleepStarted:
			case <-notifyStarted:
			case <-time.After(testTimeout):
				t.Fatal("tool never started")
			}
			stop()
			select {
			case err := <-result:
				if err == nil || !strings.Contains(err.Error(), "shutting down") {
					t.Errorf("cut-off call got err %v, want a JSON-RPC error saying the server is shutting down", err)
				}
			case <-time.After(testTimeout):
				t.Fatal("cut-off call never answered")
			}
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			case <-time.After(testTimeout):
				t.Fatal("Run did not return")
			}
		})
	}
}

func TestCallIDs(t *testing.T) {
	got := callIDs([]byte(`[{"jsonrpc":"2.0","id":12345678901234567890,"method":"tools/call"},{"jsonrpc":"2.0","method":"notifications/cancelled"},{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","id":3,"result":{}}]`))
	if len(got) != 2 || string(got[0]) != "12345678901234567890" || string(got[1]) != `"a"` {
		t.Errorf("callIDs = %q, want the two request ids exactly as sent", got)
	}
}
