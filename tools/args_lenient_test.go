package tools

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestLenientArgumentsMeanTheStrictOnes: a number or a boolean sent as a
// string, one string where an array is expected, and an argument name in
// another case (which encoding/json matches anyway) answer exactly as the
// strict arguments do: the same text, the same structured content, the
// same API requests.
func TestLenientArgumentsMeanTheStrictOnes(t *testing.T) {
	for _, tc := range []struct {
		tool            string
		lenient, strict map[string]any
	}{
		{"recent_calls", map[string]any{"maxResults": "2"}, map[string]any{"maxResults": 2}},
		{"recent_calls", map[string]any{"maxResults": " 3 ", "includeSummaries": "TRUE"}, map[string]any{"maxResults": 3, "includeSummaries": true}},
		{"recent_calls", map[string]any{"includeSummaries": "False"}, map[string]any{"includeSummaries": false}},
		{"recent_calls", map[string]any{"status": "completed"}, map[string]any{"status": []string{"completed"}}},
		{"recent_calls", map[string]any{"MaxResults": "1"}, map[string]any{"maxResults": 1}},
		{"list_calls", map[string]any{"participants": "+1 212 555 0103", "phoneNumberId": fxSales}, map[string]any{"participants": []string{"+1 212 555 0103"}, "phoneNumberId": fxSales}},
		{"list_calls", map[string]any{"participants": "(212) 555-0103", "phoneNumberId": "Sales line: +14155550100", "maxResults": "1", "includeSummaries": "true"},
			map[string]any{"participants": []string{"(212) 555-0103"}, "phoneNumberId": "Sales line: +14155550100", "maxResults": 1, "includeSummaries": true}},
		{"call_stats", map[string]any{"groupBy": "user"}, map[string]any{"groupBy": []string{"user"}}},
		{"call_stats", map[string]any{"groupBy": "day", "status": "missed"}, map[string]any{"groupBy": []string{"day"}, "status": []string{"missed"}}},
		{"missed_calls", map[string]any{"onlyUnreturned": "false", "maxResults": "3"}, map[string]any{"onlyUnreturned": false, "maxResults": 3}},
	} {
		answer := func(args map[string]any) (testutil.Result, int64) {
			e, sb := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy)
			res := e.call(t, tc.tool, args)
			return res, sb.Requests()
		}
		got, gotN := answer(tc.lenient)
		want, wantN := answer(tc.strict)
		gs, _ := json.Marshal(got.Structured)
		ws, _ := json.Marshal(want.Structured)
		switch {
		case want.IsError:
			t.Errorf("%s %v: the strict arguments fail (%s); the test needs ones that answer", tc.tool, tc.strict, want.Text)
		case got.IsError || got.Text != want.Text || !bytes.Equal(gs, ws):
			t.Errorf("%s %v answers\n%s\nwant as %v:\n%s", tc.tool, tc.lenient, got.Text, tc.strict, want.Text)
		case gotN != wantN:
			t.Errorf("%s %v made %d API requests, the strict arguments %d", tc.tool, tc.lenient, gotN, wantN)
		}
	}
}

