package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"golang.org/x/time/rate"
)

func TestBackground_marksAContextAndWhatDerivesFromIt(t *testing.T) {
	ctx := context.Background()
	if IsBackground(ctx) {
		t.Error("an unmarked context is background")
	}
	bg, cancel := context.WithCancel(Background(ctx))
	defer cancel()
	if !IsBackground(bg) {
		t.Error("a context derived from a Background one lost the mark")
	}
	if IsBackground(ctx) {
		t.Error("Background changed its parent")
	}
}

// TestLanes_interactiveWaitsAboutASpacingUnderABackgroundFlood: three
// goroutines issue background requests without pause while an interactive
// request is issued every 150 ms, at 20/s. Every interactive request
// arrives within 3 spacings + 50 ms of being issued (a bound, not a timing
// benchmark: the lanes aim at one spacing, and the margin is for a loaded
// machine under -race), the total stays within the pacing, and the
// background takes most of what the interactive requests leave. A stall of
// the machine can spoil one run, so a run may be tried three times; without
// the lanes every run fails (interactive waits of 150-400 ms).
func TestLanes_interactiveWaitsAboutASpacingUnderABackgroundFlood(t *testing.T) {
	var problems []string
	for run := 1; run <= 3; run++ {
		p := backgroundFlood(t)
		if len(p) == 0 {
			return
		}
		t.Logf("run %d: %s", run, strings.Join(p, "; "))
		problems = p
	}
	t.Errorf("three runs out of bounds, the last: %s", strings.Join(problems, "; "))
}

// backgroundFlood runs the flood of the test above for 2 s and returns
// what was out of bounds.
func backgroundFlood(t *testing.T) (problems []string) {
	const perSecond = 20
	gap := time.Second / perSecond
	var mu sync.Mutex
	var bg []time.Time
	arrived := map[string]time.Time{}
	c, mux, _ := setup(t, WithRateLimit(perSecond), WithRetries(1, 0, 0))
	mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		mu.Lock()
		if id := r.PathValue("id"); id == "bg" {
			bg = append(bg, now)
		} else {
			arrived[id] = now
		}
		mu.Unlock()
		ok(w, r)
	})

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	for range 3 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := c.GetCall(Background(ctx), "bg"); err != nil && ctx.Err() == nil {
					t.Error(err)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // the flood holds the whole budget first

	issued := map[string]time.Time{}
	tick := time.NewTicker(150 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for i := 0; time.Since(start) < 2*time.Second; i++ {
		id := fmt.Sprintf("ia-%d", i)
		issued[id] = time.Now()
		if _, err := c.GetCall(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		<-tick.C
	}
	end := time.Now()
	stop()
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	var waits []time.Duration
	for id, at := range issued {
		waits = append(waits, arrived[id].Sub(at))
	}
	slices.Sort(waits)
	background := 0
	for _, at := range bg {
		if !at.Before(start) && !at.After(end) {
			background++
		}
	}
	total, capacity := background+len(waits), perSecond*end.Sub(start).Seconds()
	t.Logf("interactive waits: median %v, max %v over %d; background %d of %d slots (%.0f%%), capacity %.1f",
		waits[len(waits)/2], waits[len(waits)-1], len(waits), background, total,
		100*float64(background)/float64(total), capacity)
	if bound := 3*gap + 50*time.Millisecond; waits[len(waits)-1] > bound {
		problems = append(problems, fmt.Sprintf("an interactive request waited %v under the flood, want under %v (waits %v)",
			waits[len(waits)-1], bound, waits))
	}
	if float64(total) > capacity+1 {
		problems = append(problems, fmt.Sprintf("%d requests in %v, more than the pacing's %.1f",
			total, end.Sub(start), capacity+1))
	}
	if float64(total) < 0.7*capacity {
		problems = append(problems, fmt.Sprintf("%d requests in %v, under 70%% of the pacing's %.1f: the budget was left unused",
			total, end.Sub(start), capacity))
	}
	if 2*background < total {
		problems = append(problems, fmt.Sprintf("the background had %d of %d slots, want at least half (the interactive requests used a third)",
			background, total))
	}
	return problems
}

// TestLanes_backgroundWaitsForAWaitingInteractiveRequest: while an
// interactive request waits for pacing, a background one sends nothing,
// and it goes as soon as the interactive one leaves: woken by the lanes,
// not by its fallback timer (one spacing, 5 s at 0.2/s).
func TestLanes_backgroundWaitsForAWaitingInteractiveRequest(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRateLimit(0.2))
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(ok))
	c.lanes.enter()
	done := make(chan error, 1)
	go func() {
		_, err := c.GetCall(Background(context.Background()), "AC1")
		done <- err
	}()
	select {
	case err := <-done:
		c.lanes.leave(false)
		t.Fatalf("the background request went ahead of a waiting interactive one (%v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	left := time.Now()
	c.lanes.leave(false) // failed, not admitted: nothing to leave room after
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if el := time.Since(left); el > 2*time.Second {
		t.Errorf("the background request went %v after the interactive one left, want at once", el)
	}
	if n.get() != 1 {
		t.Errorf("%d requests, want 1", n.get())
	}
}

// TestLanes_canceledBackgroundWaitReturnsPromptly: a background request
// held behind an interactive one ends with its context's error as soon as
// the context ends, sends nothing, and gives its turn back.
func TestLanes_canceledBackgroundWaitReturnsPromptly(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRateLimit(20))
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(ok))
	c.lanes.enter() // an interactive request waiting for as long as the test runs
	defer c.lanes.leave(false)
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"canceled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			_, err := c.GetCall(Background(ctx), "AC1")
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if el := time.Since(start); el > time.Second {
				t.Errorf("returned %v after the start, %v after the context ended", el, el-50*time.Millisecond)
			}
			if n.get() != 0 || len(c.lanes.turn) != 0 {
				t.Errorf("%d requests sent, turn held: %v", n.get(), len(c.lanes.turn) != 0)
			}
		})
	}
}

