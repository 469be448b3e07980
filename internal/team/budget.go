// The shared request budget of an API key: every replica's requests of
// the key take a slot of one ring kept in Postgres, so that together they
// send at most ceil(perSecond) of them in any rolling second and a margin
// (budgetWindow), by the database's clock. Interactive requests reserve the next
// free slot and sleep until it; background ones take only a slot that is
// free now and that no interactive request is about to need.

package team

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// budgetWindow is the rolling span the budget keeps to ceil(perSecond)
// grants: a second and a margin for the jitter between a grant and its
// request's arrival. One process's requests bunch by a few milliseconds
// (client/pacing.go keeps 50 ms); the replicas' requests leave from
// several processes, often several machines and network paths, and a
// replica starved of CPU sends a granted request late, which brings it
// nearer the next one of the same slot. 250 ms absorbs that: the
// replicas together send at most 10 requests in any 1.25 s, 8 a second,
// and none is answered 429 (with 50 ms, three replicas under load on two
// cores drew six 429s in a minute).
const budgetWindow = time.Second + 250*time.Millisecond

// A waiting background Take looks again after the wait its last look
// named, kept within these bounds: never a spin, never long past a slot.
const (
	pollMin = 5 * time.Millisecond
	pollMax = 250 * time.Millisecond
)

// clockStep is how far ahead of the database's clock a grant may lie
// before the ring is taken for the trace of a clock stepped back and is
// started afresh; a queue of interactive requests never reaches it.
const clockStep = time.Hour

// maxRate is the highest perSecond a budget takes.
const maxRate = 1000

// lookTimeout bounds one transaction of a Take (and the migration): a
// database that does not answer fails the request with a clear error
// instead of holding it.
const lookTimeout = 10 * time.Second

// Budgets are the shared request budgets of API keys, one a key, kept in
// Postgres. Every replica must give the same perSecond.
type Budgets struct {
	pool    *pgxpool.Pool
	n       int           // grants allowed in any budgetWindow: ceil(perSecond)
	spacing time.Duration // between two grants
	bad     error         // a perSecond that is no rate: every Take fails with it
	logger  *slog.Logger
	timeout time.Duration // lookTimeout; the tests shorten it

	mu       sync.Mutex
	migrated bool
}

// NewBudgets returns the budgets of keys allowed perSecond requests a
// second (client.DefaultRateLimit for the OpenPhone API) across all
// replicas that use pool's database. The tables are migrated on first use.
func NewBudgets(pool *pgxpool.Pool, perSecond float64, logger *slog.Logger) *Budgets {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	b := &Budgets{pool: pool, logger: logger, timeout: lookTimeout}
	// At most maxRate: the ring holds ceil(perSecond) times and every
	// Take rewrites it.
	if !(perSecond > 0) || perSecond > maxRate {
		b.bad = fmt.Errorf("the shared API budget's rate %v is not a number of requests per second in (0, %d], such as %d",
			perSecond, maxRate, client.DefaultRateLimit)
		return b
	}
	b.n = int(math.Ceil(perSecond))
	b.spacing = time.Duration(float64(time.Second) / perSecond)
	return b
}

// For returns the budget of apiKey. Postgres names it by a hash of the
// key (KeyID); the key itself is neither stored nor logged.
func (b *Budgets) For(apiKey string) client.SharedBudget {
	return &keyBudget{b: b, id: KeyID(apiKey), turn: make(chan struct{}, 1)}
}

// KeyID is the name of apiKey's budget in Postgres and in logs: a SHA-256
// of the key under a prefix of this use's own, so that it matches no
// other hash of the key. Surrounding white space is dropped, as
// client.New drops it.
func KeyID(apiKey string) string {
	sum := sha256.Sum256([]byte("openphone-mcp team budget\x00" + strings.TrimSpace(apiKey)))
	return "key-" + hex.EncodeToString(sum[:16])
}

