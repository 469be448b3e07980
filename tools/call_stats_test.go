package tools

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// truthRow is what a group of the fixture counts, from how its calls were
// made.
type truthRow struct {
	Calls, In, Out, Answered, Missed, Voicemail, AI, Talk, Median int
	Rate                                                          float64
	HasRate                                                       bool
}

func truthOf(f *answersFixture, calls []*fxCall, key func(*fxCall) string) map[string]truthRow {
	talk := map[string][]int{}
	rows := map[string]truthRow{}
	for _, c := range calls {
		k := key(c)
		r := rows[k]
		r.Calls++
		if c.incoming() {
			r.In++
			if c.answered() {
				r.Answered++
			}
			if c.missed() {
				r.Missed++
			}
		} else {
			r.Out++
		}
		if c.outcome == outVoicemail {
			r.Voicemail++
		}
		if c.outcome == outAI {
			r.AI++
		}
		if c.connected() {
			talk[k] = append(talk[k], c.call.Duration)
			r.Talk += c.call.Duration
		}
		rows[k] = r
	}
	for k, r := range rows {
		if s := talk[k]; len(s) > 0 {
			slices.Sort(s)
			r.Median = s[len(s)/2]
			if len(s)%2 == 0 {
				r.Median = (s[len(s)/2-1] + s[len(s)/2] + 1) / 2
			}
		}
		if r.In > 0 {
			r.Rate, r.HasRate = math.Round(float64(r.Answered)/float64(r.In)*100), true
		}
		rows[k] = r
	}
	return rows
}

// statsRowsOf reads the structured rows of a call_stats result, by group:
// counts, the rate from its percentage, talk times from their durations.
func statsRowsOf(t *testing.T, res testutil.Result) (map[string]truthRow, []string, CallStatsOutput) {
	t.Helper()
	raw, _ := json.Marshal(res.Structured)
	var out CallStatsOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	rows := map[string]truthRow{}
	var order []string
	for _, cells := range out.Rows {
		k := cells[0].(string)
		num := func(i int) int { return int(cells[i].(float64)) }
		dur := func(i int) int {
			if cells[i] == "-" {
				return 0
			}
			d, err := time.ParseDuration(cells[i].(string))
			if err != nil {
				t.Fatalf("cell %d of %q: %v", i, k, err)
			}
			return int(d.Seconds())
		}
		r := truthRow{Calls: num(1), In: num(2), Out: num(3), Answered: num(4), Missed: num(5), Voicemail: num(6), AI: num(7), Talk: dur(9), Median: dur(10)}
		if p, ok := cells[8].(string); ok && p != "-" {
			n, _ := strconv.Atoi(strings.TrimSuffix(p, "%"))
			r.Rate, r.HasRate = float64(n), true
		}
		if r.Calls > 0 {
			rows[k] = r
		}
		order = append(order, k)
	}
	return rows, order, out
}

// statsCounted is what a call_stats result says it counted, read from its
// Counted note: how many calls, whether all of the window's, and else the
// createdBefore that counts the rest.
type statsCounted struct {
	Calls    int
	Complete bool
	From     string
}

var countedRest = regexp.MustCompile(`call again with createdBefore "([^"]+)"`)

func countedOf(out CallStatsOutput) statsCounted {
	c := statsCounted{Calls: int(out.Total[0].(float64))}
	if len(out.Notes) == 0 {
		return c
	}
	note := out.Notes[0]
	c.Complete = strings.HasPrefix(note, "Counted: every call of the window, ") || strings.HasPrefix(note, "Counted: nothing;")
	if m := countedRest.FindStringSubmatch(note); m != nil {
		c.From = m[1]
	}
	return c
}

var newYork = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// TestCallStatsEqualsTheTruth is issue 12's measure: by user and by day in
// America/New_York, across the end of daylight saving time (1 November
// 2026, a 25-hour day), the table equals the truth exactly, in
// ceil(calls/50) + 2 requests on the dated surface; the v1 walk gives the
// same table.
func TestCallStatsEqualsTheTruth(t *testing.T) {
	start := time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)
	f := newAnswersFixture(7, start, 12, 60)
	after, before := time.Date(2026, 10, 29, 0, 0, 0, 0, newYork), time.Date(2026, 11, 4, 0, 0, 0, 0, newYork)
	calls := f.inWindow(after, before)
	byUser := truthOf(f, calls, func(c *fxCall) string { return c.owner })
	byDay := truthOf(f, calls, func(c *fxCall) string { return c.call.CreatedAt.In(newYork).Format(time.DateOnly) })
	if len(byDay) != 6 || byUser[ownerAIAgent].Calls == 0 {
		t.Fatalf("the fixture should cover 6 days and AI-agent calls: %d days, %d AI calls", len(byDay), byUser[ownerAIAgent].Calls)
	}
	tables := map[string]map[string]truthRow{}
	for _, surface := range []string{APIAuto, APIV1} {
		for _, group := range []string{"user", "day"} {
			e, sb := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = surface })
			res := e.call(t, "call_stats", map[string]any{"createdAfter": "2026-10-29", "createdBefore": "2026-11-04",
				"timezone": "America/New_York", "groupBy": []string{group}})
			if res.IsError {
				t.Fatalf("%s by %s: %s", surface, group, res.Text)
			}
			got, order, out := statsRowsOf(t, res)
			want := byUser
			if group == "day" {
				want = byDay
				if !slices.IsSorted(order) || len(order) != 6 || order[3] != "2026-11-01" {
					t.Errorf("%s: days %v, want the 6 days in order", surface, order)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s by %s differs from the truth (-want +got):\n%s", surface, group, diff)
			}
			if c := countedOf(out); !c.Complete || c.Calls != len(calls) {
				t.Errorf("%s by %s: counted %+v, want all %d calls", surface, group, c, len(calls))
			}
			if limit := int64((len(calls)+49)/50 + 2); surface == APIAuto && sb.Requests() > limit {
				t.Errorf("by %s on the dated surface: %d requests for %d calls, want at most ceil(calls/50)+2 = %d", group, sb.Requests(), len(calls), limit)
			}
			t.Logf("%s by %s: %d calls, %d requests", surface, group, len(calls), sb.Requests())
			tables[surface+group] = got
		}
	}
}

