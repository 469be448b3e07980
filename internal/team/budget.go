// The shared request budget of an API key: every replica's requests of
// the key count in one record kept in Postgres, from when each is granted
// until budgetWindow after its answer has come, and a request is granted
// only while fewer than ceil(perSecond) of them count. A request arrives
// at the API between its grant and its answer, so two requests that hold
// the same place arrive at least budgetWindow apart, however late a
// starved replica sends one or however long the network holds it: at most
// ceil(perSecond) of the key's requests arrive in any rolling
// budgetWindow, by construction rather than by a margin for jitter.
// Interactive requests go first: while one waits for a place, background
// ones take none.

package team

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
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

// budgetWindow is how long a request counts after its answer: a second
// and the 50 ms of client/pacing.go's paceMargin, for a gateway's own
// rounding. No margin for jitter is needed (see the file's comment).
const budgetWindow = time.Second + 50*time.Millisecond

// A waiting Take looks again after the wait its last look named, kept
// within these bounds: never a spin, never long past a place coming free.
const (
	pollMin           = 2 * time.Millisecond
	pollMaxForeground = 50 * time.Millisecond
	pollMaxBackground = 250 * time.Millisecond
)

// inFlightLimit is how long a request counts when no answer is reported
// for it (its replica died, or the report was lost): longer than any
// attempt lasts (client.DefaultTimeout is 30 s).
const inFlightLimit = time.Minute

// waitingMark is how long an interactive look says it waits: a few of its
// polls, so that background requests stay out meanwhile.
const waitingMark = 3 * pollMaxForeground

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
	n       int           // requests that may count at once: ceil(perSecond)
	spacing time.Duration // between two grants (1/perSecond), so places free one at a time
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
	// At most maxRate: the record holds ceil(perSecond) requests and
	// every Take rewrites it.
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
	return &keyBudget{b: b, id: KeyID(apiKey), turn: make(chan struct{}, 1), fg: make(chan struct{}, 1)}
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
	// turn (background) and fg (interactive) let one Take of each lane of
	// this client look at a time: the others wait here rather than all
	// polling Postgres.
	turn, fg chan struct{}
}

