package tools

// Names given where numbers go, through every tool that takes the other
// party, against the demo workspace: a name answers what its number
// answers, after one header line; several matches answer with the
// candidates; none with a sentence; a group conversation by its first
// party on the dated surface, and a sentence on v1.

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// The demo's parties the tests ask for by name.
const (
	demoJuniper     = "+13125550199" // "Juniper Salon (Clara)", on Sales
	demoHarborFirst = "+12125550174" // first party of the group "Harbor Dental front desk", on Main line
)

// partyTool is a tool that takes the other party, and how to ask it.
type partyTool struct {
	tool  string
	base  map[string]any
	party func(v string) map[string]any // the party argument
}

var partyTools = []partyTool{
	{"list_calls", map[string]any{"maxResults": 5}, func(v string) map[string]any { return map[string]any{"participants": []string{v}} }},
	{"recent_calls", map[string]any{"createdAfter": "30d", "maxResults": 5}, func(v string) map[string]any { return map[string]any{"participant": v} }},
	{"call_stats", map[string]any{"createdAfter": "30d"}, func(v string) map[string]any { return map[string]any{"participant": v} }},
	{"search_calls", map[string]any{"query": "thanks", "maxResults": 3}, func(v string) map[string]any { return map[string]any{"participant": v} }},
}

// args are the tool's arguments with the party v, and more.
func (pt partyTool) args(v string, more map[string]any) map[string]any {
	args := map[string]any{}
	for _, m := range []map[string]any{pt.base, pt.party(v), more} {
		for k, x := range m {
			args[k] = x
		}
	}
	return args
}

// pageTokens are left out of comparisons: a token names the walk that
// made it.
var pageTokens = regexp.MustCompile(`pageToken "[^"]*"|"nextPageToken":"[^"]*"`)

func structuredJSON(t *testing.T, res testutil.Result) string {
	t.Helper()
	b, err := json.Marshal(res.Structured)
	if err != nil {
		t.Fatal(err)
	}
	return pageTokens.ReplaceAllString(string(b), "")
}

// TestPartyNamesOnEveryTool: for each tool that takes the other party, a
// name (whole, a prefix, in other case and with diacritics) answers what
// the number answers, text and structured content, after a header line
// that says what the name stood for; a group conversation's name answers
// what its first party does; several matches list the candidates and list
// no calls; a name of nobody says so. search_calls answers from the
// ledger, the others from the API's dated surface.
func TestPartyNamesOnEveryTool(t *testing.T) {
	ws := sandbox.Demo(testNow)
	api, apiSB := newSandboxEnv(t, ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	withLedger, ledgerSB, _ := newLedgerEnv(t, ws, true)
	for _, pt := range partyTools {
		e, sb := api, apiSB
		if pt.tool == "search_calls" {
			e, sb = withLedger, ledgerSB
		}
		// list_calls needs the OpenPhone number with a number; a name's
		// conversation gives it.
		line := func(pn string) map[string]any {
			if pt.tool == "list_calls" {
				return map[string]any{"phoneNumberId": pn}
			}
			return nil
		}
		for _, tc := range []struct {
			name, value, number, line, header string
		}{
			{"whole name", "Juniper Salon", demoJuniper, sandbox.DemoSalesID, `Participant "Juniper Salon" = +13125550199 "Juniper Salon (Clara)", a conversation of "Sales" (+14155550100, PNsa7Lq0Xe)`},
			{"prefix of a word", "junip", demoJuniper, sandbox.DemoSalesID, `Participant "junip" = +13125550199 "Juniper Salon (Clara)"`},
			{"case and diacritics", "JÚNIPËR salon", demoJuniper, sandbox.DemoSalesID, `Participant "JÚNIPËR salon" = +13125550199 "Juniper Salon (Clara)"`},
			{"group conversation", "Harbor Dental front desk", demoHarborFirst, sandbox.DemoMainID, `Participant "Harbor Dental front desk" = the group conversation "Harbor Dental front desk" of "Main line" (+14155550102, PNma1Zp4Kc) with +12125550174, +13125550145: its calls are the calls of its first party, +12125550174`},
		} {
			t.Run(pt.tool+"/"+tc.name, func(t *testing.T) {
				want := e.call(t, pt.tool, pt.args(tc.number, line(tc.line)))
				got := e.call(t, pt.tool, pt.args(tc.value, nil))
				if want.IsError || got.IsError {
					t.Fatalf("by number: %s\nby name: %s", want.Text, got.Text)
				}
				header, rest, _ := strings.Cut(got.Text, "\n")
				if !strings.HasPrefix(header, tc.header) {
					t.Errorf("header %q, want it to start %q", header, tc.header)
				}
				if pt.tool == "list_calls" && !strings.HasSuffix(header, "; that number is listed.") {
					t.Errorf("header %q does not say the conversation's number is listed", header)
				}
				if g, w := pageTokens.ReplaceAllString(rest, ""), pageTokens.ReplaceAllString(want.Text, ""); g != w {
					t.Errorf("by name, after the header:\n%s\nby number:\n%s", g, w)
				}
				if g, w := structuredJSON(t, got), structuredJSON(t, want); g != w {
					t.Errorf("structured content by name:\n%s\nby number:\n%s", g, w)
				}
			})
		}
		t.Run(pt.tool+"/ambiguous", func(t *testing.T) {
			before := sb.RequestsTo("/calls") + sb.RequestsTo("/v1/calls")
			res := e.call(t, pt.tool, pt.args("clara", nil))
			for _, want := range []string{`Participant "clara" could be 2 contacts or conversations, so nothing was listed. Call ` + pt.tool + ` again`,
				`"Juniper Salon (Clara)" of "Sales" (+14155550100, PNsa7Lq0Xe), last active 2026-11-26 18:01:00+00:00`,
				`"Clara Fischer" of "Support" (+14155550101, PNsu3Mw9Rt), last active 2026-11-11 16:10:46+00:00`} {
				if !strings.Contains(res.Text, want) {
					t.Errorf("the choice lacks %q:\n%s", want, res.Text)
				}
			}
			pick := `participant "+13125550199"`
			if pt.tool == "list_calls" {
				pick = `participants ["+13125550199"], phoneNumberId "PNsa7Lq0Xe"`
			}
			if !strings.Contains(res.Text, "- "+pick+": ") {
				t.Errorf("the choice does not give the arguments %s:\n%s", pick, res.Text)
			}
			if n := sb.RequestsTo("/calls") + sb.RequestsTo("/v1/calls") - before; n != 0 {
				t.Errorf("a choice listed calls: %d requests", n)
			}
		})
		t.Run(pt.tool+"/none", func(t *testing.T) {
			res := e.call(t, pt.tool, pt.args("Nobody Incorporated", nil))
			if !res.IsError || !strings.Contains(res.Text, `"Nobody Incorporated" is the name of no contact or conversation of this workspace (searched: `) ||
				!strings.Contains(res.Text, `give the other party's phone number, such as "+12125550103"`) {
				t.Errorf("a name of nobody: isError %v, %s", res.IsError, res.Text)
			}
		})
	}
}

// TestGroupNameOnV1: on v1, whose calls list takes one other party, a
// group conversation's calls cannot be listed: the answer says so and
// names a party to ask for instead, and lists nothing.
func TestGroupNameOnV1(t *testing.T) {
	e, sb := newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy)
	for _, pt := range partyTools[:3] {
		res := e.call(t, pt.tool, pt.args("harbor dental front desk", nil))
		pick := `participant "+12125550174"`
		if pt.tool == "list_calls" {
			pick = `participants ["+12125550174"]`
		}
		if !res.IsError || !strings.Contains(res.Text, "through OpenPhone's v1 API, which lists calls with one other party only, so a group conversation's calls cannot be listed: ask for one of its parties instead, such as "+pick) {
			t.Errorf("%s: isError %v, %s", pt.tool, res.IsError, res.Text)
		}
	}
	if n := sb.RequestsTo("/v1/calls"); n != 0 {
		t.Errorf("%d requests for calls", n)
	}
}

