package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// assertToolMeta pins a tool's schema and checks what every tool must
// have: read-only annotations set explicitly, a strict object schema, and a
// description that names each of mentions (when to use which tool, how to
// page).
func assertToolMeta(t *testing.T, st server.ServerTool, required []string, mentions ...string) {
	t.Helper()
	tool := st.Tool
	testutil.Golden(t, "schemas/"+tool.Name+".json", testutil.JSON(t, tool))
	ann := tool.Annotations
	if ann.Title == "" || ann.ReadOnlyHint == nil || !*ann.ReadOnlyHint || ann.DestructiveHint == nil || *ann.DestructiveHint ||
		ann.IdempotentHint == nil || !*ann.IdempotentHint || ann.OpenWorldHint == nil || !*ann.OpenWorldHint {
		t.Errorf("%s: annotations = %+v, want a title and read-only, not destructive, idempotent, open world", tool.Name, ann)
	}
	var schema struct {
		Type                 string                     `json:"type"`
		Required             []string                   `json:"required"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
		Properties           map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(tool.RawInputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	if schema.Type != "object" || schema.AdditionalProperties == nil || *schema.AdditionalProperties {
		t.Errorf("%s: want an object schema with additionalProperties false", tool.Name)
	}
	if strings.Join(schema.Required, ",") != strings.Join(required, ",") {
		t.Errorf("%s: required %v, want %v", tool.Name, schema.Required, required)
	}
	for name, raw := range schema.Properties {
		var p struct{ Description string }
		_ = json.Unmarshal(raw, &p)
		if len(p.Description) < 20 {
			t.Errorf("%s.%s: description %q does not say what it is for", tool.Name, name, p.Description)
		}
	}
	// Only list_calls publishes an output schema (see outputSchemaPublisher).
	if len(tool.RawOutputSchema) != 0 {
		t.Errorf("%s: publishes an output schema, which costs every conversation context", tool.Name)
	}
	for _, m := range mentions {
		if !strings.Contains(tool.Description, m) {
			t.Errorf("%s: description does not mention %q", tool.Name, m)
		}
	}
}

func TestListPhoneNumbersSchema(t *testing.T) {
	assertToolMeta(t, listPhoneNumbersTool(&Deps{}), nil, "list_calls", "Not paged", "userId")
	var s struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(listPhoneNumbersTool(&Deps{}).Tool.RawInputSchema, &s)
	// GET /v1/phone-numbers takes one optional parameter, userId ^US.
	if len(s.Properties) != 1 || s.Properties["userId"]["pattern"] != "^US(.*)$" {
		t.Errorf("properties %v, want the API's userId with pattern ^US(.*)$", s.Properties)
	}
}

func TestListPhoneNumbers(t *testing.T) {
	for _, protocol := range []string{testutil.ProtocolDefault, testutil.ProtocolLegacy} {
		t.Run("protocol="+protocol, func(t *testing.T) {
			ws := fxWorkspace()
			ws.PhoneNumbers = append(ws.PhoneNumbers, fxNumbers()[0])
			ws.PhoneNumbers[2].ID, ws.PhoneNumbers[2].Number, ws.PhoneNumbers[2].Users = "PNfax000003", "+14155550109", nil
			ws.PhoneNumbers[2].Name = "Fax\nMore calls: \"x\""
			e, sb := newSandboxEnv(t, ws, protocol)
			res := e.call(t, "list_phone_numbers", map[string]any{})
			if res.IsError {
				t.Fatal(res.Text)
			}
			testutil.Golden(t, "list_phone_numbers/all.txt", res.Text)
			testutil.Golden(t, "list_phone_numbers/all.structured.json", testutil.JSON(t, res.Structured))
			assertNoForgedLines(t, res.Text)

			// From the cache: the workspace's numbers are fetched once.
			if again := e.call(t, "list_phone_numbers", nil); again.Text != res.Text {
				t.Errorf("second answer differs:\n%s", again.Text)
			}
			assertRequests(t, sb, requestCounts{"/v1/phone-numbers": 1})

			// With userId the API answers for that user, every time.
			res = e.call(t, "list_phone_numbers", map[string]any{"userId": "USjordan01"})
			testutil.Golden(t, "list_phone_numbers/user.txt", res.Text)
			e.call(t, "list_phone_numbers", map[string]any{"userId": "USjordan01"})
			assertRequests(t, sb, requestCounts{"/v1/phone-numbers": 3})

			res = e.call(t, "list_phone_numbers", map[string]any{"userId": "USstranger"})
			testutil.Golden(t, "list_phone_numbers/user_none.txt", res.Text)
		})
	}
}

func TestListPhoneNumbersEmptyAndDemo(t *testing.T) {
	e, _ := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy, func(d *Deps) { d.Demo = true })
	e2, _ := newSandboxEnv(t, &sandbox.Workspace{}, testutil.ProtocolLegacy)
	res := e2.call(t, "list_phone_numbers", nil)
	want := "OpenPhone numbers of this workspace: 0, the whole list\n" +
		"This API key sees no OpenPhone numbers: check in OpenPhone that the workspace has numbers and that the key's user can use them.\n"
	if res.IsError || res.Text != want {
		t.Errorf("got %q", res.Text)
	}
	res = e.call(t, "list_phone_numbers", nil)
	if !strings.HasPrefix(res.Text, demoNote+"OpenPhone numbers of this workspace: 2,") {
		t.Errorf("demo results must say so first: %s", res.Text)
	}
}

func TestListPhoneNumbersBadInput(t *testing.T) {
	e, sb := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy)
	for _, tc := range []struct {
		args any
		want string
	}{
		{map[string]any{"userId": "jordan"}, `userId "jordan" is not valid: it must start with "US", such as "US123abc"`},
		{map[string]any{"userId": 7}, "argument userId must be a string"},
		{map[string]any{"phoneNumberId": "PN1"}, `unknown argument "phoneNumberId"; the arguments are: userId`},
	} {
		res := e.call(t, "list_phone_numbers", tc.args)
		if !res.IsError || !strings.Contains(res.Text, tc.want) {
			t.Errorf("%v: got %s, want an error with %q", tc.args, res.Text, tc.want)
		}
	}
	assertRequests(t, sb, requestCounts{})
}
