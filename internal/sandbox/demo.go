package sandbox

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// The demo workspace's three OpenPhone numbers (fictional 555-01xx numbers).
const (
	DemoSalesID       = "PNsa7Lq0Xe"
	DemoSalesNumber   = "+14155550100"
	DemoSupportID     = "PNsu3Mw9Rt"
	DemoSupportNumber = "+14155550101"
	DemoMainID        = "PNma1Zp4Kc"
	DemoMainNumber    = "+14155550102"
	// DemoOwnerID is the workspace owner, a user of every number.
	DemoOwnerID = "USaR7vQ2Lm"

	demoForward = "+14155550199" // the on-call cell calls are forwarded to
	demoDays    = 90
)

// demoZone is the business's "local-ish" time: business hours are 9:00 to
// 18:00 on weekdays in this zone.
var demoZone = time.FixedZone("UTC-7", -7*60*60)

type demoUser struct{ id, first, last, role string }

var demoUsers = []demoUser{
	{DemoOwnerID, "Alex", "Rivera", "owner"},
	{"USjL4kW9Pz", "Jordan", "Lee", "admin"},
	{"USsP2nX8Hd", "Sam", "Patel", "member"},
	{"USmG6tB3Yc", "Maria", "Garcia", "member"},
	{"UScN9rF5Jw", "Chris", "Nguyen", "member"},
	{"UStB1hK7Qs", "Taylor", "Brooks", "member"},
}

type demoLine struct {
	id, name, number, formatted, symbol, group string
	users                                      []int // indexes into demoUsers; the first one is the default userId
	topics                                     []int // indexes into topics
	weight                                     float64
}

var demoLines = []demoLine{
	{DemoSalesID, "Sales", DemoSalesNumber, "(415) 555-0100", "💼", "GRs4L3sQ1", []int{1, 2, 5, 0}, nil, 0.36},
	{DemoSupportID, "Support", DemoSupportNumber, "(415) 555-0101", "🛠️", "GRsUpp0R2", []int{3, 4, 0}, nil, 0.36},
	{DemoMainID, "Main line", DemoMainNumber, "(415) 555-0102", "🏢", "GRm41nLn3", []int{0, 1, 2, 3, 4, 5}, nil, 0.28},
}

func init() {
	for l := range demoLines {
		code := "SUM"[l]
		for i, t := range topics {
			for j := 0; j < len(t.numbers); j++ {
				if t.numbers[j] == code {
					demoLines[l].topics = append(demoLines[l].topics, i)
				}
			}
		}
	}
}

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

type demoGen struct {
	now      time.Time
	r        *rand.Rand
	ws       *Workspace
	contacts []demoContact
	convs    []demoConv
	cum      []float64 // cumulative call weights of convs
	buf      []byte
	v        [26]string
}

// Demo returns the deterministic demo workspace of a small business,
// "Bayview Supply Co.", with timestamps relative to now:
//
//   - 3 numbers (Sales +14155550100, Support +14155550101, Main line
//     +14155550102) and 6 users (alex.rivera@example.com, the owner, ...);
//   - 154 conversations: 150 one-to-one (about 35 unnamed, 10 contacts on
//     two numbers, 3 never used), 4 group conversations whose last activity
//     is a message;
//   - about 3,000 calls over the 90 days before now, weekday business hours
//     (9:00-18:00 at UTC-7) mostly, fewer at weekends and nights: answered,
//     missed, voicemails (missed with a recording), no-answer, busy,
//     canceled, failed, forwarded, abandoned in the phone menu, handled by
//     the AI agent, one in progress; at least five (usually many more) in
//     the 24 hours before now, whatever now is;
//   - summaries (some with a lead-qualification AI job) and transcripts
//     for about 2,200 calls, a few failed, in progress or absent, and
//     recordings (audio/mpeg, oldest first, some calls with two).
//
// Everything but the timestamps is the same on every run, and the contacts
// and conversations (ids, participants, names) are the same whatever now
// is. It takes about 20 ms.
func Demo(now time.Time) *Workspace {
	now = now.UTC().Truncate(time.Millisecond)
	g := &demoGen{
		now: now,
		ws: &Workspace{
			Calls:       make([]client.Call, 0, 3300),
			Summaries:   make(map[string]client.CallSummary, 2600),
			Transcripts: make(map[string]client.CallTranscript, 2600),
			Recordings:  make(map[string][]client.CallRecording, 2600),
		},
	}
	g.phoneNumbers()
	// The contacts and conversations come from their own stream so they are
	// the same whatever now is.
	g.r = rand.New(rand.NewPCG(0x6f70656e70686f6e, 0x652d73616e64626f))
	g.people()
	g.r = rand.New(rand.NewPCG(0x63616c6c732d3930, 0x646179732d6f6b21))
	g.history()
	g.conversations()
	return g.ws
}

