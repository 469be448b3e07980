package sandbox

// Demo and its generator, and the fixed part of the demo workspace: its
// numbers, users and time zone. The other demo_*.go files hold the
// generator's steps, in the order Demo runs them: people, calls (with their
// content), callbacks, conversations, then the dated-only data.

import (
	"math/rand/v2"
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

// demoGen is the state of one Demo call.
type demoGen struct {
	now      time.Time
	r        *rand.Rand
	ws       *Workspace
	contacts []demoContact
	convs    []demoConv
	cum      []float64 // cumulative call weights of convs
	buf      []byte
	vars     templateVars
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
//   - about 280 callbacks (demo_callbacks.go): about 55% of the incoming
//     calls missed (voicemails too) or abandoned are called back from the
//     same line, to the same number, by one of its users, 4 minutes to 3
//     hours later in business hours, or the next weekday morning
//     (9:00-11:00) for a miss after hours; about 75% of them are answered.
//     Whatever now is, the last 24 hours hold at least two misses called
//     back and two that nothing returned (no later outgoing call to the
//     caller, no later answered call from them): for that a user on call
//     may return a miss at once, 4 to 40 minutes later, after hours too,
//     and on a quiet day a missed call or two more is added
//     (demo_recent.go). The callbacks and those misses come from their own
//     random streams, so every other call is the same as without them;
//   - summaries (some with a lead-qualification AI job) and transcripts
//     for about 2,400 calls, a few failed, in progress or absent, and
//     recordings (audio/mpeg, oldest first, some calls with two);
//   - for the dated surface only (demo_dated.go; v1 answers do not change):
//     the 6 users, a voicemail (with its transcript) on every voicemail
//     call, 6 group calls of 3 or 4 parties on the group conversations
//     (one with two users on the same number, one missed), and 6 calls the
//     AI agent (DemoAIAgentID, SYU…) took alone, one in the last 24 hours.
//
// Everything but the timestamps is the same on every run, and the contacts
// and conversations (ids, participants, names) are the same whatever now
// is. It takes about 20 ms.
func Demo(now time.Time) *Workspace {
	g := newDemo(now)
	g.history()
	g.callbacks()
	g.conversations()
	g.datedData()
	return g.ws
}

// newDemo is the generator of Demo(now) with the numbers and people made,
// its stream set for the history.
func newDemo(now time.Time) *demoGen {
	now = now.UTC().Truncate(time.Millisecond)
	g := &demoGen{
		now: now,
		ws: &Workspace{
			Calls:       make([]client.Call, 0, 3600),
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
	return g
}

// phoneNumbers makes the three numbers and their users.
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
