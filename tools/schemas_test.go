package tools

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestToolSchemas is the one schema test over every tool: each has its
// snapshot (a tool without one fails), explicit read-only annotations, a
// strict object input schema whose every argument says what it is for, and
// an output schema. A snapshot without a tool fails too.
func TestToolSchemas(t *testing.T) {
	all := All(Deps{})
	if len(all) == 0 {
		t.Fatal("no tools")
	}
	names := map[string]bool{}
	for _, st := range all {
		tool := st.Tool
		names[tool.Name] = true
		t.Run(tool.Name, func(t *testing.T) {
			testutil.Golden(t, "schemas/"+tool.Name+".json", testutil.JSON(t, tool))

			ann := tool.Annotations
			if ann.Title == "" || ann.ReadOnlyHint == nil || !*ann.ReadOnlyHint || ann.DestructiveHint == nil || *ann.DestructiveHint ||
				ann.IdempotentHint == nil || !*ann.IdempotentHint || ann.OpenWorldHint == nil || !*ann.OpenWorldHint {
				t.Errorf("annotations = %+v, want a title and, explicitly, read-only, not destructive, idempotent, open world", ann)
			}

			var schema struct {
				Type                 string                     `json:"type"`
				AdditionalProperties *bool                      `json:"additionalProperties"`
				Properties           map[string]json.RawMessage `json:"properties"`
				Ref                  string                     `json:"$ref"`
				Schema               string                     `json:"$schema"`
			}
			if err := json.Unmarshal(tool.RawInputSchema, &schema); err != nil {
				t.Fatal(err)
			}
			if schema.Type != "object" || schema.AdditionalProperties == nil || *schema.AdditionalProperties || schema.Ref != "" || schema.Schema != "" {
				t.Errorf("input schema %s: want an inline object with additionalProperties false, no $ref, no $schema", tool.RawInputSchema)
			}
			for name, raw := range schema.Properties {
				var p struct{ Description string }
				_ = json.Unmarshal(raw, &p)
				if len(p.Description) < 20 {
					t.Errorf("%s: description %q does not say what it is for", name, p.Description)
				}
			}
			// Every tool declares the schema of its structured content
			// (structured_test.go validates the goldens against it).
			if len(tool.RawOutputSchema) == 0 {
				t.Error("publishes no output schema")
			}
			if tool.Description == "" {
				t.Error("no description")
			}
		})
	}
	files, err := filepath.Glob(filepath.Join("testdata", "schemas", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".json"); !names[name] {
			t.Errorf("%s is the snapshot of no tool: remove it", f)
		}
	}
	if len(files) != len(all) {
		t.Errorf("%d snapshots for %d tools", len(files), len(all))
	}
}

// assertToolDoc checks what is particular to a tool beside TestToolSchemas:
// its required arguments, and a description that names each of mentions
// (when to use which tool, how to page).
func assertToolDoc(t *testing.T, st server.ServerTool, required []string, mentions ...string) {
	t.Helper()
	tool := st.Tool
	var schema struct {
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(tool.RawInputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	if strings.Join(schema.Required, ",") != strings.Join(required, ",") {
		t.Errorf("%s: required %v, want %v", tool.Name, schema.Required, required)
	}
	for _, m := range mentions {
		if !strings.Contains(tool.Description, m) {
			t.Errorf("%s: description does not mention %q", tool.Name, m)
		}
	}
}
