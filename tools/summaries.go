// summaries.go: the AI summaries under call lines, with includeSummaries
// on list_calls and recent_calls: fetched a few at a time, one line each.

package tools

import (
	"context"
	"strings"
	"sync"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// summaryConcurrency bounds the summary requests in flight for one result;
// the client's shared pacing still spaces them to the API's rate limit.
const summaryConcurrency = 4

// summaryWidth and nextStepsWidth cut the one-line renderings under a call
// line (in runes); get_call_summary shows everything.
const (
	summaryWidth   = 320
	nextStepsWidth = 200
)

// fetchedSummary is the outcome of one summary request.
type fetchedSummary struct {
	sum *client.CallSummary
	err error
}

// callSummaries maps call ids to their fetched summaries. Calls without an
// entry were not fetched (not completed) and get no summary lines.
type callSummaries map[string]fetchedSummary

// fetchSummaries fetches the summaries of the calls that can have one
// (history.CanHaveSummary), at most summaryConcurrency at a time. A failed request is
// kept as an error on its call (rendered as a short note) rather than
// failing the result; a cancelled ctx ends the remaining requests early.
func fetchSummaries(ctx context.Context, c *client.Client, calls []client.Call) callSummaries {
	var ids []string
	seen := map[string]bool{}
	for i := range calls {
		if id := calls[i].ID; history.CanHaveSummary(&calls[i]) && !seen[id] {
			seen[id] = true // duplicates are fetched once
			ids = append(ids, id)
		}
	}
	results := make([]fetchedSummary, len(ids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, summaryConcurrency)
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = fetchedSummary{err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			sum, err := c.GetCallSummary(ctx, id)
			results[i] = fetchedSummary{sum: sum, err: err}
		}()
	}
	wg.Wait()
	out := make(callSummaries, len(ids))
	for i, id := range ids {
		out[id] = results[i]
	}
	return out
}

// write adds the summary lines of callID under its call line: one line of
// summary and, when there are any, one line of next steps, indented, the
// summary's text quoted so that it cannot pose as the server's words.
// Calls that were not fetched get nothing.
func (s callSummaries) write(b *strings.Builder, callID string) {
	f, ok := s[callID]
	if !ok {
		return
	}
	b.WriteString("  summary: ")
	switch {
	case f.err != nil:
		b.WriteString("could not be fetched (")
		b.WriteString(cleanText(shortError(f.err), 160))
		b.WriteString("); try get_call_summary")
	case f.sum == nil:
		b.WriteString("none")
	default:
		b.WriteString(summaryLine(f.sum))
	}
	b.WriteByte('\n')
	if f.err == nil && f.sum != nil && f.sum.Status == client.StatusCompleted && len(f.sum.NextSteps) > 0 {
		b.WriteString("  next steps: ")
		b.WriteString(quoted(strings.Join(f.sum.NextSteps, " | "), nextStepsWidth))
		b.WriteByte('\n')
	}
}

// summaryLine is a summary in one line, or what its status means.
func summaryLine(s *client.CallSummary) string {
	switch s.Status {
	case client.StatusCompleted:
		if len(s.Summary) == 0 {
			return "empty (nothing was summarised)"
		}
		return quoted(strings.Join(s.Summary, " "), summaryWidth)
	case client.StatusInProgress:
		return "still processing, try again shortly"
	case client.StatusFailed:
		return "OpenPhone failed to summarise this call"
	case client.StatusAbsent, "":
		return "none (no AI summary for this call)"
	}
	return "status " + quoted(s.Status, 40)
}
