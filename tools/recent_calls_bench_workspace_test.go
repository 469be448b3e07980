package tools

// The workspace of BenchmarkRecentCallsSurfaces (issue 11): 400 calls a
// day on average over three numbers and 300 contacts, deterministic.
//
//   - Three OpenPhone numbers (Sales, Support, Main line) shared by six
//     users; each contact has a home number (Sales 45%, Support 35%, Main
//     20%) and reaches another one on 15% of its calls.
//   - 300 contacts, 70% of them with a name, picked with a skew (the
//     busiest contact has about 55 times the calls of the quietest).
//   - 28 days of history up to rcbNow: about 450 calls a weekday and 275 a
//     weekend day (2,800 a week), 90% in business hours at UTC-5 on
//     weekdays, 35% at weekends.
//   - 65% incoming; incoming calls are completed, missed (40% of them with
//     a voicemail), no-answer, abandoned or forwarded; outgoing ones
//     completed, no-answer, busy or canceled.
//   - 2% of calls are group calls (the Quo number and two contacts of one
//     of 12 fixed groups): in Workspace.DatedCalls, so only the dated
//     surface lists them; v1 sees their group conversations.
//   - One conversation per (number, contact) that ever called, its last
//     activity its newest call, or on one in five a later message.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// rcbNow is the benchmark's clock: a Friday afternoon, so the last day is
// two weekdays' business hours.
var rcbNow = time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)

const (
	rcbContacts = 300
	rcbDays     = 28
	rcbGroups   = 12
)

var rcbZone = time.FixedZone("UTC-5", -5*3600)

// rcbWorkspace is the generated workspace.
type rcbWorkspace struct {
	ws *sandbox.Workspace
}

// inWindow returns the ids of the calls of [after, before): the 1:1 calls
// (what v1 can list) and the group calls (the dated surface only).
func (w *rcbWorkspace) inWindow(after, before time.Time) (oneToOne, group []string) {
	for _, c := range w.ws.Calls {
		if !c.CreatedAt.Before(after) && c.CreatedAt.Before(before) {
			oneToOne = append(oneToOne, c.ID)
		}
	}
	for _, c := range w.ws.DatedCalls {
		if !c.CreatedAt.Before(after) && c.CreatedAt.Before(before) {
			group = append(group, c.ID)
		}
	}
	return oneToOne, group
}

