package tools

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// The tools about one call: get_call, get_call_summary, get_call_transcript
// and get_call_recordings. Each takes the call's id (validated before any
// request), and explains absent, unfinished and failed content in a
// sentence rather than showing nulls.

// CallIDArgs is the path parameter of the GET /v1/calls/{callId} family.
type CallIDArgs struct {
	CallID string `json:"callId" jsonschema:"pattern=^AC(.*)$" jsonschema_description:"Call id, such as AC123abc (the first word of a list_calls or recent_calls line)."`
}

// callIDHint ends a not-found message.
const callIDHint = "call ids start with AC; take one from a call line of list_calls or recent_calls."

func (in *CallIDArgs) id() (string, error) {
	id := strings.TrimSpace(in.CallID)
	return id, checkCallID(id)
}

// callNotFound names the call (or its content) in a 404 from a request
// about call id. what is "" for the call itself, else "summary",
// "transcript" or "recordings": a 404 for those can also mean that a
// real call has none.
func callNotFound(what, id string, err error) error {
	if what == "" {
		return about("call "+id, callIDHint, err)
	}
	return about("the "+what+" of call "+id, callIDHint+" If the id is right, the call has no "+what+
		": it was not completed/answered, or the workspace's plan lacks the feature.", err)
}

// utteranceWidth bounds one transcript line (in runes): generous, so that
// real speech is never cut, but a bound on a hostile or broken transcript.
const utteranceWidth = 2000

// itemWidth bounds one line of a summary, next steps or AI result.
const itemWidth = 1000

// --- get_call -------------------------------------------------------------

// CallOutput is the structured content of get_call.
type CallOutput struct {
	Call            CallSummary `json:"call"`
	PhoneNumberID   string      `json:"phoneNumberId"`
	PhoneNumber     string      `json:"phoneNumber,omitempty" jsonschema_description:"The OpenPhone number in E.164 form."`
	PhoneNumberName string      `json:"phoneNumberName,omitempty"`
	Participants    []string    `json:"participants"`
	Participant     string      `json:"participant,omitempty" jsonschema_description:"The other party: the participant that is not the OpenPhone number."`
	ParticipantName string      `json:"participantName,omitempty" jsonschema_description:"The name of the conversation with the other party, when it has one."`
	UserName        string      `json:"userName,omitempty"`
	AnsweredAt      string      `json:"answeredAt,omitempty"`
	CompletedAt     string      `json:"completedAt,omitempty"`
}

const getCallDescription = `One call by id: parties with names, number, user, status, duration, routing, answered and completed times. What was said: get_call_summary or get_call_transcript. Not paged.`

func getCallTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, CallOutput]("get_call", getCallDescription, readOnlyAPI("Get a call"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (*mcp.CallToolResult, error) {
			id, err := in.id()
			if err != nil {
				return nil, err
			}
			w := d.workspace(c)
			call, err := getCallNamed(ctx, d, c, w, id)
			if err != nil {
				return nil, callNotFound("", id, err)
			}
			return renderCall(d, w, call), nil
		})
}

// getCallNamed fetches a call and, alongside, what names its lines: the
// workspace's numbers (usually cached) and then, on a cache miss, one page
// of the number's conversations. Names that cannot be fetched are left out.
// The numbers are fetched to the end even when the call fails: they are
// cached for later calls, and get_call_transcript names users with them.
func getCallNamed(ctx context.Context, d *Deps, c *client.Client, w *workspace, id string) (*client.Call, error) {
	numbers := make(chan struct{})
	go func() {
		defer close(numbers)
		if _, err := w.phoneNumbers(ctx); err != nil && ctx.Err() == nil {
			d.logger().Info("phone numbers unavailable", "error", err)
		}
	}()
	call, err := c.GetCall(ctx, id)
	<-numbers
	if err != nil {
		return nil, err
	}
	if other := otherParty(call, w); other != "unknown" && call.PhoneNumberID != "" {
		nameConversation(ctx, d, w, call.PhoneNumberID, other)
	}
	return call, nil
}

