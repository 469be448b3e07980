package tools

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

func (e *promptEnv) complete(t *testing.T, prompt, arg, value string, context_ map[string]string) (*mcp.CompleteResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var req mcp.CompleteRequest
	req.Params.Ref = mcp.PromptReference{Type: "ref/prompt", Name: prompt}
	req.Params.Argument = mcp.CompleteArgument{Name: arg, Value: value}
	req.Params.Context = mcp.CompleteContext{Arguments: context_}
	return e.mcp.Complete(ctx, req)
}

// TestPromptCompletions: each argument completes from the workspace (the
// numbers by name, by digits or by id; the users by name, email or id; the
// contacts by any word of their name or by digits, narrowed to the number
// chosen) or from its words, best match first.
func TestPromptCompletions(t *testing.T) {
	e := newPromptEnv(t, testutil.ProtocolLegacy)
	for _, c := range []struct {
		prompt, arg, value string
		context            map[string]string
		want               string
	}{
		{"daily_digest", "phoneNumber", "", nil, "Sales | Support | Main line"},
		{"missed_call_triage", "phoneNumber", "su", nil, "Support"},
		{"prepare_for_call", "phoneNumber", "LINE", nil, "Main line"},
		{"daily_digest", "phoneNumber", "(415) 555-01", nil, "+14155550100 | +14155550101 | +14155550102"},
		{"daily_digest", "phoneNumber", "+1 415 555 0102", nil, "+14155550102"},
		{"daily_digest", "phoneNumber", "PNs", nil, "PNsa7Lq0Xe | PNsu3Mw9Rt"},
		{"daily_digest", "phoneNumber", "marketing", nil, ""},
		{"daily_digest", "user", "", nil, "Alex Rivera | Chris Nguyen | Jordan Lee | Maria Garcia | Sam Patel | Taylor Brooks"},
		{"missed_call_triage", "user", "garc", nil, "Maria Garcia"},
		{"daily_digest", "user", "jordan.lee@", nil, "Jordan Lee"},
		{"daily_digest", "user", "USs", nil, "USsP2nX8Hd"},
		{"prepare_for_call", "contact", "hann", nil, "Hannah Dubois | Hannah Osei"},
		{"prepare_for_call", "contact", "osei", nil, "Hannah Osei | Ivy Osei | Leah Osei | Zoe Osei"},
		{"prepare_for_call", "contact", "osei", map[string]string{"phoneNumber": "Sales"}, "Hannah Osei | Zoe Osei"},
		{"prepare_for_call", "contact", "juniper", nil, "Juniper Salon (Clara)"},
		{"prepare_for_call", "contact", "clara", nil, "Juniper Salon (Clara)"},
		{"prepare_for_call", "contact", "646 555 015", nil, "+16465550154"},
		{"daily_digest", "day", "", nil, "yesterday | today | 2026-11-25 | 2026-11-24 | 2026-11-23 | 2026-11-22 | 2026-11-21 | 2026-11-20 | 2026-11-19"},
		{"daily_digest", "day", "2026-11-2", nil, "2026-11-25 | 2026-11-24 | 2026-11-23 | 2026-11-22 | 2026-11-21 | 2026-11-20"},
		{"daily_digest", "day", "t", nil, "today"},
		{"missed_call_triage", "since", "", nil, "24h | today | yesterday | this week | last week | 7d | 30d"},
		{"missed_call_triage", "since", "WEEK", nil, "this week | last week"},
		{"daily_digest", "since", "", nil, ""}, // daily_digest has no since
	} {
		res, err := e.complete(t, c.prompt, c.arg, c.value, c.context)
		if err != nil {
			t.Errorf("%s.%s %q: %v", c.prompt, c.arg, c.value, err)
			continue
		}
		if got := strings.Join(res.Completion.Values, " | "); got != c.want {
			t.Errorf("%s.%s %q (context %v) = %q, want %q", c.prompt, c.arg, c.value, c.context, got, c.want)
		}
		if res.Completion.Total != len(res.Completion.Values) || res.Completion.HasMore {
			t.Errorf("%s.%s %q: total %d, hasMore %v for %d values", c.prompt, c.arg, c.value, res.Completion.Total, res.Completion.HasMore, len(res.Completion.Values))
		}
	}
}

// TestPromptCompletionsAreCached: completions ask the API once for the
// numbers and once for a page of conversations, then answer from the
// cache keystroke after keystroke.
func TestPromptCompletionsAreCached(t *testing.T) {
	e := newPromptEnv(t, testutil.ProtocolLegacy)
	for _, typed := range []string{"", "h", "ha", "han", "hann"} {
		if _, err := e.complete(t, "prepare_for_call", "contact", typed, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := e.complete(t, "daily_digest", "phoneNumber", typed, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sb.Requests(); n != 2 {
		t.Errorf("%d API requests for 10 completions, want 2 (the numbers, one page of conversations)", n)
	}
}

// TestPromptCompletionsFromTheLedger: with a ledger that holds the names,
// contacts complete from it (every contact, not one page) with no
// conversations request; past 100 values the answer says there are more.
func TestPromptCompletionsFromTheLedger(t *testing.T) {
	e := newPromptEnv(t, testutil.ProtocolLegacy, withLedger(t))
	before := e.sb.RequestsTo("/v1/conversations")
	res, err := e.complete(t, "prepare_for_call", "contact", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.sb.RequestsTo("/v1/conversations") - before; n != 0 {
		t.Errorf("%d conversations requests with a ledger that holds the names", n)
	}
	c := res.Completion
	if len(c.Values) != 100 || !c.HasMore || c.Total <= 100 {
		t.Errorf("%d values, total %d, hasMore %v: want 100 of more, and hasMore", len(c.Values), c.Total, c.HasMore)
	}
	// Ravi Vargas's second conversation is too old for the API's first
	// page, and in the ledger.
	p, err := e.get(t, "prepare_for_call", map[string]string{"contact": "Ravi Vargas"})
	if err != nil {
		t.Fatal(err)
	}
	if text := promptText(t, p); !strings.Contains(text, `who talks with our numbers "Main line" (+14155550102) and "Support" (+14155550101)`) ||
		!strings.Contains(text, "once with each phoneNumberId of PNma1Zp4Kc, PNsu3Mw9Rt") {
		t.Errorf("Ravi Vargas from the ledger:\n%s", text)
	}
}

// TestPromptCompletionUnknownPrompt: a completion for a prompt that does
// not exist is an error naming the prompts.
func TestPromptCompletionUnknownPrompt(t *testing.T) {
	e := newPromptEnv(t, testutil.ProtocolLegacy)
	_, err := e.complete(t, "weekly_digest", "day", "", nil)
	if err == nil || !strings.Contains(err.Error(), `there is no prompt "weekly_digest"; the prompts are: daily_digest, missed_call_triage, prepare_for_call`) {
		t.Errorf("err = %v", err)
	}
}
