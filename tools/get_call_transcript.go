// get_call_transcript.go: the get_call_transcript tool, what was said on a
// call, one utterance per line with its time and speaker, or why there is
// no transcript.

package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/server"
	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

func init() { registerTool(getCallTranscriptTool) }

// utteranceWidth bounds one transcript line (in runes): generous, so that
// real speech is never cut, but a bound on a hostile or broken transcript.
const utteranceWidth = 2000

const getCallTranscriptDescription = `What was said on a call, by id: one utterance per line: [mm:ss], speaker, the words quoted. Says why when there is none. Shorter: get_call_summary. Not paged.`

func getCallTranscriptTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, GetCallTranscriptOutput]("get_call_transcript", getCallTranscriptDescription, readOnlyAPI("Get a call's transcript"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (GetCallTranscriptOutput, string, error) {
			id, err := in.id()
			if err != nil {
				return GetCallTranscriptOutput{}, "", err
			}
			w := d.directory(c)
			if d.datedOK(c) {
				if out, text, ok, err := datedTranscript(ctx, d, c, w, id); ok {
					return out, text, err
				}
			}
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
			// A 404 may be a real call with no transcript: the call, already
			// on its way, says which; no other error needs it.
			missing := isNotFound(err)
			if err != nil && !missing {
				cancel()
			}
			<-done
			if err != nil && !missing {
				return GetCallTranscriptOutput{}, "", callNotFound("transcript", id, err)
			}
			if missing {
				tr = &client.CallTranscript{CallID: id, Status: client.StatusAbsent}
			}
			if callErr != nil {
				d.logger().Info("call details unavailable for the transcript", "callId", id, "error", callErr)
				// With no transcript, only the call could say why: its 404 is
				// the answer (err is nil here, or the transcript's 404).
				if noTranscript(tr) {
					if _, err := callForAbsence("transcript", id, err, nil, callErr); err != nil {
						return GetCallTranscriptOutput{}, "", err
					}
				}
				call = nil
			}
			out, text := renderTranscript(w, d.zone(), id, call, tr)
			return out, text, nil
		})
}

// datedTranscript answers on the dated surface: the call's transcripts,
// one per segment, joined into one timeline, and the call alongside (names,
// and why there is none). ok is false when v1 is to answer instead.
func datedTranscript(ctx context.Context, d *Deps, c *client.Client, w *directory, id string) (GetCallTranscriptOutput, string, bool, error) {
	var hc *history.Call
	var callErr error
	nctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		hc, callErr = getDatedCallNamed(nctx, d, c, w, id)
	}()
	segs, err := history.TranscriptSegments(ctx, c, id)
	if err != nil {
		cancel() // a missing list means a missing call: its request says nothing more
	}
	<-done
	if err != nil {
		if d.fellBack(c, err) {
			return GetCallTranscriptOutput{}, "", false, nil
		}
		return GetCallTranscriptOutput{}, "", true, callNotFound("transcript", id, err)
	}
	var call *client.Call
	if callErr == nil {
		call = &hc.Call
	}
	tr := history.JoinTranscript(call, segs)
	tr.CallID = id
	if callErr != nil {
		d.logger().Info("call details unavailable for the transcript", "callId", id, "error", callErr)
		if noTranscript(tr) {
			if _, err := callForAbsence("transcript", id, nil, nil, callErr); err != nil {
				return GetCallTranscriptOutput{}, "", true, err
			}
		}
	}
	out, text := renderTranscript(w, d.zone(), id, call, tr)
	return out, text, true, nil
}

// noTranscript reports whether tr says there is none, which only the call
// can explain.
func noTranscript(tr *client.CallTranscript) bool {
	status := orStr(tr.Status, client.StatusAbsent)
	return status == client.StatusAbsent || status == client.StatusFailed
}

// GetCallTranscriptOutput is the structured content of get_call_transcript:
// the header's call, its party and number, the utterances as their lines
// have them, or the one line that says why there is none.
type GetCallTranscriptOutput struct {
	CallID    string         `json:"callId,omitempty"`
	Direction string         `json:"dir,omitempty"`
	CreatedAt string         `json:"at,omitempty" jsonschema_description:"createdAt, UTC"`
	Duration  string         `json:"dur,omitempty"`
	Party     PartyRef       `json:"party,omitempty"`
	Number    NumberRef      `json:"number,omitempty"`
	Lines     []UtteranceOut `json:"lines,omitempty"`
	Note      string         `json:"note,omitempty"`
	UserNames
	ContactNames
}

// UtteranceOut is one utterance as its line has it: [mm:ss from the start,
// who spoke (a user id, a phone number, AI agent or unknown speaker), the
// words].
type UtteranceOut [3]string

func (UtteranceOut) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string"}, Description: "[mm:ss, speaker, words]"}
}

