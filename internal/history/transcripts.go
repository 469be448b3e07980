// A call's transcript on the dated surface comes as one transcript per
// recorded segment, each timed from its own start; JoinTranscript makes
// the one timeline that get_call_transcript shows and the ledger keeps.

package history

import (
	"context"
	"iter"
	"sort"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// TranscriptAPI is what reading a call's segments needs; *client.Client
// has it.
type TranscriptAPI interface {
	DatedCallTranscripts(ctx context.Context, callID string, p client.CursorParams) iter.Seq2[client.DatedTranscript, error]
}

// JoinTranscript makes one transcript of a call's dated transcripts, one
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
func JoinTranscript(call *client.Call, segs []client.DatedTranscript) *client.CallTranscript {
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
			if a := derefString(l.ActorID); strings.HasPrefix(a, "US") {
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

// TranscriptSegments reads every transcript of a call, 50 a request.
func TranscriptSegments(ctx context.Context, c TranscriptAPI, id string) ([]client.DatedTranscript, error) {
	var segs []client.DatedTranscript
	for seg, err := range c.DatedCallTranscripts(ctx, id, client.CursorParams{Limit: 50}) {
		if err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func derefString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
