package webhooks

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/internal/serve"
)

// TestHandler_BehindServe: mounted as a serve.Route the handler takes a
// signed delivery without the MCP token the MCP endpoint asks for, and
// the transport's body cap stops a larger body first.
func TestHandler_BehindServe(t *testing.T) {
	r := newRig(t)
	h, shutdown, err := serve.Handler(server.NewMCPServer("t", "1"), serve.Config{Transport: "http", AuthToken: "tok",
		MaxBodyBytes: 2048, Logger: slog.New(slog.DiscardHandler), Routes: []serve.Route{{Pattern: "/webhooks/quo", Handler: r.h}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	defer shutdown(context.Background())
	send := func(body string, hdr http.Header) int {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/webhooks/quo", strings.NewReader(body))
		for k, v := range hdr {
			req.Header[k] = v
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	body := datedEvent("EVs", "call.completed", `{"id":"AC1"}`)
	if status := send(body, dated(t, datedSecret, "msg_s", testNow, body)); status != http.StatusOK {
		t.Errorf("a signed delivery without the MCP token: %d, want 200", status)
	}
	big := datedEvent("EVb", "call.completed", `{"id":"AC1","pad":"`+strings.Repeat("x", 3000)+`"}`)
	if status := send(big, dated(t, datedSecret, "msg_b", testNow, big)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the transport's cap: %d, want 413", status)
	}
	if status := send(body, nil); status != http.StatusUnauthorized {
		t.Errorf("an unsigned delivery: %d, want 401", status)
	}
	if n := len(r.sink.got()); n != 1 {
		t.Errorf("%d events reached the sink, want 1", n)
	}
}
