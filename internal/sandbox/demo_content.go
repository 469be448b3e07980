package sandbox

// The demo's call content: recordings, AI summaries (with the sales
// line's lead-qualification job) and transcripts, filled in from the
// templates of demo_text.go.

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

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
	v := &g.vars
	v.set('A', user.first)
	if out == outAI {
		v.set('A', "the assistant")
	}
	v.set('C', contact.first)
	v.set('K', demoCompany)
	v.set('D', weekdays[r.IntN(len(weekdays))])
	v.set('T', slots[r.IntN(len(slots))])
	past := c.CreatedAt.Add(-time.Duration(3+r.IntN(40)) * 24 * time.Hour).In(demoZone)
	v.set('E', months[past.Month()-1]+" "+strconv.Itoa(past.Day()))
	v.set('O', "#"+strconv.Itoa(40000+r.IntN(9999)))
	v.set('M', "$"+strconv.Itoa(49+r.IntN(900))+"."+[]string{"00", "50", "99"}[r.IntN(3)])
	v.set('P', products[r.IntN(len(products))])
	v.set('N', "T-"+strconv.Itoa(1000+r.IntN(9000)))

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
			sum.Jobs = []client.AIJob{leadJob(r, v.get('M'))}
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

// fill replaces the {X} placeholders of tmpl with g.vars.
func (g *demoGen) fill(tmpl string) string {
	b := g.buf[:0]
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if ch == '{' && i+2 < len(tmpl) && tmpl[i+2] == '}' && tmpl[i+1] >= 'A' && tmpl[i+1] <= 'Z' {
			b = append(b, g.vars.get(tmpl[i+1])...)
			i += 2
			continue
		}
		b = append(b, ch)
	}
	g.buf = b
	return string(b)
}

// templateVars are the values of the {A}..{Z} placeholders of the
// templates, by letter (see demo_text.go).
type templateVars [26]string

func (v *templateVars) set(letter byte, value string) { v[letter-'A'] = value }

func (v *templateVars) get(letter byte) string { return v[letter-'A'] }

func round2(x float64) float64 { return math.Round(x*100) / 100 }
