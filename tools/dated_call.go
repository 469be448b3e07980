// dated_call.go: one call by id from Quo's dated API, for the single-call
// tools, and the choice of surface they share with recent_calls: the
// dated surface unless pinned to v1 or remembered as unknown for this
// client, v1 when the dated surface turns out unknown.

package tools

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// datedOK reports whether a tool should ask the dated surface first for c.
func (d *Deps) datedOK(c *client.Client) bool {
	switch d.APIVersion {
	case APIV1:
		return false
	case APIDated:
		return true
	}
	return d.fallbacks == nil || !d.fallbacks.FallenBack(c)
}

// fellBack reports whether a dated request that failed with err is to be
// answered through v1 instead, and remembers the fallback for c when err
// says the API does not know the dated surface (history.DatedUnknown).
// Only under "auto". A dated 404 of an unknown call is answered through v1
// too, without remembering: a wrong guess costs one request, never a
// wrong "not found".
func (d *Deps) fellBack(c *client.Client, err error) bool {
	if d.APIVersion != APIAuto && d.APIVersion != "" {
		return false
	}
	if history.DatedUnknown(err) {
		if d.fallbacks != nil {
			d.fallbacks.FallBack(c, err)
		}
		return true
	}
	return isNotFound(err)
}

// getDatedCallNamed is getCallNamed on the dated surface: the call with
// include inline, and alongside it the workspace's numbers; then the names
// of every outside party (one conversations page on a cold cache).
func getDatedCallNamed(ctx context.Context, d *Deps, c *client.Client, w *directory, id string, include ...string) (*history.Call, error) {
	numbers := make(chan struct{})
	go func() {
		defer close(numbers)
		if _, err := w.phoneNumbers(ctx); err != nil && ctx.Err() == nil {
			d.logger().Info("phone numbers unavailable", "error", err)
		}
	}()
	dc, err := c.GetDatedCall(ctx, id, include...)
	<-numbers
	if err != nil {
		return nil, err
	}
	hc := history.FromDated(dc)
	parties := hc.Parties
	if len(parties) == 0 {
		parties = []string{hc.Participant}
	}
	var u unnamed
	for _, p := range parties {
		u.add(w, hc.PhoneNumberID, p)
	}
	u.fetch(ctx, d, w)
	return &hc, nil
}

// aiAgentActor reports whether actor is a system actor such as the AI
// agent ("SYU…"), not a user.
func aiAgentActor(actor string) bool { return strings.HasPrefix(actor, "SYU") }

// datedSummaries is the summary a dated call brought inline, in the shape
// the listings write (nil: the call brought none).
func datedSummaries(hc *history.Call) callSummaries {
	s := hc.Summary
	if s == nil {
		return nil
	}
	return callSummaries{hc.ID: fetchedSummary{sum: &client.CallSummary{
		CallID: hc.ID, Status: s.Status, Summary: s.Summary, NextSteps: s.NextSteps, Jobs: s.Jobs,
	}}}
}

// GetCallResult is the structured content of get_call: on v1 exactly
// GetCallOutput; the dated surface adds what it brings in the same
// request. (Here, not in render.go, which is at its size bound.)
type GetCallResult struct {
	GetCallOutput
	ActorID   string           `json:"actorId,omitempty"`
	Parties   []string         `json:"parties,omitempty"`
	Voicemail *VoicemailOutput `json:"voicemail,omitempty"`
}

// joinSegments makes one transcript of a call's dated transcripts, one
// per recorded segment, their lines timed from the start of the call.
//
// The start of the call is answeredAt, else createdAt (call may be nil:
// then the first segment's start). answeredAt, because nothing is said
// or recorded while the call rings: from createdAt, a call that rang for
// 20s would open at [00:20]; from the first segment's start, a pause
// before recording began would vanish. A segment that starts before the
// anchor (clock skew) or has no start time counts from the first one's.
//
// Its status: in-progress while any segment is (the timeline would have
// a hole), else completed when any segment is, else failed when one
// failed, else absent (no segment: a missed call, or nothing recorded).
func joinSegments(call *client.Call, segs []client.DatedTranscript) *client.CallTranscript {
	tr := &client.CallTranscript{Status: segmentsStatus(segs), Dialogue: []client.DialogueLine{}}
	anchor, first := segmentsAnchor(call, segs)
	for _, seg := range segs {
		if seg.CreatedAt != nil && seg.CreatedAt.After(tr.CreatedAt) {
			tr.CreatedAt = *seg.CreatedAt
		}
		tr.Duration += seg.Duration
		offset := segmentOffset(seg.StartTime, anchor, first)
		for _, l := range seg.Dialogue {
			dl := client.DialogueLine{Content: l.Content, Start: l.Start + offset, End: l.End + offset, Identifier: l.Identifier}
			if a := deref(l.ActorID); strings.HasPrefix(a, "US") {
				dl.UserID = l.ActorID // a system actor (the AI agent) is named by the call instead
			}
			tr.Dialogue = append(tr.Dialogue, dl)
		}
	}
	if tr.Status == client.StatusInProgress {
		tr.Dialogue = nil
	}
	sort.SliceStable(tr.Dialogue, func(i, j int) bool { return tr.Dialogue[i].Start < tr.Dialogue[j].Start })
	return tr
}

// segmentsAnchor is where the timeline starts (the call's answeredAt, else
// its createdAt, else the first segment's start) and the first segment's
// start.
func segmentsAnchor(call *client.Call, segs []client.DatedTranscript) (anchor, first *time.Time) {
	for i := range segs {
		if s := segs[i].StartTime; s != nil && (first == nil || s.Before(*first)) {
			first = s
		}
	}
	anchor = first
	if call != nil {
		switch {
		case call.AnsweredAt != nil:
			anchor = call.AnsweredAt
		case !call.CreatedAt.IsZero():
			anchor = &call.CreatedAt
		}
	}
	return anchor, first
}

// segmentOffset is how many seconds after the anchor a segment starting at
// start begins: from the first segment's start when it would be before the
// anchor, the first segment's offset when it has no start; never negative.
func segmentOffset(start, anchor, first *time.Time) float64 {
	offset := 0.0
	if start != nil && anchor != nil {
		offset = start.Sub(*anchor).Seconds()
		if offset < 0 && first != nil {
			offset = start.Sub(*first).Seconds()
		}
	} else if start == nil && first != nil && anchor != nil {
		offset = first.Sub(*anchor).Seconds()
	}
	return max(offset, 0)
}

// segmentsStatus is the joined transcript's status: in-progress while any
// segment is, else completed when any is, else failed when one failed,
// else absent.
func segmentsStatus(segs []client.DatedTranscript) string {
	var completed, failed bool
	for _, seg := range segs {
		switch seg.Status {
		case client.StatusInProgress:
			return client.StatusInProgress
		case client.StatusCompleted:
			completed = true
		case client.StatusFailed:
			failed = true
		}
	}
	switch {
	case completed:
		return client.StatusCompleted
	case failed:
		return client.StatusFailed
	}
	return client.StatusAbsent
}

// datedTranscriptSegments reads every transcript of a call, 50 a request.
func datedTranscriptSegments(ctx context.Context, c *client.Client, id string) ([]client.DatedTranscript, error) {
	var segs []client.DatedTranscript
	for seg, err := range c.DatedCallTranscripts(ctx, id, client.CursorParams{Limit: 50}) {
		if err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
	return segs, nil
}
