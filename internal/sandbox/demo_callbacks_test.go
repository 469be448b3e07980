package sandbox

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// callbackNows are the clocks the callback tests run the demo at.
var callbackNows = []time.Time{
	testNow, // a Friday afternoon
	time.Date(2027, 3, 14, 4, 30, 0, 0, time.UTC),   // a Saturday night
	time.Date(2026, 11, 28, 12, 0, 0, 0, demoZone),  // Saturday noon
	time.Date(2026, 11, 30, 8, 0, 0, 0, demoZone),   // Monday 08:00, before anyone is in
	time.Date(2026, 11, 30, 9, 10, 0, 0, demoZone),  // Monday, just opened
	time.Date(2026, 12, 2, 14, 37, 0, 0, demoZone),  // a Wednesday afternoon
	time.Date(2026, 12, 4, 18, 5, 0, 0, demoZone),   // Friday, just closed
	time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC),    // a holiday morning
	time.Date(2026, 7, 4, 8, 59, 59, 0, time.UTC),   // Saturday, 01:59 local
	time.Date(2026, 11, 29, 23, 30, 0, 0, demoZone), // Sunday night
	thinDay, // Thursday 10:15, after a quiet day
}

// thinDay is a clock whose last 24 hours hold only two misses of the
// history's: the demo adds two more.
var thinDay = time.Date(2026, 11, 19, 10, 15, 0, 0, demoZone)

// demoCallbacks is Demo(now) and its callbacks, checking on the way that
// the history's calls and their content are exactly as without them, and
// that the other calls added are the few misses of the last 24 hours that
// make up for a history with too few there.
func demoCallbacks(t *testing.T, now time.Time) (*Workspace, []client.Call) {
	t.Helper()
	g := newDemo(now)
	g.history()
	ws := Demo(now)
	n := len(g.ws.Calls)
	if len(ws.Calls) <= n || !reflect.DeepEqual(ws.Calls[:n], g.ws.Calls) {
		t.Fatalf("%v: the history's %d calls changed (%d calls with the callbacks)", now, n, len(ws.Calls))
	}
	for _, c := range g.ws.Calls {
		if !reflect.DeepEqual(ws.Summaries[c.ID], g.ws.Summaries[c.ID]) ||
			!reflect.DeepEqual(ws.Transcripts[c.ID], g.ws.Transcripts[c.ID]) ||
			!reflect.DeepEqual(ws.Recordings[c.ID], g.ws.Recordings[c.ID]) {
			t.Fatalf("%v: the content of call %s changed", now, c.ID)
		}
	}
	var callbacks []client.Call
	extra := 0
	for _, c := range ws.Calls[n:] {
		if c.Direction == "outgoing" {
			callbacks = append(callbacks, c)
			continue
		}
		extra++
		_, sum := ws.Summaries[c.ID]
		_, tr := ws.Transcripts[c.ID]
		if c.Direction != "incoming" || c.Status != "missed" || c.Duration != 0 || c.AnsweredAt != nil ||
			now.Sub(c.CreatedAt) >= 24*time.Hour || c.UpdatedAt.After(now.Add(-30*time.Second)) ||
			sum || tr || len(ws.Recordings[c.ID]) > 0 || ws.Voicemails[c.ID].ID != "" {
			t.Fatalf("%v: added call %+v is neither a callback nor a recent miss", now, c)
		}
	}
	if extra > maxExtraMisses {
		t.Fatalf("%v: %d misses added", now, extra)
	}
	return ws, callbacks
}

