// A generated workspace for the store's tests and benchmarks: calls over a
// window on a few numbers and users, parties with names, ~65% answered
// with a summary and a transcript of plausible business talk, ~10%
// voicemails, drawn from a vocabulary of a few thousand words (Zipf), all
// deterministic from a seed.

package ledger

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

type genOptions struct {
	calls, days, numbers, users, parties int
	seed                                 int64
	end                                  time.Time
}

type genData struct {
	calls       []history.Call
	transcripts []genTranscript
	names       []Name
	vocab       []string
}

type genTranscript struct {
	callID string
	t      Transcript
}

var genBase = strings.Fields(`account invoice order delivery shipment pallet warehouse quote price
	discount contract renewal payment refund credit balance schedule appointment meeting estimate
	install repair warranty technician inspection permit proposal budget deposit receipt portal
	login password upgrade downgrade subscription plan billing statement license vendor supplier
	freight carrier tracking label return exchange damage claim insurance policy coverage premium
	mortgage lease tenant landlord roof plumbing heating cooling filter furnace boiler panel solar
	battery inverter meter outage ticket escalation manager supervisor onboarding training demo
	trial pilot rollout migration integration dashboard report export import spreadsheet catalog
	inventory backorder restock forecast quarter monthly weekly overdue reminder follow callback
	voicemail confirmation cancellation reschedule availability weekend morning afternoon evening`)

var genFillers = strings.Fields(`the a we you they i will can need to for about and with on our your
	this that next is was it be have should would please thanks sure okay so just also then`)

var genSyllables = strings.Fields(`ka lo ven tri mar sol bex dor fen gal hin jor kel lum nar pol
	quin ras tev ul vim wex yor zan bri cal dru eko fla gri`)

var genFirst = strings.Fields(`Maria James Aisha Wei Carlos Fatima Liam Sofia Noah Olivia Mateo
	Priya Lucas Yuki Omar Elena Jonas Amara Diego Hana`)

var genLast = strings.Fields(`Garcia Smith Okafor Chen Rossi Haddad Murphy Novak Silva Tanaka
	Jensen Kowalski Dubois Moreau Patel Nguyen Schmidt Larsen Costa Ibrahim`)

// vocabulary is the base words and synthetic ones, n in all.
func vocabulary(r *rand.Rand, n int) []string {
	out := append([]string(nil), genBase...)
	seen := map[string]bool{}
	for _, w := range out {
		seen[w] = true
	}
	for len(out) < n {
		k := 2 + r.Intn(2)
		var b strings.Builder
		for range k {
			b.WriteString(genSyllables[r.Intn(len(genSyllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

type talker struct {
	r     *rand.Rand
	vocab []string
	zipf  *rand.Zipf
}

// sentence is words words of talk.
func (t *talker) sentence(words int) string {
	ws := make([]string, words)
	for i := range ws {
		if t.r.Float64() < 0.55 {
			ws[i] = genFillers[t.r.Intn(len(genFillers))]
		} else {
			ws[i] = t.vocab[t.zipf.Uint64()]
		}
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (t *talker) sentences(lo, hi, wlo, whi int) []string {
	out := make([]string, lo+t.r.Intn(hi-lo+1))
	for i := range out {
		out[i] = t.sentence(wlo + t.r.Intn(whi-wlo+1))
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// generate makes a workspace's calls, newest last.
func generate(o genOptions) *genData {
	r := rand.New(rand.NewSource(o.seed))
	d := &genData{vocab: vocabulary(r, 3000)}
	tk := &talker{r: r, vocab: d.vocab, zipf: rand.NewZipf(r, 1.07, 8, uint64(len(d.vocab)-1))}
	pns := make([]string, o.numbers)
	for i := range pns {
		pns[i] = fmt.Sprintf("PN%08d", i+1)
	}
	users := make([]string, o.users)
	for i := range users {
		users[i] = fmt.Sprintf("US%08d", i+1)
	}
	parties := make([]string, o.parties)
	for i := range parties {
		parties[i] = fmt.Sprintf("+1555%07d", 1000000+i*37)
		name := genFirst[r.Intn(len(genFirst))] + " " + genLast[r.Intn(len(genLast))]
		d.names = append(d.names, Name{PhoneNumberID: pns[i%o.numbers], Party: parties[i], Name: name})
	}
	start := o.end.Add(-time.Duration(o.days) * 24 * time.Hour)
	step := o.end.Sub(start) / time.Duration(o.calls)
	for i := range o.calls {
		at := start.Add(time.Duration(i)*step + time.Duration(r.Int63n(int64(step)))).UTC()
		pi := r.Intn(o.parties)
		pn, user := pns[pi%o.numbers], users[(pi%o.numbers)*o.users/o.numbers+r.Intn(max(1, o.users/o.numbers))]
		c := history.Call{Call: client.Call{
			ID: fmt.Sprintf("AC%06d%08x", i, r.Uint32()), PhoneNumberID: pn, UserID: user,
			Direction: []string{"incoming", "outgoing"}[r.Intn(2)], Status: "no-answer",
			Participants: []string{parties[pi], "+1800555" + pn[6:]}, CreatedAt: at,
			UpdatedAt: ptr(at.Add(time.Minute)), CallRoute: ptr("phone-number"),
		}, Participant: parties[pi], ConversationID: "CN" + parties[pi][1:], ActorID: user}
		switch x := r.Float64(); {
		case x < 0.65:
			c.Status, c.Duration = "completed", 30+r.Intn(900)
			c.AnsweredAt, c.AnsweredBy = ptr(at.Add(4*time.Second)), ptr(user)
			c.CompletedAt = ptr(at.Add(time.Duration(c.Duration) * time.Second))
			c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Type: ptr(client.SummaryTypeHuman),
				Summary: tk.sentences(2, 4, 8, 16), NextSteps: tk.sentences(1, 2, 6, 12)}
			if r.Intn(20) == 0 { // a reference said once in a while: the rare words
				c.Summary.Summary = append(c.Summary.Summary, fmt.Sprintf("Reference number Q%05d.", r.Intn(100000)))
			}
			lines := make([]Line, 8+r.Intn(23))
			for k := range lines {
				lines[k] = Line{Start: float64(k * 7), Speaker: c.Participants[k%2], Text: tk.sentence(6 + r.Intn(10))}
			}
			d.transcripts = append(d.transcripts, genTranscript{c.ID, Transcript{Status: client.StatusCompleted, Lines: lines}})
		case x < 0.75:
			c.Status, c.Direction = "missed", "incoming"
			c.Voicemail = &client.Voicemail{ID: "VM" + c.ID[2:], Status: client.VoicemailCompleted,
				Duration: ptr(float64(10 + r.Intn(50))), Transcript: ptr(strings.Join(tk.sentences(1, 3, 8, 16), " "))}
		}
		if r.Intn(200) == 0 { // a group call
			c.Parties = []string{parties[pi], parties[(pi+1)%o.parties]}
			c.Participants = append(c.Participants, parties[(pi+1)%o.parties])
		}
		d.calls = append(d.calls, c)
	}
	return d
}

// load writes d into s: names, calls in batches of 500, transcripts.
func (d *genData) load(s Store) error {
	ctx := bg()
	if err := s.PutNames(ctx, d.names); err != nil {
		return err
	}
	for i := 0; i < len(d.calls); i += 500 {
		if err := s.PutCalls(ctx, d.calls[i:min(i+500, len(d.calls))]); err != nil {
			return err
		}
	}
	for _, t := range d.transcripts {
		if err := s.PutTranscript(ctx, t.callID, t.t); err != nil {
			return err
		}
	}
	return nil
}
