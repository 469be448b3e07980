// The dated calls resource (2026-03-30): the calls of the whole workspace
// in one list, and the recordings and transcripts of one call, paged.

package client

import (
	"context"
	"iter"
	"time"
)

// What GET /calls and GET /calls/{callId} can put inline in each call.
const (
	IncludeSummary   = "summary"   // the AI summary (DatedCall.Summary)
	IncludeVoicemail = "voicemail" // the voicemail, when one was left
)

// ListDatedCallsParams are the query parameters of GET /calls. Every one
// is optional: none lists the whole workspace, newest first. Set one of a
// pair (Participant or ParticipantIn, Status or StatusIn), not both.
type ListDatedCallsParams struct {
	PhoneNumberID string `url:"phoneNumberId,omitempty"` // "PN…": calls on this Quo number
	ActorID       string `url:"actorId,omitempty"`       // "US…" user or "SYU…" system actor
	// Participant matches the call's own other party (E.164), not people
	// added to a group call; ParticipantIn any of several.
	Participant   string   `url:"participant,omitempty"`
	ParticipantIn []string `url:"participant[in],comma"`
	Direction     string   `url:"direction,omitempty"` // incoming | outgoing
	Status        string   `url:"status,omitempty"`
	StatusIn      []string `url:"status[in],comma"` // e.g. missed, no-answer
	// Both bounds are inclusive and sent as given (v1's createdAfter and
	// createdBefore are exclusive).
	CreatedAtOrAfter  time.Time `url:"createdAt[gte],omitempty"`
	CreatedAtOrBefore time.Time `url:"createdAt[lte],omitempty"`
	Include           []string  `url:"include,comma"`   // IncludeSummary, IncludeVoicemail
	Limit             int       `url:"limit,omitempty"` // 1-50; 0 leaves the API default of 10
	After             string    `url:"after,omitempty"` // the previous page's NextCursor
}

// ListDatedCalls lists one page of the workspace's calls that match p,
// newest first, group and AI agent calls included. DatedCalls walks every
// page.
//
// API: GET /calls (2026-03-30)
func (c *Client) ListDatedCalls(ctx context.Context, p ListDatedCallsParams) (*DatedCallPage, error) {
	var page DatedCallPage
	if err := c.getDated(ctx, "/calls", encodeQuery(p), &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// DatedCalls lists every call that matches p, newest first, reading page
// after page of ListDatedCalls from p.After on, with p.Limit calls per
// page (50 takes the fewest requests). It stops at the first error, which
// it yields with a zero DatedCall, after the calls already read: an error
// of ListDatedCalls, ErrRepeatedPageToken (a cursor that repeats), or
// ErrTooManyPages (see WithMaxPages). Breaking out of the loop stops the
// requests.
//
// API: GET /calls (2026-03-30), once per page
func (c *Client) DatedCalls(ctx context.Context, p ListDatedCallsParams) iter.Seq2[DatedCall, error] {
	return walkCursor(c, "/calls", p.After, func(after string) (*DatedCallPage, error) {
		p := p
		p.After = after
		return c.ListDatedCalls(ctx, p)
	})
}

// getDatedCallParams is the query of GET /calls/{callId}.
type getDatedCallParams struct {
	Include []string `url:"include,comma"`
}

// GetDatedCall fetches one call by its "AC…" id, with include (any of
// IncludeSummary, IncludeVoicemail) inline. A call of another workspace
// is a 404 too.
//
// API: GET /calls/{callId} (2026-03-30)
func (c *Client) GetDatedCall(ctx context.Context, callID string, include ...string) (*DatedCall, error) {
	seg, err := pathID(callID)
	if err != nil {
		return nil, err
	}
	return getDatedData[DatedCall](ctx, c, "/calls/"+seg, "/calls/{callId}", encodeQuery(getDatedCallParams{Include: include}))
}

// ListDatedCallRecordings lists one page of a call's recordings, oldest
// first. A recording's URL is signed and expires: fetch it soon.
//
// API: GET /calls/{callId}/recordings (2026-03-30)
func (c *Client) ListDatedCallRecordings(ctx context.Context, callID string, p CursorParams) (*DatedCallRecordingPage, error) {
	return listOfCall[CallRecording](ctx, c, callID, "recordings", p)
}

// DatedCallRecordings lists every recording of a call, oldest first, page
// after page from p.After on; it ends like DatedCalls.
//
// API: GET /calls/{callId}/recordings (2026-03-30), once per page
func (c *Client) DatedCallRecordings(ctx context.Context, callID string, p CursorParams) iter.Seq2[CallRecording, error] {
	return walkCursor(c, "/calls/{callId}/recordings", p.After, func(after string) (*DatedCallRecordingPage, error) {
		p := p
		p.After = after
		return c.ListDatedCallRecordings(ctx, callID, p)
	})
}

// ListDatedCallTranscripts lists one page of a call's transcripts: one
// per recorded segment, oldest first. Check each Status: a missed call
// has none, and one can still be in progress minutes after the call.
//
// API: GET /calls/{callId}/transcripts (2026-03-30)
func (c *Client) ListDatedCallTranscripts(ctx context.Context, callID string, p CursorParams) (*DatedTranscriptPage, error) {
	return listOfCall[DatedTranscript](ctx, c, callID, "transcripts", p)
}

// DatedCallTranscripts lists every transcript of a call, oldest first,
// page after page from p.After on; it ends like DatedCalls.
//
// API: GET /calls/{callId}/transcripts (2026-03-30), once per page
func (c *Client) DatedCallTranscripts(ctx context.Context, callID string, p CursorParams) iter.Seq2[DatedTranscript, error] {
	return walkCursor(c, "/calls/{callId}/transcripts", p.After, func(after string) (*DatedTranscriptPage, error) {
		p := p
		p.After = after
		return c.ListDatedCallTranscripts(ctx, callID, p)
	})
}

// listOfCall fetches one page of GET /calls/{callId}/<what>.
func listOfCall[T any](ctx context.Context, c *Client, callID, what string, p CursorParams) (*CursorPage[T], error) {
	seg, err := pathID(callID)
	if err != nil {
		return nil, err
	}
	var page CursorPage[T]
	if err := c.getDated(ctx, "/calls/"+seg+"/"+what, encodeQuery(p), &page); err != nil {
		return nil, err
	}
	return &page, nil
}
