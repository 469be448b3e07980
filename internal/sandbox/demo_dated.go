package sandbox

// The demo's data that only the dated surface serves, made after the v1
// data from its own random stream so that no v1 answer changes: the
// users, the voicemails of the voicemail calls, group calls on the group
// conversations, and calls the AI agent took alone (actor SYU…), with
// their summaries, recordings and transcripts.

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// DemoAIAgentID is the demo's AI agent, the system actor of the calls it
// takes alone.
const DemoAIAgentID = "SYUa1Ag3nT7"

// datedData adds what only the dated surface serves.
func (g *demoGen) datedData() {
	ws := g.ws
	ws.DatedSummaries = map[string]client.DatedCallSummary{}
	ws.DatedRecordings = map[string][]client.CallRecording{}
	ws.DatedTranscripts = map[string][]client.DatedTranscript{}
	ws.Voicemails = map[string]client.Voicemail{}
	r := rand.New(rand.NewPCG(0x64617465642d3230, 0x32362d30332d3330))
	g.users()
	g.voicemails(r)
	g.groupCalls(r)
	g.agentCalls(r)
}

// users lists the six users, as GET /users and GET /v1/users do.
func (g *demoGen) users() {
	created := g.now.AddDate(-1, -2, 0).Truncate(time.Hour)
	for _, u := range demoUsers {
		g.ws.Users = append(g.ws.Users, client.User{
			ID: u.id, Email: lower(u.first) + "." + lower(u.last) + "@example.com",
			FirstName: ptr(u.first), LastName: ptr(u.last), Role: u.role,
			CreatedAt: ptr(created), UpdatedAt: ptr(created),
		})
	}
}

// voicemails gives every voicemail call (missed, with a message) its
// voicemail: the message's recording and, once transcribed, its text.
func (g *demoGen) voicemails(r *rand.Rand) {
	for i := range g.ws.Calls {
		c := &g.ws.Calls[i]
		recs := g.ws.Recordings[c.ID]
		if c.Status != "missed" || c.Duration == 0 || len(recs) == 0 {
			continue
		}
		vm := client.Voicemail{ID: alnumID(r, "VM", 10), Status: client.VoicemailCompleted}
		tr, ok := g.ws.Transcripts[c.ID]
		if ok && tr.Status == client.StatusInProgress {
			vm.Status = client.VoicemailInProgress // fields null while it is processed
			g.ws.Voicemails[c.ID] = vm
			continue
		}
		vm.Duration, vm.RecordingURL = ptr(float64(c.Duration)), recs[0].URL
		if ok && tr.Status == client.StatusCompleted {
			words := make([]string, len(tr.Dialogue))
			for k, d := range tr.Dialogue {
				words[k] = d.Content
			}
			vm.Transcript = ptr(strings.Join(words, " "))
		}
		g.ws.Voicemails[c.ID] = vm
	}
}

// groupConvs are the indexes of the group conversations.
func (g *demoGen) groupConvs() []int {
	var out []int
	for i, dc := range g.convs {
		if dc.contact < 0 {
			out = append(out, i)
		}
	}
	return out
}

// groupCalls adds six calls on the group conversations: three or more
// parties each, one with a colleague added on the same Quo number, the
// last one missed.
func (g *demoGen) groupCalls(r *rand.Rand) {
	groups := g.groupConvs()
	for k := 0; k < 6; k++ {
		i := groups[k%len(groups)]
		line := &demoLines[g.convs[i].line]
		cv := &g.ws.Conversations[i]
		user := demoUsers[line.users[k%len(line.users)]]
		day := g.now.In(demoZone).AddDate(0, 0, -1-6*k)
		at := time.Date(day.Year(), day.Month(), day.Day(), 10+k, r.IntN(60), r.IntN(60), 0, demoZone).UTC()
		own := client.CallParticipant{PhoneNumber: line.number, ActorID: ptr(user.id)}
		outside := make([]client.CallParticipant, len(cv.Participants))
		for j, p := range cv.Participants {
			outside[j] = client.CallParticipant{PhoneNumber: p}
		}
		c := client.DatedCall{ID: hexID(r, "AC"), PhoneNumberID: ptr(line.id), ActorID: user.id, CreatedAt: at}
		if k%2 == 0 {
			c.Direction, c.InitiatedBy = "outgoing", ptr(user.id)
			c.Participants = append([]client.CallParticipant{own}, outside...)
		} else {
			c.Direction, c.CallRoute = "incoming", ptr("phone-number")
			c.Participants = append([]client.CallParticipant{outside[0], own}, outside[1:]...)
		}
		if k == 3 { // a colleague joined from the same number
			mate := demoUsers[line.users[(k+1)%len(line.users)]]
			c.Participants = append(c.Participants, client.CallParticipant{PhoneNumber: line.number, ActorID: ptr(mate.id)})
		}
		ring := 4 + r.IntN(15)
		if k == 5 {
			c.Status, c.UpdatedAt = "missed", ptr(at.Add(sec(ring)))
			g.ws.DatedCalls = append(g.ws.DatedCalls, c)
			continue
		}
		talk := 300 + r.IntN(1200)
		ans := at.Add(sec(ring))
		end := ans.Add(sec(talk))
		c.Status, c.Duration, c.AnsweredAt, c.CompletedAt, c.UpdatedAt = "completed", talk, ptr(ans), ptr(end), ptr(end)
		if c.Direction == "incoming" {
			c.AnsweredBy = ptr(user.id)
		}
		g.ws.DatedCalls = append(g.ws.DatedCalls, c)

		name := "the group"
		if cv.Name != nil {
			name = *cv.Name
		}
		when := weekdays[r.IntN(len(weekdays))]
		g.ws.DatedSummaries[c.ID] = client.DatedCallSummary{
			Status: client.StatusCompleted, Type: ptr(client.SummaryTypeHuman),
			Summary: []string{
				"Group call with " + name + " to plan the next delivery.",
				"Everyone agreed on a delivery on " + when + ".",
			},
			NextSteps: []string{"Send the delivery confirmation to everyone on the call."},
		}
		script := []string{
			"0Hi everyone, it's " + user.first + " from " + demoCompany + ". Thanks for joining.",
			"1Thanks for setting this up.",
			"2Happy to help. We need the delivery before the end of the week.",
			"0We can bring it on " + when + ". Does that work for both of you?",
			"1" + when + " works for us.",
			"2Same here. Please send a confirmation to all of us.",
			"0Will do. Thanks, everyone.",
		}
		speakers := []client.CallParticipant{own, outside[0], outside[1]}
		g.segment(r, &c, ans, talk, script, speakers)
	}
}