// Take implements client.SharedBudget.
func (k *keyBudget) Take(ctx context.Context, background bool) (func(), error) {
	if err := k.b.ready(ctx); err != nil {
		return nil, err
	}
	turn, pollMax := k.fg, pollMaxForeground
	if background {
		turn, pollMax = k.turn, pollMaxBackground
	}
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	defer func() { <-turn }()
	token := newToken()
	for {
		wait, granted, err := k.look(ctx, token, background)
		if err != nil {
			return nil, err
		}
		if granted {
			return func() { k.finish(token) }, nil
		}
		wait = min(max(wait, pollMin), pollMax)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, fmt.Errorf("no place in the API key's budget shared with the other replicas (%d requests at a time) before the deadline: %w",
				k.b.n, context.DeadlineExceeded)
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// newToken names one request in the record.
func newToken() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}

// look grants token a place when one is free (for a background request,
// only while no interactive one waits), else returns how long until one
// could be and, for an interactive request, marks that one waits.
func (k *keyBudget) look(ctx context.Context, token int64, background bool) (wait time.Duration, granted bool, err error) {
	err = k.tx(ctx, func(r *record) bool {
		var write bool
		wait, granted, write = decide(r, k.b.n, k.b.spacing, token, background)
		return write
	})
	return wait, granted, err
}

// finish reports that token's answer has come: its place frees
// budgetWindow from now. It runs even when the request's context ended.
func (k *keyBudget) finish(token int64) {
	ctx, cancel := context.WithTimeout(context.Background(), k.b.timeout)
	defer cancel()
	if err := k.tx(ctx, func(r *record) bool { return r.finish(token) }); err != nil {
		k.b.logger.Warn("team: cannot report a request's end to the shared API budget; its place frees after "+inFlightLimit.String(),
			"key", k.id, "error", err)
	}
}

// tx is one transaction on the key's record under its advisory lock: it
// reads the record, lets f change it, and writes it back when f says so.
func (k *keyBudget) tx(ctx context.Context, f func(*record) bool) error {
	lctx, cancel := context.WithTimeout(ctx, k.b.timeout)
	defer cancel()
	err := pgx.BeginFunc(lctx, k.b.pool, func(tx pgx.Tx) error {
		// The lock in a statement of its own: the read below then takes
		// its snapshot after the lock, and sees the last holder's write.
		if _, err := tx.Exec(lctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
			"openphone-mcp budget "+k.id); err != nil {
			return err
		}
		var r record
		var tokens, granted, finished []int64
		var waiting *int64
		if err := tx.QueryRow(lctx, `SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint,
				b.tokens, b.granted, b.finished, b.interactive_waiting_until
			FROM (SELECT 1) AS one LEFT JOIN openphone_mcp_team_budget AS b ON b.key_id = $1`, k.id).
			Scan(&r.now, &tokens, &granted, &finished, &waiting); err != nil {
			return err
		}
		if len(tokens) == len(granted) && len(granted) == len(finished) {
			for i := range tokens {
				r.entries = append(r.entries, entry{token: tokens[i], granted: granted[i], finished: finished[i]})
			}
		}
		if waiting != nil {
			r.waitingUntil = *waiting
		}
		if !f(&r) {
			return nil
		}
		tokens, granted, finished = []int64{}, []int64{}, []int64{}
		for _, e := range r.entries {
			tokens, granted, finished = append(tokens, e.token), append(granted, e.granted), append(finished, e.finished)
		}
		_, err := tx.Exec(lctx, `INSERT INTO openphone_mcp_team_budget AS b (key_id, tokens, granted, finished, interactive_waiting_until)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (key_id) DO UPDATE SET tokens = EXCLUDED.tokens, granted = EXCLUDED.granted,
				finished = EXCLUDED.finished, interactive_waiting_until = EXCLUDED.interactive_waiting_until`,
			k.id, tokens, granted, finished, r.waitingUntil)
		return err
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case lctx.Err() != nil:
		err = fmt.Errorf("no answer within %v", k.b.timeout)
	}
	k.b.logger.Warn("team: the shared API budget in Postgres cannot be reached", "key", k.id, "error", err)
	return fmt.Errorf("the shared API budget in Postgres: %w", err)
}

// record is a key's budget as one transaction reads it; times are
// microseconds of the database's clock.
type record struct {
	now          int64
	entries      []entry // the requests that count, oldest grant first
	waitingUntil int64   // an interactive request waits for a place until then
}

// entry is one request that counts: in flight (finished 0), or answered
// within the last budgetWindow.
type entry struct {
	token, granted, finished int64
}

// decide is one look: it drops what no longer counts, then grants token a
// place when fewer than n requests count and the last grant is spacing
// old (so that places free one at a time, not in bursts), a background
// request only while no interactive one waits or was just granted (its
// tool call's next request is a round trip behind); else it says how long
// until that could change. write reports whether r changed.
func decide(r *record, n int, spacing time.Duration, token int64, background bool) (wait time.Duration, granted, write bool) {
	window, limit, gap := budgetWindow.Microseconds(), inFlightLimit.Microseconds(), spacing.Microseconds()
	kept := r.entries[:0]
	last := int64(math.MinInt64)
	for _, e := range r.entries {
		if (e.finished == 0 && r.now-e.granted >= limit+window) || (e.finished != 0 && r.now-e.finished >= window) {
			write = true // it no longer counts
			continue
		}
		kept = append(kept, e)
		last = max(last, e.granted)
	}
	r.entries = kept
	if background && r.waitingUntil > r.now {
		return time.Duration(r.waitingUntil-r.now) * time.Microsecond, false, write
	}
	next := r.now
	if len(r.entries) > 0 {
		next = max(next, last+gap)
	}
	if len(r.entries) >= n {
		// Full: the first place to free is that of the earliest answer;
		// a request in flight holds its place until its answer.
		free := int64(math.MaxInt64)
		for _, e := range r.entries {
			at := e.granted + limit + window
			if e.finished != 0 {
				at = e.finished + window
			}
			free = min(free, at)
		}
		next = max(next, free)
	}
	if next <= r.now {
		r.entries = append(r.entries, entry{token: token, granted: r.now})
		if !background {
			r.waitingUntil = max(r.waitingUntil, r.now+gap)
		}
		return 0, true, true
	}
	if !background {
		r.waitingUntil = max(r.waitingUntil, r.now+waitingMark.Microseconds())
		write = true
	}
	return time.Duration(next-r.now) * time.Microsecond, false, write
}

// finish marks token's request answered now; false when it no longer
// counts (nothing to write).
func (r *record) finish(token int64) bool {
	for i := range r.entries {
		if r.entries[i].token == token && r.entries[i].finished == 0 {
			r.entries[i].finished = r.now
			return true
		}
	}
	return false
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
