package webhooks

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkReplays is what every Replays must do: a second claim within the
// ttl is a replay, one after it is fresh, a released id is fresh again,
// and of many claims at once exactly one is fresh.
func checkReplays(t *testing.T, r Replays, prefix string) {
	t.Helper()
	ctx := context.Background()
	at, ttl := testNow, 11*time.Minute
	claim := func(id string, when time.Time) bool {
		t.Helper()
		fresh, err := r.Claim(ctx, prefix+id, when, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return fresh
	}
	if !claim("a", at) || claim("a", at.Add(time.Minute)) || claim("a", at.Add(ttl-time.Second)) {
		t.Error("a second claim within the ttl was fresh")
	}
	if !claim("a", at.Add(ttl)) {
		t.Error("a claim once the ttl passed was a replay")
	}
	if !claim("b", at) {
		t.Error("another id was a replay")
	}
	if err := r.Release(ctx, prefix+"b"); err != nil {
		t.Fatal(err)
	}
	if !claim("b", at.Add(time.Second)) {
		t.Error("a released id was a replay")
	}
	var fresh atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := r.Claim(ctx, prefix+"raced", at, ttl); err != nil {
				t.Error(err)
			} else if ok {
				fresh.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := fresh.Load(); n != 1 {
		t.Errorf("32 claims at once: %d fresh, want 1", n)
	}
}

func TestMemoryReplays(t *testing.T) { checkReplays(t, NewMemoryReplays(0), "") }

// TestMemoryReplays_Bounded: at its bound it refuses to take more until
// ids expire, and what expired is dropped.
func TestMemoryReplays_Bounded(t *testing.T) {
	m := NewMemoryReplays(3)
	ctx, ttl := context.Background(), time.Minute
	for i := range 3 {
		if ok, err := m.Claim(ctx, strconv.Itoa(i), testNow, ttl); !ok || err != nil {
			t.Fatalf("claim %d: %v %v", i, ok, err)
		}
	}
	if _, err := m.Claim(ctx, "3", testNow, ttl); !errors.Is(err, ErrReplaysFull) {
		t.Errorf("past the bound: %v, want ErrReplaysFull", err)
	}
	if ok, err := m.Claim(ctx, "3", testNow.Add(ttl), ttl); !ok || err != nil || m.Len() != 1 {
		t.Errorf("once the others expired: %v %v, %d held; want fresh and 1 held", ok, err, m.Len())
	}
	// Released ids leave no unbounded trail behind.
	for i := range 100 {
		id := "r" + strconv.Itoa(i)
		if ok, _ := m.Claim(ctx, id, testNow.Add(ttl), ttl); !ok {
			t.Fatalf("claim %s refused", id)
		}
		_ = m.Release(ctx, id)
	}
	if len(m.queue)-m.head > 2*m.max+1 {
		t.Errorf("the queue holds %d entries for %d ids", len(m.queue)-m.head, m.Len())
	}
}
