package history

import (
	"testing"
	"time"
)

// TestStates_Bounds: a state is kept for its owner only, taken once, and
// goes when it is too old, when the store is full (oldest first) or when
// it would hold too many calls.
func TestStates_Bounds(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := NewStates(3, time.Minute)
	s.now = func() time.Time { return now }
	a, b := &v1Stream{}, &v1Stream{}

	id := s.put("alice", a, 10)
	if s.take("bob", id) != nil {
		t.Fatal("another owner took the state")
	}
	if s.take("alice", id) != any(a) || s.take("alice", id) != nil {
		t.Fatal("a state must be taken once, by its owner")
	}

	old := s.put("alice", a, 10)
	now = now.Add(time.Minute)
	if s.take("alice", old) != nil {
		t.Error("a state older than its TTL was resumed")
	}

	ids := []StateID{s.put("alice", a, 1)}
	for i := 0; i < 3; i++ {
		now = now.Add(time.Second)
		ids = append(ids, s.put("alice", b, 1))
	}
	if s.Len() != 3 || s.take("alice", ids[0]) != nil || s.take("alice", ids[1]) != any(b) {
		t.Errorf("a full store must drop its oldest state: %d kept", s.Len())
	}

	if !s.put("alice", a, maxStateCalls+1).IsZero() {
		t.Error("a state over maxStateCalls was kept")
	}
	for i := 0; i < 3; i++ {
		s.put("alice", a, maxHeldCalls/3)
	}
	if s.held > maxHeldCalls {
		t.Errorf("%d calls held, more than %d", s.held, maxHeldCalls)
	}
}
