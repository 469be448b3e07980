// dated.go: what a call listed from Quo's dated API brings beside the v1
// fields (every party of a group call, the voicemail, the AI summary
// inline), written the way every result writes it.

package tools

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// inlineSummaries are the summaries the listing brought inline, and the
// calls whose summary must still be fetched (those of the v1 walk).
func inlineSummaries(calls []history.Call) (callSummaries, []client.Call) {
	sums := callSummaries{}
	var missing []client.Call
	for i := range calls {
		c := &calls[i]
		if !history.CanHaveSummary(&c.Call) {
			continue // as on v1: only calls that can have one show a summary line
		}
		if s := c.Summary; s != nil {
			sums[c.ID] = fetchedSummary{sum: &client.CallSummary{
				CallID: c.ID, Status: s.Status, Summary: s.Summary, NextSteps: s.NextSteps, Jobs: s.Jobs,
			}}
			continue
		}
		missing = append(missing, c.Call)
	}
	return sums, missing
}

// writeListedCall writes a call's line with what the dated surface adds at
// its end: "voicemail 42s", the other parties of a group call; then, with
// summaries, the voicemail's transcript under it (quoted: the caller's
// words).
func writeListedCall(b *strings.Builder, c *history.Call, w *directory, loc *time.Location, withTranscript bool) {
	writeListedCallNamed(b, c, w, loc, true, nil, withTranscript)
}

// writeListedCallNamed is writeListedCall with writeCallLineNamed's
// choices: the other party and number or not (list_calls' header names
// them), and the users already named on the page.
func writeListedCallNamed(b *strings.Builder, c *history.Call, w *directory, loc *time.Location, withParty bool, named map[string]bool, withTranscript bool) {
	var line strings.Builder
	writeCallLineNamed(&line, &c.Call, w, loc, withParty, named)
	b.WriteString(strings.TrimSuffix(line.String(), "\n"))
	if strings.HasPrefix(c.ActorID, "SYU") && c.AnsweredBy == nil && c.InitiatedBy == nil {
		b.WriteString(" by=AI agent") // a system actor took it: no user did
	}
	if len(c.Parties) > 1 {
		b.WriteString(" also=")
		for i, p := range c.Parties[1:] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(apiText(p))
		}
	}
	if vm := c.Voicemail; vm != nil {
		b.WriteString(" voicemail")
		if vm.Duration != nil {
			b.WriteByte(' ')
			b.WriteString(formatDuration(int(*vm.Duration + 0.5)))
		}
	}
	b.WriteByte('\n')
	if vm := c.Voicemail; withTranscript && vm != nil {
		b.WriteString("  voicemail: ")
		b.WriteString(voicemailTranscript(vm))
		b.WriteByte('\n')
	}
}

// voicemailTranscript is a voicemail's transcript, quoted (the caller's
// words), or why there is none.
func voicemailTranscript(vm *client.Voicemail) string {
	switch {
	case vm.Transcript != nil && *vm.Transcript != "":
		return quoted(*vm.Transcript, voicemailWidth)
	case vm.Status == client.VoicemailInProgress:
		return "transcript still processing, try again shortly"
	}
	return "no transcript"
}

// fetchVoicemails reads the voicemails of ids from v1 (which lists none
// inline), 4 at a time: vms[i] is ids[i]'s, nil when it has none; failed
// counts the requests that failed other than with a 404.
func fetchVoicemails(ctx context.Context, c *client.Client, ids []string) (vms []*client.Voicemail, failed int) {
	vms = make([]*client.Voicemail, len(ids))
	errs := make([]bool, len(ids))
	sem := make(chan struct{}, summaryConcurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			vm, err := c.GetCallVoicemail(ctx, id)
			vms[i], errs[i] = vm, err != nil && !isNotFound(err)
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e {
			failed++
		}
	}
	return vms, failed
}

// voicemailWidth bounds a voicemail transcript in a listing.
const voicemailWidth = 600

// fromLedger is what a header adds when the calls came from the local
// ledger: ", from the local ledger, synced 12 s ago"; "" from the API.
func fromLedger(cov history.Coverage) string {
	if !cov.Local {
		return ""
	}
	return ", from the " + cov.Source
}

// sourceLine says which surface answered, what it cannot list, and the
// API requests the page cost.
func sourceLine(cov history.Coverage) string {
	var b strings.Builder
	b.WriteString("Source: ")
	b.WriteString(cov.Source)
	if cov.Source == history.SourceV1 {
		b.WriteString(" (group calls not listed")
		if cov.FellBack != "" {
			b.WriteString("; " + cov.FellBack)
		}
		b.WriteString(")")
	}
	b.WriteString(", ")
	b.WriteString(strconv.Itoa(cov.Requests))
	if cov.Requests == 1 {
		b.WriteString(" API request.\n")
	} else {
		b.WriteString(" API requests.\n")
	}
	return b.String()
}
