// What a sync reads beyond the listing: the summaries and voicemails the
// v1 walk does not bring inline, calls read again until their content is
// final, and transcripts, one timeline a call.

package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// v1Content fetches, for the calls of the v1 walk, what the dated surface
// brings inline: the summary of a call that can have one and the voicemail
// of a missed incoming call, one request each. It returns the requests.
func (s *Syncer) v1Content(ctx context.Context, calls []history.Call) int {
	n := 0
	for i := range calls {
		if calls[i].FromV1() {
			n += s.fetchV1Content(ctx, &calls[i])
		}
	}
	return n
}

// fetchV1Content fetches c's summary and voicemail from v1, when it can
// have them and has none yet; it returns the requests made.
func (s *Syncer) fetchV1Content(ctx context.Context, c *history.Call) int {
	n := 0
	if c.Summary == nil && history.CanHaveSummary(&c.Call) {
		n++
		if sum, err := s.API.GetCallSummary(ctx, c.ID); err == nil {
			c.Summary = &client.DatedCallSummary{Status: sum.Status, Summary: sum.Summary, NextSteps: sum.NextSteps, Jobs: sum.Jobs}
		} else if isNotFound(err) {
			c.Summary = &client.DatedCallSummary{Status: client.StatusAbsent}
		}
	}
	if c.Voicemail == nil && history.CanHaveVoicemail(&c.Call) {
		n++
		if vm, err := s.API.GetCallVoicemail(ctx, c.ID); err == nil {
			c.Voicemail = vm
		}
	}
	return n
}

func isNotFound(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.StatusCode == 404
}

// syncContent reads again the calls whose content was in progress, then
// fetches transcripts of answered calls, newest first.
func (s *Syncer) syncContent(ctx context.Context, start time.Time, o Options, rep *Report) error {
	s.content.Lock()
	defer s.content.Unlock()
	horizon := s.Horizon(start)
	if o.Settle > 0 {
		ids, err := s.Store.Unsettled(ctx, horizon, o.Settle)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := s.reread(ctx, id)
			rep.ContentRequests++
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.logger().Info("ledger: a call could not be read again", "callId", id, "error", err)
				continue
			}
			if err := s.Store.PutCalls(ctx, []history.Call{*c}); err != nil {
				return err
			}
			rep.Settled++
			if o.Progress != nil {
				o.Progress(Progress{Phase: "settle", Calls: rep.Settled})
			}
		}
	}
	if o.Transcripts > 0 {
		ids, err := s.Store.WantTranscripts(ctx, horizon, o.Transcripts)
		if err != nil {
			return err
		}
		for _, id := range ids {
			t, reqs, err := s.transcript(ctx, id)
			rep.ContentRequests += reqs
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.logger().Info("ledger: a transcript could not be read", "callId", id, "error", err)
				continue
			}
			if err := s.Store.PutTranscript(ctx, id, t); err != nil {
				if errors.Is(err, ErrUnknownCall) {
					continue // pruned while its transcript was read
				}
				return err
			}
			rep.Transcripts++
			if o.Progress != nil {
				o.Progress(Progress{Phase: "transcripts", Calls: rep.Transcripts})
			}
		}
	}
	return nil
}

// readDated is one call with its summary and voicemail from the dated
// surface, in one request; nil and no error where the syncer lists v1
// only or the dated surface does not know the call: v1 then.
func (s *Syncer) readDated(ctx context.Context, id string) (*history.Call, error) {
	if s.V1Only {
		return nil, nil
	}
	d, err := s.API.GetDatedCall(ctx, id, client.IncludeSummary, client.IncludeVoicemail)
	if err == nil {
		c := history.FromDated(d)
		return &c, nil
	}
	if history.DatedUnknown(err) {
		return nil, nil
	}
	return nil, err
}

// reread reads one call again with its summary and voicemail: on the
// dated surface one request; where it is unknown, v1's summary and
// voicemail.
func (s *Syncer) reread(ctx context.Context, id string) (*history.Call, error) {
	if c, err := s.readDated(ctx, id); c != nil || err != nil {
		return c, err
	}
	c, err := s.Store.Get(ctx, id)
	if err != nil || c == nil {
		return nil, fmt.Errorf("the ledger no longer holds %s: %v", id, err)
	}
	c.Summary, c.Voicemail = nil, nil
	s.fetchV1Content(ctx, c)
	return c, nil
}

// transcript reads a call's transcript: the dated segments joined, or v1's.
func (s *Syncer) transcript(ctx context.Context, id string) (Transcript, int, error) {
	if !s.V1Only {
		segs, err := history.TranscriptSegments(ctx, s.API, id)
		if err == nil {
			tr := history.JoinTranscript(nil, segs)
			return fromTranscript(tr), max(1, (len(segs)+49)/50), nil
		}
		if !history.DatedUnknown(err) {
			if isNotFound(err) {
				return Transcript{Status: client.StatusAbsent}, 1, nil
			}
			return Transcript{}, 1, err
		}
	}
	tr, err := s.API.GetCallTranscript(ctx, id)
	switch {
	case isNotFound(err):
		return Transcript{Status: client.StatusAbsent}, 2, nil
	case err != nil:
		return Transcript{}, 2, err
	}
	return fromTranscript(tr), 2, nil
}

// fromTranscript is a transcript in the ledger's shape.
func fromTranscript(tr *client.CallTranscript) Transcript {
	t := Transcript{Status: tr.Status}
	for _, l := range tr.Dialogue {
		line := Line{Start: l.Start, Text: l.Content}
		if l.Identifier != nil {
			line.Speaker = *l.Identifier
		}
		if l.UserID != nil {
			line.UserID = *l.UserID
		}
		t.Lines = append(t.Lines, line)
	}
	if t.Status == "" {
		t.Status = client.StatusCompleted
	}
	return t
}

// namesEvery is how often a background sync lists the conversations again
// for their names.
const namesEvery = 15 * time.Minute

// syncNames stores the names of the 1:1 conversations of numbers updated
// since the last time (all of them the first time): what search finds a
// call by when its party is searched by name.
func (s *Syncer) syncNames(ctx context.Context, numbers []string, rep *Report) error {
	s.names.Lock()
	defer s.names.Unlock()
	now := s.now()
	if !s.namesAt.IsZero() && now.Sub(s.namesAt) < namesEvery {
		return nil
	}
	p := client.ListConversationsParams{MaxResults: 100}
	if len(numbers) <= 100 {
		p.PhoneNumbers = numbers
	}
	if !s.namesAt.IsZero() {
		p.UpdatedAfter = s.namesAt.Add(-s.overlap())
	}
	for pages := 0; pages < 1000; pages++ {
		page, err := s.API.ListConversations(ctx, p)
		rep.ContentRequests++
		if err != nil {
			return err
		}
		var names []Name
		for _, c := range page.Data {
			if len(c.Participants) == 1 && c.Name != nil && *c.Name != "" {
				names = append(names, Name{PhoneNumberID: c.PhoneNumberID, Party: c.Participants[0], Name: *c.Name})
			}
		}
		if err := s.Store.PutNames(ctx, names); err != nil {
			return err
		}
		if page.NextToken() == "" {
			break
		}
		p.PageToken = page.NextToken()
	}
	s.namesAt = now
	return nil
}
