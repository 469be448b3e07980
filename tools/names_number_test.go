package tools

// phoneNumberId by the number's name, through every tool that takes it.

import (
	"strings"
	"testing"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestPhoneNumberIDByName: a number's name, in any case, whole or the
// first letters of its words, answers what its PN id answers, with no
// request more; a name of none, or of several, lists the numbers to pick
// from.
func TestPhoneNumberIDByName(t *testing.T) {
	tools := []struct {
		tool string
		args map[string]any
	}{
		{"list_calls", map[string]any{"participants": []string{demoJuniper}, "maxResults": 3}},
		{"recent_calls", map[string]any{"maxResults": 3}},
		{"call_stats", map[string]any{}},
		{"missed_calls", map[string]any{"maxResults": 3}},
		{"search_calls", map[string]any{"query": "thanks", "maxResults": 3}},
	}
	with := func(args map[string]any, pn string) map[string]any {
		out := map[string]any{"phoneNumberId": pn}
		for k, v := range args {
			out[k] = v
		}
		return out
	}
	ws := sandbox.Demo(testNow)
	auto := func(d *Deps) { d.APIVersion = APIAuto }
	searchEnv, _, _ := newLedgerEnv(t, ws, true)
	for _, tt := range tools {
		for _, tc := range []struct{ name, id string }{
			{"Sales", sandbox.DemoSalesID},
			{" sales ", sandbox.DemoSalesID},
			{"SUPPORT", sandbox.DemoSupportID},
			{"main", sandbox.DemoMainID},
			{"Main Line", sandbox.DemoMainID},
		} {
			t.Run(tt.tool+"/"+tc.name, func(t *testing.T) {
				// Fresh servers each, so that the caches are as cold for
				// both; search_calls needs a ledger, which they share.
				byID, idSB := newSandboxEnv(t, ws, testutil.ProtocolLegacy, auto)
				byName, nameSB := newSandboxEnv(t, ws, testutil.ProtocolLegacy, auto)
				if tt.tool == "search_calls" {
					byID, byName, idSB, nameSB = searchEnv, searchEnv, nil, nil
				}
				want := byID.call(t, tt.tool, with(tt.args, tc.id))
				got := byName.call(t, tt.tool, with(tt.args, tc.name))
				if want.IsError || got.IsError {
					t.Fatalf("by id: %s\nby name: %s", want.Text, got.Text)
				}
				if g, w := pageTokens.ReplaceAllString(got.Text, ""), pageTokens.ReplaceAllString(want.Text, ""); g != w {
					t.Errorf("by name:\n%s\nby id:\n%s", g, w)
				}
				if idSB == nil {
					return
				}
				if g, w := nameSB.Requests(), idSB.Requests(); g != w {
					t.Errorf("by name %d requests, by id %d", g, w)
				}
			})
		}
	}
	for _, tt := range tools {
		for _, tc := range []struct{ name, want string }{
			{"Front desk", `phoneNumberId "Front desk" is the name of none of this workspace's OpenPhone numbers; pass one of: "Sales" (+14155550100, PNsa7Lq0Xe); "Support" (+14155550101, PNsu3Mw9Rt); "Main line" (+14155550102, PNma1Zp4Kc)`},
			{"s", `phoneNumberId "s" could be 2 of this workspace's OpenPhone numbers; pass one of them by id: "Sales" (+14155550100, PNsa7Lq0Xe); "Support" (+14155550101, PNsu3Mw9Rt)`},
		} {
			if res := searchEnv.call(t, tt.tool, with(tt.args, tc.name)); !res.IsError || res.Text != tc.want {
				t.Errorf("%s with phoneNumberId %q: isError %v, %q; want %q", tt.tool, tc.name, res.IsError, res.Text, tc.want)
			}
		}
	}
}

// TestNumberAndPartyNames: a number's name scopes a party's name to that
// number's conversations: one found only on another number says where.
func TestNumberAndPartyNames(t *testing.T) {
	e, _ := newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	res := e.call(t, "list_calls", map[string]any{"participants": []string{"Juniper Salon"}, "phoneNumberId": "support"})
	if want := `participants "Juniper Salon" is the name of no contact or conversation of "Support" (+14155550101, PNsu3Mw9Rt) (searched: the workspace's 154 conversations); on other numbers it matches +13125550199 "Juniper Salon (Clara)" of "Sales" (+14155550100, PNsa7Lq0Xe): leave out phoneNumberId, or pass that number`; !res.IsError || res.Text != want {
		t.Errorf("isError %v, %q; want %q", res.IsError, res.Text, want)
	}
	res = e.call(t, "recent_calls", map[string]any{"participant": "clara", "phoneNumberId": "Sales"})
	if res.IsError || !strings.HasPrefix(res.Text, `Participant "clara" = +13125550199 "Juniper Salon (Clara)", a conversation of "Sales"`) {
		t.Errorf("a name ambiguous across numbers, on one of them: isError %v, %s", res.IsError, res.Text)
	}
}
