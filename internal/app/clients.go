package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/serve"
)

// clientPool hands out API clients: one for the server's own key, and with
// --allow-client-api-keys one per caller key, each with its own pacing since
// the API limits each key separately.
//
// A caller key's client lives in a slot, and its pacing with it, so pacing
// holds only while no slot is dropped in use: slots are never evicted to
// make room, only reclaimed once idle (keySlotIdle without a request and
// none in flight; far longer than any wait between one tool call's
// requests). A key the API answered 401 for gives its slot back at once,
// and each client (see serve.CallerFromContext) may open newKeysBurst
// slots at once and newKeysPerMinute a minute after that, so bogus keys
// can neither fill the pool nor reset another key's pacing.
type clientPool struct {
	opts []client.Option // every client's, pacing included
	// keyOpts, when set, adds the options of one key's clients (a team's
	// shared budget of that key).
	keyOpts func(key string) []client.Option
	own     *client.Client
	ownID   [32]byte // SHA-256 of the own key; zero without one
	ownWS   string   // the own key's ledger.WorkspaceID
	now     func() time.Time

	maxSlots  int
	idle      time.Duration
	perMinute int // new slots a client may open a minute
	burst     int // and at once

	mu        sync.Mutex
	slots     map[[32]byte]*keySlot // by the key's SHA-256: no key kept as a map key
	callers   map[string]*rate.Limiter
	lastSweep time.Time
}

// keySlot is one caller key's client and the bookkeeping that says whether
// it is in use. Its fields but client are guarded by the pool's mu.
type keySlot struct {
	id        [32]byte
	workspace string // ledger.WorkspaceID of the key
	client    *client.Client
	lastUsed  time.Time // last handed out, or a request began or ended
	inFlight  int       // requests sent whose body is not closed yet
}

// Bounds of the slots. keySlotIdle matches how long recent_calls keeps a
// walk between pages (per client), so a slot outlives every walk it holds.
const (
	maxKeySlots       = 1024
	keySlotIdle       = 15 * time.Minute
	newKeysPerMinute  = 30
	newKeysBurst      = 30
	maxTrackedCallers = 4096
)

func newClientPool(key string, perSecond float64, opts []client.Option, keyOpts func(string) []client.Option) (*clientPool, error) {
	// A copy: appending to the caller's slice could write into its spare
	// capacity.
	opts = append(slices.Clip(opts), client.WithRateLimit(perSecond))
	p := &clientPool{
		opts:      opts,
		now:       time.Now,
		maxSlots:  maxKeySlots,
		idle:      keySlotIdle,
		perMinute: newKeysPerMinute,
		burst:     newKeysBurst,
		slots:     map[[32]byte]*keySlot{},
		callers:   map[string]*rate.Limiter{},
		keyOpts:   keyOpts,
	}
	if key != "" {
		c, err := client.New(key, p.optionsOf(key)...)
		if err != nil {
			return nil, err
		}
		p.own = c
		p.ownID = sha256.Sum256([]byte(key))
		p.ownWS = ledger.WorkspaceID(key)
	}
	return p, nil
}

// optionsOf are the options of key's clients: a copy, to append to.
func (p *clientPool) optionsOf(key string) []client.Option {
	opts := slices.Clone(p.opts)
	if p.keyOpts != nil {
		opts = append(opts, p.keyOpts(key)...)
	}
	return opts
}

