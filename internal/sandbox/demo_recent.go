package sandbox

// The last 24 hours of the demo's callbacks: whatever now is, they hold
// misses called back and misses nothing returned, for a missed-call
// worklist to show both.

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// keepRecent makes sure that the last 24 hours hold at least two misses
// called back (by a later outgoing call from the same line to the same
// number) and two that nothing returned (no later outgoing call to the
// number from any line, no later answered call from it). When too few were
// called back, the on-call user returns the misses that can be, 4 to 40
// minutes after them, after hours too; when too few are left open, the
// newest ones returned only by a callback lose it. It returns the plans
// kept, and whether both counts are reached.
func (g *demoGen) keepRecent(misses []int, draws map[int]missDraw, convOf map[[2]string]int, plans []callbackPlan) ([]callbackPlan, bool) {
	calls := g.ws.Calls
	since := g.now.Add(-24 * time.Hour)
	var recent, later []int // the misses of the last 24 hours, oldest first; the calls that may follow them
	for _, i := range misses {
		if calls[i].CreatedAt.After(since) {
			recent = append(recent, i)
		}
	}
	slices.SortFunc(recent, func(i, j int) int {
		return cmp.Or(calls[i].CreatedAt.Compare(calls[j].CreatedAt), cmp.Compare(calls[i].ID, calls[j].ID))
	})
	for i := range calls {
		if calls[i].CreatedAt.After(since) {
			later = append(later, i)
		}
	}
	// What the history's own calls did: called back by chance, or returned
	// some way (from any line, or by a call of theirs that was answered).
	chanceBack, chanceReturned := map[int]bool{}, map[int]bool{}
	for _, i := range recent {
		m := &calls[i]
		for _, j := range later {
			c := &calls[j]
			switch {
			case !c.CreatedAt.After(m.CreatedAt):
			case c.Direction == "outgoing" && c.Participants[1] == m.Participants[0]:
				chanceReturned[i] = true
				chanceBack[i] = chanceBack[i] || c.PhoneNumberID == m.PhoneNumberID
			case c.Direction == "incoming" && c.Participants[0] == m.Participants[0] && c.AnsweredAt != nil:
				chanceReturned[i] = true
			}
		}
	}
	// returning lists the plans that return miss i; sameLine only those
	// from its line.
	returning := func(i int, sameLine bool) []int {
		m := &calls[i]
		var out []int
		for k, p := range plans {
			dc := &g.convs[p.conv]
			if p.at.After(m.CreatedAt) && g.contacts[dc.contact].number == m.Participants[0] &&
				(!sameLine || demoLines[dc.line].id == m.PhoneNumberID) {
				out = append(out, k)
			}
		}
		return out
	}
	back := func(i int) bool { return chanceBack[i] || len(returning(i, true)) > 0 }
	open := func(i int) bool { return !chanceReturned[i] && len(returning(i, false)) == 0 }
	count := func(f func(int) bool) int {
		n := 0
		for _, i := range recent {
			if f(i) {
				n++
			}
		}
		return n
	}
	// Called back first: those returned some other way already, then
	// those the stream meant to call back, then the others, oldest first.
	candidates := slices.Clone(recent)
	rank := func(i int) int {
		switch {
		case chanceReturned[i]:
			return 0
		case draws[i].back:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(candidates, func(a, b int) int { return cmp.Compare(rank(a), rank(b)) })

	for round := 0; round < 3 && (count(back) < 2 || count(open) < 2); round++ {
		// Too few called back: the on-call user returns candidates, not
		// the last two open ones.
		for _, i := range candidates {
			if count(back) >= 2 {
				break
			}
			if !back(i) && (count(open) > 2 || !open(i)) {
				if p, ok := g.onCall(i, draws[i], convOf); ok {
					plans = append(plans, p)
				}
			}
		}
		// Too few left open: the newest that only callbacks returned lose
		// them (not an on-call one, which keeps the count above).
		for k := len(recent) - 1; k >= 0 && count(open) < 2; k-- {
			i := recent[k]
			if chanceReturned[i] || open(i) {
				continue
			}
			drop := returning(i, false)
			if slices.ContainsFunc(drop, func(j int) bool { return plans[j].onCall }) {
				continue
			}
			for n := len(drop) - 1; n >= 0; n-- {
				plans = slices.Delete(plans, drop[n], drop[n]+1)
			}
		}
	}
	return plans, count(back) >= 2 && count(open) >= 2
}

// onCall plans the callback of miss i that the on-call user makes at once,
// 4 to 40 minutes after it, with the talk cut to end before now; ok is
// false when there is no room for it before now.
func (g *demoGen) onCall(i int, d missDraw, convOf map[[2]string]int) (p callbackPlan, ok bool) {
	m := &g.ws.Calls[i]
	start := m.UpdatedAt.Add(4 * time.Minute)
	span := min(36*time.Minute, g.now.Sub(start)-sec(d.ring+20+90+30))
	if span < 0 {
		return p, false
	}
	p = callbackPlan{
		miss: i, conv: convOf[[2]string{m.PhoneNumberID, m.Participants[0]}], d: d, onCall: true,
		at: start.Add(time.Duration(d.frac * float64(span))).Truncate(time.Millisecond),
	}
	return p, g.fits(&p)
}

// extraMiss adds a missed call of the last 24 hours, drawn from r, and
// returns its index and its line. It leaves no voicemail: the dated surface's
// voicemails are drawn in call order from a stream of their own, which a
// new one would shift.
func (g *demoGen) extraMiss(r *rand.Rand) (int, *demoLine) {
	dc := &g.convs[g.pickConvFrom(r)]
	line := &demoLines[dc.line]
	at := g.now.Add(-45*time.Minute - time.Duration(r.Int64N(int64(19*time.Hour)))).Truncate(time.Millisecond)
	route := "phone-number"
	if line.id == DemoMainID && r.Float64() < 0.7 {
		route = "phone-menu"
	}
	c := client.Call{
		ID: hexID(r, "AC"), PhoneNumberID: line.id, UserID: demoUsers[line.users[0]].id, Direction: "incoming",
		Status: "missed", CallRoute: ptr(route), CreatedAt: at, UpdatedAt: ptr(at.Add(sec(3 + r.IntN(18)))),
		Participants: []string{g.contacts[dc.contact].number, line.number},
	}
	g.add(dc, c)
	return len(g.ws.Calls) - 1, line
}
