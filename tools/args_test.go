package tools

import (
	"encoding/json"
	"testing"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestSharedArgumentsOneSentence: a bad phoneNumberId or userId gets the
// same sentence, the one of its parser, from every tool that takes it, and
// costs no API request.
func TestSharedArgumentsOneSentence(t *testing.T) {
	e, f := newFakeEnv(t, testutil.ProtocolLegacy)
	// What else a tool requires, valid, so that only the argument under test
	// can be wrong.
	valid := map[string]map[string]any{"list_calls": {"participants": []string{"+12125550103"}}}
	takers := map[string][]string{}
	for _, st := range All(Deps{}) {
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(st.Tool.RawInputSchema, &s); err != nil {
			t.Fatal(err)
		}
		for _, arg := range []string{"phoneNumberId", "userId"} {
			if _, ok := s.Properties[arg]; ok {
				takers[arg] = append(takers[arg], st.Tool.Name)
			}
		}
	}
	if len(takers["phoneNumberId"]) < 2 || len(takers["userId"]) < 3 {
		t.Fatalf("tools taking the shared arguments: %v; want list_calls and recent_calls, and list_phone_numbers for userId", takers)
	}
	parse := map[string]func(string) error{
		"phoneNumberId": func(v string) error { _, err := parseNumberArg(v, DefaultRegion); return err },
		"userId":        func(v string) error { _, err := parseUserID(v); return err },
	}
	bad := map[string][]string{
		"phoneNumberId": {"PN", "PN!!", "PN 123", "555-01", "(000) 000"},
		"userId":        {"US", "US!!", "jordan", "us123"},
	}
	for arg, values := range bad {
		for _, v := range values {
			want := parse[arg](v)
			if want == nil {
				t.Fatalf("%s %q parses; the test needs a bad value", arg, v)
			}
			for _, tool := range takers[arg] {
				args := map[string]any{arg: v}
				for k, x := range valid[tool] {
					args[k] = x
				}
				if res := e.call(t, tool, args); !res.IsError || res.Text != want.Error() {
					t.Errorf("%s with %s %q: got %q, want %q", tool, arg, v, res.Text, want.Error())
				}
			}
		}
	}
	if n := f.requests.Load(); n != 0 {
		t.Errorf("bad arguments made %d API requests, want none", n)
	}
}

// TestParseArguments pins the sentence of each mistake and what a good
// value parses to.
func TestParseArguments(t *testing.T) {
	for _, tc := range []struct {
		raw, want, wantErr string
	}{
		{"", "", ""},
		{"  PNsales0001 ", "PNsales0001", ""},
		{"(415) 555-0100", "+14155550100", ""},
		{"PN", "", `phoneNumberId "PN" is not valid: it is "PN" followed by letters and digits, such as "PN123abc"`},
		{"front desk", "", `phoneNumberId "front desk" is neither a PN id such as "PN123abc" nor a phone number such as "+14155550100" or "(415) 555-0100"; list_phone_numbers lists your numbers`},
	} {
		n, err := parseNumberArg(tc.raw, DefaultRegion)
		if got := errText(err); got != tc.wantErr || n.String() != tc.want {
			t.Errorf("parseNumberArg(%q) = %q, %q; want %q, %q", tc.raw, n.String(), got, tc.want, tc.wantErr)
		}
	}
	for _, tc := range []struct {
		raw, want, wantErr string
	}{
		{"", "", ""},
		{" USjordan01", "USjordan01", ""},
		{"jordan", "", `userId "jordan" is not valid: it must start with "US", such as "US123abc"`},
		{"US!!", "", `userId "US!!" is not valid: it is "US" followed by letters and digits, such as "US123abc"`},
	} {
		u, err := parseUserID(tc.raw)
		if got := errText(err); got != tc.wantErr || (err == nil && u != tc.want) {
			t.Errorf("parseUserID(%q) = %q, %q; want %q, %q", tc.raw, u, got, tc.want, tc.wantErr)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