// misses are the incoming calls nobody took, by time.
func misses(ws *Workspace) []client.Call {
	var out []client.Call
	for _, c := range ws.Calls {
		if c.Direction == "incoming" && (c.Status == "missed" || c.Status == "abandoned") {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b client.Call) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// lineUsers are the users of each number, by phone number id.
func lineUsers() map[string][]string {
	out := map[string][]string{}
	for _, l := range demoLines {
		for _, u := range l.users {
			out[l.id] = append(out[l.id], demoUsers[u].id)
		}
	}
	return out
}

func localClock(t time.Time) time.Duration {
	lt := t.In(demoZone)
	return time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute + time.Duration(lt.Second())*time.Second
}

// callbackRule tells why callback c of miss m comes when it does, or "".
func callbackRule(now time.Time, m, c client.Call) string {
	gap := c.CreatedAt.Sub(m.CreatedAt)
	wd := c.CreatedAt.In(demoZone).Weekday()
	switch {
	case !afterHours(m.CreatedAt) && !afterHours(c.CreatedAt) && gap >= 4*time.Minute && gap <= 3*time.Hour:
		return "business hours"
	case wd != time.Saturday && wd != time.Sunday && localClock(c.CreatedAt) >= 9*time.Hour &&
		localClock(c.CreatedAt) < 11*time.Hour && gap <= 4*24*time.Hour:
		return "next weekday morning"
	case now.Sub(m.CreatedAt) < 24*time.Hour && c.CreatedAt.Sub(*m.UpdatedAt) >= 4*time.Minute &&
		c.CreatedAt.Sub(*m.UpdatedAt) <= 41*time.Minute:
		return "on call"
	}
	return ""
}

func TestDemoCallbacks(t *testing.T) {
	t.Parallel()
	users := lineUsers()
	for _, now := range callbackNows {
		t.Run(now.In(demoZone).Format("Mon 2006-01-02 15:04"), func(t *testing.T) {
			t.Parallel()
			ws, callbacks := demoCallbacks(t, now)
			ms := misses(ws)
			completed := 0
			for _, c := range callbacks {
				if c.Direction != "outgoing" || c.InitiatedBy == nil || *c.InitiatedBy != c.UserID ||
					!slices.Contains(users[c.PhoneNumberID], c.UserID) {
					t.Fatalf("callback %s: %s, initiated by %v, user %s on %s", c.ID, c.Direction, c.InitiatedBy, c.UserID, c.PhoneNumberID)
				}
				if !c.CreatedAt.Before(now) || c.UpdatedAt == nil || c.UpdatedAt.After(now.Add(-30*time.Second)) {
					t.Fatalf("callback %s at %v, updated %v: not over before now %v", c.ID, c.CreatedAt, c.UpdatedAt, now)
				}
				switch c.Status {
				case "completed":
					completed++
					if c.AnsweredAt == nil || c.CompletedAt == nil || c.Duration < 20 ||
						!c.CompletedAt.Equal(c.AnsweredAt.Add(sec(c.Duration))) || !c.AnsweredAt.After(c.CreatedAt) {
						t.Fatalf("completed callback %s: %+v", c.ID, c)
					}
				case "no-answer":
					if c.AnsweredAt != nil || c.CompletedAt != nil || c.Duration != 0 {
						t.Fatalf("unanswered callback %s: %+v", c.ID, c)
					}
				default:
					t.Fatalf("callback %s is %s", c.ID, c.Status)
				}
				rule := ""
				for _, m := range ms {
					if m.PhoneNumberID == c.PhoneNumberID && m.Participants[0] == c.Participants[1] &&
						m.UpdatedAt.Before(c.CreatedAt) && rule == "" {
						rule = callbackRule(now, m, c)
					}
				}
				if rule == "" {
					t.Fatalf("callback %s at %v (%v local) returns no miss of %s on %s", c.ID, c.CreatedAt,
						c.CreatedAt.In(demoZone).Format("Mon 15:04"), c.Participants[1], c.PhoneNumberID)
				}
			}
			if share := float64(completed) / float64(len(callbacks)); share < 0.65 || share > 0.85 {
				t.Errorf("%d of %d callbacks answered", completed, len(callbacks))
			}
			// Over the 90 days, about 55% of the misses are called back
			// within a day (the last day's, by now, fewer); counting the
			// history's own outgoing calls too, as a worklist would, a
			// little more.
			byCallback, byAny := 0, 0
			within := func(m client.Call) func(client.Call) bool {
				return func(c client.Call) bool {
					return c.Direction == "outgoing" && c.PhoneNumberID == m.PhoneNumberID && c.Participants[1] == m.Participants[0] &&
						c.CreatedAt.After(m.CreatedAt) && c.CreatedAt.Sub(m.CreatedAt) < 24*time.Hour
				}
			}
			for _, m := range ms {
				if slices.ContainsFunc(callbacks, within(m)) {
					byCallback++
				}
				if slices.ContainsFunc(ws.Calls, within(m)) {
					byAny++
				}
			}
			for what, n := range map[string]int{"a callback": byCallback, "any outgoing call": byAny} {
				if share := float64(n) / float64(len(ms)); share < 0.40 || share > 0.70 {
					t.Errorf("%d of %d misses (%.0f%%) followed by %s within a day", n, len(ms), 100*share, what)
				}
			}
		})
	}
}

// recentMisses counts the misses of the 24 hours before now that were
// called back (a later outgoing call from the same number to the caller)
// and those nothing returned (no later outgoing call to the caller from
// any number, no later answered call from the caller).
func recentMisses(ws *Workspace, now time.Time) (back, open int) {
	for _, m := range misses(ws) {
		if now.Sub(m.CreatedAt) >= 24*time.Hour {
			continue
		}
		caller := m.Participants[0]
		called, returned := false, false
		for _, c := range ws.Calls {
			switch {
			case !c.CreatedAt.After(m.CreatedAt) || !c.CreatedAt.Before(now):
			case c.Direction == "outgoing" && c.Participants[1] == caller:
				returned = true
				called = called || c.PhoneNumberID == m.PhoneNumberID
			case c.Direction == "incoming" && c.Participants[0] == caller && c.AnsweredAt != nil:
				returned = true
			}
		}
		if called {
			back++
		}
		if !returned {
			open++
		}
	}
	return back, open
}

// TestDemoRecentCallbacks: whatever the clock, the last 24 hours hold
// misses called back and misses nobody returned, for a missed-call
// worklist to show both.
func TestDemoRecentCallbacks(t *testing.T) {
	t.Parallel()
	nows := slices.Clone(callbackNows)
	// Two weeks at an odd step, to see every hour of the day and every
	// weekday.
	for start, k := time.Date(2026, 11, 20, 0, 0, 0, 0, demoZone), 0; k < 48; k++ {
		nows = append(nows, start.Add(time.Duration(k)*(7*time.Hour+13*time.Minute)))
	}
	for _, now := range nows {
		t.Run(now.In(demoZone).Format("Mon 2006-01-02 15:04"), func(t *testing.T) {
			t.Parallel()
			ws := Demo(now)
			back, open := recentMisses(ws, now)
			if back < 2 || open < 2 {
				t.Errorf("%v: in the last 24 hours, %d misses called back and %d not returned, want 2 and 2", now, back, open)
			}
		})
	}
}

// TestDemoCallbackContent: answered callbacks have content like other
// answered calls, starting with the callback; none of it is drawn from the
// history's stream (demoCallbacks checks that the history is unchanged).
func TestDemoCallbackContent(t *testing.T) {
	t.Parallel()
	ws, callbacks := demoCallbacks(t, testNow)
	summaries, transcripts := 0, 0
	for _, c := range callbacks {
		s, sok := ws.Summaries[c.ID]
		tr, tok := ws.Transcripts[c.ID]
		if c.Status != "completed" {
			if sok || tok || len(ws.Recordings[c.ID]) > 0 {
				t.Errorf("unanswered callback %s has content", c.ID)
			}
			continue
		}
		if sok && s.Status == client.StatusCompleted {
			summaries++
			if first := s.Summary[0]; !strings.Contains(first, " returned ") ||
				!(strings.HasSuffix(first, "'s missed call.") || strings.HasSuffix(first, "'s voicemail.")) {
				t.Errorf("callback %s: summary starts %q", c.ID, first)
			}
		}
		if tok && tr.Status == client.StatusCompleted {
			transcripts++
			if d := tr.Dialogue; len(d) < 2 || *d[0].Identifier != c.Participants[0] ||
				!strings.HasSuffix(d[0].Content, "returning your call.") {
				t.Errorf("callback %s: transcript %+v", c.ID, d)
			}
		}
	}
	if summaries < len(callbacks)/2 || transcripts < len(callbacks)/2 {
		t.Errorf("%d callbacks: %d summaries, %d transcripts", len(callbacks), summaries, transcripts)
	}
}

// TestDemoThinDay: when the history's last 24 hours hold too few misses
// for both kinds, the demo adds missed calls there.
func TestDemoThinDay(t *testing.T) {
	t.Parallel()
	g := newDemo(thinDay)
	g.history()
	if back, open := recentMisses(g.ws, thinDay); back >= 2 && open >= 2 {
		t.Fatalf("the history alone has %d misses called back and %d open in the last 24 hours: pick another clock", back, open)
	}
	ws, callbacks := demoCallbacks(t, thinDay)
	if added := len(ws.Calls) - len(g.ws.Calls) - len(callbacks); added == 0 {
		t.Errorf("no miss added")
	}
	if back, open := recentMisses(ws, thinDay); back < 2 || open < 2 {
		t.Errorf("%d misses called back and %d open in the last 24 hours", back, open)
	}
}
