package sandbox

// The demo's call history: when calls happen (business hours at UTC-7,
// fewer at night and at weekends, always some in the last 24 hours), how
// each one ends, and the call records themselves.

import (
	"math"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// Outcomes of a demo call.
const (
	outCompleted = iota
	outAI
	outVoicemail
	outMissed
	outForwarded
	outAbandoned
	outNoAnswer
	outBusy
	outCanceled
	outFailed
	outInProgress
)

var outStatus = [...]string{
	outCompleted: "completed", outAI: "completed", outVoicemail: "missed", outMissed: "missed",
	outForwarded: "forwarded", outAbandoned: "abandoned", outNoAnswer: "no-answer", outBusy: "busy",
	outCanceled: "canceled", outFailed: "failed", outInProgress: "in-progress",
}

// afterHours reports whether t is outside weekday business hours.
func afterHours(t time.Time) bool {
	lt := t.In(demoZone)
	wd, h := lt.Weekday(), lt.Hour()
	return wd == time.Saturday || wd == time.Sunday || h < 9 || h >= 18
}

var (
	businessHours   = []int{9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 13, 13, 14, 14, 14, 15, 15, 15, 16, 16, 17}
	afterHoursHours = []int{6, 7, 7, 8, 8, 8, 18, 18, 18, 19, 19, 20, 20, 21, 22, 23, 2}
)

// history makes about 3,000 calls over the last 90 days.
func (g *demoGen) history() {
	r := g.r
	local := g.now.In(demoZone)
	for d := demoDays - 1; d >= 0; d-- {
		day := time.Date(local.Year(), local.Month(), local.Day()-d, 0, 0, 0, 0, demoZone)
		wd := day.Weekday()
		weekend := wd == time.Saturday || wd == time.Sunday
		n := 38 + r.IntN(14)
		if weekend {
			n = 2 + r.IntN(5)
		} else if wd == time.Monday {
			n += 4
		}
		for k := 0; k < n; k++ {
			var h int
			if (!weekend && r.Float64() < 0.94) || (weekend && r.Float64() < 0.35) {
				h = businessHours[r.IntN(len(businessHours))]
			} else {
				h = afterHoursHours[r.IntN(len(afterHoursHours))]
			}
			at := day.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(3600))*time.Second +
				time.Duration(r.IntN(1000))*time.Millisecond)
			conv := g.pickConv()
			if !at.Before(g.now) {
				continue
			}
			g.call(conv, at.UTC(), g.outcome(afterHours(at)))
		}
	}
	// Every call-bearing one-to-one conversation has at least one call.
	for i := 0; i < len(g.cum); i++ {
		if g.convs[i].newest < 0 && (i == 0 || g.cum[i] > g.cum[i-1]) {
			at := g.now.Add(-time.Duration(2+r.IntN(80)) * 24 * time.Hour).Truncate(time.Hour).
				Add(time.Duration(r.IntN(3600)) * time.Second)
			g.call(i, at, g.outcome(afterHours(at)))
		}
	}
	// The last 24 hours always hold a few calls, weekends and nights too:
	// after hours they go to voicemail or the AI agent.
	recent := []time.Duration{4 * time.Minute, 9 * time.Minute, 14 * time.Minute, 37 * time.Minute, 2*time.Hour + 12*time.Minute,
		4*time.Hour + 50*time.Minute, 8*time.Hour + 25*time.Minute, 13*time.Hour + 40*time.Minute,
		19*time.Hour + 5*time.Minute}
	for k, ago := range recent {
		at := g.now.Add(-ago - time.Duration(r.IntN(60))*time.Second)
		out := g.outcome(afterHours(at))
		switch {
		case k == 0:
			out = outInProgress
		case afterHours(at) && k%2 == 1:
			out = outVoicemail
		case afterHours(at):
			out = outAI
		}
		g.call(g.pickConv(), at, out)
	}
}

// outcome picks what happens on a call.
func (g *demoGen) outcome(after bool) int {
	x := g.r.Float64()
	if after {
		switch {
		case x < 0.45:
			return outVoicemail
		case x < 0.78:
			return outAI
		case x < 0.92:
			return outMissed
		}
		return outNoAnswer // an outgoing call after hours
	}
	if g.r.Float64() < 0.42 { // outgoing
		switch {
		case x < 0.68:
			return outCompleted
		case x < 0.86:
			return outNoAnswer
		case x < 0.92:
			return outBusy
		case x < 0.97:
			return outCanceled
		}
		return outFailed
	}
	switch {
	case x < 0.66:
		return outCompleted
	case x < 0.71:
		return outAI
	case x < 0.83:
		return outVoicemail
	case x < 0.90:
		return outMissed
	case x < 0.96:
		return outForwarded
	}
	return outAbandoned
}

