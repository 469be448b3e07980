// The ledger as a Sink: each event reads its call again through the
// ledger's Syncer, so the ledger holds the call, its summary, voicemail
// and transcript as the API has them now.

package webhooks

import (
	"context"
	"errors"

	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
)

// LedgerSink applies events to the ledger of Syncer (ledger.Syncer.Refresh:
// a transcript's event reads the transcript too). For ledgers opened at
// first use, wrap the lookup in a SinkFunc instead.
type LedgerSink struct {
	Syncer *ledger.Syncer
}

// CallEvent implements Sink.
func (s LedgerSink) CallEvent(ctx context.Context, e Event) error {
	if s.Syncer == nil {
		return errors.New("webhooks: the ledger sink has no ledger")
	}
	return s.Syncer.Refresh(ctx, e.CallID, e.Transcript())
}
