// Ledger: a workspace's Store and its Syncer, as the tools hold them: a
// background loop that backfills and then syncs every Interval, and Ready,
// which says whether the ledger can answer for a window now (syncing the
// top first, in a second or so, when the last sync is older than
// Interval). Replicas that share one Store (a team's Postgres) elect the
// one that syncs through an Elector; the others only read.

package ledger

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// Ledger is one workspace's ledger.
type Ledger struct {
	Store    Store
	Syncer   *Syncer
	Interval time.Duration // how fresh an answer from the ledger is (default 60 s)
	// Transcripts is how many transcripts a background sync fetches at
	// most (default 100: 10 s of the API's budget a minute at most).
	Transcripts int
	Logger      *slog.Logger
	// Elector, when set, elects the one replica of those sharing Store
	// that syncs Workspace; without the lease this one only reads.
	Elector   Elector
	Workspace string
	// LeasePoll is how often a replica without the lease tries to take it
	// (default 5 s): the bound on a takeover once the syncing replica is
	// gone, since its lock goes with its database connection.
	LeasePoll time.Duration

	mu       sync.Mutex
	lease    Lease // held while this replica syncs a shared Store
	running  bool
	lastErr  error
	lastUsed time.Time
	done     chan struct{}
}

const (
	defaultInterval    = time.Minute
	defaultTranscripts = 100
	// readyTimeout bounds the freshness sync a tool waits for; past it the
	// tool asks the API instead.
	readyTimeout     = 10 * time.Second
	defaultLeasePoll = 5 * time.Second
)

func (l *Ledger) interval() time.Duration {
	if l.Interval > 0 {
		return l.Interval
	}
	return defaultInterval
}

func (l *Ledger) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Start runs the background loop until ctx ends or the ledger has been
// idle (no Ready) for IdleStop: a sync with the backfill at once, then one
// every Interval. Its requests go in the client's background lane when ctx
// carries it (client.Background). Starting a running loop does nothing; a
// loop that stopped idle starts again.
func (l *Ledger) Start(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastUsed = time.Now()
	if l.running {
		return
	}
	l.running, l.done = true, make(chan struct{})
	go l.loop(ctx, l.done)
}

// IdleStop is how long a ledger no tool asked for keeps syncing.
const IdleStop = 15 * time.Minute

// Done is closed when the background loop has ended (nil before Start).
func (l *Ledger) Done() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.done
}

func (l *Ledger) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	defer func() {
		l.mu.Lock()
		l.running = false
		l.mu.Unlock()
	}()
	transcripts := l.Transcripts
	if transcripts == 0 {
		transcripts = defaultTranscripts
	}
	defer l.releaseLease()
	for {
		if !l.lead(ctx) {
			poll := l.LeasePoll
			if poll <= 0 {
				poll = defaultLeasePoll
			}
			if l.idle() || !sleep(ctx, poll) {
				return
			}
			continue
		}
		rep, err := l.Syncer.Sync(ctx, Options{Backfill: true, Settle: 50, Transcripts: transcripts})
		l.mu.Lock()
		l.lastErr = err
		l.mu.Unlock()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			l.logger().Warn("ledger: sync failed; the tools ask the API meanwhile", "error", err)
		default:
			l.logger().Debug("ledger: synced", "calls", rep.Calls, "requests", rep.Requests+rep.ContentRequests,
				"transcripts", rep.Transcripts, "complete", rep.Complete, "took", rep.Took)
		}
		wait := l.interval()
		if l.Elector != nil {
			// The other replicas answer from what this one syncs, and only
			// while it is at most Interval old: sync at twice that rate.
			wait /= 2
		}
		if err == nil && (!rep.Complete || rep.Transcripts == transcripts) {
			wait = time.Second // more to do: go on soon, in the background lane
		}
		if l.idle() || !sleep(ctx, wait) {
			return
		}
	}
}

// idle reports whether no tool asked for the ledger within IdleStop.
func (l *Ledger) idle() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Since(l.lastUsed) > IdleStop
}

