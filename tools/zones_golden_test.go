// Golden answers of every listing tool in America/Los_Angeles over a window
// that holds the end of daylight saving time (1 November 2026): each
// stamp carries the offset in effect at its instant, -07:00 before the
// change and -08:00 after, and the header names the zone.

package tools

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestListingsAcrossDSTInLosAngeles writes testdata/<tool>/la_dst.txt (and
// its structure, which TestStructuredCarriesTheText checks like every
// golden case); the window is three local days, 31 October to 2 November.
func TestListingsAcrossDSTInLosAngeles(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	start := time.Date(2026, 10, 31, 0, 0, 0, 0, la)
	f := newAnswersFixture(7, start, 3, 16) // weekend days get 2 calls, the Monday 16
	zoned := func(d *Deps) { d.TimeZone = la; d.APIVersion = APIAuto }
	window := map[string]any{"createdAfter": "2026-10-31", "createdBefore": "2026-11-03"}
	with := func(extra map[string]any) map[string]any {
		args := map[string]any{}
		for k, v := range window {
			args[k] = v
		}
		for k, v := range extra {
			args[k] = v
		}
		return args
	}
	// One conversation with a call in each 01:30 of the night the clocks go
	// back (01:30 PDT, then 01:30 PST an hour later): the same reading,
	// told apart by the offset alone.
	const party = "+12125552099"
	num := f.ws.PhoneNumbers[0]
	for i, at := range []time.Time{time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC), time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)} {
		f.addCall(900+i, at, num, party, outAnswered, num.Users[0].ID, num.Users[0].ID, 60+i)
	}
	f.names[party] = "Night Owl"
	f.conversations()
	mask := regexp.MustCompile(`pageToken "[^"]+"`)
	e, _ := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, zoned)
	l, _, _ := newLedgerEnv(t, f.ws, true, zoned)
	for _, tc := range []struct {
		tool string
		env  *env
		args map[string]any
	}{
		{"recent_calls", e, with(map[string]any{"maxResults": 100})},
		{"list_calls", e, with(map[string]any{"phoneNumberId": num.ID, "participants": []string{party}, "maxResults": 100})},
		{"missed_calls", e, with(map[string]any{"onlyUnreturned": false})},
		{"call_stats", e, with(map[string]any{"groupBy": []string{"day"}})},
		{"search_calls", l, with(map[string]any{"query": "Owl"})},
	} {
		res := tc.env.call(t, tc.tool, tc.args)
		if res.IsError {
			t.Fatalf("%s: %s", tc.tool, res.Text)
		}
		if !strings.Contains(strings.SplitN(res.Text, "\n", 2)[0], "times in America/Los_Angeles") {
			t.Errorf("%s: the header does not name the zone:\n%s", tc.tool, res.Text)
		}
		if !strings.Contains(res.Text, "-07:00") || !strings.Contains(res.Text, "-08:00") {
			t.Errorf("%s: want stamps on both sides of the change (-07:00 and -08:00):\n%s", tc.tool, res.Text)
		}
		testutil.Golden(t, tc.tool+"/la_dst.txt", mask.ReplaceAllString(res.Text, `pageToken "<token>"`))
		testutil.Golden(t, tc.tool+"/la_dst.structured.json", testutil.JSON(t, res.Structured))
	}
}