func sec(n int) time.Duration { return time.Duration(n) * time.Second }

// call adds one call of conversation conv at time at, with its summary,
// transcript and recordings. Calls that would end after now are dropped.
func (g *demoGen) call(conv int, at time.Time, out int) {
	r := g.r
	dc := &g.convs[conv]
	line := &demoLines[dc.line]
	contact := &g.contacts[dc.contact]
	incoming := true
	switch out {
	case outNoAnswer, outBusy, outCanceled, outFailed:
		incoming = false
	case outCompleted:
		incoming = r.Float64() < 0.6
	}
	ui := line.users[0]
	if out != outAI && out != outMissed && out != outVoicemail && out != outAbandoned {
		ui = line.users[r.IntN(len(line.users))]
	}
	user := demoUsers[ui]
	c := client.Call{
		ID: hexID(r, "AC"), PhoneNumberID: line.id, UserID: user.id, Status: outStatus[out],
		Participants: []string{contact.number, line.number}, CreatedAt: at, // caller first
	}
	if incoming {
		c.Direction = "incoming"
		route := "phone-number"
		if line.id == DemoMainID && (out == outAbandoned || r.Float64() < 0.7) {
			route = "phone-menu"
		}
		c.CallRoute = ptr(route)
	} else {
		c.Direction = "outgoing"
		c.InitiatedBy = ptr(user.id)
		c.Participants[0], c.Participants[1] = line.number, contact.number
	}
	ring := 3 + r.IntN(18)
	var end time.Time
	talk := 0 // seconds of conversation, for transcripts
	switch out {
	case outCompleted, outAI:
		ans := at.Add(sec(ring))
		if out == outAI {
			ans = at.Add(sec(2))
			c.AIHandled = ptr("ai-agent")
			talk = 40 + r.IntN(200)
			if !afterHours(at) { // the team was busy: the user's line sent it on
				c.ForwardedFrom = ptr(user.id)
			}
		} else {
			talk = int(math.Min(2400, math.Max(20, math.Exp(5.0+0.8*r.NormFloat64()))))
			// Calls of the last minutes are short enough to have ended.
			if limit := int(g.now.Sub(ans)/time.Second) - 90; talk > limit && limit >= 20 {
				talk = limit
			}
			if incoming {
				c.AnsweredBy = ptr(user.id)
			}
		}
		end = ans.Add(sec(talk))
		c.AnsweredAt, c.CompletedAt, c.Duration = ptr(ans), ptr(end), talk
	case outVoicemail:
		talk = 15 + r.IntN(60)
		c.Duration = talk
		end = at.Add(sec(20 + ring + talk))
	case outForwarded:
		to := demoForward
		if r.Float64() < 0.5 {
			to = demoUsers[line.users[r.IntN(len(line.users))]].id
		}
		c.ForwardedTo = ptr(to)
		c.Duration = 30 + r.IntN(300)
		end = at.Add(sec(ring + c.Duration))
	case outAbandoned:
		c.Duration = 5 + r.IntN(30)
		end = at.Add(sec(c.Duration))
	case outInProgress:
		ans := at.Add(sec(ring))
		c.AnsweredAt = ptr(ans)
		if afterHours(at) {
			c.AIHandled = ptr("ai-agent")
		} else {
			c.AnsweredBy = ptr(user.id)
		}
		end = ans
	default: // missed, no-answer, busy, canceled, failed
		end = at.Add(sec(ring))
	}
	if out != outInProgress && end.After(g.now.Add(-30*time.Second)) {
		return // would still be going on
	}
	c.UpdatedAt = ptr(end)
	g.add(dc, c)

	switch out {
	case outCompleted, outAI, outVoicemail, outInProgress:
	default:
		return
	}
	g.content(&c, out, line, user, contact, end, talk)
}

// add appends c, a call of dc, and keeps dc's newest call and oldest time.
func (g *demoGen) add(dc *demoConv, c client.Call) {
	idx := len(g.ws.Calls)
	g.ws.Calls = append(g.ws.Calls, c)
	at := c.CreatedAt
	if n := dc.newest; n < 0 || at.After(g.ws.Calls[n].CreatedAt) ||
		(at.Equal(g.ws.Calls[n].CreatedAt) && c.ID > g.ws.Calls[n].ID) {
		dc.newest = idx
	}
	if dc.oldest.IsZero() || at.Before(dc.oldest) {
		dc.oldest = at
	}
}
