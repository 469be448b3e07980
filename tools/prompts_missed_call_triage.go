// prompts_missed_call_triage.go: the missed_call_triage prompt: the
// callers missed since a moment (by default the last 24 hours) whom nobody
// has called back, ranked into a callback worklist with what each wants.

package tools

import (
	"context"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// triageContextCalls is how many callers the triage looks up earlier calls
// of: each costs a recent_calls call.
const triageContextCalls = 10

func init() {
	registerPrompt(promptDef{
		prompt: mcp.NewPrompt("missed_call_triage",
			mcp.WithPromptTitle("Missed-call triage"),
			mcp.WithPromptDescription("The missed calls nobody has returned yet, as a callback worklist: who to call back first, what they want (voicemails, earlier calls), and who should call."),
			mcp.WithArgument("since", mcp.ArgumentTitle("Since"),
				mcp.ArgumentDescription("Where the window starts: 24h (the default), today, yesterday, this week, 7d, or a date such as 2026-11-20, in the server's time zone.")),
			promptNumberArgument,
			promptUserArgument,
		),
		complete: map[string]promptCompletion{"since": compSince, promptArgNumber: compNumber, promptArgUser: compUser},
		message:  missedCallTriage,
	})
}

func missedCallTriage(ctx context.Context, p *Prompts, args map[string]string) (string, string, error) {
	loc, now := p.d.zone(), p.d.now()
	since, at, err := promptSince(args["since"], "24h", now, loc)
	if err != nil {
		return "", "", err
	}
	s, err := p.scope(ctx, args)
	if err != nil {
		return "", "", err
	}
	start := at.In(loc).Format("Monday 2 January 15:04")
	var window string
	switch rel, isWord, _ := parseRelative("createdAfter", since); {
	case isWord && rel.back > 0:
		window = "in the last " + since + ", since " + start + " (" + loc.String() + " time)"
	case isWord:
		window = "since " + start + " (" + strings.ToLower(since) + ", " + loc.String() + " time)"
	default: // a date or a time
		window = "since " + start + " (" + loc.String() + " time)"
	}

	var b strings.Builder
	b.WriteString("Triage the calls we missed " + window + ", " + s.label() + ": who needs a call back, in what order, and by whom.\n\n")
	b.WriteString(promptPaging + "\n")
	b.WriteString("1. " + promptToolCall("missed_calls", append([]any{"createdAfter", since, "onlyUnreturned", false, "maxResults", 100}, s.toolArgs()...)...) +
		": every caller missed, with their attempts, the last miss, the voicemail, and whether someone has called them back.\n")
	b.WriteString("2. For each caller not returned, at most " + strconv.Itoa(triageContextCalls) + ", the most attempts first: " +
		promptToolCall("recent_calls", "participant", "<their number>", "createdAfter", "30d", "includeSummaries", true, "maxResults", 10) +
		": what earlier calls with them were about, and who took them.\n\n")
	b.WriteString("Then answer with the worklist, the most urgent first (repeated attempts; a voicemail that asks for a call back, is about money or a problem, or has a deadline; a customer with an open matter), one line each: name or number, attempts and the time of the last miss, what they want in a few words, the number they called, who should call back (the user who last spoke with them, else that number's first user), and the call id of the last miss.\n")
	b.WriteString("After the list, one line naming the callers someone already called back.\n")
	b.WriteString(p.promptClosing())
	return b.String(), "The missed calls " + window + ", " + s.label() + ", as a callback worklist.", nil
}