// TestStrictArgumentsStillRefused: every other wrong shape keeps its
// sentence, and costs no API request.
func TestStrictArgumentsStillRefused(t *testing.T) {
	e, sb := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy)
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"recent_calls", map[string]any{"maxResults": "ten"}, `recent_calls: argument maxResults must be an integer, such as 20, not "ten"`},
		{"list_calls", map[string]any{"participants": []string{fxMaple}, "maxResults": "2.5"}, `list_calls: argument maxResults must be an integer, such as 10, not "2.5"`},
		{"missed_calls", map[string]any{"maxResults": ""}, `missed_calls: argument maxResults must be an integer, such as 20, not ""`},
		{"recent_calls", map[string]any{"maxResults": "99999999999999999999"}, `argument maxResults must be an integer, such as 20`},
		{"recent_calls", map[string]any{"maxResults": true}, "recent_calls: argument maxResults must be an integer, not a JSON bool"},
		{"recent_calls", map[string]any{"maxResults": "0"}, "maxResults 0 is out of range: give a number from 1 to 100 (default 20)"},
		{"recent_calls", map[string]any{"includeSummaries": "yes"}, "recent_calls: argument includeSummaries must be true or false, not a JSON string"},
		{"recent_calls", map[string]any{"includeSummaries": 1}, "recent_calls: argument includeSummaries must be true or false, not a JSON number"},
		{"missed_calls", map[string]any{"onlyUnreturned": "no"}, "missed_calls: argument onlyUnreturned must be true or false, not a JSON string"},
		{"list_calls", map[string]any{"participants": 2125550103}, "list_calls: argument participants must be an array of strings, not a JSON number"},
		{"list_calls", map[string]any{"participants": []any{fxMaple, 5}}, "list_calls: argument participants must be a string, not a JSON number"},
		{"call_stats", map[string]any{"groupBy": map[string]any{"by": "user"}}, "call_stats: argument groupBy must be an array of strings, not a JSON object"},
		{"call_stats", map[string]any{"groupBy": "fortnight"}, `groupBy "fortnight" is not a grouping`},
		{"recent_calls", map[string]any{"phoneNumberId": 4155550100}, "recent_calls: argument phoneNumberId must be a string, not a JSON number"},
		{"get_call", map[string]any{"callId": []string{fxCompleted}}, "get_call: argument callId must be a string, not a JSON array"},
		{"recent_calls", map[string]any{"maxResults": "5", "bogus": "1"}, `recent_calls: unknown argument "bogus"; the arguments are: createdAfter`},
	} {
		res := e.call(t, tc.tool, tc.args)
		if !res.IsError || !strings.Contains(res.Text, tc.want) {
			t.Errorf("%s %v: isError %v, %q; want an error containing %q", tc.tool, tc.args, res.IsError, res.Text, tc.want)
		}
	}
	if n := sb.Requests(); n != 0 {
		t.Errorf("refused arguments made %d API requests, want none", n)
	}
}

// TestNormalizeLeavesTheRestAlone: the normalisation returns arguments that
// need nothing as they came (the same bytes), keeps the order and bytes of
// the members it does not change, and leaves what is not an object to the
// strict decode.
func TestNormalizeLeavesTheRestAlone(t *testing.T) {
	sh := shapeOf(SchemaFor[RecentCallsArgs](), RecentCallsArgs{})
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ raw, want string }{
		{`{"maxResults":5,"status":["missed"]}`, `{"maxResults":5,"status":["missed"]}`},
		{`{"createdAfter":"2026-11-20T09:00:00Z"}`, `{"createdAfter":"2026-11-20T09:00:00Z"}`},
		{`{"userId":"US1", "maxResults":"5" ,"status":"missed","x":{"a":[1,2.50]}}`, `{"userId":"US1","maxResults":5,"status":["missed"],"x":{"a":[1,2.50]}}`},
		{`{"includeSummaries":" true ","maxResults":"-3"}`, `{"includeSummaries":true,"maxResults":-3}`},
		{`{"createdAfter":"today","createdBefore":"24h"}`, `{"createdAfter":"2026-11-27T00:00:00Z","createdBefore":""}`},
		{`{"createdAfter":"2026-11-20"}`, `{"createdAfter":"2026-11-20T00:00:00Z"}`},
		{`{"maxResults":"5","maxResults":"6"}`, `{"maxResults":5,"maxResults":6}`},
		{`[]`, `[]`},
		{`"5"`, `"5"`},
		{`null`, `null`},
		{``, ``},
		{`{"maxResults":"5"`, `{"maxResults":"5"`},
		{`{"maxResults":"5",}`, `{"maxResults":"5",}`},
	} {
		got, err := sh.normalize(json.RawMessage(tc.raw), now, time.UTC)
		if err != nil || string(got) != tc.want {
			t.Errorf("normalize(%s) = %s, %v; want %s", tc.raw, got, err, tc.want)
		}
	}
	raw := json.RawMessage(`{"maxResults": 5}`)
	if got, _ := sh.normalize(raw, now, time.UTC); &got[0] != &raw[0] {
		t.Error("arguments that need nothing were copied")
	}
}