func renderCall(d *Deps, w *workspace, call *client.Call) *mcp.CallToolResult {
	var b strings.Builder
	if d.Demo {
		b.WriteString(demoNote)
	}
	num := w.numberByID(call.PhoneNumberID)
	other := otherParty(call, w)
	b.WriteString("Call ")
	b.WriteString(apiText(call.ID))
	b.WriteString(", times in UTC:\n")
	writeCallLine(&b, call, w, true)
	b.WriteString("number: ")
	writeNumber(&b, num)
	b.WriteString("\nparticipants: ")
	b.WriteString(cleanText(strings.Join(call.Participants, ", "), 400))
	out := CallOutput{Call: summarize(call), PhoneNumberID: call.PhoneNumberID, PhoneNumber: num.Number,
		PhoneNumberName: cleanText(num.Name, 60), Participants: call.Participants}
	if out.Participants == nil {
		out.Participants = []string{}
	}
	if other != "unknown" {
		out.Participant = other
		if name, ok := w.conversationName(call.PhoneNumberID, other); ok {
			out.ParticipantName = cleanText(name, 60)
		}
	}
	if call.UserID != "" {
		b.WriteString("\nuser: ")
		b.WriteString(apiText(call.UserID))
		out.UserName = w.userName(call.UserID)
		writeName(&b, out.UserName)
	}
	b.WriteString("\nansweredAt: ")
	if call.AnsweredAt != nil {
		out.AnsweredAt = call.AnsweredAt.UTC().Format(time.RFC3339)
		b.WriteString(out.AnsweredAt)
	} else {
		b.WriteString("not answered")
	}
	b.WriteString("\ncompletedAt: ")
	switch {
	case call.CompletedAt != nil:
		out.CompletedAt = call.CompletedAt.UTC().Format(time.RFC3339)
		b.WriteString(out.CompletedAt)
	case call.Status == "in-progress" || call.Status == "ringing" || call.Status == "initiated" || call.Status == "queued":
		b.WriteString("not yet, the call is " + apiText(call.Status))
	default:
		b.WriteString("not completed")
	}
	b.WriteString("\nMore: get_call_summary, get_call_transcript or get_call_recordings with this callId")
	if other != "unknown" {
		b.WriteString("; list_calls with phoneNumberId ")
		b.WriteString(apiText(call.PhoneNumberID))
		b.WriteString(" and participants [")
		b.WriteString(strconv.Quote(other))
		b.WriteString("] for the other calls with this party")
	}
	b.WriteString(".\n")
	return mcp.NewToolResultStructured(out, b.String())
}

// --- get_call_summary -----------------------------------------------------

// CallSummaryOutput is the structured content of get_call_summary.
type CallSummaryOutput struct {
	CallID    string        `json:"callId"`
	Status    string        `json:"status" jsonschema_description:"absent, in-progress, completed or failed."`
	Summary   []string      `json:"summary,omitempty"`
	NextSteps []string      `json:"nextSteps,omitempty"`
	Jobs      []AIJobOutput `json:"jobs,omitempty" jsonschema_description:"Results of the workspace's AI jobs on the call."`
}

// AIJobOutput is one AI job's results.
type AIJobOutput struct {
	Name    string          `json:"name"`
	Results []AIFieldOutput `json:"results"`
}

// AIFieldOutput is one named result of an AI job.
type AIFieldOutput struct {
	Name  string `json:"name"`
	Value any    `json:"value" jsonschema_description:"A string, number or boolean."`
}

const getCallSummaryDescription = `The AI summary of a call by id: summary, next steps, AI job results. Says why when there is none (then try get_call_transcript). Not paged.`

func getCallSummaryTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, CallSummaryOutput]("get_call_summary", getCallSummaryDescription, readOnlyAPI("Get a call's AI summary"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (*mcp.CallToolResult, error) {
			id, err := in.id()
			if err != nil {
				return nil, err
			}
			sum, err := c.GetCallSummary(ctx, id)
			if err != nil {
				return nil, callNotFound("summary", id, err)
			}
			return renderSummary(d, id, sum), nil
		})
}

