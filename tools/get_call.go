// get_call.go: the get_call tool, one call by id with the names of its
// parties, number and user.

package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

func init() { registerTool(getCallTool) }

const getCallDescription = `One call by id: parties with names, number, user, status, duration, routing, answered and completed times. What was said: get_call_summary or get_call_transcript. Not paged.`

func getCallTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, GetCallOutput]("get_call", getCallDescription, readOnlyAPI("Get a call"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (GetCallOutput, string, error) {
			id, err := in.id()
			if err != nil {
				return GetCallOutput{}, "", err
			}
			w := d.directory(c)
			if d.datedOK(c) {
				// One request: the call, its summary and its voicemail.
				hc, err := getDatedCallNamed(ctx, d, c, w, id, client.IncludeSummary, client.IncludeVoicemail)
				if err == nil {
					out, text := renderDatedCall(w, d.zone(), hc)
					return out, text, nil
				}
				if !d.fellBack(c, err) {
					return GetCallOutput{}, "", callNotFound("", id, err)
				}
			}
			call, err := getCallNamed(ctx, d, c, w, id)
			if err != nil {
				return GetCallOutput{}, "", callNotFound("", id, err)
			}
			out, text := renderCall(w, d.zone(), call, nil)
			return out, text, nil
		})
}

// GetCallOutput is the structured content of get_call: the call's line
// (its party and number are the fields below), and what the lines under it
// say; the dated surface adds the AI agent, a group call's parties, the
// summary and the voicemail (in the call's object).
type GetCallOutput struct {
	Call         CallOut   `json:"call"`
	Number       NumberRef `json:"number"`
	Party        PartyRef  `json:"party,omitempty"`
	Participants []string  `json:"participants,omitempty"`
	UserID       string    `json:"user,omitempty"`
	AnsweredAt   string    `json:"answeredAt,omitempty"`
	CompletedAt  string    `json:"completedAt,omitempty"`
	Agent        string    `json:"agent,omitempty" jsonschema_description:"the AI agent's actorId"`
	Parties      []string  `json:"parties,omitempty" jsonschema_description:"a group call's parties"`
	UserNames
	ContactNames
}

// renderDatedCall is renderCall with what the dated call brought: who
// handled it, every party of a group call, the AI summary and next steps,
// the voicemail; every text from the API quoted.
func renderDatedCall(w *directory, loc *time.Location, hc *history.Call) (GetCallOutput, string) {
	sums := datedSummaries(hc)
	return renderCall(w, loc, &hc.Call, func(b *strings.Builder, out *GetCallOutput) {
		if aiAgentActor(hc.ActorID) {
			out.Agent = hc.ActorID
			b.WriteString("\nhandled by: the AI agent (actorId ")
			b.WriteString(apiText(hc.ActorID))
			b.WriteString(")")
		}
		if len(hc.Parties) > 1 {
			out.Parties = hc.Parties
			nm := namer{w: w, users: &out.Users, contacts: &out.Contacts}
			b.WriteString("\ngroup call with: ")
			for i, p := range hc.Parties {
				if i > 0 {
					b.WriteString(", ")
				}
				if len(out.Party) == 0 || p != out.Party[0] {
					nm.party(hc.PhoneNumberID, p) // the first is named as the party
				}
				writeParticipant(b, w, hc.PhoneNumberID, p)
			}
		}
		if sums != nil { // the listings' summary lines, unindented: no call line above them here
			var s strings.Builder
			sums.write(&s, hc.ID)
			b.WriteByte('\n')
			b.WriteString(strings.TrimPrefix(strings.ReplaceAll(strings.TrimSuffix(s.String(), "\n"), "\n  ", "\n"), "  "))
			out.Call.SummaryOut = sums.summaryOut(hc.ID)
		}
		if vm := hc.Voicemail; vm != nil {
			out.Call.Voicemail = voicemailOut(vm, true)
			b.WriteString("\nvoicemail: ")
			b.WriteString(apiText(orStr(vm.Status, "unknown")))
			if vm.Duration != nil {
				b.WriteString(", ")
				b.WriteString(out.Call.Voicemail.Duration)
			}
			b.WriteString("\nvoicemail transcript: ")
			b.WriteString(voicemailTranscript(vm))
		}
	})
}

// renderCall writes a call; extra, when set, adds lines (each starting
// with a newline) before the closing "More:" line, and their structure.
func renderCall(w *directory, loc *time.Location, call *client.Call, extra func(*strings.Builder, *GetCallOutput)) (GetCallOutput, string) {
	var b strings.Builder
	num := w.numberByID(call.PhoneNumberID)
	other := otherParty(call, w)
	out := GetCallOutput{Number: numberRef(num), Participants: call.Participants, UserID: call.UserID}
	nm := namer{w: w, users: &out.Users, contacts: &out.Contacts}
	out.Call = callOut(call, w, false, nm)
	if other != "unknown" {
		out.Party = partyRef(w, call.PhoneNumberID, other)
	}
	b.WriteString("Call ")
	b.WriteString(apiText(call.ID))
	b.WriteString(timesIn(loc) + ":\n")
	writeCallLine(&b, call, w, loc, true)
	b.WriteString("number: ")
	writeNumber(&b, num)
	b.WriteString("\nparticipants: ")
	for i, p := range call.Participants {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(apiText(p))
	}
	if call.UserID != "" {
		b.WriteString("\nuser: ")
		nm.user(call.UserID)
		writeUser(&b, call.UserID, w.userName(call.UserID))
	}
	b.WriteString("\nansweredAt: ")
	if call.AnsweredAt != nil {
		out.AnsweredAt = call.AnsweredAt.UTC().Format(time.RFC3339)
		b.WriteString(stamp(*call.AnsweredAt, loc))
	} else {
		b.WriteString("not answered")
	}
	b.WriteString("\ncompletedAt: ")
	switch {
	case call.CompletedAt != nil:
		out.CompletedAt = call.CompletedAt.UTC().Format(time.RFC3339)
		b.WriteString(stamp(*call.CompletedAt, loc))
	case call.Status == "in-progress" || call.Status == "ringing" || call.Status == "initiated" || call.Status == "queued":
		b.WriteString("not yet, the call is " + apiText(call.Status))
	default:
		b.WriteString("not completed")
	}
	if extra != nil {
		extra(&b, &out)
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
	return out, b.String()
}
