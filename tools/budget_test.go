package tools

import (
	"context"
	"encoding/json"
	"testing"

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
// context. Ten schemas took 9,691 bytes when every tool first declared one
// (list_calls, recent_calls, search_calls, missed_calls and get_call 1.2 to
// 1.5 KB each, for their records' keys), as small as OutputSchemaFor makes
// them: types used twice as $defs, the others inline, string properties
// named in one description, descriptions of a few words, only the tables
// of names a tool fills.
const outputSchemaBudget = 10 << 10

func TestToolDefinitionsFitTheBudget(t *testing.T) {
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	Register(s, Deps{})
	// The bytes the server sends, read raw: a client's parsed Tool keeps
	// only the schema keywords it knows.
	ctx := context.Background()
	s.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"`+testutil.ProtocolLegacy+`","capabilities":{},"clientInfo":{"name":"budget","version":"1"}}}`))
	resp, err := json.Marshal(s.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)))
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Result struct {
			Tools []json.RawMessage `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(resp, &list); err != nil || len(list.Result.Tools) == 0 {
		t.Fatalf("tools/list: %v %s", err, resp)
	}
	all, outputs := 0, 0
	for _, raw := range list.Result.Tools {
		var tool struct {
			Name         string          `json:"name"`
			OutputSchema json.RawMessage `json:"outputSchema"`
		}
		if err := json.Unmarshal(raw, &tool); err != nil {
			t.Fatal(err)
		}
		all += len(raw)
		outputs += len(tool.OutputSchema)
		t.Logf("  %-20s %5d bytes, outputSchema %5d of them", tool.Name, len(raw), len(tool.OutputSchema))
	}
	// Each outputSchema is one key of its tool: "outputSchema":{...},.
	model := all - outputs - len(list.Result.Tools)*len(`"outputSchema":,`)
	t.Logf("%d tools, %d bytes of definitions: %d before the model, %d of outputSchemas", len(list.Result.Tools), all, model, outputs)
	if model >= toolDefinitionBudget {
		t.Errorf("tool definitions take %d bytes before the model, want under %d", model, toolDefinitionBudget)
	}
	if outputs >= outputSchemaBudget {
		t.Errorf("output schemas take %d bytes, want under %d", outputs, outputSchemaBudget)
	}
}
