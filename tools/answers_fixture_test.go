package tools

// The answers fixture: a generated workspace whose truth is known by
// construction, for call_stats and missed_calls. Every call is made with
// an outcome (answered by a user, placed by a user, missed, left a
// voicemail, taken by the AI agent, forwarded), so who it belongs to and
// what it counts as are decided here, not derived from the statuses the
// tools read.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

const (
	outAnswered = iota
	outPlaced
	outPlacedNoAnswer
	outMissed
	outVoicemail
	outNoAnswerIn
	outAbandoned
	outAI
	outForwarded
)

// fxCall is a generated call with what it is by construction.
type fxCall struct {
	call    client.Call
	outcome int
	owner   string // a user id or ownerAIAgent
}

func (c *fxCall) incoming() bool { return c.call.Direction == "incoming" }
func (c *fxCall) answered() bool { return c.outcome == outAnswered || c.outcome == outAI }
func (c *fxCall) missed() bool {
	return c.outcome == outMissed || c.outcome == outVoicemail || c.outcome == outNoAnswerIn || c.outcome == outAbandoned
}
func (c *fxCall) connected() bool { return c.answered() || c.outcome == outPlaced }

type answersFixture struct {
	ws    *sandbox.Workspace
	calls []fxCall
	names map[string]string // party -> contact name
}

// newAnswersFixture makes perDay calls a day (fewer at weekends) over the
// days from start, on two numbers, with 60 contacts.
func newAnswersFixture(seed uint64, start time.Time, days, perDay int) *answersFixture {
	r := rand.New(rand.NewPCG(seed, 11))
	f := &answersFixture{ws: &sandbox.Workspace{Voicemails: map[string]client.Voicemail{}}, names: map[string]string{}}
	f.ws.PhoneNumbers = fxNumbers()
	parties := make([]string, 60)
	for i := range parties {
		parties[i] = fmt.Sprintf("+1212555%04d", 2000+i)
		if i%3 != 0 {
			f.names[parties[i]] = fmt.Sprintf("Contact %02d", i)
		}
	}
	n := 0
	for d := 0; d < days; d++ {
		day := start.Add(time.Duration(d) * 24 * time.Hour)
		count := perDay
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			count = perDay / 8
		}
		for k := 0; k < count; k++ {
			n++
			at := day.Add(time.Duration(r.Int64N(int64(24 * time.Hour)))).Truncate(time.Millisecond)
			if k%17 == 3 {
				at = at.Truncate(time.Hour) // calls at the same instant
			}
			f.add(r, n, at, parties[r.IntN(len(parties))])
		}
	}
	f.conversations()
	return f
}

// add makes call n at at with party, of a random outcome.
func (f *answersFixture) add(r *rand.Rand, n int, at time.Time, party string) {
	num := f.ws.PhoneNumbers[0]
	if r.IntN(10) < 4 {
		num = f.ws.PhoneNumbers[1]
	}
	first := num.Users[0].ID
	user := num.Users[r.IntN(len(num.Users))].ID
	outcome := []int{outAnswered, outAnswered, outAnswered, outPlaced, outPlaced, outPlacedNoAnswer, outMissed, outVoicemail, outNoAnswerIn, outAbandoned, outAI, outForwarded}[r.IntN(12)]
	f.addCall(n, at, num, party, outcome, user, first, r.IntN(900)+5)
}

// addCall adds one call of the outcome; user takes or places it.
func (f *answersFixture) addCall(n int, at time.Time, num client.PhoneNumber, party string, outcome int, user, first string, secs int) *fxCall {
	c := client.Call{ID: fmt.Sprintf("AC%030d", n), PhoneNumberID: num.ID, Direction: "incoming", UserID: first,
		Participants: []string{party, num.Number}, CreatedAt: at}
	fc := fxCall{outcome: outcome, owner: first}
	ans := at.Add(5 * time.Second)
	switch outcome {
	case outAnswered:
		c.Status, c.AnsweredAt, c.AnsweredBy, c.UserID, c.Duration = "completed", &ans, &user, user, secs
		fc.owner = user
	case outPlaced, outPlacedNoAnswer:
		c.Direction, c.InitiatedBy, c.UserID = "outgoing", &user, user
		c.Participants = []string{num.Number, party}
		c.Status = "no-answer"
		if outcome == outPlaced {
			c.Status, c.AnsweredAt, c.Duration = "completed", &ans, secs
		}
		fc.owner = user
	case outMissed:
		c.Status = "missed"
	case outVoicemail:
		c.Status, c.Duration = "missed", 30
		f.ws.Voicemails[c.ID] = client.Voicemail{ID: "VM" + c.ID[2:], Status: client.VoicemailCompleted, Duration: ptr(30.0),
			Transcript: ptr(fmt.Sprintf("Hi, this is %s, please call me back about order %d.", party, n))}
	case outNoAnswerIn:
		c.Status = "no-answer"
	case outAbandoned:
		c.Status, c.Duration = "abandoned", 8
	case outAI:
		c.Status, c.AnsweredAt, c.AIHandled, c.Duration = "completed", &ans, ptr("ai-agent"), secs
		fc.owner = ownerAIAgent
	case outForwarded:
		c.Status, c.ForwardedTo, c.Duration = "forwarded", ptr("+14155550199"), secs
	}
	end := at.Add(time.Duration(c.Duration+10) * time.Second)
	c.CompletedAt, c.UpdatedAt = &end, &end
	fc.call = c
	f.calls = append(f.calls, fc)
	f.ws.Calls = append(f.ws.Calls, c)
	return &f.calls[len(f.calls)-1]
}

// conversations makes a conversation of every number and party with calls,
// its last activity its newest call.
func (f *answersFixture) conversations() {
	f.ws.Conversations = nil
	newest := map[[2]string]time.Time{}
	for _, c := range f.calls {
		k := [2]string{c.call.PhoneNumberID, partyOf(&c.call)}
		if c.call.CreatedAt.After(newest[k]) {
			newest[k] = c.call.CreatedAt
		}
	}
	keys := make([][2]string, 0, len(newest))
	for k := range newest {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return newest[b].Compare(newest[a]) })
	for i, k := range keys {
		l, created := newest[k], time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		conv := client.Conversation{ID: fmt.Sprintf("CN%05d", i), PhoneNumberID: k[0], Participants: []string{k[1]}, LastActivityAt: &l, CreatedAt: &created}
		if name, ok := f.names[k[1]]; ok {
			conv.Name = ptr(name)
		}
		f.ws.Conversations = append(f.ws.Conversations, conv)
	}
}

func partyOf(c *client.Call) string {
	if c.Direction == "outgoing" {
		return c.Participants[1]
	}
	return c.Participants[0]
}

// inWindow are the fixture's calls created in [after, before).
func (f *answersFixture) inWindow(after, before time.Time) []*fxCall {
	var out []*fxCall
	for i := range f.calls {
		if at := f.calls[i].call.CreatedAt; !at.Before(after) && at.Before(before) {
			out = append(out, &f.calls[i])
		}
	}
	return out
}
