package tools

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

const (
	pairNumberID = "PNpair00001"
	pairNumber   = "+14155550100"
	pairOther    = "+12125550103"
)

// historyWorkspace is one OpenPhone number with n calls to pairOther and a
// few to someone else, which must never show up.
func historyWorkspace(n int) *sandbox.Workspace {
	ws := &sandbox.Workspace{
		PhoneNumbers: []client.PhoneNumber{{ID: pairNumberID, Name: "Sales", Number: pairNumber,
			Users: []client.PhoneNumberUser{{ID: "USjordan01", Email: "jordan@example.com", FirstName: ptr("Jordan"), LastName: ptr("Lee"), Role: "owner"}}}},
	}
	start := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	add := func(i int, other string) {
		dir, status, dur := "incoming", "completed", 30+i*7%600
		if i%5 == 0 {
			dir = "outgoing"
		}
		if i%7 == 0 {
			status, dur = "missed", 0
		}
		c := client.Call{ID: fmt.Sprintf("AC%030d", i), PhoneNumberID: pairNumberID, UserID: "USjordan01", Direction: dir, Status: status,
			Duration: dur, Participants: []string{other, pairNumber}, CreatedAt: start.Add(time.Duration(i) * 37 * time.Hour)}
		if status == "completed" && dir == "incoming" {
			c.AnsweredBy = ptr("USjordan01")
		}
		if dir == "outgoing" {
			c.InitiatedBy = ptr("USjordan01")
		}
		ws.Calls = append(ws.Calls, c)
	}
	for i := 1; i <= n; i++ {
		add(i, pairOther)
	}
	for i := n + 1; i <= n+5; i++ {
		add(i, "+13105550142")
	}
	return ws
}

var callIDPattern = regexp.MustCompile(`(?m)^(AC[0-9A-Za-z]+) `)

// TestListCallsWalksEveryPage: a 57-call history with maxResults 10 comes
// back as six pages holding each call exactly once, newest first, and the
// last page offers no token.
func TestListCallsWalksEveryPage(t *testing.T) {
	e, sb := newSandboxEnv(t, historyWorkspace(57), testutil.ProtocolLegacy)
	seen := map[string]int{}
	var order []string
	args := map[string]any{"phoneNumberId": pairNumberID, "participants": []string{pairOther}, "maxResults": 10}
	pages := 0
	for {
		pages++
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		res := e.call(t, "list_calls", args)
		if res.IsError {
			t.Fatalf("page %d: %s", pages, res.Text)
		}
		for _, m := range callIDPattern.FindAllStringSubmatch(res.Text, -1) {
			seen[m[1]]++
			order = append(order, m[1])
		}
		var out ListCallsOutput
		raw, _ := json.Marshal(res.Structured)
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		if out.NextPageToken == "" {
			if !strings.Contains(res.Text, "Last page.") || strings.Contains(res.Text, "pageToken") {
				t.Errorf("last page must say so and offer no token:\n%s", res.Text)
			}
			break
		}
		if !strings.Contains(res.Text, `pageToken "`+out.NextPageToken+`"`) {
			t.Errorf("text does not give the exact token %q:\n%s", out.NextPageToken, res.Text)
		}
		args["pageToken"] = out.NextPageToken
	}
	if pages != 6 {
		t.Errorf("%d pages, want 6", pages)
	}
	if len(seen) != 57 {
		t.Errorf("%d distinct calls, want 57", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s appeared %d times", id, n)
		}
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] <= order[i] { // ids grow with time here, so newest first = descending
			t.Fatalf("not newest first at %d: %s then %s", i, order[i-1], order[i])
		}
	}
	if sb.Throttled() != 0 {
		t.Errorf("sandbox throttled %d requests", sb.Throttled())
	}
}

// textRatio renders 50 calls with list_calls and compares the text bytes
// with the API's minified JSON for the same calls.
func textRatio(t testing.TB) (textPerCall, jsonPerCall float64) {
	ws := historyWorkspace(50)
	var calls []client.Call
	for _, c := range ws.Calls {
		if c.Participants[0] == pairOther {
			calls = append(calls, c)
		}
	}
	raw, err := json.Marshal(client.CallPage{Data: calls, TotalItems: len(calls)})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := newSandboxEnv(t.(*testing.T), ws, testutil.ProtocolLegacy)
	res := e.call(t.(*testing.T), "list_calls", map[string]any{"phoneNumberId": pairNumberID, "participants": []string{pairOther}, "maxResults": 50})
	if res.IsError || len(callIDPattern.FindAllString(res.Text, -1)) != 50 {
		t.Fatalf("want 50 calls, got:\n%s", res.Text)
	}
	return float64(len(res.Text)) / 50, float64(len(raw)) / 50
}

// TestListCallsTextIsCompact: the text costs at most a quarter of the bytes
// of the API's minified JSON for the same 50 calls.
func TestListCallsTextIsCompact(t *testing.T) {
	text, js := textRatio(t)
	ratio := text / js
	t.Logf("list_calls text %.1f bytes/call, API JSON %.1f bytes/call, ratio %.1f%%", text, js, 100*ratio)
	if ratio > 0.25 {
		t.Errorf("text is %.1f%% of the API's JSON, want at most 25%%", 100*ratio)
	}
}