// ready migrates the tables once; a failure is tried again at the next
// Take.
func (b *Budgets) ready(ctx context.Context) error {
	if b.bad != nil {
		return b.bad
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.migrated {
		return nil
	}
	mctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	if err := Migrate(mctx, b.pool); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	b.migrated = true
	return nil
}

// keyBudget is one key's budget as one client takes it.
type keyBudget struct {
	b  *Budgets
	id string
	// turn lets one background Take of this client look at a time: the
	// others wait here rather than all polling Postgres.
	turn chan struct{}
}

// Take implements client.SharedBudget.
func (k *keyBudget) Take(ctx context.Context, background bool) error {
	if err := k.b.ready(ctx); err != nil {
		return err
	}
	if !background {
		wait, _, err := k.look(ctx, false)
		if err != nil {
			return err
		}
		return sleep(ctx, wait)
	}
	select {
	case k.turn <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	defer func() { <-k.turn }()
	for {
		wait, granted, err := k.look(ctx, true)
		if err != nil || granted {
			return err
		}
		if err := sleep(ctx, min(max(wait, pollMin), pollMax)); err != nil {
			return err
		}
	}
}

// look is one transaction on the key's ring under its advisory lock. An
// interactive look always takes a slot (the next free one, FIFO) unless
// waiting for it would pass ctx's deadline, and returns the wait until
// it. A background look takes one only if it is free now and no
// interactive request holds a slot after now or took one within the last
// spacing; else it returns how long until that could change.
func (k *keyBudget) look(ctx context.Context, background bool) (wait time.Duration, granted bool, err error) {
	remaining := time.Duration(math.MaxInt64)
	if dl, ok := ctx.Deadline(); ok {
		remaining = time.Until(dl)
	}
	var refused error // a wait past the deadline
	lctx, cancel := context.WithTimeout(ctx, k.b.timeout)
	defer cancel()
	err = pgx.BeginFunc(lctx, k.b.pool, func(tx pgx.Tx) error {
		// The lock in a statement of its own: the read below then takes
		// its snapshot after the lock, and sees the last holder's grant.
		if _, err := tx.Exec(lctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
			"openphone-mcp budget "+k.id); err != nil {
			return err
		}
		var r ring
		var until *time.Time
		if err := tx.QueryRow(lctx, `SELECT clock_timestamp(), b.grants, b.interactive_until
			FROM (SELECT 1) AS one LEFT JOIN openphone_mcp_team_budget AS b ON b.key_id = $1`, k.id).
			Scan(&r.now, &r.grants, &until); err != nil {
			return err
		}
		if until != nil {
			r.interactiveUntil = *until
		}
		if r.stepped() {
			k.b.logger.Warn("team: the database's clock went back; the shared API budget starts afresh", "key", k.id)
			r.grants, r.interactiveUntil = nil, time.Time{}
		}
		at, ok := k.b.slot(&r, background)
		if !ok {
			wait = at.Sub(r.now)
			return nil
		}
		if wait = at.Sub(r.now); wait > remaining {
			refused = fmt.Errorf("waiting %v for the API key's budget shared with the other replicas (%d requests in any %v) would pass the deadline: %w",
				wait.Round(time.Millisecond), k.b.n, budgetWindow, context.DeadlineExceeded)
			return refused
		}
		r.grant(at, k.b.n, background)
		_, err := tx.Exec(lctx, `INSERT INTO openphone_mcp_team_budget AS b (key_id, grants, interactive_until)
			VALUES ($1, $2, $3)
			ON CONFLICT (key_id) DO UPDATE SET grants = EXCLUDED.grants, interactive_until = EXCLUDED.interactive_until`,
			k.id, r.grants, nullTime(r.interactiveUntil))
		granted = err == nil
		return err
	})
	switch {
	case err == nil:
		return wait, granted, nil
	case ctx.Err() != nil:
		return 0, false, context.Cause(ctx)
	case refused != nil:
		return 0, false, refused
	case lctx.Err() != nil:
		err = fmt.Errorf("no answer within %v", k.b.timeout)
	}
	k.b.logger.Warn("team: the shared API budget in Postgres cannot be reached", "key", k.id, "error", err)
	return 0, false, fmt.Errorf("the shared API budget in Postgres: %w", err)
}

// ring is a key's budget as one look reads it.
type ring struct {
	now              time.Time   // the database's clock_timestamp()
	grants           []time.Time // the last grants, oldest first, at most n
	interactiveUntil time.Time   // the latest slot of an interactive request; zero if none
}

// stepped reports whether a grant lies implausibly far ahead of now.
func (r *ring) stepped() bool {
	return len(r.grants) > 0 && r.grants[len(r.grants)-1].Sub(r.now) > clockStep
}

// slot is when the next request may be sent (the next free slot: a
// spacing after the last grant, a window after the n-th last, not before
// now) and whether this request takes it: an interactive one always, a
// background one only when it is free now and no interactive request
// holds a slot after now or took one within the last spacing. When a
// background request may not, at is when it should look again.
func (b *Budgets) slot(r *ring, background bool) (at time.Time, ok bool) {
	at = r.now
	if len(r.grants) > 0 {
		at = later(at, r.grants[len(r.grants)-1].Add(b.spacing))
	}
	if len(r.grants) >= b.n {
		at = later(at, r.grants[len(r.grants)-b.n].Add(budgetWindow))
	}
	if !background {
		return at, true
	}
	if yield := r.interactiveUntil.Add(b.spacing); !r.interactiveUntil.IsZero() && yield.After(r.now) {
		return later(at, yield), false
	}
	return at, !at.After(r.now)
}

// grant records a slot at at, keeping the last n.
func (r *ring) grant(at time.Time, n int, background bool) {
	r.grants = append(r.grants, at)
	if len(r.grants) > n {
		r.grants = r.grants[len(r.grants)-n:]
	}
	if !background {
		r.interactiveUntil = at
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// sleep waits d (nothing for d <= 0), or until ctx ends with its cause.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx) // nil while ctx lives
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
