package tools

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// The worklist scenario's callers, each a case of "returned".
const (
	mcThrice    = "+12125553001" // missed 3 times, a voicemail: not returned
	mcCalled    = "+12125553002" // called back by Jordan after the miss: returned
	mcGotThru   = "+12125553003" // called again and was answered: returned
	mcAgain     = "+12125553004" // called back, then missed again: not returned
	mcAnonymous = "anonymous"    // no caller ID
	mcOld       = "+12125553006" // missed before the window: not listed
	mcOther     = "+12125553007" // missed on Support, called back from Sales (no answer): returned
	mcOutgoing  = "+12125553008" // only called by us: not listed
)

// worklistScenario is a workspace of one case a caller, and the callers'
// truth: attempts and how each was returned ("" not returned).
func worklistScenario() (*answersFixture, map[string][2]string) {
	f := &answersFixture{ws: &sandbox.Workspace{Voicemails: map[string]client.Voicemail{}}, names: map[string]string{mcThrice: "Maple Dental"}}
	f.ws.PhoneNumbers = fxNumbers()
	sales, support := f.ws.PhoneNumbers[0], f.ws.PhoneNumbers[1]
	jordan, alex := "USjordan01", "USalex00002"
	n := 0
	add := func(ago time.Duration, num client.PhoneNumber, party string, outcome int, user string) *fxCall {
		n++
		return f.addCall(n, testNow.Add(-ago), num, party, outcome, user, num.Users[0].ID, 120)
	}
	h := time.Hour
	add(10*h, sales, mcThrice, outMissed, "")
	add(6*h, sales, mcThrice, outVoicemail, "")
	f.ws.Voicemails[f.calls[len(f.calls)-1].call.ID] = client.Voicemail{ID: "VMhostile", Status: client.VoicemailCompleted, Duration: ptr(21.0), Transcript: ptr(hostileLine)}
	add(2*h, sales, mcThrice, outNoAnswerIn, "")
	add(5*h, sales, mcCalled, outMissed, "")
	add(4*h, sales, mcCalled, outPlaced, jordan)
	add(8*h, support, mcGotThru, outAbandoned, "")
	add(7*h, support, mcGotThru, outAnswered, alex)
	add(9*h, sales, mcAgain, outMissed, "")
	add(8*h, sales, mcAgain, outPlaced, jordan)
	add(1*h, sales, mcAgain, outMissed, "")
	add(3*h, sales, mcAnonymous, outMissed, "")
	add(30*h, sales, mcOld, outMissed, "")
	add(4*h, support, mcOther, outVoicemail, "")
	add(3*h, sales, mcOther, outPlacedNoAnswer, jordan)
	add(2*h, sales, mcOutgoing, outPlacedNoAnswer, alex)
	add(20*h, sales, mcCalled, outAnswered, jordan) // before the miss: no return
	f.conversations()
	truth := map[string][2]string{
		mcThrice: {"3", ""}, mcCalled: {"1", "called back (completed)"}, mcGotThru: {"1", "answered their call"},
		mcAgain: {"2", ""}, mcAnonymous: {"1", ""}, mcOther: {"1", "called back (no-answer)"},
	}
	return f, truth
}

