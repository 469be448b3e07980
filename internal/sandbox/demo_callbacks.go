package sandbox

// The demo's callbacks: the business calls back about 55% of its missed
// calls, from the line that missed them, minutes to hours later in business
// hours or the next weekday morning, and the last 24 hours always hold
// misses that were called back and misses that were not (demo_recent.go).
// The callbacks are made after the rest of the history, from their own
// random streams, so that they only add calls: every other call stays as
// it was.

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

const (
	callbackShare     = 0.55 // of the misses, called back
	callbackCompleted = 0.75 // of the callbacks, answered
	maxExtraMisses    = 6    // added for the last 24 hours' sake, at most
)

// missDraw is what the callback stream drew for one miss. Every miss draws
// the same values whether or not it is called back, so that one decision
// does not shift the next ones.
type missDraw struct {
	back, completed bool
	delay           time.Duration // after the miss, in business hours
	morning         time.Duration // after 9:00, the next weekday morning
	frac            float64       // where an on-call callback falls in its window
	user            int           // index into demoUsers, one of the line's users
	ring, talk      int           // seconds
}

// callbackPlan is a callback to make.
type callbackPlan struct {
	miss, conv int // the miss it returns (index into ws.Calls) and its conversation
	at         time.Time
	d          missDraw
	onCall     bool // placed at once, after hours too, for the last 24 hours' sake
}

// callbacks adds the callbacks of the misses: incoming calls missed (with
// or without a voicemail) or abandoned.
func (g *demoGen) callbacks() {
	r := rand.New(rand.NewPCG(0x63616c6c2d626163, 0x6b732d3535707421))
	convOf := make(map[[2]string]int, len(g.convs)) // phone number id, contact number
	for i, dc := range g.convs {
		if dc.contact >= 0 {
			convOf[[2]string{demoLines[dc.line].id, g.contacts[dc.contact].number}] = i
		}
	}
	var misses []int
	for i := range g.ws.Calls {
		if isMiss(&g.ws.Calls[i]) {
			misses = append(misses, i)
		}
	}
	slices.SortFunc(misses, func(i, j int) int {
		a, b := &g.ws.Calls[i], &g.ws.Calls[j]
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})

	var plans []callbackPlan
	draws := make(map[int]missDraw, len(misses))
	last := map[int]time.Time{} // conversation -> its latest callback
	for _, i := range misses {
		m := &g.ws.Calls[i]
		conv := convOf[[2]string{m.PhoneNumberID, m.Participants[0]}]
		d := drawMiss(r, &demoLines[g.convs[conv].line])
		draws[i] = d
		if !d.back || last[conv].After(m.CreatedAt) { // a callback to come returns this miss too
			continue
		}
		p := callbackPlan{miss: i, conv: conv, at: callbackTime(m.CreatedAt, d), d: d}
		if g.fits(&p) {
			plans = append(plans, p)
			last[conv] = p.at
		}
	}
	// The last 24 hours' guarantee, with a missed call or two more when
	// the history has too few there.
	xr := rand.New(rand.NewPCG(0x63616c6c2d626163, 0x6b2d657874726121))
	for extra := 0; ; extra++ {
		kept, ok := g.keepRecent(misses, draws, convOf, slices.Clone(plans))
		if ok || extra == maxExtraMisses {
			plans = kept
			break
		}
		i, line := g.extraMiss(xr)
		misses = append(misses, i)
		draws[i] = drawMiss(xr, line)
	}

	slices.SortFunc(plans, func(a, b callbackPlan) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.miss, b.miss))
	})
	cr := rand.New(rand.NewPCG(0x63616c6c2d626163, 0x6b2d636f6e74656e))
	for _, p := range plans {
		g.callBack(cr, p)
	}
}

// isMiss reports whether c is an incoming call nobody took: missed (which
// includes the voicemails) or abandoned.
func isMiss(c *client.Call) bool {
	return c.Direction == "incoming" && (c.Status == "missed" || c.Status == "abandoned")
}

// drawMiss draws the callback of a miss on line.
func drawMiss(r *rand.Rand, line *demoLine) missDraw {
	d := missDraw{back: r.Float64() < callbackShare, completed: r.Float64() < callbackCompleted}
	x := r.Float64() // most callbacks come within the hour, a few hours at most
	d.delay = 4*time.Minute + time.Duration(x*x*float64(176*time.Minute)).Truncate(time.Millisecond)
	d.morning = time.Duration(r.IntN(2*3600*1000)) * time.Millisecond
	d.frac = r.Float64()
	d.user = line.users[r.IntN(len(line.users))]
	d.ring = 3 + r.IntN(18)
	d.talk = int(math.Min(2400, math.Max(20, math.Exp(5.0+0.8*r.NormFloat64()))))
	return d
}

// callbackTime is when the callback of a miss made at missed comes: the
// drawn delay later when that is still business hours, else the next
// weekday morning between 9:00 and 11:00.
func callbackTime(missed time.Time, d missDraw) time.Time {
	if at := missed.Add(d.delay); !afterHours(missed) && !afterHours(at) {
		return at
	}
	lt := missed.In(demoZone)
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 9, 0, 0, 0, demoZone)
	if !lt.Before(day) {
		day = day.AddDate(0, 0, 1)
	}
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	return day.Add(d.morning).UTC()
}

// fits reports whether p's callback is over 30 seconds before now, as the
// history's calls are; like theirs, the talk of an answered callback of the
// last minutes is cut short.
func (g *demoGen) fits(p *callbackPlan) bool {
	ans := p.at.Add(sec(p.d.ring))
	end := ans
	if p.d.completed {
		if limit := int(g.now.Sub(ans)/time.Second) - 90; p.d.talk > limit && limit >= 20 {
			p.d.talk = limit
		}
		end = ans.Add(sec(p.d.talk))
	}
	return p.at.Before(g.now) && !end.After(g.now.Add(-30*time.Second))
}

// callBack adds the callback p, with the content of an answered one drawn
// from r (the history's own stream stays untouched).
func (g *demoGen) callBack(r *rand.Rand, p callbackPlan) {
	dc := &g.convs[p.conv]
	line := &demoLines[dc.line]
	contact := &g.contacts[dc.contact]
	user := demoUsers[p.d.user]
	c := client.Call{
		ID: hexID(r, "AC"), PhoneNumberID: line.id, UserID: user.id, Direction: "outgoing", Status: "no-answer",
		InitiatedBy: ptr(user.id), Participants: []string{line.number, contact.number}, CreatedAt: p.at,
	}
	end := p.at.Add(sec(p.d.ring))
	if p.d.completed {
		ans := end
		end = ans.Add(sec(p.d.talk))
		c.Status, c.AnsweredAt, c.CompletedAt, c.Duration = "completed", ptr(ans), ptr(end), p.d.talk
	}
	c.UpdatedAt = ptr(end)
	g.add(dc, c)
	if !p.d.completed {
		return
	}
	main := g.r
	g.r = r
	g.content(&c, outCompleted, line, user, contact, end, p.d.talk)
	g.r = main
	if s, ok := g.ws.Summaries[c.ID]; ok && s.Status == client.StatusCompleted {
		what := "missed call"
		if m := &g.ws.Calls[p.miss]; m.Status == "missed" && m.Duration > 0 {
			what = "voicemail"
		}
		s.Summary = append([]string{user.first + " returned " + contact.first + "'s " + what + "."}, s.Summary...)
		g.ws.Summaries[c.ID] = s
	}
}