func renderSummary(d *Deps, id string, s *client.CallSummary) *mcp.CallToolResult {
	var b strings.Builder
	if d.Demo {
		b.WriteString(demoNote)
	}
	status := orStr(s.Status, client.StatusAbsent)
	out := CallSummaryOutput{CallID: id, Status: status}
	switch status {
	case client.StatusCompleted:
		b.WriteString("Summary of call ")
		b.WriteString(id)
		b.WriteString(":\n")
		out.Summary = writeItems(&b, s.Summary)
		if len(s.Summary) == 0 {
			b.WriteString("(empty: OpenPhone summarised nothing)\n")
		}
		if len(s.NextSteps) > 0 {
			b.WriteString("Next steps:\n")
			out.NextSteps = writeItems(&b, s.NextSteps)
		}
		if len(s.Jobs) > 0 {
			b.WriteString("AI job results:\n")
			for _, j := range s.Jobs {
				out.Jobs = append(out.Jobs, writeJob(&b, j))
			}
		}
	case client.StatusInProgress:
		b.WriteString("The summary of call " + id + " is still processing; try again shortly.\n")
	case client.StatusFailed:
		b.WriteString("OpenPhone failed to summarise call " + id + ", so there is no summary; get_call_transcript may still have what was said.\n")
	case client.StatusAbsent:
		b.WriteString("No summary for call " + id + ": the call was not completed/answered, or the workspace's plan has no AI features.\n")
	default:
		b.WriteString("The summary of call " + id + " has status " + strconv.Quote(cleanText(status, 40)) + ", which this server does not know; try get_call_transcript.\n")
	}
	return mcp.NewToolResultStructured(out, b.String())
}

// writeItems writes one "- item" line per item, cleaned, and returns the
// cleaned items.
func writeItems(b *strings.Builder, items []string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		it = cleanText(it, itemWidth)
		if it == "" {
			continue
		}
		b.WriteString("- ")
		b.WriteString(it)
		b.WriteByte('\n')
		out = append(out, it)
	}
	return out
}

// writeJob writes an AI job's results on one line: "- Name: a "x"; b 12".
func writeJob(b *strings.Builder, j client.AIJob) AIJobOutput {
	out := AIJobOutput{Name: cleanText(j.Name, 80), Results: []AIFieldOutput{}}
	b.WriteString("- ")
	b.WriteString(orStr(out.Name, "(unnamed job)"))
	b.WriteString(":")
	for i, f := range j.Result.Data {
		if i > 0 {
			b.WriteByte(';')
		}
		name := cleanText(f.Name, 80)
		b.WriteByte(' ')
		b.WriteString(name)
		b.WriteByte(' ')
		var v any
		_ = json.Unmarshal(f.Value, &v)
		switch x := v.(type) {
		case float64, bool:
			raw, _ := json.Marshal(x)
			b.Write(raw)
		default: // a string, or anything else the API may send, as text
			str, ok := x.(string)
			if !ok {
				str = string(f.Value)
			}
			str = cleanText(str, itemWidth)
			b.WriteString(strconv.Quote(str))
			v = str
		}
		out.Results = append(out.Results, AIFieldOutput{Name: name, Value: v})
	}
	if len(j.Result.Data) == 0 {
		b.WriteString(" no results")
	}
	b.WriteByte('\n')
	return out
}

// --- get_call_transcript --------------------------------------------------

// TranscriptOutput is the structured content of get_call_transcript.
type TranscriptOutput struct {
	CallID   string            `json:"callId"`
	Status   string            `json:"status" jsonschema_description:"absent, in-progress, completed or failed."`
	Duration float64           `json:"duration,omitempty" jsonschema_description:"Seconds of transcribed call."`
	Dialogue []UtteranceOutput `json:"dialogue,omitempty"`
}

// UtteranceOutput is one line of a transcript.
type UtteranceOutput struct {
	Start      float64 `json:"start" jsonschema_description:"Seconds from the start of the call."`
	End        float64 `json:"end"`
	Speaker    string  `json:"speaker" jsonschema_description:"The user's name, the conversation name or the phone number of who spoke."`
	Identifier string  `json:"identifier,omitempty" jsonschema_description:"The speaker's phone number."`
	UserID     string  `json:"userId,omitempty"`
	Content    string  `json:"content"`
}

const getCallTranscriptDescription = `What was said on a call, by id: one utterance per line with [mm:ss] and the speaker's name or number. Says why when there is none. Shorter: get_call_summary. Not paged.`

func getCallTranscriptTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, TranscriptOutput]("get_call_transcript", getCallTranscriptDescription, readOnlyAPI("Get a call's transcript"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (*mcp.CallToolResult, error) {
			id, err := in.id()
			if err != nil {
				return nil, err
			}
			w := d.workspace(c)
			// The call, for the speakers' names, comes alongside the
			// transcript; without it the transcript still shows numbers.
			var call *client.Call
			var callErr error
			nctx, cancel := context.WithCancel(ctx)
			defer cancel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				call, callErr = getCallNamed(nctx, d, c, w, id)
			}()
			tr, err := c.GetCallTranscript(ctx, id)
			if err != nil {
				cancel()
			}
			<-done
			if err != nil {
				return nil, callNotFound("transcript", id, err)
			}
			if callErr != nil {
				d.logger().Info("call details unavailable for the transcript", "callId", id, "error", callErr)
				call = nil
			}
			return renderTranscript(d, w, id, call, tr), nil
		})
}

func renderTranscript(d *Deps, w *workspace, id string, call *client.Call, tr *client.CallTranscript) *mcp.CallToolResult {
	var b strings.Builder
	if d.Demo {
		b.WriteString(demoNote)
	}
	status := orStr(tr.Status, client.StatusAbsent)
	out := TranscriptOutput{CallID: id, Status: status}
	switch status {
	case client.StatusCompleted:
	case client.StatusInProgress:
		b.WriteString("The transcript of call " + id + " is still processing; try again shortly.\n")
		return mcp.NewToolResultStructured(out, b.String())
	case client.StatusFailed:
		b.WriteString("OpenPhone failed to transcribe call " + id + ", so there is no transcript; get_call_recordings may still have the audio.\n")
		return mcp.NewToolResultStructured(out, b.String())
	case client.StatusAbsent:
		b.WriteString("No transcript for call " + id + ": the call was not completed/answered, or the workspace's plan has no AI features.\n")
		return mcp.NewToolResultStructured(out, b.String())
	default:
		b.WriteString("The transcript of call " + id + " has status " + strconv.Quote(cleanText(status, 40)) + ", which this server does not know; try again later.\n")
		return mcp.NewToolResultStructured(out, b.String())
	}
	out.Duration = tr.Duration

	b.WriteString("Transcript of call ")
	b.WriteString(id)
	b.WriteString(" (")
	if call != nil {
		b.WriteString(apiText(call.Direction))
		b.WriteString(", ")
		b.WriteString(call.CreatedAt.UTC().Format(time.RFC3339))
		b.WriteString(" UTC, ")
	}
	b.WriteString(formatDuration(int(tr.Duration + 0.5)))
	b.WriteByte(')')
	if call != nil {
		b.WriteString(" between ")
		writeParticipant(&b, w, call.PhoneNumberID, otherParty(call, w))
		b.WriteString(" and ")
		writeNumber(&b, w.numberByID(call.PhoneNumberID))
	}
	b.WriteString(":\n")
	out.Dialogue = make([]UtteranceOutput, 0, len(tr.Dialogue))
	for _, l := range tr.Dialogue {
		u := UtteranceOutput{Start: l.Start, End: l.End, Speaker: speaker(w, call, l),
			Identifier: deref(l.Identifier), UserID: deref(l.UserID), Content: cleanText(l.Content, utteranceWidth)}
		out.Dialogue = append(out.Dialogue, u)
		b.WriteString(mmss(l.Start))
		b.WriteByte(' ')
		b.WriteString(u.Speaker)
		b.WriteString(": ")
		b.WriteString(u.Content)
		b.WriteByte('\n')
	}
	if len(tr.Dialogue) == 0 {
		b.WriteString("The transcript is empty: no speech was recognised.\n")
	} else {
		b.WriteString("End of transcript: ")
		b.WriteString(strconv.Itoa(len(tr.Dialogue)))
		b.WriteString(" utterances.\n")
	}
	return mcp.NewToolResultStructured(out, b.String())
}

