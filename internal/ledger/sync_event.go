// One call read again on demand, for a pushed event (a webhook saying a
// call ended, or that its summary or transcript is ready): the settle
// step's reading of a call by id, for a call the ledger may not hold yet,
// in the caller's lane, at once.

package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// v1CallGetter reads one call on v1; *client.Client has it. It is asked
// of ContentAPI only here, where a call the ledger does not hold yet must
// be read on v1.
type v1CallGetter interface {
	GetCall(ctx context.Context, callID string) (*client.Call, error)
}

// Refresh reads the call callID again from the API and upserts it with
// its summary and voicemail; with transcript, or when the call was
// answered and lasted (the calls with transcripts), its transcript too. It
// reads on the syncer's surface (the dated one, v1 where the API does not
// know it or with V1Only): on the dated surface one request, plus the
// transcript's; on v1 up to three, plus the transcript's. Its requests go
// in ctx's lane: a pushed event wants the ledger fresh now, so it is not
// meant for client.Background. A call older than the horizon is left out,
// as the next prune would drop it. Safe beside a running Sync: both
// upsert by id.
func (s *Syncer) Refresh(ctx context.Context, callID string, transcript bool) error {
	c, err := s.readCall(ctx, callID)
	if err != nil {
		return fmt.Errorf("reading call %s again: %w", callID, err)
	}
	if c.CreatedAt.Before(s.Horizon(s.now())) {
		s.logger().Debug("ledger: an event's call is past the horizon; not stored", "callId", callID)
		return nil
	}
	if err := s.Store.PutCalls(ctx, []history.Call{*c}); err != nil {
		return fmt.Errorf("writing the ledger: %w", err)
	}
	if !transcript && !canHaveTranscript(&c.Call) {
		return nil
	}
	t, _, err := s.transcript(ctx, callID)
	if err != nil {
		return fmt.Errorf("reading the transcript of call %s: %w", callID, err)
	}
	if err := s.Store.PutTranscript(ctx, callID, t); err != nil && !errors.Is(err, ErrUnknownCall) {
		return fmt.Errorf("writing the ledger: %w", err)
	}
	return nil
}

// readCall is reread (sync_content.go) for a call the ledger may not hold:
// on the dated surface the call with its summary and voicemail inline; on
// v1 the call by id, keeping the conversation the ledger knows it by,
// with v1's summary and voicemail.
func (s *Syncer) readCall(ctx context.Context, id string) (*history.Call, error) {
	if c, err := s.readDated(ctx, id); c != nil || err != nil {
		return c, err
	}
	stored, err := s.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	getter, ok := s.API.(v1CallGetter)
	if !ok {
		// Without GetCall the v1 route is the settle step's: the stored
		// call, its content read again.
		return s.reread(ctx, id)
	}
	fresh, err := getter.GetCall(ctx, id)
	if err != nil {
		return nil, err
	}
	c := &history.Call{Call: *fresh, Participant: v1OtherParty(fresh)}
	if stored != nil {
		c.Participant, c.ConversationID, c.ConversationName = stored.Participant, stored.ConversationID, stored.ConversationName
		c.Parties, c.ActorID = stored.Parties, stored.ActorID
	}
	s.fetchV1Content(ctx, c)
	return c, nil
}

// canHaveTranscript is the stores' "answered" (WantTranscripts): a call
// that lasted and was answered or completed.
func canHaveTranscript(c *client.Call) bool {
	return c.Duration > 0 && (c.AnsweredAt != nil || c.Status == "completed" || c.Status == "answered")
}

// v1OtherParty is the other party of a v1 call that the listing has not
// named yet: v1 lists the caller first, so the first participant of an
// incoming call and the last of an outgoing one.
func v1OtherParty(c *client.Call) string {
	switch {
	case len(c.Participants) == 0:
		return ""
	case c.Direction == "outgoing":
		return c.Participants[len(c.Participants)-1]
	}
	return c.Participants[0]
}