func (g *demoGen) phoneNumbers() {
	created := fmtTime(g.now.AddDate(-1, -2, 0).Truncate(time.Hour))
	restrictions := []byte(`{"messaging":{"CA":"unrestricted","US":"unrestricted","Intl":"restricted"},"calling":{"CA":"unrestricted","US":"unrestricted","Intl":"restricted"}}`)
	for _, l := range demoLines {
		n := client.PhoneNumber{
			ID: l.id, GroupID: l.group, CreatedAt: created, UpdatedAt: created, Name: l.name,
			Number: l.number, FormattedNumber: ptr(l.formatted), Symbol: ptr(l.symbol),
			Restrictions: append([]byte(nil), restrictions...),
		}
		for _, ui := range l.users {
			u := demoUsers[ui]
			n.Users = append(n.Users, client.PhoneNumberUser{
				ID: u.id, Email: lower(u.first) + "." + lower(u.last) + "@example.com",
				FirstName: ptr(u.first), LastName: ptr(u.last), GroupID: l.group, Role: u.role,
			})
		}
		g.ws.PhoneNumbers = append(g.ws.PhoneNumbers, n)
	}
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

func (g *demoGen) pickConv() int {
	x := g.r.Float64() * g.cum[len(g.cum)-1]
	i := sort.SearchFloat64s(g.cum, x)
	for i < len(g.cum)-1 && g.cum[i] <= x {
		i++
	}
	return i
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
	idx := len(g.ws.Calls)
	g.ws.Calls = append(g.ws.Calls, c)
	if n := dc.newest; n < 0 || at.After(g.ws.Calls[n].CreatedAt) ||
		(at.Equal(g.ws.Calls[n].CreatedAt) && c.ID > g.ws.Calls[n].ID) {
		dc.newest = idx
	}
	if dc.oldest.IsZero() || at.Before(dc.oldest) {
		dc.oldest = at
	}

	switch out {
	case outCompleted, outAI, outVoicemail, outInProgress:
	default:
		return
	}
	g.content(&c, out, line, user, contact, end, talk)
}

// content adds the summary, transcript and recordings of a call.
func (g *demoGen) content(c *client.Call, out int, line *demoLine, user demoUser, contact *demoContact, end time.Time, talk int) {
	r := g.r
	// Recordings.
	if out == outInProgress {
		g.ws.Recordings[c.ID] = []client.CallRecording{{
			ID: alnumID(r, "CR", 8), StartTime: ptr(*c.AnsweredAt), Status: ptr("in-progress"), Type: ptr("audio/mpeg"),
		}}
		g.ws.Summaries[c.ID] = client.CallSummary{CallID: c.ID, Status: client.StatusInProgress}
		g.ws.Transcripts[c.ID] = client.CallTranscript{CallID: c.ID, CreatedAt: c.CreatedAt, Status: client.StatusInProgress}
		return
	}
	rec := func(start time.Time, secs int, kind string) client.CallRecording {
		id := alnumID(r, "CR", 8)
		return client.CallRecording{
			ID: id, Duration: ptr(secs), StartTime: ptr(start), Status: ptr("completed"),
			Type: ptr("audio/mpeg"), URL: ptr("https://example.com/openphone-demo/" + kind + "/" + id + ".mp3"),
		}
	}
	talkStart := end.Add(-sec(talk))
	switch {
	case out == outVoicemail:
		g.ws.Recordings[c.ID] = []client.CallRecording{rec(talkStart, talk, "voicemails")}
	case talk > 900 && r.Float64() < 0.5:
		first := talk/3 + r.IntN(talk/3)
		pause := 10 + r.IntN(30)
		g.ws.Recordings[c.ID] = []client.CallRecording{
			rec(talkStart, first, "calls"),
			rec(talkStart.Add(sec(first+pause)), talk-first-pause, "calls"),
		}
	case r.Float64() < 0.92:
		g.ws.Recordings[c.ID] = []client.CallRecording{rec(talkStart, talk, "calls")}
	}

	// Template variables.
	t := &topics[line.topics[r.IntN(len(line.topics))]]
	v := &g.v
	v['A'-'A'] = user.first
	if out == outAI {
		v['A'-'A'] = "the assistant"
	}
	v['C'-'A'] = contact.first
	v['K'-'A'] = demoCompany
	v['D'-'A'] = weekdays[r.IntN(len(weekdays))]
	v['T'-'A'] = slots[r.IntN(len(slots))]
	past := c.CreatedAt.Add(-time.Duration(3+r.IntN(40)) * 24 * time.Hour).In(demoZone)
	v['E'-'A'] = months[past.Month()-1] + " " + strconv.Itoa(past.Day())
	v['O'-'A'] = "#" + strconv.Itoa(40000+r.IntN(9999))
	v['M'-'A'] = "$" + strconv.Itoa(49+r.IntN(900)) + "." + []string{"00", "50", "99"}[r.IntN(3)]
	v['P'-'A'] = products[r.IntN(len(products))]
	v['N'-'A'] = "T-" + strconv.Itoa(1000+r.IntN(9000))

	// The AI content of calls that ended in the last ten minutes is still
	// being made.
	ready := end.Add(30 * time.Second)
	pending := end.Add(10 * time.Minute).After(g.now)

	// Summary.
	sum := client.CallSummary{CallID: c.ID, Status: client.StatusCompleted}
	switch x := r.Float64(); {
	case pending:
		sum.Status = client.StatusInProgress
	case x < 0.05:
		sum.Status = "" // absent: not in the map
	case x < 0.07:
		sum.Status = client.StatusFailed
	default:
		if out == outVoicemail {
			sum.Summary = []string{g.fill(contact.first + " left a voicemail about " + t.name + ".")}
			sum.NextSteps = []string{g.fill("Call {C} back about " + t.name + ".")}
			break
		}
		if out == outAI {
			if afterHours(c.CreatedAt) {
				sum.Summary = append(sum.Summary, "The AI agent answered this after-hours call.")
			} else {
				sum.Summary = append(sum.Summary, "The AI agent answered while the team was busy.")
			}
		}
		for _, s := range t.summary {
			sum.Summary = append(sum.Summary, g.fill(s))
		}
		for _, s := range t.next[:1+r.IntN(len(t.next))] {
			sum.NextSteps = append(sum.NextSteps, g.fill(s))
		}
		if line.id == DemoSalesID && out == outCompleted && r.Float64() < 0.5 {
			sum.Jobs = []client.AIJob{leadJob(r, v['M'-'A'])}
		}
	}
	if sum.Status != "" {
		g.ws.Summaries[c.ID] = sum
	}

	// Transcript.
	tr := client.CallTranscript{CallID: c.ID, CreatedAt: ready, Duration: float64(talk), Status: client.StatusCompleted}
	switch x := r.Float64(); {
	case pending:
		tr.Status = client.StatusInProgress
	case x < 0.05:
		return // absent
	case x < 0.07:
		tr.Status = client.StatusFailed
	default:
		var lines []string
		switch out {
		case outVoicemail:
			lines = []string{t.voiceMsg}
			if r.Float64() < 0.2 {
				lines = []string{voicemailGeneric[r.IntN(len(voicemailGeneric))]}
			}
		case outAI:
			lines = make([]string, 0, len(t.body)+3)
			lines = append(lines, openAI)
			lines = append(lines, t.body[0], t.aiClose, closeAI)
		default:
			lines = make([]string, 0, len(t.body)+2)
			if c.Direction == "incoming" {
				lines = append(lines, openIn)
			} else {
				lines = append(lines, openOut1, openOut2)
			}
			lines = append(lines, t.body...)
		}
		own, other := ptr(line.number), ptr(contact.number)
		var uid *string
		if out != outAI {
			uid = ptr(user.id)
		}
		seg := float64(talk) / float64(len(lines))
		tr.Dialogue = make([]client.DialogueLine, len(lines))
		for i, l := range lines {
			start := float64(i)*seg + seg*0.1*r.Float64()
			dl := client.DialogueLine{
				Content: g.fill(l[1:]),
				Start:   round2(start),
				End:     round2(start + seg*(0.65+0.25*r.Float64())),
			}
			if l[0] == 'A' {
				dl.Identifier, dl.UserID = own, uid
			} else {
				dl.Identifier = other
			}
			tr.Dialogue[i] = dl
		}
	}
	g.ws.Transcripts[c.ID] = tr
}

// leadJob is the result of a "Lead qualification" AI job, as on sales calls.
func leadJob(r *rand.Rand, budget string) client.AIJob {
	job := client.AIJob{Icon: "🎯", Name: "Lead qualification"}
	d := &job.Result.Data
	add := func(name, value string) {
		*d = append(*d, struct {
			Name  string          `json:"name"`
			Value json.RawMessage `json:"value"`
		}{name, json.RawMessage(value)})
	}
	add("budget", strconv.Quote(budget))
	add("seats", strconv.Itoa(2+r.IntN(30)))
	add("qualified", strconv.FormatBool(r.Float64() < 0.6))
	return job
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

// fill replaces the {X} placeholders of tmpl with g.v.
func (g *demoGen) fill(tmpl string) string {
	b := g.buf[:0]
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if ch == '{' && i+2 < len(tmpl) && tmpl[i+2] == '}' && tmpl[i+1] >= 'A' && tmpl[i+1] <= 'Z' {
			b = append(b, g.v[tmpl[i+1]-'A']...)
			i += 2
			continue
		}
		b = append(b, ch)
	}
	g.buf = b
	return string(b)
}

const (
	hexDigits   = "0123456789abcdef"
	alnumDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// hexID is prefix plus 32 hex digits, like the API's AC… and CN… ids.
func hexID(r *rand.Rand, prefix string) string {
	b := make([]byte, len(prefix)+32)
	copy(b, prefix)
	x, y := r.Uint64(), r.Uint64()
	for i := 0; i < 16; i++ {
		b[len(prefix)+i] = hexDigits[(x>>(60-4*i))&0xf]
		b[len(prefix)+16+i] = hexDigits[(y>>(60-4*i))&0xf]
	}
	return string(b)
}

// alnumID is prefix plus n letters and digits, like CRwRVK2qBq.
func alnumID(r *rand.Rand, prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		b[i] = alnumDigits[r.IntN(len(alnumDigits))]
	}
	return string(b)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func ptr[T any](v T) *T { return &v }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
