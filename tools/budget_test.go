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
// tools/list result, for the part of this server's tool definitions that
// clients put before the model (name, title, description, inputSchema,
// annotations): 8 KiB for the seven tools that list and read calls, and
// 6 KiB more for call_stats, missed_calls and search_calls, whose answers
// replace pages of call lines (a week's count by user is one answer of
// about 1 KB instead of 13 pages).
const toolDefinitionBudget = 14 << 10

// outputSchemaBudget bounds the tools' outputSchemas, apart: clients
// validate structured content with them, and the model APIs that Claude
// Code, Claude Desktop and VS Code call take a tool's name, description
// and input schema only, so an outputSchema is bytes on the wire, not
// context. Ten schemas took 8,794 bytes when every tool first declared one
// (list_calls, recent_calls, search_calls and get_call about 1.4 KB each,
// for the call line's 15 keys), as small as OutputSchemaFor makes them:
// types used twice as $defs, the others inline, string properties named in
// one description, descriptions of a few words, only the tables of names a
// tool fills.
const outputSchemaBudget = 9 << 10

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
	outputs := 0
	for _, tool := range res.Tools {
		b, _ := json.Marshal(tool)
		o, _ := json.Marshal(tool.OutputSchema)
		if tool.RawOutputSchema != nil {
			o = tool.RawOutputSchema
		}
		outputs += len(o)
		t.Logf("  %-20s %5d bytes, outputSchema %5d of them", tool.Name, len(b), len(o))
	}
	// Each outputSchema is one key of its tool: "outputSchema":{...},.
	model := len(raw) - outputs - len(res.Tools)*len(`"outputSchema":,`)
	t.Logf("%d tools, %d bytes of definitions: %d before the model, %d of outputSchemas", len(res.Tools), len(raw), model, outputs)
	if model >= toolDefinitionBudget {
		t.Errorf("tool definitions take %d bytes before the model, want under %d", model, toolDefinitionBudget)
	}
	if outputs >= outputSchemaBudget {
		t.Errorf("output schemas take %d bytes, want under %d", outputs, outputSchemaBudget)
	}
}
