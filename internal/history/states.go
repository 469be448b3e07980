// Walk state kept between pages: what a v1 walk learnt (where it is in the
// conversation list, the calls it listed but has not handed out yet), so
// that paging through a window lists every conversation's calls once
// instead of walking them again on every page. It is bounded in count, in
// age and in size; a cursor whose state is gone is still resumed, by a
// walk again from the cursor (see Coverage.Resumed).

package history

import (
	"sync"
	"time"
)

// States holds the walk state of suspended streams for every client of one
// server. The zero value is not usable; use NewStates.
type States struct {
	mu     sync.Mutex
	max    int
	ttl    time.Duration
	now    func() time.Time
	states map[stateKey]*savedState
	held   int // calls and conversations held by all states
}

type stateKey struct {
	owner any // the client the state was listed with: no other may resume it
	id    StateID
}

type savedState struct {
	walk  any // a suspended stream of one of the sources
	saved time.Time
	size  int // calls and conversations held
}

// Default bounds of States.
const (
	DefaultMaxStates = 64
	DefaultStateTTL  = 15 * time.Minute
	// maxStateCalls bounds the calls and conversations one kept walk may
	// hold, and maxHeldCalls all of them together (a call is about 400
	// bytes): a walk of a dense week of 5,000 conversations holds a few
	// thousand, some 100 kB to 1 MB.
	maxStateCalls = 20_000
	maxHeldCalls  = 100_000
)

// NewStates keeps at most max walk states, each for at most ttl after its
// page; zero values take the defaults.
func NewStates(max int, ttl time.Duration) *States {
	if max <= 0 {
		max = DefaultMaxStates
	}
	if ttl <= 0 {
		ttl = DefaultStateTTL
	}
	return &States{max: max, ttl: ttl, now: time.Now, states: map[stateKey]*savedState{}}
}

// Len is how many states are kept now.
func (s *States) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.states)
}

// put keeps w for owner and returns its new id; the oldest state goes when
// the store is full.
func (s *States) put(owner any, w any, size int) StateID {
	if s == nil || size > maxStateCalls {
		return StateID{}
	}
	id := newStateID()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expireLocked(now)
	for len(s.states) > 0 && (len(s.states) >= s.max || s.held+size > maxHeldCalls) {
		var oldest stateKey
		first := true
		for k, v := range s.states {
			if first || v.saved.Before(s.states[oldest].saved) {
				oldest, first = k, false
			}
		}
		s.deleteLocked(oldest)
	}
	s.states[stateKey{owner, id}] = &savedState{walk: w, saved: now, size: size}
	s.held += size
	return id
}

func (s *States) deleteLocked(k stateKey) {
	if v, ok := s.states[k]; ok {
		s.held -= v.size
		delete(s.states, k)
	}
}

// take removes and returns the state of owner under id, if it is kept and
// fresh. A state is taken once: a second use of the same cursor walks again.
func (s *States) take(owner any, id StateID) any {
	if s == nil || id.IsZero() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(s.now())
	k := stateKey{owner, id}
	v, ok := s.states[k]
	if !ok {
		return nil
	}
	s.deleteLocked(k)
	return v.walk
}

func (s *States) expireLocked(now time.Time) {
	for k, v := range s.states {
		if now.Sub(v.saved) >= s.ttl {
			s.deleteLocked(k)
		}
	}
}
