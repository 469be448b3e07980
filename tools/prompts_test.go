package tools

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// promptEnv is one MCP session over the tools and the prompts, on the demo
// workspace at testNow, days in Los Angeles.
type promptEnv struct {
	mcp *mcpclient.Client
	sb  *sandbox.Server
}

func newPromptEnv(t *testing.T, protocol string, mutate ...func(*Deps)) *promptEnv {
	t.Helper()
	sb := sandbox.New(sandbox.Demo(testNow), sandbox.Options{APIKey: markerKey, Now: func() time.Time { return testNow }})
	api, err := client.New(markerKey, client.WithTransport(sb.RoundTripper()), client.WithRateLimit(0), client.WithRetries(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{
		Client:     func(context.Context) (*client.Client, error) { return api, nil },
		Now:        func() time.Time { return testNow },
		TimeZone:   la,
		APIVersion: APIAuto,
	}
	for _, m := range mutate {
		m(&d)
	}
	p := NewPrompts(d)
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false), server.WithPromptCapabilities(false),
		server.WithCompletions(), server.WithPromptCompletionProvider(p), server.WithRecovery())
	Register(s, d)
	p.Register(s)
	return &promptEnv{mcp: testutil.Connect(t, s, protocol), sb: sb}
}

// withLedger gives the env's Deps a ledger synced with the demo, as the
// server keeps one per workspace.
func withLedger(t *testing.T) func(*Deps) {
	return func(d *Deps) {
		api, err := d.Client(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		store, err := ledger.OpenSQLiteMemory(context.Background(), ledger.WorkspaceID(markerKey))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		l := ledger.New(store, api, ledger.Config{Days: 30})
		l.Syncer.Now = func() time.Time { return testNow }
		if _, err := l.Syncer.Sync(context.Background(), ledger.Options{Backfill: true}); err != nil {
			t.Fatal(err)
		}
		d.Ledger = func(*client.Client) *ledger.Ledger { return l }
	}
}

func (e *promptEnv) get(t *testing.T, name string, args map[string]string) (*mcp.GetPromptResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var req mcp.GetPromptRequest
	req.Params.Name = name
	req.Params.Arguments = args
	return e.mcp.GetPrompt(ctx, req)
}

// text is a prompt's one message, which must be the user's text.
func promptText(t *testing.T, res *mcp.GetPromptResult) string {
	t.Helper()
	if len(res.Messages) != 1 || res.Messages[0].Role != mcp.RoleUser {
		t.Fatalf("messages = %+v, want one user message", res.Messages)
	}
	tc, ok := res.Messages[0].Content.(mcp.TextContent)
	if !ok {
		t.Fatalf("content = %T, want text", res.Messages[0].Content)
	}
	if strings.Contains(tc.Text, markerKey) {
		t.Errorf("the API key appears in the prompt")
	}
	return tc.Text
}

// TestPromptsListed: prompts/list shows the three prompts, each argument
// documented, prepare_for_call's contact required (snapshot
// testdata/prompts/list.json), on both protocol paths.
func TestPromptsListed(t *testing.T) {
	for _, protocol := range []string{testutil.ProtocolLegacy, testutil.ProtocolDefault} {
		e := newPromptEnv(t, protocol)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := e.mcp.ListPrompts(ctx, mcp.ListPromptsRequest{})
		cancel()
		if err != nil {
			t.Fatalf("%s: prompts/list: %v", protocol, err)
		}
		var names []string
		for _, p := range res.Prompts {
			names = append(names, p.Name)
			if p.Title == "" || len(p.Description) < 40 {
				t.Errorf("%s: title %q, description %q: say what it does", p.Name, p.Title, p.Description)
			}
			for _, a := range p.Arguments {
				if a.Title == "" || len(a.Description) < 30 {
					t.Errorf("%s.%s: title %q, description %q: say what a good value is", p.Name, a.Name, a.Title, a.Description)
				}
				if a.Required != (p.Name == "prepare_for_call" && a.Name == "contact") {
					t.Errorf("%s.%s required = %v", p.Name, a.Name, a.Required)
				}
			}
		}
		if got := strings.Join(names, " "); got != "daily_digest missed_call_triage prepare_for_call" {
			t.Errorf("%s: prompts = %s", protocol, got)
		}
		testutil.Golden(t, "prompts/list.json", testutil.JSON(t, res.Prompts))
	}
}

// promptCases are the prompts' texts the goldens hold
// (testdata/prompts/<name>.txt), each also checked against the tools.
var promptCases = []struct {
	name, prompt string
	args         map[string]string
	ledger       bool
}{
	{"daily_digest", "daily_digest", nil, false},
	{"daily_digest_scoped", "daily_digest", map[string]string{"day": "2026-11-20", "phoneNumber": "sales", "user": "Jordan"}, false},
	{"daily_digest_today_user", "daily_digest", map[string]string{"day": "Today", "user": "maria.garcia@example.com"}, false},
	{"missed_call_triage", "missed_call_triage", nil, false},
	{"missed_call_triage_week", "missed_call_triage", map[string]string{"since": "this week", "phoneNumber": "(415) 555-0101"}, false},
	{"missed_call_triage_date", "missed_call_triage", map[string]string{"since": "2026-11-25", "user": "USsP2nX8Hd"}, false},
	{"prepare_for_call_name", "prepare_for_call", map[string]string{"contact": "tomas vargas"}, false},
	{"prepare_for_call_number", "prepare_for_call", map[string]string{"contact": "+1 (503) 555-0191"}, false},
	{"prepare_for_call_word", "prepare_for_call", map[string]string{"contact": "Juniper"}, false},
	{"prepare_for_call_ambiguous", "prepare_for_call", map[string]string{"contact": "Hannah Osei"}, false},
	{"prepare_for_call_on_number", "prepare_for_call", map[string]string{"contact": "Hannah Osei", "phoneNumber": "Sales"}, false},
	{"prepare_for_call_unknown", "prepare_for_call", map[string]string{"contact": "Zebra Corp"}, false},
	{"prepare_for_call_unknown_ledger", "prepare_for_call", map[string]string{"contact": "Zebra Corp"}, true},
	{"prepare_for_call_beyond", "prepare_for_call", map[string]string{"contact": "Victor Park"}, false},
}

// TestPromptTexts: each prompt's text for its cases (goldens), its
// description, and no API request beyond the numbers and one page of
// conversations.
func TestPromptTexts(t *testing.T) {
	plain := newPromptEnv(t, testutil.ProtocolLegacy)
	withL := newPromptEnv(t, testutil.ProtocolLegacy, withLedger(t))
	for _, c := range promptCases {
		t.Run(c.name, func(t *testing.T) {
			e := plain
			if c.ledger {
				e = withL
			}
			res, err := e.get(t, c.prompt, c.args)
			if err != nil {
				t.Fatalf("prompts/get: %v", err)
			}
			if !strings.HasPrefix(res.Description, "The ") && !strings.HasPrefix(res.Description, "Prepare ") {
				t.Errorf("description = %q", res.Description)
			}
			testutil.Golden(t, "prompts/"+c.name+".txt", promptText(t, res))
		})
	}
}

// promptToolCallRe finds the tool calls a prompt's text spells out.
var promptToolCallRe = regexp.MustCompile(`\b([a-z_]+) (\{[^{}]*\})`)

// TestPromptToolCallsAreValid: every tool call a prompt's text spells out
// names a tool that exists with arguments of its input schema, of the
// right types and values; and those without a placeholder (<their
// number>) answer without an error when made, through the same server.
func TestPromptToolCallsAreValid(t *testing.T) {
	schemas := map[string]toolSchema{}
	for _, st := range All(Deps{}) {
		var s toolSchema
		if err := json.Unmarshal(st.Tool.RawInputSchema, &s); err != nil {
			t.Fatal(err)
		}
		schemas[st.Tool.Name] = s
	}
	plain := newPromptEnv(t, testutil.ProtocolLegacy)
	withL := newPromptEnv(t, testutil.ProtocolLegacy, withLedger(t))
	for _, c := range promptCases {
		e := plain
		if c.ledger {
			e = withL
		}
		res, err := e.get(t, c.prompt, c.args)
		if err != nil {
			t.Fatalf("%s: prompts/get: %v", c.name, err)
		}
		calls := promptToolCallRe.FindAllStringSubmatch(promptText(t, res), -1)
		if len(calls) < 2 {
			t.Errorf("%s: %d tool calls, want at least 2", c.name, len(calls))
		}
		for _, m := range calls {
			tool, raw := m[1], m[2]
			schema, ok := schemas[tool]
			if !ok {
				t.Errorf("%s: no tool %s", c.name, tool)
				continue
			}
			var args map[string]any
			if err := json.Unmarshal([]byte(raw), &args); err != nil {
				t.Errorf("%s: %s %s is not a JSON object: %v", c.name, tool, raw, err)
				continue
			}
			placeholder := false
			for k, v := range args {
				if strings.HasPrefix(fmtArg(v), "<") {
					placeholder = true
				}
				if msg := schema.check(k, v); msg != "" {
					t.Errorf("%s: %s %s: %s", c.name, tool, raw, msg)
				}
			}
			for _, req := range schema.Required {
				if _, ok := args[req]; !ok {
					t.Errorf("%s: %s %s lacks the required %s", c.name, tool, raw, req)
				}
			}
			if placeholder {
				continue
			}
			res := testutil.Call(t, e.mcp, tool, args)
			switch {
			case strings.Contains(raw, `"Zebra Corp"`) && tool != "search_calls":
				// A name no conversation has: the tool says so.
				if !res.IsError || !strings.Contains(res.Text, `"Zebra Corp"`) {
					t.Errorf("%s: %s %s answered, for a name of no contact (isError %v):\n%s", c.name, tool, raw, res.IsError, res.Text)
				}
			case res.IsError:
				t.Errorf("%s: %s %s answered an error:\n%s", c.name, tool, raw, res.Text)
			}
		}
	}
}

// toolSchema is as much of a tool's input schema as the check reads.
type toolSchema struct {
	Properties map[string]struct {
		Type  string   `json:"type"`
		Enum  []string `json:"enum"`
		Items *struct {
			Type string   `json:"type"`
			Enum []string `json:"enum"`
		} `json:"items"`
		Maximum *float64 `json:"maximum"`
	} `json:"properties"`
	Required []string `json:"required"`
}

func (s toolSchema) check(name string, v any) string {
	p, ok := s.Properties[name]
	if !ok {
		return "no argument " + name
	}
	switch v := v.(type) {
	case string:
		if p.Type != "string" || (len(p.Enum) > 0 && !containsString(p.Enum, v)) {
			return name + " is a string, the schema wants " + p.Type
		}
	case bool:
		if p.Type != "boolean" {
			return name + " is a boolean, the schema wants " + p.Type
		}
	case float64:
		if p.Type != "integer" || v != float64(int(v)) || (p.Maximum != nil && v > *p.Maximum) {
			return name + " is a number out of the schema's " + p.Type
		}
	case []any:
		if p.Type != "array" || p.Items == nil {
			return name + " is an array, the schema wants " + p.Type
		}
		for _, item := range v {
			s, ok := item.(string)
			if !ok || p.Items.Type != "string" || (len(p.Items.Enum) > 0 && !containsString(p.Items.Enum, s)) {
				return name + " holds " + fmtArg(item) + ", not one of the schema's items"
			}
		}
	default:
		return name + " has an unexpected JSON type"
	}
	return ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func fmtArg(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if list, ok := v.([]any); ok && len(list) > 0 {
		return fmtArg(list[0])
	}
	b, _ := json.Marshal(v)
	return string(b)
}