// speaker names who said a transcript line: a user by name (or id), the
// AI agent, the workspace's number by its name, the other party by its
// conversation name in quotes, else the phone number.
func speaker(w *workspace, call *client.Call, l client.DialogueLine) string {
	if u := deref(l.UserID); u != "" {
		if n := w.userName(u); n != "" {
			return n
		}
		return cleanText(u, 40)
	}
	number := cleanText(deref(l.Identifier), 40)
	if number == "" {
		return "unknown speaker"
	}
	if call == nil {
		return number
	}
	if own := w.numberByID(call.PhoneNumberID); own.Number != "" && own.Number == number {
		if deref(call.AIHandled) == "ai-agent" {
			return "AI agent"
		}
		if name := cleanText(own.Name, 60); name != "" {
			return name
		}
		return number
	}
	if name, ok := w.conversationName(call.PhoneNumberID, number); ok && name != "" {
		return strconv.Quote(cleanText(name, 60))
	}
	return number
}

// mmss renders seconds from the start of a call as [mm:ss] (minutes go
// past 59 on long calls).
func mmss(secs float64) string {
	if secs < 0 {
		secs = 0
	}
	s := int(secs)
	return "[" + pad2(s/60) + ":" + pad2(s%60) + "]"
}

// --- get_call_recordings --------------------------------------------------

// RecordingsOutput is the structured content of get_call_recordings.
type RecordingsOutput struct {
	CallID     string            `json:"callId"`
	Recordings []RecordingOutput `json:"recordings"`
}

// RecordingOutput is one recording, nulls left out.
type RecordingOutput struct {
	ID        string `json:"id"`
	StartTime string `json:"startTime,omitempty"`
	Duration  *int   `json:"duration,omitempty" jsonschema_description:"Seconds."`
	Status    string `json:"status,omitempty"`
	Type      string `json:"type,omitempty" jsonschema_description:"The file's media type, such as audio/mpeg."`
	URL       string `json:"url,omitempty"`
}

const getCallRecordingsDescription = `The audio recordings of a call by id, oldest first: start time, duration, status, type and URL. For the words: get_call_transcript. Not paged.`

func getCallRecordingsTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, RecordingsOutput]("get_call_recordings", getCallRecordingsDescription, readOnlyAPI("Get a call's recordings"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (*mcp.CallToolResult, error) {
			id, err := in.id()
			if err != nil {
				return nil, err
			}
			recs, err := c.GetCallRecordings(ctx, id)
			if err != nil {
				return nil, callNotFound("recordings", id, err)
			}
			return renderRecordings(d, id, recs), nil
		})
}

func renderRecordings(d *Deps, id string, recs []client.CallRecording) *mcp.CallToolResult {
	var b strings.Builder
	if d.Demo {
		b.WriteString(demoNote)
	}
	out := RecordingsOutput{CallID: id, Recordings: make([]RecordingOutput, 0, len(recs))}
	if len(recs) == 0 {
		b.WriteString("No recordings for call " + id + ": it was not answered or not recorded (recording may be off for the number), or its recordings were deleted.\n")
		return mcp.NewToolResultStructured(out, b.String())
	}
	b.WriteString("Recordings of call ")
	b.WriteString(id)
	b.WriteString(", oldest first, UTC: ")
	b.WriteString(strconv.Itoa(len(recs)))
	b.WriteByte('\n')
	for _, r := range recs {
		o := RecordingOutput{ID: cleanText(r.ID, 60), Duration: r.Duration, Status: cleanText(deref(r.Status), 20),
			Type: cleanText(deref(r.Type), 40), URL: cleanText(deref(r.URL), 2000)}
		b.WriteString(o.ID)
		if r.StartTime != nil {
			o.StartTime = r.StartTime.UTC().Format(time.RFC3339)
			b.WriteByte(' ')
			b.WriteString(o.StartTime)
		}
		if r.Duration != nil {
			b.WriteByte(' ')
			b.WriteString(formatDuration(*r.Duration))
		}
		if o.Status != "" {
			b.WriteByte(' ')
			b.WriteString(o.Status)
		}
		if o.Type != "" {
			b.WriteByte(' ')
			b.WriteString(o.Type)
		}
		b.WriteByte(' ')
		switch {
		case o.URL != "":
			b.WriteString(o.URL)
		case o.Status == "in-progress" || o.Status == "processing" || o.Status == "paused" || o.Status == "stopping":
			b.WriteString("(no URL yet: the recording is " + o.Status + "; try again shortly)")
		default:
			b.WriteString("(no URL available)")
		}
		b.WriteByte('\n')
		out.Recordings = append(out.Recordings, o)
	}
	return mcp.NewToolResultStructured(out, b.String())
}
