package tools

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// toolDefinitionBudget is what every conversation pays, in bytes of the
// tools/list result, for this server's tool definitions: 8 KiB for the
// seven tools that list and read calls, and 6 KiB more for call_stats,
// missed_calls and search_calls, whose answers replace pages of call lines
// (a week's count by user is one answer of about 1 KB instead of 13 pages).
const toolDefinitionBudget = 14 << 10

func TestToolDefinitionsFitTheBudget(t *testing.T) {
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	Register(s, Deps{})
	c := testutil.Connect(t, s, testutil.ProtocolLegacy)
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(res.Tools)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d tools, %d bytes of definitions", len(res.Tools), len(raw))
	for _, tool := range res.Tools {
		b, _ := json.Marshal(tool)
		t.Logf("  %-20s %5d bytes", tool.Name, len(b))
	}
	if len(raw) >= toolDefinitionBudget {
		t.Errorf("tool definitions take %d bytes, want under %d", len(raw), toolDefinitionBudget)
	}
}
