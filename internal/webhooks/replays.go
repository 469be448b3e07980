// Replays: the deliveries seen, so that one sent again (by an attacker
// who caught it, within the signature's Tolerance) is refused. A delivery
// is claimed before its event is applied and released when that failed,
// so Quo's own retry is taken; the in-memory store here serves one
// process, PostgresReplays the replicas behind one load balancer.

package webhooks

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Replays records the deliveries seen. Claims of the same id are atomic:
// of any number at once, one is fresh.
type Replays interface {
	// Claim records id as seen at at, for ttl; fresh is false when it was
	// seen before and has not expired (a replay).
	Claim(ctx context.Context, id string, at time.Time, ttl time.Duration) (fresh bool, err error)
	// Release forgets id: its event failed, and the sender's retry must be
	// taken.
	Release(ctx context.Context, id string) error
}

// DefaultMaxReplays bounds a MemoryReplays: at the claims' 11 minutes,
// 150 deliveries a second, about 10 MB.
const DefaultMaxReplays = 100_000

// ErrReplaysFull is a MemoryReplays holding its bound of unexpired ids:
// the delivery is refused (503, so Quo retries) rather than let through
// unchecked.
var ErrReplaysFull = errors.New("webhooks: too many deliveries in the replay window to remember one more")

// MemoryReplays is Replays in memory: bounded, each id kept until its ttl
// passes. Its zero value is not usable; call NewMemoryReplays.
type MemoryReplays struct {
	mu    sync.Mutex
	max   int
	until map[string]time.Time
	queue []seen // claims in the order made: expiry roughly ascending
	head  int
}

type seen struct {
	id    string
	until time.Time
}

// NewMemoryReplays keeps at most max ids (0: DefaultMaxReplays).
func NewMemoryReplays(max int) *MemoryReplays {
	if max <= 0 {
		max = DefaultMaxReplays
	}
	return &MemoryReplays{max: max, until: make(map[string]time.Time)}
}

// Claim implements Replays.
func (m *MemoryReplays) Claim(_ context.Context, id string, at time.Time, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(at)
	if u, ok := m.until[id]; ok && u.After(at) {
		return false, nil
	}
	if len(m.until) >= m.max {
		return false, ErrReplaysFull
	}
	u := at.Add(ttl)
	m.until[id] = u
	m.queue = append(m.queue, seen{id, u})
	return true, nil
}

// Release implements Replays.
func (m *MemoryReplays) Release(_ context.Context, id string) error {
	m.mu.Lock()
	delete(m.until, id)
	m.mu.Unlock()
	return nil
}

// Len is how many ids are held.
func (m *MemoryReplays) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.until)
}

// expire drops the ids expired at now from the front of the queue (a
// claim made later that expires sooner waits for those before it, which
// only delays its removal), and compacts the queue once half is spent.
func (m *MemoryReplays) expire(now time.Time) {
	for m.head < len(m.queue) && !m.queue[m.head].until.After(now) {
		s := m.queue[m.head]
		if u, ok := m.until[s.id]; ok && u.Equal(s.until) {
			delete(m.until, s.id)
		}
		m.queue[m.head] = seen{}
		m.head++
	}
	if m.head > 0 && m.head >= len(m.queue)/2 {
		n := copy(m.queue, m.queue[m.head:])
		clear(m.queue[n:])
		m.queue, m.head = m.queue[:n], 0
	}
	// Released ids leave entries behind; past twice the bound, keep only
	// the queue's live ones.
	if len(m.queue)-m.head > 2*m.max {
		live := m.queue[:0]
		for _, s := range m.queue[m.head:] {
			if u, ok := m.until[s.id]; ok && u.Equal(s.until) {
				live = append(live, s)
			}
		}
		clear(m.queue[len(live):])
		m.queue, m.head = live, 0
	}
}