// agentCalls adds six calls the AI agent took alone, after hours, on the
// conversations of six contacts: v1 has no user to list them under.
func (g *demoGen) agentCalls(r *rand.Rand) {
	agos := []time.Duration{3*time.Hour + 10*time.Minute, 21*time.Hour + 35*time.Minute, 50 * time.Hour,
		98 * time.Hour, 221 * time.Hour, 383 * time.Hour}
	for _, ago := range agos {
		dc := &g.convs[r.IntN(len(g.convs)-4-3)] // one-to-one, used
		line := &demoLines[dc.line]
		contact := &g.contacts[dc.contact]
		t := &topics[line.topics[r.IntN(len(line.topics))]]
		at := g.now.Add(-ago - sec(r.IntN(600))).Truncate(time.Millisecond)
		talk := 60 + r.IntN(180)
		ans := at.Add(sec(2))
		end := ans.Add(sec(talk))
		agent := client.CallParticipant{PhoneNumber: line.number, ActorID: ptr(DemoAIAgentID)}
		caller := client.CallParticipant{PhoneNumber: contact.number}
		c := client.DatedCall{
			ID: hexID(r, "AC"), PhoneNumberID: ptr(line.id), ActorID: DemoAIAgentID, Direction: "incoming",
			Status: "completed", Duration: talk, Participants: []client.CallParticipant{caller, agent},
			CreatedAt: at, AnsweredAt: ptr(ans), CompletedAt: ptr(end), UpdatedAt: ptr(end),
			CallRoute: ptr("phone-number"), AIHandled: ptr("ai-agent"),
		}
		g.ws.DatedCalls = append(g.ws.DatedCalls, c)
		sum := client.DatedCallSummary{
			Status: client.StatusCompleted, Type: ptr(client.SummaryTypeAgent),
			Title: ptr("After-hours call about " + t.name),
			Summary: []string{
				"The AI agent took this call alone while the team was away.",
				contact.first + " asked about " + t.name + " and left a message for the team.",
			},
		}
		if line.id == DemoSalesID {
			sum.Jobs = []client.AIJob{leadJob(r, "$"+strconv.Itoa(100+r.IntN(900))+".00")}
		}
		g.ws.DatedSummaries[c.ID] = sum
		script := []string{
			"0" + openAI[1:],
			"1Hi, I have a question about " + t.name + ".",
			"0I can take a message and have the team call you back first thing tomorrow.",
			"1" + closeAI[1:],
		}
		g.segment(r, &c, ans, talk, script, []client.CallParticipant{agent, caller})
	}
}

// segment records a dated-only call in one segment from start, talk
// seconds long, and transcribes it: each line of script starts with the
// index of its speaker.
func (g *demoGen) segment(r *rand.Rand, c *client.DatedCall, start time.Time, talk int, script []string, speakers []client.CallParticipant) {
	id := alnumID(r, "CR", 8)
	g.ws.DatedRecordings[c.ID] = []client.CallRecording{{
		ID: id, Duration: ptr(talk), StartTime: ptr(start), Status: ptr("completed"), Type: ptr("audio/mpeg"),
		URL: ptr("https://example.com/openphone-demo/calls/" + id + ".mp3"),
	}}
	tr := client.DatedTranscript{
		RecordingID: id, Status: client.StatusCompleted, StartTime: ptr(start),
		CreatedAt: ptr(start.Add(sec(talk + 30))), Duration: float64(talk),
		Dialogue: make([]client.DatedDialogueLine, len(script)),
	}
	per := float64(talk) / float64(len(script))
	for k, l := range script {
		who := speakers[l[0]-'0']
		from := float64(k)*per + per*0.1*r.Float64()
		tr.Dialogue[k] = client.DatedDialogueLine{
			Content: l[1:], Start: round2(from), End: round2(from + per*(0.65+0.25*r.Float64())),
			Identifier: ptr(who.PhoneNumber), ActorID: who.ActorID,
		}
	}
	g.ws.DatedTranscripts[c.ID] = []client.DatedTranscript{tr}
}