func newRCBWorkspace() *rcbWorkspace {
	r := rand.New(rand.NewPCG(11, 400))
	ws := &sandbox.Workspace{Voicemails: map[string]client.Voicemail{}}
	users := []string{"USrcb00001", "USrcb00002", "USrcb00003", "USrcb00004", "USrcb00005", "USrcb00006"}
	for i, id := range users {
		first := []string{"Jordan", "Alex", "Sam", "Priya", "Diego", "Mei"}[i]
		ws.Users = append(ws.Users, client.User{ID: id, Email: fmt.Sprintf("user%d@example.com", i+1), FirstName: ptr(first), Role: "member"})
	}
	pu := func(ids ...int) []client.PhoneNumberUser {
		out := make([]client.PhoneNumberUser, len(ids))
		for i, k := range ids {
			out[i] = client.PhoneNumberUser{ID: users[k], Email: fmt.Sprintf("user%d@example.com", k+1), FirstName: ws.Users[k].FirstName, Role: "member"}
		}
		return out
	}
	ws.PhoneNumbers = []client.PhoneNumber{
		{ID: "PNrcbsales1", Name: "Sales", Number: "+14155550170", Users: pu(0, 1, 2)},
		{ID: "PNrcbsupp01", Name: "Support", Number: "+14155550171", Users: pu(2, 3, 4)},
		{ID: "PNrcbmain01", Name: "Main line", Number: "+14155550172", Users: pu(0, 5)},
	}

	// Contacts: a number, a name for most, a home line, a weight.
	type contact struct {
		number, name string
		home         int
	}
	contacts := make([]contact, rcbContacts)
	cum := make([]float64, rcbContacts)
	total := 0.0
	for i := range contacts {
		c := contact{number: fmt.Sprintf("+1646555%04d", 1000+i)}
		if r.Float64() < 0.7 {
			c.name = fmt.Sprintf("Contact %03d", i)
		}
		switch x := r.Float64(); {
		case x < 0.45:
			c.home = 0
		case x < 0.80:
			c.home = 1
		default:
			c.home = 2
		}
		contacts[i] = c
		total += 1 / math.Pow(float64(i)+8, 1.1)
		cum[i] = total
	}
	pick := func() int {
		x := r.Float64() * total
		lo, hi := 0, len(cum)-1
		for lo < hi {
			if m := (lo + hi) / 2; cum[m] < x {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return lo
	}

	type convKey struct {
		line    int
		contact int
	}
	newest := map[convKey]time.Time{}
	var order []convKey
	groupNewest := make([]time.Time, rcbGroups)
	n := 0
	at := func(day time.Time, weekend bool) time.Time {
		h := 8 + r.IntN(10) // business hours, 8:00-18:00
		if p := r.Float64(); (weekend && p >= 0.35) || (!weekend && p >= 0.9) {
			h = []int{6, 7, 18, 19, 20, 21, 22}[r.IntN(7)]
		}
		return day.Add(time.Duration(h)*time.Hour + time.Duration(r.Int64N(int64(time.Hour)))).Truncate(time.Millisecond).UTC()
	}
	local := rcbNow.In(rcbZone)
	for d := rcbDays; d >= 0; d-- {
		day := time.Date(local.Year(), local.Month(), local.Day()-d, 0, 0, 0, 0, rcbZone)
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		calls := 440 + r.IntN(21)
		if weekend {
			calls = 265 + r.IntN(21)
		}
		for k := 0; k < calls; k++ {
			t := at(day, weekend)
			if !t.Before(rcbNow) {
				continue
			}
			n++
			id := fmt.Sprintf("ACrcb%027d", n)
			ci := pick()
			line := contacts[ci].home
			if r.Float64() < 0.15 {
				line = (line + 1 + r.IntN(2)) % 3
			}
			pn := &ws.PhoneNumbers[line]
			user := pn.Users[r.IntN(len(pn.Users))].ID
			dir, status, dur := rcbOutcome(r)
			if r.Float64() < 0.02 {
				g := r.IntN(rcbGroups)
				a, b := contacts[(g*7)%rcbContacts].number, contacts[(g*7+3)%rcbContacts].number
				ws.DatedCalls = append(ws.DatedCalls, client.DatedCall{
					ID: id, PhoneNumberID: ptr(pn.ID), ActorID: user, Direction: "outgoing", Status: "completed", Duration: 300 + r.IntN(1500),
					CreatedAt: t, InitiatedBy: ptr(user),
					Participants: []client.CallParticipant{{PhoneNumber: pn.Number, ActorID: ptr(user)}, {PhoneNumber: a}, {PhoneNumber: b}},
				})
				groupNewest[g] = maxTime(groupNewest[g], t)
				continue
			}
			c := client.Call{ID: id, PhoneNumberID: pn.ID, UserID: user, Direction: dir, Status: status, Duration: dur, CreatedAt: t}
			if dir == "incoming" {
				c.Participants = []string{contacts[ci].number, pn.Number}
			} else {
				c.Participants = []string{pn.Number, contacts[ci].number}
				c.InitiatedBy = ptr(user)
			}
			if status == "completed" {
				c.AnsweredAt, c.CompletedAt = ptr(t.Add(4*time.Second)), ptr(t.Add(time.Duration(dur+4)*time.Second))
				if dir == "incoming" {
					c.AnsweredBy = ptr(user)
				}
			}
			if status == "missed" && r.Float64() < 0.4 {
				d := float64(5 + r.IntN(80))
				ws.Voicemails[id] = client.Voicemail{ID: fmt.Sprintf("VMrcb%07d", n), Status: client.VoicemailCompleted, Duration: &d,
					Transcript: ptr("Hi, it's " + contacts[ci].number + ", please call me back about the order.")}
			}
			ws.Calls = append(ws.Calls, c)
			k := convKey{line, ci}
			if _, ok := newest[k]; !ok {
				order = append(order, k)
			}
			newest[k] = maxTime(newest[k], t)
		}
	}
	created := rcbNow.Add(-90 * 24 * time.Hour)
	for i, k := range order {
		last := newest[k]
		if i%5 == 0 { // a message after the last call
			if m := last.Add(time.Duration(1+r.IntN(7200)) * time.Second); m.Before(rcbNow) {
				last = m
			}
		}
		cv := client.Conversation{ID: fmt.Sprintf("CNrcb%05d", i), PhoneNumberID: ws.PhoneNumbers[k.line].ID,
			Participants: []string{contacts[k.contact].number}, LastActivityAt: ptr(last), CreatedAt: &created}
		if nm := contacts[k.contact].name; nm != "" {
			cv.Name = ptr(nm)
		}
		ws.Conversations = append(ws.Conversations, cv)
	}
	for g, last := range groupNewest {
		if last.IsZero() {
			continue
		}
		ws.Conversations = append(ws.Conversations, client.Conversation{ID: fmt.Sprintf("CNrcbg%03d", g),
			PhoneNumberID: ws.PhoneNumbers[g%3].ID, Name: ptr(fmt.Sprintf("Group %d", g)), LastActivityAt: ptr(last), CreatedAt: &created,
			Participants: []string{contacts[(g*7)%rcbContacts].number, contacts[(g*7+3)%rcbContacts].number}})
	}
	return &rcbWorkspace{ws: ws}
}

// rcbOutcome is a call's direction, status and duration.
func rcbOutcome(r *rand.Rand) (dir, status string, dur int) {
	x := r.Float64()
	if r.Float64() < 0.65 {
		dir = "incoming"
		switch {
		case x < 0.70:
			status = "completed"
		case x < 0.85:
			status = "missed"
		case x < 0.90:
			status = "no-answer"
		case x < 0.95:
			status = "abandoned"
		default:
			status = "forwarded"
		}
	} else {
		dir = "outgoing"
		switch {
		case x < 0.75:
			status = "completed"
		case x < 0.90:
			status = "no-answer"
		case x < 0.95:
			status = "busy"
		default:
			status = "canceled"
		}
	}
	if status == "completed" {
		dur = 20 + int(r.ExpFloat64()*240)
	}
	return dir, status, dur
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