// TestCallStatsBudget: a walk budget too small for the window counts the
// newest part, says exactly which part, and the part it names as not
// counted, asked for again, holds exactly the calls left out.
func TestCallStatsBudget(t *testing.T) {
	f := newAnswersFixture(3, testNow.Add(-7*24*time.Hour), 7, 120)
	e, _ := newSandboxEnv(t, f.ws, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto; d.MaxWalkRequests = 4 })
	after := testNow.Add(-7 * 24 * time.Hour).Format(time.RFC3339)
	res := e.call(t, "call_stats", map[string]any{"createdAfter": after})
	_, _, out := statsRowsOf(t, res)
	counted := countedOf(out)
	if res.IsError || counted.Complete || counted.From == "" {
		t.Fatalf("want a partial count: %s", res.Text)
	}
	from, err := time.Parse(stampArgLayout, counted.From) // the text's stamp, to the fraction
	if err != nil {
		t.Fatalf("createdBefore %q of the note is not a stamp: %v", counted.From, err)
	}
	if want := len(f.inWindow(from, testNow)); counted.Calls != want {
		t.Errorf("counted %d calls, but %d were created from %s on", counted.Calls, want, counted.From)
	}
	if !strings.Contains(res.Text, "NOT counted") || !strings.Contains(res.Text, from.UTC().Format("2006-01-02")) {
		t.Errorf("the text does not say what was not counted:\n%s", res.Text)
	}
	// Counting on, each time up to where the last answer stopped, covers
	// the window exactly once.
	total, answers := counted.Calls, 1
	for !counted.Complete {
		if answers++; answers > 20 {
			t.Fatal("the count does not finish")
		}
		res = e.call(t, "call_stats", map[string]any{"createdAfter": after, "createdBefore": counted.From})
		_, _, out = statsRowsOf(t, res)
		counted = countedOf(out)
		total += counted.Calls
	}
	windowStart, _ := time.Parse(time.RFC3339, after)
	if want := len(f.inWindow(windowStart, testNow)); total != want {
		t.Errorf("%d answers counted %d calls, want the window's %d", answers, total, want)
	}
}

// TestCallStatsBadArguments: each mistake is one sentence with an example,
// and no API request.
func TestCallStatsBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"groupBy": []string{"month"}}, `groupBy "month" is not a grouping`},
		{map[string]any{"groupBy": []string{"day", "day"}}, "twice"},
		{map[string]any{"groupBy": []string{"day", "user", "status"}}, "at most two"},
		{map[string]any{"timezone": "Mars/Olympus"}, "not an IANA time zone"},
		{map[string]any{"timezone": "Local"}, "not an IANA time zone"},
		{map[string]any{"createdAfter": "2024-01-01"}, "longer than call_stats counts"},
		{map[string]any{"createdAfter": "2027-01-01"}, "in the future"},
		{map[string]any{"createdAfter": "yesterday-ish"}, "not a date-time"},
		{map[string]any{"status": []string{"lost"}}, "not a call status"},
		{map[string]any{"userId": "jordan"}, "userId"},
		{map[string]any{"since": "2026-11-01"}, "since"},
	} {
		e, sb := newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto })
		res := e.call(t, "call_stats", tc.args)
		if !res.IsError || !strings.Contains(res.Text, tc.want) || sb.Requests() != 0 {
			t.Errorf("%v: isError %v, %d requests, %q; want an error saying %q and no request", tc.args, res.IsError, sb.Requests(), res.Text, tc.want)
		}
	}
}

// TestCallStatsGolden pins the text and the structured content: the demo's
// week by user and by day, missed calls by user, and two groupings.
func TestCallStatsGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   map[string]any
	}{
		{"by_user", map[string]any{"groupBy": []string{"user"}}},
		{"by_day", map[string]any{"groupBy": []string{"day"}, "timezone": "America/Los_Angeles"}},
		{"missed_by_user", map[string]any{"groupBy": []string{"user"}, "status": []string{"missed"}, "direction": "incoming"}},
		{"weekday_status", map[string]any{"groupBy": []string{"weekday", "status"}, "createdAfter": "2026-11-01", "phoneNumberId": "+14155550101"}},
		{"total", map[string]any{}},
	} {
		e, _ := newSandboxEnv(t, sandbox.Demo(testNow), testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIAuto; d.Demo = true; d.TimeZone = newYork })
		res := e.call(t, "call_stats", tc.args)
		if res.IsError {
			t.Fatalf("%s: %s", tc.golden, res.Text)
		}
		testutil.Golden(t, "call_stats/"+tc.golden+".txt", res.Text)
		testutil.Golden(t, "call_stats/"+tc.golden+".structured.json", testutil.JSON(t, res.Structured))
	}
}
