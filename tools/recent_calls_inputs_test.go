// recent_calls refusing bad arguments and page tokens before any request.

package tools

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestRecentCallsBadPageTokens: a token that is garbage, damaged, too long,
// forged or from a listing with other arguments is refused with a clear
// error, before any API request.
func TestRecentCallsBadPageTokens(t *testing.T) {
	ws := recentWorkspace()
	e, sb := newRecentEnv(t, ws, sandbox.Options{}, 0)
	base := map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 5}
	first := e.call(t, "recent_calls", base)
	tok := rcOutput(t, first).NextPageToken
	if first.IsError || tok == "" {
		t.Fatalf("no token on the first page:\n%s", first.Text)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flipped := slices.Clone(raw)
	flipped[12] ^= 0x01
	forged := mustEncode(t, history.Cursor{After: rcFiveDays, Last: history.Key{At: testNow.Add(time.Hour), ID: "ACx"}}) // cursor after "now" is fine, but not before the window:
	outside := mustEncode(t, history.Cursor{After: rcFiveDays, Before: testNow, Last: history.Key{At: testNow.Add(time.Hour), ID: "ACx"}})

	for _, tc := range []struct {
		name  string
		args  map[string]any
		wants []string
	}{
		{"garbage", map[string]any{"pageToken": "hello world"}, []string{"pageToken is not valid", "not a page token of this server"}},
		{"damaged", map[string]any{"pageToken": base64.RawURLEncoding.EncodeToString(flipped)}, []string{"damaged or edited"}},
		{"truncated", map[string]any{"pageToken": tok[:len(tok)-4]}, []string{"pageToken is not valid"}},
		{"oversized", map[string]any{"pageToken": strings.Repeat("QUFB", 5000)}, []string{"20000 characters long"}},
		{"list_calls token", map[string]any{"pageToken": "AAAACgAAAAA"}, []string{"pageToken is not valid"}},
		{"cursor outside its window", map[string]any{"pageToken": outside, "createdBefore": testNow.Format(time.RFC3339)}, []string{"outside its window"}},
		{"other phoneNumberId", map[string]any{"pageToken": tok, "phoneNumberId": rcFront}, []string{"other arguments (phoneNumberId was not given, now \"PNrcFront01\")"}},
		{"other userId", map[string]any{"pageToken": tok, "userId": rcBen}, []string{"userId was not given, now \"USrcBen0002\""}},
		{"other createdAfter", map[string]any{"pageToken": tok, "createdAfter": rcFiveDays.Add(time.Hour).Format(time.RFC3339)}, []string{"createdAfter was 2026-11-22T15:00:00Z"}},
		{"createdAfter dropped", map[string]any{"pageToken": tok, "createdAfter": ""}, []string{"createdAfter was 2026-11-22T15:00:00Z, now not given"}},
		{"createdBefore added", map[string]any{"pageToken": tok, "createdBefore": testNow.Format(time.RFC3339)}, []string{"createdBefore was not given"}},
		{"forged token, other window", map[string]any{"pageToken": forged, "createdAfter": rcFiveDays.Format(time.RFC3339)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := maps(base)
			for k, v := range tc.args {
				if v == "" {
					delete(args, k)
				} else {
					args[k] = v
				}
			}
			before := sb.Requests()
			res := e.call(t, "recent_calls", args)
			if tc.wants == nil {
				// A well-formed token for this window is honoured: it only
				// moves the start of the page, within what the key can list.
				if res.IsError {
					t.Errorf("a well-formed token was refused: %s", res.Text)
				}
				return
			}
			if !res.IsError {
				t.Fatalf("accepted:\n%s", res.Text)
			}
			for _, w := range tc.wants {
				if !strings.Contains(res.Text, w) {
					t.Errorf("error lacks %q:\n%s", w, res.Text)
				}
			}
			if !strings.Contains(res.Text, "leave pageToken out to start again") {
				t.Errorf("error does not say what to do:\n%s", res.Text)
			}
			if got := sb.Requests() - before; got != 0 {
				t.Errorf("made %d API requests for a bad token", got)
			}
		})
	}
}

// mustEncode writes a cursor as the page token recent_calls would give.
func mustEncode(t *testing.T, c history.Cursor) string {
	t.Helper()
	s, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRecentCallsBadArguments: bad arguments are refused with what is wrong
// and what a good value looks like, before any API request.
func TestRecentCallsBadArguments(t *testing.T) {
	ws := recentWorkspace()
	e, sb := newRecentEnv(t, ws, sandbox.Options{}, 0)
	for _, tc := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"maxResults 0", map[string]any{"maxResults": 0}, "maxResults 0 is out of range: give a number from 1 to 100 (default 20)"},
		{"maxResults 101", map[string]any{"maxResults": 101}, "maxResults 101 is out of range"},
		{"maxResults as text", map[string]any{"maxResults": "ten"}, "argument maxResults must be an integer"},
		{"window backwards", map[string]any{"createdAfter": "2026-11-25T00:00:00Z", "createdBefore": "2026-11-24T00:00:00Z"}, "createdAfter (2026-11-25T00:00:00Z) must be earlier than createdBefore (2026-11-24T00:00:00Z)"},
		{"before the default start", map[string]any{"createdBefore": "2026-11-20T00:00:00Z"}, "earlier than the default createdAfter (24 hours ago, 2026-11-26T15:00:00Z): give createdAfter too"},
		{"not a time", map[string]any{"createdAfter": "last tuesday"}, `createdAfter "last tuesday" is not a date-time`},
		{"year 1900", map[string]any{"createdAfter": "1900-01-01T00:00:00Z"}, "createdAfter 1900-01-01T00:00:00Z is out of range: give a time between 1970 and 2200"},
		{"unknown argument", map[string]any{"participants": []string{"+12125550103"}}, "unknown argument \"participants\"; the arguments are: createdAfter, createdBefore, direction, includeSummaries, maxResults, pageToken, participant, phoneNumberId, status, userId"},
		{"bad phoneNumberId", map[string]any{"phoneNumberId": "(000) 000"}, `phoneNumberId "(000) 000" is neither a PN id such as "PN123abc" nor a phone number`},
		{"bad userId", map[string]any{"userId": "anna"}, `userId "anna" is not valid: it must start with "US"`},
		{"includeSummaries as text", map[string]any{"includeSummaries": "yes"}, "argument includeSummaries must be true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.call(t, "recent_calls", tc.args)
			if !res.IsError || !strings.Contains(res.Text, tc.want) {
				t.Errorf("want an error containing %q, got (isError %v):\n%s", tc.want, res.IsError, res.Text)
			}
		})
	}
	if n := sb.Requests(); n != 0 {
		t.Errorf("bad arguments cost %d API requests", n)
	}
}

// TestRecentCallsSchema pins the generated schema and annotations.
func TestRecentCallsSchema(t *testing.T) {
	tool := recentCallsTool(&Deps{}).Tool
	testutil.Golden(t, "schemas/recent_calls.json", testutil.JSON(t, tool))
	a := tool.Annotations
	if !*a.ReadOnlyHint || *a.DestructiveHint || !*a.IdempotentHint || !*a.OpenWorldHint {
		t.Errorf("annotations: %+v", a)
	}
	for _, w := range []string{"status", "pageToken", "who called today?"} {
		if !strings.Contains(tool.Description, w) {
			t.Errorf("description lacks %q", w)
		}
	}
	if !strings.Contains(string(tool.RawInputSchema), "default: 24 hours ago") {
		t.Error("createdAfter's description must give its default")
	}
}
