// prompts_daily_digest.go: the daily_digest prompt: a day's calls (by
// default yesterday, in the server's zone) in one digest: the volume, the
// missed calls still to return, the summaries worth reading.

package tools

import (
	"context"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func init() {
	registerPrompt(promptDef{
		prompt: mcp.NewPrompt("daily_digest",
			mcp.WithPromptTitle("Daily call digest"),
			mcp.WithPromptDescription("Yesterday's calls (or another day's) in one digest: the volume by user, the missed calls still to return, and the AI summaries worth reading."),
			mcp.WithArgument("day", mcp.ArgumentTitle("Day"),
				mcp.ArgumentDescription("yesterday (the default), today, or a date such as 2026-11-20, in the server's time zone.")),
			promptNumberArgument,
			promptUserArgument,
		),
		complete: map[string]promptCompletion{"day": compDay, promptArgNumber: compNumber, promptArgUser: compUser},
		message:  dailyDigest,
	})
}

func dailyDigest(ctx context.Context, p *Prompts, args map[string]string) (string, string, error) {
	loc := p.d.zone()
	day, word, err := promptDay(args["day"], p.d.now(), loc)
	if err != nil {
		return "", "", err
	}
	s, err := p.scope(ctx, args)
	if err != nil {
		return "", "", err
	}
	from, to := day.Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly)
	named := day.Format("Monday 2 January 2006")
	if word != "" {
		named = word + ", " + named
	}
	group := "user"
	if s.userID != "" {
		group = "number"
	}
	window := []any{"createdAfter", from, "createdBefore", to}

	var b strings.Builder
	b.WriteString("Write me a digest of the calls of " + named + " (" + loc.String() + " time), " + s.label() + ".\n\n")
	b.WriteString(promptPaging + "\n")
	b.WriteString("1. " + promptToolCall("call_stats", append(append(window, "groupBy", []string{group}), s.toolArgs()...)...) + ": the volume, in total and per " + group + ".\n")
	b.WriteString("2. " + promptToolCall("missed_calls", append(append(window, "onlyUnreturned", true, "maxResults", 100), s.toolArgs()...)...) + ": the callers missed that day whom nobody has called back since.\n")
	b.WriteString("3. " + promptToolCall("recent_calls", append(append(window, "includeSummaries", true, "maxResults", 100), s.toolArgs()...)...) + ": every call with its AI summary and next steps.\n\n")
	b.WriteString("Then write the digest in three parts:\n")
	b.WriteString("- Volume: one line of totals (calls in and out, answered, missed, voicemails, answer rate, talk time), then one line per " + group + ".\n")
	b.WriteString("- To call back: each caller still waiting, the most attempts first: name or number, attempts, time of the last miss, the number they called, the gist of their voicemail.\n")
	b.WriteString("- Worth reading: at most five calls whose summaries matter (a complaint, a sale or a lead, a promise made, a next step someone owns), each with its call id, time and party, and one line on why.\n")
	b.WriteString(p.promptClosing())
	return b.String(), "The calls of " + named + ", " + s.label() + ".", nil
}