// workspaceOf is the ledger.WorkspaceID of c's key, and whether c is the
// server's own client; "" for a client of no slot.
func (p *clientPool) workspaceOf(c *client.Client) (ws string, own bool) {
	if c == p.own && c != nil {
		return p.ownWS, true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.slots {
		if s.client == c {
			return s.workspace, false
		}
	}
	return "", false
}

// errNoOwnKey is what a caller without a key of its own gets from a server
// started without OPENPHONE_API_KEY.
var errNoOwnKey = errors.New("this server has no OpenPhone API key of its own: send yours in the X-OpenPhone-Api-Key header")

func (p *clientPool) shared(context.Context) (*client.Client, error) {
	if p.own == nil {
		return nil, errNoOwnKey
	}
	return p.own, nil
}

// forRequest is the client of the key the HTTP caller sent, or the shared
// one when it sent none.
func (p *clientPool) forRequest(ctx context.Context) (*client.Client, error) {
	key, ok := serve.APIKeyFromContext(ctx)
	if !ok || key == "" {
		return p.shared(ctx)
	}
	caller, _ := serve.CallerFromContext(ctx)
	return p.forKey(key, caller)
}

// slotRefused is why a caller key got no client: the pool is full of keys
// in use, or the caller opened too many new ones. The message says when to
// try again and never holds the key.
type slotRefused struct {
	msg        string
	RetryAfter time.Duration
}

func (e *slotRefused) Error() string { return e.msg }

// forKey is the client of key, opening a slot for it on the caller's
// account when it has none.
func (p *clientPool) forKey(key, caller string) (*client.Client, error) {
	id := sha256.Sum256([]byte(key))
	if p.own != nil && id == p.ownID {
		// The server's own key sent in the header: one limiter per key,
		// or the key would be paced twice over.
		return p.own, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if s, ok := p.slots[id]; ok {
		s.lastUsed = now
		return s.client, nil
	}
	if len(p.slots) >= p.maxSlots || now.Sub(p.lastSweep) >= time.Minute {
		p.sweep(now)
	}
	if len(p.slots) >= p.maxSlots {
		wait := p.soonestFree(now)
		alt := ""
		if p.own != nil {
			alt = ", or send no X-OpenPhone-Api-Key to use the server's own key"
		}
		return nil, &slotRefused{RetryAfter: wait, msg: fmt.Sprintf(
			"this server is serving the most OpenPhone API keys it keeps at once (%d); a key's place frees %v after its last use. Try again in %v%s",
			p.maxSlots, p.idle, wait, alt)}
	}
	if err := p.charge(caller, now); err != nil {
		return nil, err
	}
	s := &keySlot{id: id, workspace: ledger.WorkspaceID(key), lastUsed: now}
	c, err := client.New(key, append(p.optionsOf(key), client.WithTransportWrapper(func(rt http.RoundTripper) http.RoundTripper {
		return &slotTransport{pool: p, slot: s, base: rt}
	}))...)
	if err != nil {
		return nil, err
	}
	s.client = c
	p.slots[id] = s
	return c, nil
}

// charge takes one new slot from caller's allowance. p.mu is held.
func (p *clientPool) charge(caller string, now time.Time) error {
	lim, ok := p.callers[caller]
	if !ok {
		if len(p.callers) >= maxTrackedCallers {
			p.sweepCallers(now)
		}
		if len(p.callers) >= maxTrackedCallers {
			return &slotRefused{RetryAfter: time.Minute, msg: "this server is busy opening OpenPhone API keys for too many clients at once. Try again in 1m0s; keys already in use are not affected"}
		}
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(p.perMinute)), p.burst)
		p.callers[caller] = lim
	}
	if lim.AllowN(now, 1) {
		return nil
	}
	wait := roundUp(time.Duration((1 - lim.TokensAt(now)) / float64(lim.Limit()) * float64(time.Second)))
	return &slotRefused{RetryAfter: wait, msg: fmt.Sprintf(
		"this client has started using too many new OpenPhone API keys (at most %d at once, then %d a minute). Try again in %v; keys it already uses are not affected",
		p.burst, p.perMinute, wait)}
}

// sweep drops the slots that are idle. p.mu is held.
func (p *clientPool) sweep(now time.Time) {
	p.lastSweep = now
	for id, s := range p.slots {
		if p.reclaimable(s, now) {
			delete(p.slots, id)
		}
	}
}

// reclaimable: not handed out and no request begun or ended for p.idle,
// and none in flight. A tool call that still holds the client waits at
// most a Retry-After (60 s) or a backoff between its requests, so by then
// it has ended, and a new client's pacing starts where the old one's had
// long come back to rest. p.mu is held.
func (p *clientPool) reclaimable(s *keySlot, now time.Time) bool {
	return s.inFlight == 0 && now.Sub(s.lastUsed) >= p.idle
}

// soonestFree is how long until the first slot may be reclaimed, at least a
// second. p.mu is held.
func (p *clientPool) soonestFree(now time.Time) time.Duration {
	wait := p.idle
	for _, s := range p.slots {
		wait = min(wait, s.lastUsed.Add(p.idle).Sub(now))
	}
	return roundUp(wait)
}

// sweepCallers forgets the callers whose allowance is whole again: that
// is what a new caller gets, so forgetting them lets nobody open more.
// p.mu is held.
func (p *clientPool) sweepCallers(now time.Time) {
	for caller, lim := range p.callers {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(p.callers, caller)
		}
	}
}

// roundUp rounds a wait up to whole seconds, at least one, for messages.
func roundUp(d time.Duration) time.Duration {
	return max(time.Second, (d + time.Second - 1).Truncate(time.Second))
}

// slotTransport keeps a slot's bookkeeping from its client's requests: each
// request marks it in use until the response body is closed, and a 401
// gives the slot back, since a key the API refuses needs no pacing kept.
type slotTransport struct {
	pool *clientPool
	slot *keySlot
	base http.RoundTripper
}

func (t *slotTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.pool.begin(t.slot)
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.pool.end(t.slot)
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		t.pool.reject(t.slot)
	}
	resp.Body = &endOnClose{ReadCloser: resp.Body, end: func() { t.pool.end(t.slot) }}
	return resp, nil
}

func (p *clientPool) begin(s *keySlot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.inFlight++
	s.lastUsed = p.now()
}

func (p *clientPool) end(s *keySlot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.inFlight--
	s.lastUsed = p.now()
}

// reject drops s if it is still its key's slot.
func (p *clientPool) reject(s *keySlot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.slots[s.id] == s {
		delete(p.slots, s.id)
	}
}

// slotCount is the number of caller keys holding a slot.
func (p *clientPool) slotCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.slots)
}

// endOnClose calls end once, when the body is first closed.
type endOnClose struct {
	io.ReadCloser
	once sync.Once
	end  func()
}

func (b *endOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.end)
	return err
}
