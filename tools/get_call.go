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
			call, err := getCallNamed(ctx, d, c, w, id)
			if err != nil {
				return GetCallOutput{}, "", callNotFound("", id, err)
			}
			out, text := renderCall(w, call)
			return out, text, nil
		})
}

func renderCall(w *directory, call *client.Call) (GetCallOutput, string) {
	var b strings.Builder
	num := w.numberByID(call.PhoneNumberID)
	other := otherParty(call, w)
	b.WriteString("Call ")
	b.WriteString(apiText(call.ID))
	b.WriteString(", times in UTC:\n")
	writeCallLine(&b, call, w, true)
	b.WriteString("number: ")
	writeNumber(&b, num)
	b.WriteString("\nparticipants: ")
	for i, p := range call.Participants {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(apiText(p))
	}
	out := GetCallOutput{Call: callRow(call), PhoneNumberID: call.PhoneNumberID, PhoneNumber: num.Number,
		PhoneNumberName: cleanText(num.Name, nameWidth), Participants: call.Participants}
	if out.Participants == nil {
		out.Participants = []string{}
	}
	if other != "unknown" {
		out.Participant = other
		if name, ok := w.conversationName(call.PhoneNumberID, other); ok {
			out.ParticipantName = cleanText(name, nameWidth)
		}
	}
	if call.UserID != "" {
		b.WriteString("\nuser: ")
		out.UserName = w.userName(call.UserID)
		writeUser(&b, call.UserID, out.UserName)
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
	return out, b.String()
}
