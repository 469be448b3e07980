package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

func TestListPhoneNumbersSchema(t *testing.T) {
	assertToolDoc(t, listPhoneNumbersTool(&Deps{}), nil, "list_calls", "Not paged", "userId")
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
			testutil.Golden(t, "list_phone_numbers/user.structured.json", testutil.JSON(t, res.Structured))
			e.call(t, "list_phone_numbers", map[string]any{"userId": "USjordan01"})
			assertRequests(t, sb, requestCounts{"/v1/phone-numbers": 3})

			res = e.call(t, "list_phone_numbers", map[string]any{"userId": "USstranger"})
			testutil.Golden(t, "list_phone_numbers/user_none.txt", res.Text)
			testutil.Golden(t, "list_phone_numbers/user_none.structured.json", testutil.JSON(t, res.Structured))
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