// TestLanes_backgroundRetryYieldsToo: the retry of a background request
// waits in its lane like its first attempt.
func TestLanes_backgroundRetryYieldsToo(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRateLimit(20), WithRetries(2, time.Millisecond, time.Millisecond))
	first := make(chan struct{})
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, func(w http.ResponseWriter, r *http.Request) {
		c.lanes.enter() // an interactive request arrives during the attempt
		close(first)
		status(503, nil, "")(w, r)
	}, ok))
	done := make(chan error, 1)
	go func() {
		_, err := c.GetCall(Background(context.Background()), "AC1")
		done <- err
	}()
	select {
	case <-first:
	case err := <-done:
		t.Fatalf("the request ended before its first attempt reached the API: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if got := n.get(); got != 1 {
		c.lanes.leave(false)
		<-done
		t.Fatalf("%d attempts while an interactive request waited, want the retry held", got)
	}
	c.lanes.leave(true)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n.get() != 2 {
		t.Errorf("%d attempts, want 2", n.get())
	}
}

// TestLanes_sharedLimiterSharesLanes: clients of one limiter share its
// lanes, so a background request of one leaves a spacing after an
// interactive request of the other even when the limiter's burst would
// let it through at once; clients with their own pacing have their own.
func TestLanes_sharedLimiterSharesLanes(t *testing.T) {
	l := rate.NewLimiter(20, 10)
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	record := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived[r.PathValue("id")] = time.Now()
		mu.Unlock()
		ok(w, r)
	}
	c1, mux1, _ := setup(t, WithLimiter(l))
	c2, mux2, _ := setup(t, WithLimiter(l))
	mux1.HandleFunc("GET /v1/calls/{id}", record)
	mux2.HandleFunc("GET /v1/calls/{id}", record)
	if c1.lanes == nil || c1.lanes != c2.lanes {
		t.Fatal("two clients of one limiter have their own lanes")
	}
	other, _, _ := setup(t, WithLimiter(rate.NewLimiter(20, 1)))
	own1, _, _ := setup(t, WithRateLimit(20))
	own2, _, _ := setup(t, WithRateLimit(20))
	if other.lanes == c1.lanes || own1.lanes == nil || own1.lanes == own2.lanes {
		t.Fatal("clients of different pacings share lanes")
	}
	if c, _, _ := setup(t, WithLimiter(nil)); c.lanes != nil {
		t.Error("WithLimiter(nil) kept lanes without pacing")
	}

	if _, err := c1.GetCall(context.Background(), "interactive"); err != nil {
		t.Fatal(err)
	}
	c1.lanes.mu.Lock()
	admitted := c1.lanes.last
	c1.lanes.mu.Unlock()
	if _, err := c2.GetCall(Background(context.Background()), "background"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if d := arrived["background"].Sub(admitted); d < 45*time.Millisecond {
		t.Errorf("the background request arrived %v after the interactive one was let through, want a spacing (50ms)", d)
	}
}

// TestLanes_registryForgetsACollectedLimiter: the registry of shared
// limiters keeps none alive.
func TestLanes_registryForgetsACollectedLimiter(t *testing.T) {
	k := func() weak.Pointer[rate.Limiter] {
		l := rate.NewLimiter(1, 1)
		if _, err := New(testKey, WithLimiter(l)); err != nil {
			t.Fatal(err)
		}
		return weak.Make(l)
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		runtime.GC()
		sharedLanes.mu.Lock()
		_, kept := sharedLanes.m[k]
		sharedLanes.mu.Unlock()
		if !kept {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the lanes of a collected limiter are still registered")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLanes_offWithoutPacing: with pacing off a background request is not
// paced and waits for nothing (20 at the default 10/s would take 2 s).
func TestLanes_offWithoutPacing(t *testing.T) {
	var n counter
	c, mux, _ := setup(t) // WithRateLimit(0)
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(ok))
	if c.lanes != nil {
		t.Fatal("WithRateLimit(0) kept lanes")
	}
	start := time.Now()
	for range 20 {
		if _, err := c.GetCall(Background(context.Background()), "AC1"); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("20 background requests without pacing took %v", el)
	}
}
