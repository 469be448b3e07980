package sandbox

// The demo's people: contacts, their one-to-one and group conversations,
// how often each conversation calls, and the conversations' dates once the
// calls are made. Only those dates depend on the clock.

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

type demoContact struct {
	number string
	name   *string // saved contact name; nil when unnamed
	first  string  // the name the caller gives on the phone
}

type demoConv struct {
	line    int
	contact int // -1 for a group conversation
	newest  int // index of its newest call, -1 for none
	oldest  time.Time
}

// people makes the contacts and their conversations (not yet dated).
func (g *demoGen) people() {
	r := g.r
	used := map[string]bool{DemoSalesNumber: true, DemoSupportNumber: true, DemoMainNumber: true, demoForward: true}
	newNumber := func() string {
		for {
			n := "+1" + areaCodes[r.IntN(len(areaCodes))] + "55501" + strconv.Itoa(10+r.IntN(90))
			if !used[n] {
				used[n] = true
				return n
			}
		}
	}
	const contacts = 140
	for i := 0; i < contacts+4; i++ {
		c := demoContact{number: newNumber(), first: firstNames[r.IntN(len(firstNames))]}
		switch x := r.Float64(); {
		case x < 0.58:
			c.name = ptr(c.first + " " + lastNames[r.IntN(len(lastNames))])
		case x < 0.72:
			c.name = ptr(businesses[r.IntN(len(businesses))] + " (" + c.first + ")")
		}
		g.contacts = append(g.contacts, c)
	}
	pickLine := func() int {
		x := r.Float64()
		for l, dl := range demoLines {
			if x < dl.weight {
				return l
			}
			x -= dl.weight
		}
		return len(demoLines) - 1
	}
	for i := 0; i < contacts; i++ {
		g.convs = append(g.convs, demoConv{line: pickLine(), contact: i, newest: -1})
	}
	// Ten contacts talk to a second number too.
	for i := 0; i < 10; i++ {
		c := i * 7
		l := (g.convs[c].line + 1 + r.IntN(2)) % len(demoLines)
		g.convs = append(g.convs, demoConv{line: l, contact: c, newest: -1})
	}
	// Call weights: a few regulars call a lot, most rarely; the last three
	// one-to-one conversations were created but never used.
	perm := r.Perm(len(g.convs))
	g.cum = make([]float64, len(g.convs))
	total := 0.0
	for i := range g.convs {
		if i < len(g.convs)-3 {
			total += 1 / math.Pow(float64(perm[i])+2, 0.9)
		}
		g.cum[i] = total
	}
	// Four group conversations: two or three other parties each.
	for k := 0; k < 4; k++ {
		g.convs = append(g.convs, demoConv{line: []int{2, 0, 2, 1}[k], contact: -1 - k, newest: -1})
	}
}

// pickConv picks the conversation of a new call by the call weights.
func (g *demoGen) pickConv() int { return g.pickConvFrom(g.r) }

// pickConvFrom is pickConv drawing from r.
func (g *demoGen) pickConvFrom(r *rand.Rand) int {
	x := r.Float64() * g.cum[len(g.cum)-1]
	i := sort.SearchFloat64s(g.cum, x)
	for i < len(g.cum)-1 && g.cum[i] <= x {
		i++
	}
	return i
}

// conversations dates the conversations from their calls.
func (g *demoGen) conversations() {
	r := rand.New(rand.NewPCG(0x636f6e7665727361, 0x74696f6e732d3130))
	for i := range g.convs {
		dc := &g.convs[i]
		line := &demoLines[dc.line]
		cv := client.Conversation{ID: hexID(r, "CN"), PhoneNumberID: line.id}
		if dc.contact >= 0 {
			ct := &g.contacts[dc.contact]
			cv.Participants = []string{ct.number}
			if ct.name != nil {
				cv.Name = ptr(*ct.name)
			}
		} else {
			k := -1 - dc.contact
			extra := &g.contacts[140+k]
			cv.Participants = []string{g.contacts[k*11+3].number, extra.number}
			if k%2 == 1 {
				cv.Participants = append(cv.Participants, g.contacts[k*13+5].number)
			}
			if k < len(groupNames) {
				cv.Name = ptr(groupNames[k])
			}
		}
		if r.Float64() < 0.15 {
			cv.AssignedTo = ptr(demoUsers[line.users[r.IntN(len(line.users))]].id)
		}
		switch {
		case dc.newest >= 0:
			last := &g.ws.Calls[dc.newest]
			created := dc.oldest.Add(-time.Duration(r.IntN(200*24)) * time.Hour).Add(-time.Duration(r.IntN(3600)) * time.Second)
			cv.CreatedAt = ptr(created)
			cv.LastActivityAt = ptr(last.CreatedAt)
			cv.LastActivityID = ptr(last.ID)
			cv.UpdatedAt = ptr(*last.UpdatedAt)
		case dc.contact < 0:
			// Group conversations only hold messages: the calls endpoint
			// takes a single participant. The last activity is a message.
			created := g.now.Add(-time.Duration(20*24+r.IntN(280*24)) * time.Hour)
			last := g.now.Add(-time.Duration(1+r.IntN(40*24)) * time.Hour).Add(-time.Duration(r.IntN(3600)) * time.Second)
			cv.CreatedAt, cv.LastActivityAt, cv.UpdatedAt = ptr(created), ptr(last), ptr(last)
			cv.LastActivityID = ptr(hexID(r, "AC"))
		default:
			created := g.now.Add(-time.Duration(10*24+r.IntN(70*24)) * time.Hour)
			cv.CreatedAt, cv.UpdatedAt = ptr(created), ptr(created)
		}
		if i%37 == 5 {
			cv.SnoozedUntil = ptr(g.now.Add(48 * time.Hour).Truncate(time.Hour))
		}
		if i%61 == 7 {
			cv.MutedUntil = ptr(g.now.Add(7 * 24 * time.Hour).Truncate(time.Hour))
		}
		g.ws.Conversations = append(g.ws.Conversations, cv)
	}
}
