// The lanes of the pacing: interactive requests (a tool call someone waits
// for) go first, and background requests (the ledger sync) take what is
// left of the per-key budget, so a sync never makes a tool call wait for
// more than about one request's spacing.

package client

import (
	"context"
	"runtime"
	"sync"
	"time"
	"weak"

	"golang.org/x/time/rate"
)

// laneKey is the context key of the background mark.
type laneKey struct{}

// Background returns a context whose requests are background requests:
// each waits, before its pacing, until no interactive request of the same
// pacing is waiting or was let through within the last spacing, and until
// the pacing has room at once. A background request therefore never
// queues ahead of an interactive one, and a long sync uses only the
// capacity the interactive requests leave. Requests of a context without
// the mark are interactive, as every request was before lanes existed.
// With pacing off (WithRateLimit(0)) the mark changes nothing.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, laneKey{}, true)
}

// IsBackground reports whether ctx carries the mark of Background.
func IsBackground(ctx context.Context) bool {
	b, _ := ctx.Value(laneKey{}).(bool)
	return b
}

// laneRecheckMin is the shortest timer a waiting background request sets:
// it is woken on a channel when an interactive request leaves the pacing
// wait, and the timer is only a fallback, never a spin.
const laneRecheckMin = 10 * time.Millisecond

// lanes is the lane state of one pacing: one per limiter, so clients that
// share a limiter (WithLimiter) share it too and a background request of
// one client yields to the interactive requests of all of them.
type lanes struct {
	mu      sync.Mutex
	waiting int           // interactive requests in the pacing wait
	last    time.Time     // when the last interactive request was let through
	changed chan struct{} // closed when one leaves; nil while no background request listens
	// turn holds the one background request that is past its yield and not
	// yet let through, so interactive requests find at most one background
	// request ahead of them however many a sync has in flight.
	turn chan struct{}
}

func newLanes() *lanes { return &lanes{turn: make(chan struct{}, 1)} }

// sharedLanes are the lanes of the limiters given to WithLimiter. The key
// is a weak pointer, so an entry keeps no limiter alive, and a cleanup
// drops it when its limiter is collected. A registry rather than an option
// that passes lanes beside the limiter: sharing the limiter is the one way
// to share pacing, so sharing lanes with it cannot be forgotten or
// mismatched.
var sharedLanes = struct {
	mu sync.Mutex
	m  map[weak.Pointer[rate.Limiter]]*lanes
}{m: make(map[weak.Pointer[rate.Limiter]]*lanes)}

// lanesOf returns the lanes of a shared limiter (nil for nil: no pacing).
func lanesOf(lim *rate.Limiter) *lanes {
	if lim == nil {
		return nil
	}
	k := weak.Make(lim)
	sharedLanes.mu.Lock()
	defer sharedLanes.mu.Unlock()
	if l, ok := sharedLanes.m[k]; ok {
		return l
	}
	l := newLanes()
	sharedLanes.m[k] = l
	runtime.AddCleanup(lim, dropLanes, k)
	return l
}

func dropLanes(k weak.Pointer[rate.Limiter]) {
	sharedLanes.mu.Lock()
	delete(sharedLanes.m, k)
	sharedLanes.mu.Unlock()
}

// paceLocal is this client's pacing wait of one attempt, in the
// request's lane (pace, in budget.go, adds the shared budget).
func (c *Client) paceLocal(ctx context.Context) error {
	if c.lanes == nil {
		return c.wait(ctx)
	}
	if IsBackground(ctx) {
		if err := c.lanes.yield(ctx, c.limiter, c.window); err != nil {
			return err
		}
		defer c.lanes.release()
		return c.wait(ctx)
	}
	c.lanes.enter()
	err := c.wait(ctx)
	c.lanes.leave(err == nil)
	return err
}

// enter notes an interactive request beginning its pacing wait.
func (l *lanes) enter() {
	l.mu.Lock()
	l.waiting++
	l.mu.Unlock()
}

// leave notes its end (admitted: let through, not failed) and wakes the
// background request waiting for its turn.
func (l *lanes) leave(admitted bool) {
	l.mu.Lock()
	l.waiting--
	if admitted {
		l.last = time.Now()
	}
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	l.mu.Unlock()
}

// yield takes the background turn and holds it until the request may go
// to the pacing: no interactive request waiting, none let through within
// the last spacing (a tool call's next request is usually a round trip
// behind its last, and must not find the slot taken), and room in the
// limiter and the window now, so that the background request commits to
// no future slot an interactive one could have had. On success the caller
// calls release once its pacing wait is over. It ends with the context's
// error when ctx is done.
func (l *lanes) yield(ctx context.Context, lim *rate.Limiter, w *rollingWindow) error {
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctxErr(ctx, ctx.Err())
	}
	for {
		delay, changed := l.delay(lim, w, time.Now())
		if delay < time.Millisecond {
			return nil // the limiter's own wait covers a rounding remainder
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			l.release()
			return ctxErr(ctx, ctx.Err())
		case <-changed: // nil unless an interactive request is waiting
		case <-t.C:
		}
		t.Stop()
	}
}

// release gives the background turn back.
func (l *lanes) release() { <-l.turn }

// delay is how long the background request should wait before it looks
// again, and, while interactive requests wait, the channel closed when one
// of them leaves.
func (l *lanes) delay(lim *rate.Limiter, w *rollingWindow, now time.Time) (time.Duration, <-chan struct{}) {
	gap := spacing(lim)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waiting > 0 {
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		return max(gap, laneRecheckMin), l.changed
	}
	d := max(l.last.Add(gap).Sub(now), tokenDelay(lim, now))
	if w != nil {
		d = max(d, w.roomIn(now))
	}
	return d, nil
}

// spacing is the time between two requests at lim's rate (0 when it does
// not pace).
func spacing(lim *rate.Limiter) time.Duration {
	r := float64(lim.Limit())
	if lim.Limit() == rate.Inf || r <= 0 {
		return 0
	}
	return time.Duration(min(float64(time.Second)/r, float64(time.Hour)))
}

// tokenDelay is how long until lim holds a whole token at its rate. A
// limiter that never refills is left to its own Wait, which reports it.
func tokenDelay(lim *rate.Limiter, now time.Time) time.Duration {
	r := float64(lim.Limit())
	if lim.Limit() == rate.Inf || r <= 0 {
		return 0
	}
	short := 1 - lim.TokensAt(now)
	if short <= 0 {
		return 0
	}
	return time.Duration(min(short/r*float64(time.Second), float64(time.Hour)))
}

// roomIn is how long until w admits one more request after now, without
// admitting it: rollingWindow.wait's test, for the background lane's look
// before it commits.
func (w *rollingWindow) roomIn(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	oldest := w.sent[w.next]
	if oldest.IsZero() {
		return 0
	}
	return max(w.width-now.Sub(oldest), 0)
}
