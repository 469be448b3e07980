// The sync: it keeps a Store holding every call of the last Days, inside
// the key's budget. A sync reads the top (the calls since the last sync,
// with an overlap, so a call listed late is not lost), then the bottom (the
// backfill, newest first, down to the horizon; its progress is kept, so an
// interrupted backfill goes on where it stopped), then settles what was
// still in progress (summaries and voicemails that finish minutes after
// a call), fetches transcripts of answered calls, newest first, and prunes
// what fell past the horizon. Every call is upserted by id: reading a call
// twice never stores it twice.

package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// ContentAPI is what a sync needs of the client beyond the listing of
// calls; *client.Client has it.
type ContentAPI interface {
	history.TranscriptAPI
	GetDatedCall(ctx context.Context, callID string, include ...string) (*client.DatedCall, error)
	GetCallSummary(ctx context.Context, callID string) (*client.CallSummary, error)
	GetCallVoicemail(ctx context.Context, callID string) (*client.Voicemail, error)
	GetCallTranscript(ctx context.Context, callID string) (*client.CallTranscript, error)
	ListConversations(ctx context.Context, p client.ListConversationsParams) (*client.ConversationPage, error)
}

// Syncer keeps one Store in sync with one workspace.
type Syncer struct {
	Store Store
	// Source lists the workspace's calls from the API (the dated surface,
	// v1, or the fallback between them).
	Source history.Source
	API    ContentAPI
	// Numbers are the workspace's OpenPhone numbers (PN ids) to list.
	Numbers func(ctx context.Context) ([]string, error)
	Days    int // the horizon: calls of the last Days are kept
	// V1Only: content comes from v1's routes only (--api-version v1).
	V1Only  bool
	Overlap time.Duration // how far back the top reads again (default 2 minutes)
	Now     func() time.Time
	Logger  *slog.Logger

	top, bottom, content, names sync.Mutex // one of each at a time
	meta                        sync.Mutex // read-modify-write of Meta
	namesAt                     time.Time  // the last names sync, under names
}

// Options are what one Sync does beyond the listing.
type Options struct {
	// Backfill reads the bottom too (else only the top: the quick
	// freshness sync a tool waits for).
	Backfill bool
	// Settle is how many unsettled calls are read again at most.
	Settle int
	// Transcripts is how many transcripts are fetched at most.
	Transcripts int
	// Progress, when set, hears how the sync goes.
	Progress func(Progress)
}

// Progress is a sync's state, for a progress bar.
type Progress struct {
	Phase    string    // "top", "backfill", "settle", "transcripts"
	Calls    int       // calls written so far
	Oldest   time.Time // the oldest instant read so far
	Horizon  time.Time // where the backfill ends
	Requests int       // API requests of the listing so far
}

// Report is what a Sync did.
type Report struct {
	Calls, Settled, Transcripts, Pruned int
	Requests                            int // listing requests (content requests not counted)
	ContentRequests                     int
	Source                              string
	Complete                            bool // the backfill reached the horizon
	Took                                time.Duration
}

const (
	defaultOverlap = 2 * time.Minute
	flushEvery     = 50 // a dated page: progress is kept a page at a time
)

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Syncer) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Syncer) overlap() time.Duration {
	if s.Overlap > 0 {
		return s.Overlap
	}
	return defaultOverlap
}

// Horizon is the oldest instant a sync keeps at now.
func (s *Syncer) Horizon(now time.Time) time.Time {
	return now.Add(-time.Duration(max(s.Days, 1)) * 24 * time.Hour)
}

// Sync brings the store up to now. It is safe to call concurrently: the
// top, the bottom and the content each run once at a time.
func (s *Syncer) Sync(ctx context.Context, o Options) (Report, error) {
	start := s.now()
	rep := Report{}
	numbers, err := s.Numbers(ctx)
	if err != nil {
		return rep, err
	}
	if len(numbers) == 0 {
		return rep, errors.New("this API key sees no OpenPhone numbers")
	}
	if err := s.syncTop(ctx, numbers, start, o, &rep); err != nil {
		return rep, err
	}
	if o.Backfill {
		if err := s.syncBottom(ctx, numbers, start, o, &rep); err != nil {
			return rep, err
		}
	}
	m, err := s.Store.Meta(ctx)
	if err != nil {
		return rep, err
	}
	rep.Complete = !m.From.IsZero() && !m.From.After(s.Horizon(start))
	if o.Settle > 0 || o.Transcripts > 0 {
		if err := s.syncContent(ctx, start, o, &rep); err != nil {
			return rep, err
		}
	}
	if o.Backfill {
		if err := s.syncNames(ctx, numbers, &rep); err != nil {
			return rep, err
		}
		n, err := s.Store.Prune(ctx, s.Horizon(start))
		if err != nil {
			return rep, err
		}
		rep.Pruned = n
	}
	rep.Took = s.now().Sub(start)
	return rep, nil
}

