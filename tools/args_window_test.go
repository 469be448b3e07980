package tools

import (
	"strings"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestRelativeWindowWords: every relative word, as createdAfter (the start
// of its span) and createdBefore (the end), in two zones on the days their
// clocks change and on a Monday, and in a zone whose clocks jump over
// midnight. A span back (24h, 7d) is that many hours of real time, not of
// the clock. The expected instants were worked out independently (Python's
// zoneinfo), not with this package's code.
func TestRelativeWindowWords(t *testing.T) {
	type edges struct{ after, before string } // before "": left out, up to now
	for _, tc := range []struct {
		zone, now string
		words     map[string]edges
	}{
		{"America/Los_Angeles", "2026-03-08T15:00:00-07:00", map[string]edges{ // spring forward, a Sunday
			"today":     {"2026-03-08T00:00:00-08:00", "2026-03-09T00:00:00-07:00"},
			"yesterday": {"2026-03-07T00:00:00-08:00", "2026-03-08T00:00:00-08:00"},
			"this week": {"2026-03-02T00:00:00-08:00", "2026-03-09T00:00:00-07:00"},
			"last week": {"2026-02-23T00:00:00-08:00", "2026-03-02T00:00:00-08:00"},
			"24h":       {"2026-03-07T14:00:00-08:00", ""},
			"7d":        {"2026-03-01T14:00:00-08:00", ""},
			"2w":        {"2026-02-22T14:00:00-08:00", ""},
		}},
		{"America/Los_Angeles", "2026-11-01T15:00:00-08:00", map[string]edges{ // fall back, a Sunday
			"today":     {"2026-11-01T00:00:00-07:00", "2026-11-02T00:00:00-08:00"},
			"yesterday": {"2026-10-31T00:00:00-07:00", "2026-11-01T00:00:00-07:00"},
			"this week": {"2026-10-26T00:00:00-07:00", "2026-11-02T00:00:00-08:00"},
			"last week": {"2026-10-19T00:00:00-07:00", "2026-10-26T00:00:00-07:00"},
			"24h":       {"2026-10-31T16:00:00-07:00", ""},
			"7d":        {"2026-10-25T16:00:00-07:00", ""},
			"2w":        {"2026-10-18T16:00:00-07:00", ""},
		}},
		{"Europe/Berlin", "2026-03-29T12:00:00+02:00", map[string]edges{
			"today":     {"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
			"yesterday": {"2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00"},
			"this week": {"2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
			"last week": {"2026-03-16T00:00:00+01:00", "2026-03-23T00:00:00+01:00"},
			"24h":       {"2026-03-28T11:00:00+01:00", ""},
			"7d":        {"2026-03-22T11:00:00+01:00", ""},
		}},
		{"Europe/Berlin", "2026-10-25T12:00:00+01:00", map[string]edges{
			"today":     {"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"},
			"yesterday": {"2026-10-24T00:00:00+02:00", "2026-10-25T00:00:00+02:00"},
			"this week": {"2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00"},
			"last week": {"2026-10-12T00:00:00+02:00", "2026-10-19T00:00:00+02:00"},
			"24h":       {"2026-10-24T13:00:00+02:00", ""},
		}},
		{"Europe/Berlin", "2026-03-30T00:30:00+02:00", map[string]edges{ // a Monday, half an hour in
			"today":     {"2026-03-30T00:00:00+02:00", "2026-03-31T00:00:00+02:00"},
			"yesterday": {"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
			"this week": {"2026-03-30T00:00:00+02:00", "2026-04-06T00:00:00+02:00"},
			"last week": {"2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
			"24h":       {"2026-03-28T23:30:00+01:00", ""},
		}},
		{"America/Santiago", "2026-09-06T12:00:00-03:00", map[string]edges{ // no midnight: 00:00 is 01:00
			"today":     {"2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"},
			"yesterday": {"2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00"},
			"this week": {"2026-08-31T00:00:00-04:00", "2026-09-07T00:00:00-03:00"},
		}},
		{"America/Santiago", "2026-09-07T12:00:00-03:00", map[string]edges{
			"yesterday": {"2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"},
			"last week": {"2026-08-31T00:00:00-04:00", "2026-09-07T00:00:00-03:00"},
		}},
	} {
		loc := mustZone(t, tc.zone)
		now, err := time.Parse(time.RFC3339, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		for word, want := range tc.words {
			for arg, w := range map[string]string{"createdAfter": want.after, "createdBefore": want.before} {
				got, err := resolveWindowArg(arg, word, now, loc)
				if err != nil || got.value != w || got.word == nil {
					t.Errorf("%s at %s in %s: %s %q = %q (word %v), %v; want %q", arg, tc.now, tc.zone, arg, word, got.value, got.word != nil, err, w)
				}
			}
		}
	}
}

// TestWindowArgForms: how each form of a window argument reaches the
// tool, the spellings a word may take, and the refusals.
func TestWindowArgForms(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	now := time.Date(2026, 3, 8, 15, 0, 0, 0, la)
	for _, tc := range []struct{ arg, raw, want string }{
		{"createdAfter", "", ""},
		{"createdAfter", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"}, // an instant as given
		{"createdAfter", " 2026-03-01T09:00:00+01:00", " 2026-03-01T09:00:00+01:00"},
		{"createdAfter", "2026-03-08", "2026-03-08T00:00:00-08:00"}, // a date: midnight in the zone
		{"createdBefore", "2026-03-09", "2026-03-09T00:00:00-07:00"},
		{"createdAfter", "Today", "2026-03-08T00:00:00-08:00"},
		{"createdAfter", "  THIS \t week ", "2026-03-02T00:00:00-08:00"},
		{"createdAfter", "7D", "2026-03-01T14:00:00-08:00"},
		{"createdAfter", "24 h", "2026-03-07T14:00:00-08:00"},
		{"createdAfter", "87600h", "2016-03-10T14:00:00-08:00"},
		{"createdAfter", "3650d", "2016-03-10T14:00:00-08:00"},
		{"createdAfter", "521w", "2016-03-13T15:00:00-07:00"},
		{"createdBefore", "7d", ""}, // the end of "the last 7 days" is now: left out
	} {
		got, err := resolveWindowArg(tc.arg, tc.raw, now, la)
		if err != nil || got.value != tc.want {
			t.Errorf("%s %q = %q, %v; want %q", tc.arg, tc.raw, got.value, err, tc.want)
		}
	}
	forms := "today, yesterday, this week, last week (weeks start on Monday), or a span back from now such as 24h, 7d or 2w"
	span := "give from 1h to 87600h, 1d to 3650d or 1w to 521w (ten years)"
	for _, tc := range []struct{ raw, want string }{
		{"last month", `createdAfter "last month" is not a date-time: give RFC 3339 such as "2026-11-20T09:00:00Z"`},
		{"tomorrow", forms},
		{"1y", forms},
		{"-1d", forms},
		{"d", forms},
		{"7 days", forms},
		{"2026-02-30", forms},
		{"0d", `createdAfter "0d" is not a span this server reads: ` + span},
		{"87601h", span},
		{"3651d", span},
		{"522w", span},
		{"99999999999999999999d", span},
	} {
		_, err := resolveWindowArg("createdAfter", tc.raw, now, la)
		if _, ok := err.(*argError); !ok || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("createdAfter %q: %v; want an argument error containing %q", tc.raw, err, tc.want)
		}
	}
}

// TestRelativeWordNamedWithinADay: with a page token, a word keeps the
// instant the token fixed when the word named it within the last day, and
// only then.
func TestRelativeWordNamedWithinADay(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	now := time.Date(2026, 3, 9, 0, 10, 0, 0, la) // ten minutes past a midnight
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		word, arg, fixed string
		want             bool
	}{
		{"today", "createdAfter", "2026-03-09T00:00:00-07:00", true},  // today's
		{"today", "createdAfter", "2026-03-08T00:00:00-08:00", true},  // yesterday's, the token made before midnight
		{"today", "createdAfter", "2026-03-07T00:00:00-08:00", false}, // two days old
		{"today", "createdAfter", "2026-03-08T05:00:00-08:00", false}, // never a start of today
		{"today", "createdBefore", "2026-03-09T00:00:00-07:00", true},
		{"24h", "createdAfter", "2026-03-08T07:05:00Z", true}, // 24h asked five minutes ago
		{"24h", "createdAfter", "2026-03-07T07:20:00Z", true}, // 24h asked 23h50m ago
		{"24h", "createdAfter", "2026-03-07T07:00:00Z", false},
		{"24h", "createdAfter", "2026-03-08T07:20:00Z", false},           // in the future of any 24h
		{"this week", "createdAfter", "2026-03-09T00:00:00-07:00", true}, // a Monday
		{"this week", "createdAfter", "2026-03-02T00:00:00-08:00", true}, // last week's, asked on Sunday
		{"this week", "createdAfter", "2026-02-23T00:00:00-08:00", false},
		{"yesterday", "createdAfter", "2026-03-07T00:00:00-08:00", true},
		{"yesterday", "createdBefore", "2026-03-08T00:00:00-08:00", true},
		{"yesterday", "createdBefore", "2026-03-07T00:00:00-08:00", false},
	} {
		w, ok, err := parseRelative(tc.arg, tc.word)
		if !ok || err != nil {
			t.Fatalf("%q is not a word: %v", tc.word, err)
		}
		if got := w.named(tc.arg, at(tc.fixed), now, la); got != tc.want {
			t.Errorf("%s %q named %s within a day before %s: %v, want %v", tc.arg, tc.word, tc.fixed, now, got, tc.want)
		}
	}
}

// TestStartOfDay: the first instant of a day is midnight, or the jump
// where the clocks skip midnight.
func TestStartOfDay(t *testing.T) {
	for _, tc := range []struct{ zone, at, want string }{
		{"America/Los_Angeles", "2026-03-08T12:00:00-07:00", "2026-03-08T00:00:00-08:00"},
		{"America/Los_Angeles", "2026-11-02T00:00:00-08:00", "2026-11-02T00:00:00-08:00"},
		{"America/Santiago", "2026-09-06T08:00:00-03:00", "2026-09-06T01:00:00-03:00"},
		{"America/Havana", "2026-03-08T08:00:00-04:00", "2026-03-08T01:00:00-04:00"},
		{"Asia/Beirut", "2026-03-29T08:00:00+03:00", "2026-03-29T01:00:00+03:00"},
		{"UTC", "2026-11-27T15:00:00Z", "2026-11-27T00:00:00Z"},
	} {
		loc := mustZone(t, tc.zone)
		at, err := time.Parse(time.RFC3339, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := startOfDay(at, loc).Format(time.RFC3339); got != tc.want {
			t.Errorf("startOfDay(%s) in %s = %s, want %s", tc.at, tc.zone, got, tc.want)
		}
		if got, err := localTime("createdAfter", at.In(loc).Format(time.DateOnly), loc); err != nil || got.Format(time.RFC3339) != tc.want {
			t.Errorf("localTime(%s) in %s = %s, %v; want %s", at.In(loc).Format(time.DateOnly), tc.zone, got.Format(time.RFC3339), err, tc.want)
		}
	}
}