// TestJuniperSalonInOneCall is issue 15's measure: "Juniper Salon" as a
// participant lists that contact's calls in one list_calls call, with no
// phoneNumberId (the demo has three numbers): its conversation's number.
func TestJuniperSalonInOneCall(t *testing.T) {
	e, _ := newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto; d.Demo = true })
	res := e.call(t, "list_calls", map[string]any{"participants": "Juniper Salon", "maxResults": 3})
	if res.IsError {
		t.Fatal(res.Text)
	}
	lines := strings.Split(res.Text, "\n")
	testutil.Golden(t, "names/list_calls_juniper_salon.txt", strings.Join(lines[:2], "\n")+"\n")
	if calls := len(regexp.MustCompile(`(?m)^AC\w+ `).FindAllString(res.Text, -1)); calls != 3 {
		t.Errorf("%d calls listed, want 3:\n%s", calls, res.Text)
	}
	if !strings.Contains(res.Text, "\n\"Sales\" (+14155550100, PNsa7Lq0Xe) with +13125550199 \"Juniper Salon (Clara)\"") {
		t.Errorf("not the calls of Sales with Juniper Salon:\n%s", res.Text)
	}
}

// TestNameAnswersGolden pins the wording of what the names step says:
// the choice (contacts and a group conversation; one contact on two
// numbers, for list_calls), the header of a group conversation, and a name
// of nobody.
func TestNameAnswersGolden(t *testing.T) {
	e, _ := newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	for _, tc := range []struct {
		golden, tool string
		args         map[string]any
		firstLine    bool
	}{
		{"recent_calls_choice", "recent_calls", map[string]any{"participant": "pinecrest"}, false},
		{"list_calls_choice_two_numbers", "list_calls", map[string]any{"participants": []string{"Hannah Osei"}}, false},
		{"recent_calls_group", "recent_calls", map[string]any{"participant": "harbor dental front desk"}, true},
		{"recent_calls_two_numbers", "recent_calls", map[string]any{"participant": "amara delgado"}, true},
		{"call_stats_none", "call_stats", map[string]any{"participant": "Nobody Incorporated", "phoneNumberId": "Sales"}, false},
	} {
		res := e.call(t, tc.tool, tc.args)
		text := res.Text
		if tc.firstLine {
			text, _, _ = strings.Cut(text, "\n")
			text += "\n"
		}
		testutil.Golden(t, "names/"+tc.golden+".txt", text)
	}
}