// sleep waits d, false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// lead reports whether this replica syncs: always without an Elector;
// with one, while it holds the lease, taking it when it is free.
func (l *Ledger) lead(ctx context.Context) bool {
	if l.Elector == nil {
		return true
	}
	l.mu.Lock()
	lease := l.lease
	l.mu.Unlock()
	if lease != nil {
		select {
		case <-lease.Lost():
			l.logger().Warn("ledger: lost the sync lease; another replica can take it", "workspace", l.Workspace)
			l.releaseLease()
		default:
			return true
		}
	}
	lease, ok, err := l.Elector.TryLead(ctx, l.Workspace)
	if err != nil {
		l.logger().Warn("ledger: cannot take part in the sync election; reading what others sync", "error", err)
		return false
	}
	if !ok {
		return false
	}
	l.logger().Info("ledger: this replica syncs the workspace", "workspace", l.Workspace)
	l.mu.Lock()
	l.lease = lease
	l.mu.Unlock()
	return true
}

// leading reports whether this replica may sync now, without trying to
// take the lease.
func (l *Ledger) leading() bool {
	if l.Elector == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lease == nil {
		return false
	}
	select {
	case <-l.lease.Lost():
		return false
	default:
		return true
	}
}

func (l *Ledger) releaseLease() {
	l.mu.Lock()
	lease := l.lease
	l.lease = nil
	l.mu.Unlock()
	if lease != nil {
		lease.Release()
	}
}

// Ready reports whether the ledger can answer for calls created in
// [after, before) (before zero: up to now): the backfill reached after,
// and the last sync is at most Interval old, syncing the top first when it
// is older. age is how old the answer's data is.
func (l *Ledger) Ready(ctx context.Context, after, before time.Time) (age time.Duration, ok bool) {
	l.mu.Lock()
	l.lastUsed = time.Now()
	l.mu.Unlock()
	m, err := l.Store.Meta(ctx)
	if err != nil || m.From.IsZero() || after.Before(m.From) {
		return 0, false
	}
	now := l.Syncer.now()
	if !before.IsZero() && !before.After(m.SyncedAt.Add(-l.Syncer.overlap())) {
		return now.Sub(m.SyncedAt), true // the window ended before the last sync
	}
	if now.Sub(m.SyncedAt) > l.interval() {
		if !l.leading() {
			// Another replica syncs: a second sync here would spend the
			// shared budget twice. The API answers meanwhile.
			return now.Sub(m.SyncedAt), false
		}
		sctx, cancel := context.WithTimeout(ctx, readyTimeout)
		_, err := l.Syncer.Sync(sctx, Options{})
		cancel()
		if err != nil {
			l.logger().Info("ledger: the freshness sync failed; asking the API", "error", err)
			return 0, false
		}
		if m, err = l.Store.Meta(ctx); err != nil {
			return 0, false
		}
		now = l.Syncer.now()
	}
	return now.Sub(m.SyncedAt), now.Sub(m.SyncedAt) <= l.interval()
}

// Err is the last background sync's error, if it failed.
func (l *Ledger) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastErr
}

// Config is how New keeps a ledger.
type Config struct {
	Days     int           // the horizon (default 30)
	Interval time.Duration // freshness (default 60 s)
	// Surface is the API surface to list from: "auto" (the dated API,
	// v1 where the API does not know it), "2026-03-30" or "v1".
	Surface     string
	Transcripts int // per background sync (default 100)
	Logger      *slog.Logger
	// Elector elects the replica that syncs a shared store (nil: this
	// process syncs); Workspace is the store's workspace (WorkspaceID).
	Elector   Elector
	Workspace string
}

// New keeps store in sync with the workspace of c.
func New(store Store, c *client.Client, cfg Config) *Ledger {
	days := cfg.Days
	if days <= 0 {
		days = 30
	}
	var src history.Source
	switch cfg.Surface {
	case "v1":
		src = history.NewV1Walk(c, nil)
	case "2026-03-30":
		src = history.NewDatedCalls(c, nil)
	default:
		src = history.NewFallback(history.NewDatedCalls(c, nil), history.NewV1Walk(c, nil), c, history.NewFallbacks(0))
	}
	return &Ledger{
		Store: store, Interval: cfg.Interval, Transcripts: cfg.Transcripts, Logger: cfg.Logger,
		Elector: cfg.Elector, Workspace: cfg.Workspace,
		Syncer: &Syncer{Store: store, Source: src, API: c, Days: days, Logger: cfg.Logger, V1Only: cfg.Surface == "v1",
			Numbers: func(ctx context.Context) ([]string, error) {
				numbers, err := c.ListPhoneNumbers(ctx, "")
				if err != nil {
					return nil, err
				}
				ids := make([]string, len(numbers))
				for i, n := range numbers {
					ids[i] = n.ID
				}
				return ids, nil
			}},
	}
}
