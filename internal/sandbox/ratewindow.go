// The rolling-window rate limit (Options.RateWindow): at most
// ceil(RateLimit) requests per key in any span of one second, counted by
// arrival, as a gateway that counts a rolling second does; and the log of
// arrivals that tests read (Options.LogArrivals).

package sandbox

import (
	"math"
	"slices"
	"sync"
	"time"
)

// rollingLimits holds the windows of the keys and their arrival log.
type rollingLimits struct {
	mu       sync.Mutex
	windows  map[string]*arrivalRing
	arrivals map[string][]time.Time
}

// arrivalRing is the admission times of a key's last n admitted requests.
type arrivalRing struct {
	at   []time.Time // zero until filled
	next int         // index of the oldest
}

// allow admits a request of key arriving at now when fewer than
// ceil(perSecond) of its requests were admitted in (now-1s, now]. A
// refused request does not count. When refused, it returns how long until
// the oldest admission leaves the window.
func (r *rollingLimits) allow(key string, perSecond float64, now time.Time) (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.windows[key]
	if w == nil {
		if r.windows == nil {
			r.windows = make(map[string]*arrivalRing)
		}
		n := int(min(math.Ceil(perSecond), 1<<20))
		w = &arrivalRing{at: make([]time.Time, max(n, 1))}
		r.windows[key] = w
	}
	oldest := w.at[w.next]
	if !oldest.IsZero() && now.Sub(oldest) < time.Second {
		return time.Second - now.Sub(oldest), false
	}
	w.at[w.next] = now
	w.next = (w.next + 1) % len(w.at)
	return 0, true
}

func (r *rollingLimits) logArrival(key string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.arrivals == nil {
		r.arrivals = make(map[string][]time.Time)
	}
	r.arrivals[key] = append(r.arrivals[key], now)
}

// Arrivals returns when the requests with Authorization value key arrived,
// in order, admitted or not: empty unless Options.LogArrivals.
func (s *Server) Arrivals(key string) []time.Time {
	s.rolling.mu.Lock()
	defer s.rolling.mu.Unlock()
	return slices.Clone(s.rolling.arrivals[key])
}

// MostInWindow is the largest number of times in arrivals (in order) that
// fall in one span [t, t+width): what a gateway counting a rolling window
// of width would have seen at its busiest.
func MostInWindow(arrivals []time.Time, width time.Duration) int {
	most, first := 0, 0
	for i, at := range arrivals {
		for at.Sub(arrivals[first]) >= width {
			first++
		}
		most = max(most, i-first+1)
	}
	return most
}
