// prompts_prepare_for_call.go: the prepare_for_call prompt: before calling a contact
// (by name or number), their past calls, what was said, the open next
// steps and what to raise. A name is looked up among the contacts the
// prompts know (prompts_names.go); several matches are put to the user,
// never guessed.

package tools

import (
	"context"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// theirNumber stands for the contact's number in the steps when the user
// is to pick among several contacts first.
const theirNumber = "<their number>"

func init() {
	registerPrompt(promptDef{
		prompt: mcp.NewPrompt("prepare_for_call",
			mcp.WithPromptTitle("Prepare for a call"),
			mcp.WithPromptDescription("Before calling a contact: the past calls with them, what was discussed, the open next steps and promises, and what to raise."),
			mcp.WithArgument("contact", mcp.ArgumentTitle("Contact"), mcp.RequiredArgument(),
				mcp.ArgumentDescription(`The contact's name as saved in OpenPhone (such as "Hannah Osei"), or their phone number.`)),
			promptNumberArgument,
		),
		complete: map[string]promptCompletion{"contact": compContact, promptArgNumber: compNumber},
		message:  prepareForCall,
	})
}

func prepareForCall(ctx context.Context, p *Prompts, args map[string]string) (string, string, error) {
	raw := strings.TrimSpace(args["contact"])
	s, err := p.scope(ctx, args)
	if err != nil {
		return "", "", err
	}
	c, err := p.client(ctx)
	if err != nil {
		return "", "", err
	}
	e164 := ""
	if typedDigits(raw) != "" {
		if e164, err = normalizePhone("contact", raw, p.d.region()); err != nil {
			return "", "", err
		}
	}
	contacts, err := p.contacts(ctx, c)
	if err != nil && ctx.Err() == nil {
		p.d.logger().Info("contacts unavailable for prepare_for_call", "error", err)
	}
	matches := findPromptContacts(contacts, raw, e164)
	if s.number != nil {
		var on []promptContact
		for _, m := range matches {
			if len(m.numbers) == 0 || slices.Contains(m.numbers, s.number.ID) {
				on = append(on, m)
			}
		}
		if len(on) > 0 {
			matches = on
		}
	}

	var b strings.Builder
	party, who := theirNumber, quoted(raw, promptNameWidth)
	switch {
	case e164 != "" || len(matches) == 1:
		m := promptContact{number: e164}
		if len(matches) > 0 {
			m = matches[0]
		}
		party = m.number
		who = apiText(m.number)
		if m.name != "" {
			who = quoted(m.name, promptNameWidth) + " (" + apiText(m.number) + ")"
		}
		b.WriteString("Prepare me for a call with " + who + p.talksWith(ctx, c, m, ", who talks with our number ") + ".\n\n")
	case len(matches) > 1:
		b.WriteString("Prepare me for a call with the contact " + who + ". Several contacts match: ")
		for i, m := range matches[:min(len(matches), 10)] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoted(m.name, promptNameWidth) + " " + apiText(m.number) + p.talksWith(ctx, c, m, " on "))
		}
		b.WriteString(". Ask me which one before calling any tool, then follow these steps with that number in place of " + theirNumber + ".\n\n")
	default:
		// The tools look a name up in more conversations than the prompt
		// does: the name goes in as the participant.
		party = raw
		b.WriteString("Prepare me for a call with " + who + ", a name the prompt did not find among the contacts it knows; the tools look it up in more conversations. If a tool answers with candidates, ask me which one and go on with its number; if it finds no contact of that name, ")
		if p.d.Ledger != nil {
			b.WriteString("look for it in what calls said with " + promptToolCall("search_calls", "query", raw) + ", else ")
		}
		b.WriteString("ask me for their number.\n\n")
	}
	b.WriteString(promptPaging + "\n")
	b.WriteString("1. " + promptToolCall("recent_calls", append([]any{"participant", party, "createdAfter", "90d", "includeSummaries", true, "maxResults", 20}, s.toolArgs()...)...) +
		": the calls with them in the last 90 days, with their AI summaries and next steps. If it lists none, " +
		promptToolCall("list_calls", append([]any{"participants", []string{party}, "maxResults", 20, "includeSummaries", true}, p.listCallsNumber(s, matches, party)...)...) +
		" for older calls" + p.listCallsNote(s, matches, party) + ".\n")
	b.WriteString("2. " + promptToolCall("get_call_summary", "callId", "<call id>") + " for the three most recent calls that have a summary: the whole summary, next steps and AI results; " +
		promptToolCall("get_call_transcript", "callId", "<call id>") + " for the most recent answered call if it has no summary.\n")
	b.WriteString("3. " + promptToolCall("missed_calls", append([]any{"createdAfter", "7d", "onlyUnreturned", true}, s.toolArgs()...)...) + ": whether a missed call of theirs is still not returned.\n\n")
	b.WriteString("Then brief me in a few short lines:\n")
	b.WriteString("- Who: name, number, which of our numbers and users they deal with.\n")
	b.WriteString("- History: how many calls and when (the first and the last), and how they went.\n")
	b.WriteString("- What was discussed on the last few calls.\n")
	b.WriteString("- Open next steps and promises not yet kept, ours or theirs, each with its call id.\n")
	b.WriteString("- What to raise or settle on this call.\n")
	b.WriteString(p.promptClosing())
	return b.String(), "Prepare for a call with " + who + ".", nil
}

// talksWith names our numbers a contact has conversations with, from the
// directory's numbers, after intro: `, who talks with our number "Sales"
// (+14155550100)`; "" when it knows none.
func (p *Prompts) talksWith(ctx context.Context, c *client.Client, m promptContact, intro string) string {
	if len(m.numbers) == 0 {
		return ""
	}
	numbers, err := p.dirs.get(c).phoneNumbers(ctx)
	if err != nil {
		return ""
	}
	var labels []string
	for _, id := range m.numbers {
		for _, n := range numbers {
			if n.ID == id {
				labels = append(labels, promptNumberLabel(n))
			}
		}
	}
	if len(labels) == 0 {
		return ""
	}
	if len(labels) > 1 && strings.HasSuffix(intro, " number ") {
		intro = strings.TrimSuffix(intro, "number ") + "numbers "
	}
	return intro + strings.Join(labels, " and ")
}

// listCallsNumber is list_calls' phoneNumberId for the contact: the one of
// the scope, else the one number the contact talks with.
func (p *Prompts) listCallsNumber(s promptScope, matches []promptContact, party string) []any {
	if s.number != nil {
		return []any{"phoneNumberId", s.number.ID}
	}
	if m := contactOf(matches, party); m != nil && len(m.numbers) == 1 {
		return []any{"phoneNumberId", m.numbers[0]}
	}
	return nil
}

// listCallsNote says which phoneNumberId to add to list_calls when the
// prompt could not pick one.
func (p *Prompts) listCallsNote(s promptScope, matches []promptContact, party string) string {
	if len(p.listCallsNumber(s, matches, party)) > 0 {
		return ""
	}
	if m := contactOf(matches, party); m != nil && len(m.numbers) > 1 {
		return ", once with each phoneNumberId of " + strings.Join(m.numbers, ", ")
	}
	return " (add phoneNumberId, one of our numbers, if it asks for one)"
}

func contactOf(matches []promptContact, party string) *promptContact {
	for i := range matches {
		if matches[i].number == party {
			return &matches[i]
		}
	}
	return nil
}