func missedOf(t *testing.T, res testutil.Result) MissedCallsOutput {
	t.Helper()
	if res.IsError {
		t.Fatalf("missed_calls: %s", res.Text)
	}
	raw, _ := json.Marshal(res.Structured)
	var out MissedCallsOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// callersOf is a page's callers as (number -> attempts, how returned), in
// order.
func callersOf(out MissedCallsOutput) (map[string][2]string, []string) {
	got := map[string][2]string{}
	var order []string
	for _, c := range out.Callers {
		how := ""
		if c.Returned != nil {
			how = c.Returned.How
		}
		got[c.Number] = [2]string{strconv.Itoa(c.Attempts), how}
		order = append(order, c.Number)
	}
	return got, order
}

// TestMissedCallsEqualsTheTruth is issue 12's measure: exactly the callers
// missed in the window, with their attempts, their voicemail and the right
// returned/not-returned mark, on both surfaces; by default only those not
// returned.
func TestMissedCallsEqualsTheTruth(t *testing.T) {
	f, truth := worklistScenario()
	unreturned := map[string][2]string{}
	for k, v := range truth {
		if v[1] == "" {
			unreturned[k] = v
		}
	}
	for _, surface := range []string{APIAuto, APIV1} {
		if surface == APIV1 {
			// v1 cannot list the calls of a caller without caller ID.
			delete(truth, mcAnonymous)
			delete(unreturned, mcAnonymous)
		}
		e, _ := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = surface })
		out := missedOf(t, e.call(t, "missed_calls", map[string]any{}))
		got, order := callersOf(out)
		if diff := cmp.Diff(unreturned, got); diff != "" {
			t.Errorf("%s, not returned (-want +got):\n%s", surface, diff)
		}
		if want := []string{mcAgain, mcThrice, mcAnonymous}; !cmp.Equal(order, want) && !(surface == APIV1 && cmp.Equal(order, want[:2])) {
			t.Errorf("%s: order %v, want the newest miss first %v", surface, order, want)
		}
		if out.Missed != len(truth) || out.Unreturned != len(unreturned) {
			t.Errorf("%s: %d missed, %d unreturned; want %d and %d", surface, out.Missed, out.Unreturned, len(truth), len(unreturned))
		}
		for _, c := range out.Callers {
			switch c.Number {
			case mcThrice:
				if c.Voicemail == "" || c.Voicemails != 0 || out.Contacts[c.Number] != "Maple Dental" {
					t.Errorf("%s: %s has voicemail %+v (%d), name %q; want its transcript (one) and name", surface, c.Number, c.Voicemail, c.Voicemails, out.Contacts[c.Number])
				}
			case mcAnonymous:
				if !c.CannotCall {
					t.Errorf("%s: anonymous can be called back?", surface)
				}
			}
		}
		all := missedOf(t, e.call(t, "missed_calls", map[string]any{"onlyUnreturned": false}))
		got, order = callersOf(all)
		if diff := cmp.Diff(truth, got); diff != "" {
			t.Errorf("%s, every caller (-want +got):\n%s", surface, diff)
		}
		want := []string{mcAgain, mcThrice, mcAnonymous, mcOther, mcCalled, mcGotThru}
		if surface == APIV1 {
			want = append(want[:2], want[3:]...)
		}
		if !cmp.Equal(order, want) {
			t.Errorf("%s: order %v, want %v", surface, order, want)
		}
		for _, c := range all.Callers {
			if c.Number == mcCalled && (c.Returned.By != "USjordan01" || all.Users[c.Returned.By] != "Jordan Lee") {
				t.Errorf("%s: %s returned by %+v, want Jordan Lee", surface, c.Number, c.Returned)
			}
		}
	}
}

