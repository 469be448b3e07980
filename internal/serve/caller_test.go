package serve

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// TestCallerOf: a client is its address without the port, an IPv6 one by
// its /64 (zone dropped), an IPv4-mapped one as IPv4.
func TestCallerOf(t *testing.T) {
	for remote, want := range map[string]string{
		"203.0.113.9:51234":          "203.0.113.9",
		"203.0.113.9:1":              "203.0.113.9",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:9":   "2001:db8:1:2::/64",
		"[fe80::1%eth0]:80":          "fe80::/64",
		"[::ffff:198.51.100.7]:80":   "198.51.100.7",
		"@":                          "@",
	} {
		if got := callerOf(remote); got != want {
			t.Errorf("callerOf(%q) = %q, want %q", remote, got, want)
		}
	}
}

// TestCallerReachesTools: a tool call that carries X-OpenPhone-Api-Key
// sees its caller's address in the context, over both HTTP transports.
func TestCallerReachesTools(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		t.Run(tr, func(t *testing.T) {
			s, _ := newMCP()
			s.AddTool(mcp.NewTool("caller"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				caller, ok := CallerFromContext(ctx)
				if !ok {
					caller = "<none>"
				}
				return mcp.NewToolResultText(caller), nil
			})
			ts := startHandler(t, s, Config{Transport: tr, AllowClientAPIKeys: true})
			h := map[string]string{APIKeyHeader: "op_live_abc123"}
			var c *client.Client
			if tr == "sse" {
				c = connect(t, newSSE(t, ts.URL+"/sse", transport.WithHeaders(h)))
			} else {
				c = connect(t, newStreamable(t, ts.URL+"/mcp", transport.WithHTTPHeaders(h)))
			}
			if got := callText(t, c, "caller", nil); got != "127.0.0.1" {
				t.Errorf("tool saw caller %q, want 127.0.0.1", got)
			}
		})
	}
}
