// Pacing beyond the token bucket: a rolling-window guard that keeps every
// span of one second (and a margin) to the budget, by the times requests
// actually leave.

package client

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// paceMargin widens the rolling window the client keeps to. A gateway that
// counts requests in any rolling second sees them when they arrive, and
// arrivals can bunch up by a few milliseconds of network and scheduling
// jitter; 50 ms of margin absorbs that at a cost of under 5% of the budget
// (10 requests per 1.05 s).
const paceMargin = 50 * time.Millisecond

// rollingWindow admits at most n requests in any span of width, counted by
// when each request is let through. The token bucket of x/time/rate alone
// does not: it spaces reservations, and a request that wakes late leaves
// the next one closer than the spacing, so 11 requests can arrive within
// one second at 10/s.
type rollingWindow struct {
	mu    sync.Mutex
	width time.Duration
	sent  []time.Time // ring of the last n admissions; zero until filled
	next  int         // index of the oldest admission in sent
}

// newRollingWindow keeps at most ceil(perSecond) requests in any second
// plus paceMargin. perSecond must be positive.
func newRollingWindow(perSecond float64) *rollingWindow {
	n := int(min(math.Ceil(perSecond), 1<<20))
	return &rollingWindow{width: time.Second + paceMargin, sent: make([]time.Time, max(n, 1))}
}

// wait blocks until a request fits the window and records it. It fails
// at once when the wait would pass ctx's deadline.
func (w *rollingWindow) wait(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		oldest := w.sent[w.next]
		delay := time.Duration(0)
		if !oldest.IsZero() {
			delay = w.width - now.Sub(oldest)
		}
		if delay <= 0 {
			w.sent[w.next] = now
			w.next = (w.next + 1) % len(w.sent)
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
			return fmt.Errorf("waiting for room in the %d requests per rolling second would pass the deadline: %w",
				len(w.sent), context.DeadlineExceeded)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctxErr(ctx, ctx.Err())
		case <-t.C:
		}
	}
}