// TestMissedCallsPastWindow: in a window that ended hours ago, a call back
// after its end still returns a miss, and misses after it are not listed.
func TestMissedCallsPastWindow(t *testing.T) {
	f, _ := worklistScenario()
	e, _ := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	out := missedOf(t, e.call(t, "missed_calls", map[string]any{"onlyUnreturned": false,
		"createdAfter": testNow.Add(-24 * time.Hour).Format(time.RFC3339), "createdBefore": testNow.Add(-270 * time.Minute).Format(time.RFC3339)}))
	got, _ := callersOf(out)
	want := map[string][2]string{mcThrice: {"2", ""}, mcCalled: {"1", "called back (completed)"}, mcGotThru: {"1", "answered their call"}, mcAgain: {"1", "called back (completed)"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMissedCallsPaging: pages of two callers list every caller once, in
// order; a token resumed with other arguments is refused.
func TestMissedCallsPaging(t *testing.T) {
	f, truth := worklistScenario()
	e, sb := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	for _, args := range []map[string]any{
		{"onlyUnreturned": false, "maxResults": 2},
		{"onlyUnreturned": false, "maxResults": 2, "createdBefore": testNow.Add(time.Hour).Format(time.RFC3339)}, // an end still to come
	} {
		testMissedCallsPages(t, e, args, len(truth))
	}
	args := map[string]any{"onlyUnreturned": false, "maxResults": 2}
	first := missedOf(t, e.call(t, "missed_calls", args))
	args["pageToken"] = first.NextPageToken
	before := sb.Requests()
	res := e.call(t, "missed_calls", map[string]any{"onlyUnreturned": true, "maxResults": 2, "pageToken": args["pageToken"]})
	if !res.IsError || !strings.Contains(res.Text, "pageToken") || sb.Requests() != before {
		t.Errorf("a token of another listing: %q, %d requests", res.Text, sb.Requests()-before)
	}
}

func testMissedCallsPages(t *testing.T, e *env, args map[string]any, callers int) {
	t.Helper()
	var order []string
	for page := 0; ; page++ {
		out := missedOf(t, e.call(t, "missed_calls", args))
		for _, c := range out.Callers {
			order = append(order, c.Number)
		}
		if out.NextPageToken == "" {
			break
		}
		if page > 5 {
			t.Fatal("paging does not end")
		}
		args["pageToken"] = out.NextPageToken
	}
	if want := []string{mcAgain, mcThrice, mcAnonymous, mcOther, mcCalled, mcGotThru}; !cmp.Equal(order, want) || len(order) != callers {
		t.Errorf("%v: pages list %v, want %v", args, order, want)
	}
}

// TestMissedCallsUser: a user's worklist holds the misses on their numbers
// only.
func TestMissedCallsUser(t *testing.T) {
	f, _ := worklistScenario()
	e, _ := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
	out := missedOf(t, e.call(t, "missed_calls", map[string]any{"onlyUnreturned": false, "userId": "USjordan01"}))
	got, _ := callersOf(out)
	if _, ok := got[mcOther]; ok || len(got) != 4 {
		t.Errorf("Jordan (on Sales only) sees %v; want the 4 callers missed on Sales", got)
	}
}

// TestMissedCallsBadArguments: each mistake is a sentence, no request.
func TestMissedCallsBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"maxResults": 0}, "maxResults"},
		{map[string]any{"maxResults": 101}, "maxResults"},
		{map[string]any{"pageToken": "nope"}, "pageToken is not valid"},
		{map[string]any{"createdAfter": "2027-02-01"}, "in the future"},
		{map[string]any{"createdAfter": "last month"}, "not a date-time"},
		{map[string]any{"userId": "alex"}, "userId"},
		{map[string]any{"phoneNumberId": "PN!"}, "phoneNumberId"},
		{map[string]any{"onlyUnreturned": "yes"}, "onlyUnreturned"},
	} {
		e, sb := newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
		res := e.call(t, "missed_calls", tc.args)
		if !res.IsError || !strings.Contains(res.Text, tc.want) || sb.Requests() != 0 {
			t.Errorf("%v: isError %v, %d requests, %q; want an error about %s and no request", tc.args, res.IsError, sb.Requests(), res.Text, tc.want)
		}
	}
}

// TestMissedCallsGolden pins the text and the structured content: the
// scenario (a hostile voicemail, fenced), and the demo's day.
func TestMissedCallsGolden(t *testing.T) {
	f, _ := worklistScenario()
	for _, tc := range []struct {
		golden string
		ws     *sandbox.Workspace
		demo   bool
		args   map[string]any
	}{
		{"scenario", f.ws, false, map[string]any{"onlyUnreturned": false}},
		{"demo", sandbox.Demo(testNow), true, map[string]any{}},
		{"demo_all_week", sandbox.Demo(testNow), true, map[string]any{"onlyUnreturned": false, "createdAfter": "2026-11-23", "maxResults": 8}},
	} {
		e, _ := newSandboxEnv(t, tc.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto; d.Demo = tc.demo; d.TimeZone = newYork })
		res := e.call(t, "missed_calls", tc.args)
		if res.IsError {
			t.Fatalf("%s: %s", tc.golden, res.Text)
		}
		testutil.Golden(t, "missed_calls/"+tc.golden+".txt", res.Text)
		testutil.Golden(t, "missed_calls/"+tc.golden+".structured.json", testutil.JSON(t, res.Structured))
	}
}