// updateMeta changes the stored meta under the meta lock.
func (s *Syncer) updateMeta(ctx context.Context, f func(*Meta)) error {
	s.meta.Lock()
	defer s.meta.Unlock()
	m, err := s.Store.Meta(ctx)
	if err != nil {
		return err
	}
	f(&m)
	return s.Store.SetMeta(ctx, m)
}

// syncTop reads the calls since the last sync (less the overlap) up to
// start. Without a last sync (or one past the horizon) there is no top:
// the bottom reads everything.
func (s *Syncer) syncTop(ctx context.Context, numbers []string, start time.Time, o Options, rep *Report) error {
	s.top.Lock()
	defer s.top.Unlock()
	m, err := s.Store.Meta(ctx)
	if err != nil {
		return err
	}
	horizon := s.Horizon(start)
	if m.SyncedAt.IsZero() || m.SyncedAt.Before(horizon) || m.From.IsZero() {
		return nil
	}
	if start.Sub(m.SyncedAt) < time.Second {
		return nil // another sync got here just now
	}
	lower := m.SyncedAt.Add(-s.overlap())
	if lower.Before(horizon) {
		lower = horizon
	}
	q := history.Query{After: lower, Before: start, PhoneNumberIDs: numbers, Include: []string{client.IncludeSummary, client.IncludeVoicemail}}
	span, err := s.read(ctx, q, "top", o, rep, nil)
	if err != nil {
		return err
	}
	rep.Source = span.Coverage.Source
	return s.updateMeta(ctx, func(m *Meta) {
		if start.After(m.SyncedAt) {
			m.SyncedAt = start
		}
		m.Source = span.Coverage.Source
	})
}

// syncBottom reads from the oldest instant stored whole (or from start, on
// the first sync) down to the horizon, keeping its progress as it goes.
func (s *Syncer) syncBottom(ctx context.Context, numbers []string, start time.Time, o Options, rep *Report) error {
	s.bottom.Lock()
	defer s.bottom.Unlock()
	m, err := s.Store.Meta(ctx)
	if err != nil {
		return err
	}
	horizon := s.Horizon(start)
	if m.SyncedAt.Before(horizon) {
		// Never synced, or so long ago that nothing of it is in the
		// horizon: start over from now.
		if err := s.updateMeta(ctx, func(m *Meta) { m.From, m.SyncedAt = time.Time{}, start }); err != nil {
			return err
		}
		m.From, m.SyncedAt = time.Time{}, start
	}
	upper := m.From
	if upper.IsZero() {
		upper = m.SyncedAt
	}
	if !upper.After(horizon) {
		return nil // the backfill is complete
	}
	q := history.Query{After: horizon, Before: upper, PhoneNumberIDs: numbers, Include: []string{client.IncludeSummary, client.IncludeVoicemail}}
	span, err := s.read(ctx, q, "backfill", o, rep, func(oldest time.Time) error {
		return s.updateMeta(ctx, func(m *Meta) {
			if m.From.IsZero() || oldest.Before(m.From) {
				m.From = oldest
			}
		})
	})
	if err != nil {
		return err
	}
	if rep.Source == "" {
		rep.Source = span.Coverage.Source
	}
	return s.updateMeta(ctx, func(m *Meta) {
		if span.Complete {
			m.From = horizon
		}
		m.Source = span.Coverage.Source
	})
}

// read lists q and writes its calls in batches of whole instants; after
// each batch, stored (if set) is told the oldest instant written, below
// which nothing is yet.
func (s *Syncer) read(ctx context.Context, q history.Query, phase string, o Options, rep *Report, stored func(oldest time.Time) error) (history.Span, error) {
	var batch []history.Call
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rep.ContentRequests += s.v1Content(ctx, batch)
		if err := s.Store.PutCalls(ctx, batch); err != nil {
			return fmt.Errorf("writing the ledger: %w", err)
		}
		rep.Calls += len(batch)
		oldest := batch[len(batch)-1].CreatedAt
		batch = batch[:0]
		if o.Progress != nil {
			o.Progress(Progress{Phase: phase, Calls: rep.Calls, Oldest: oldest, Horizon: q.After, Requests: rep.Requests})
		}
		if stored != nil {
			return stored(oldest)
		}
		return nil
	}
	var last time.Time
	span, err := history.Read(ctx, s.Source, q, 0, func(c *history.Call) error {
		if len(batch) >= flushEvery && !c.CreatedAt.Equal(last) {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, *c)
		last = c.CreatedAt
		return nil
	})
	rep.Requests += span.Coverage.Requests
	if err != nil {
		return span, err
	}
	return span, flush()
}