func renderTranscript(w *directory, loc *time.Location, id string, call *client.Call, tr *client.CallTranscript) (GetCallTranscriptOutput, string) {
	var b strings.Builder
	status := orStr(tr.Status, client.StatusAbsent)
	var out GetCallTranscriptOutput
	// An empty transcript of a call that never connected is no transcript
	// either; of a conversation, it is one in which no speech was recognised.
	empty := status == client.StatusCompleted && len(tr.Dialogue) == 0 && call != nil && callReason(call) != ""
	if call != nil && (noTranscript(tr) || status == client.StatusInProgress || empty) {
		why := explainAbsence("transcript", status, call, loc)
		out.Note = why.note()
		return out, why.text
	}
	switch status {
	case client.StatusCompleted:
	case client.StatusInProgress:
		b.WriteString("The transcript of call " + id + " is not ready yet; try again in a few minutes.\n")
	case client.StatusFailed:
		b.WriteString("OpenPhone failed to transcribe call " + id + ", so there is no transcript; get_call_recordings may still have the audio.\n")
	case client.StatusAbsent:
		b.WriteString("No transcript for call " + id + ": the call was not completed/answered, or the workspace's plan has no AI features.\n")
	default:
		b.WriteString("The transcript of call " + id + " has status " + strconv.Quote(cleanText(status, 40)) + ", which this server does not know; try again later.\n")
	}
	if status != client.StatusCompleted {
		out.Note = strings.TrimSuffix(b.String(), "\n")
		return out, b.String()
	}
	out.CallID, out.Duration = id, formatDuration(int(tr.Duration+0.5))

	b.WriteString("Transcript of call ")
	b.WriteString(id)
	b.WriteString(" (")
	if call != nil {
		out.Direction, out.CreatedAt = call.Direction, call.CreatedAt.UTC().Format(time.RFC3339)
		b.WriteString(apiText(call.Direction))
		b.WriteString(", ")
		b.WriteString(stamp(call.CreatedAt, loc))
		b.WriteString(", ")
	}
	b.WriteString(out.Duration)
	b.WriteByte(')')
	if call != nil {
		other, num := otherParty(call, w), w.numberByID(call.PhoneNumberID)
		out.Party, out.Number = partyRef(w, call.PhoneNumberID, other), numberRef(num)
		b.WriteString(" between ")
		writeParticipant(&b, w, call.PhoneNumberID, other)
		b.WriteString(" and ")
		writeNumber(&b, num)
	}
	b.WriteString(":\n")
	nm := namer{w: w, users: &out.Users, contacts: &out.Contacts}
	for _, l := range tr.Dialogue {
		at := mmss(l.Start)
		b.WriteString(at)
		b.WriteByte(' ')
		speaker := writeSpeaker(&b, w, call, l, nm, out.Party)
		content := cleanText(l.Content, utteranceWidth)
		out.Lines = append(out.Lines, UtteranceOut{strings.Trim(at, "[]"), speaker, content})
		b.WriteString(": ")
		b.WriteString(strconv.Quote(content))
		b.WriteByte('\n')
	}
	if len(tr.Dialogue) == 0 {
		out.Note = "The transcript is empty: no speech was recognised."
		b.WriteString(out.Note + "\n")
	} else {
		b.WriteString("End of transcript: ")
		b.WriteString(strconv.Itoa(len(tr.Dialogue)))
		b.WriteString(" utterances.\n")
	}
	return out, b.String()
}

// writeSpeaker writes who said a transcript line, in the server's words
// with any name quoted: a user `USjordan01 "Jordan Lee"`, the AI agent,
// the workspace's number `+14155550100 "Sales"`, the other party
// `+12125550103 "Maple Dental"`, else the number alone. It returns the
// speaker for the structured content, its name in nm's tables unless the
// header names it (the number, the party).
func writeSpeaker(b *strings.Builder, w *directory, call *client.Call, l client.DialogueLine, nm namer, party PartyRef) string {
	if u := deref(l.UserID); u != "" {
		nm.user(u)
		writeUser(b, u, w.userName(u))
		return u
	}
	number := deref(l.Identifier)
	if cleanText(number, 40) == "" {
		b.WriteString("unknown speaker")
		return "unknown speaker"
	}
	name := ""
	if call != nil {
		if own := w.numberByID(call.PhoneNumberID); own.Number != "" && own.Number == number {
			if deref(call.AIHandled) == "ai-agent" {
				b.WriteString("AI agent")
				return "AI agent"
			}
			name = own.Name
		} else if n, ok := w.conversationName(call.PhoneNumberID, number); ok {
			name = n
			if len(party) == 0 || party[0] != number {
				nm.party(call.PhoneNumberID, number)
			}
		}
	}
	b.WriteString(apiText(number))
	writeName(b, name)
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
