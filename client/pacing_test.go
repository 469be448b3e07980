package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// rollingGateway is a fake API gateway that allows at most limit requests
// in any rolling second, by the arrival times it sees, both ends of the
// second included (so 11 requests exactly 100 ms apart are one too many at
// 10/s). A refused request is answered 429 and not counted.
type rollingGateway struct {
	mu       sync.Mutex
	limit    int
	admitted []time.Time
	refused  int
}

// admit reports whether a request arriving at now fits the window.
func (g *rollingGateway) admit(now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	inWindow := 0
	for _, t := range g.admitted {
		if now.Sub(t) <= time.Second {
			inWindow++
		}
	}
	if inWindow >= g.limit {
		g.refused++
		return false
	}
	g.admitted = append(g.admitted, now)
	return true
}

func (g *rollingGateway) handler(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !g.admit(time.Now()) {
			writeJSON(w, http.StatusTooManyRequests, `{"message":"Too Many Requests","code":"0100429"}`)
			return
		}
		next(w, r)
	}
}

// TestRollingGateway_refusesTheEleventhInASecond checks the fake itself on
// synthetic times: without it the pacing tests below could not fail.
func TestRollingGateway_refusesTheEleventhInASecond(t *testing.T) {
	g := &rollingGateway{limit: 10}
	t0 := time.Unix(1_800_000_000, 0)
	for i := range 10 {
		if !g.admit(t0.Add(time.Duration(i) * 100 * time.Millisecond)) {
			t.Fatalf("request %d refused", i)
		}
	}
	if g.admit(t0.Add(time.Second)) {
		t.Fatal("an 11th request exactly one second after the first was admitted")
	}
	if !g.admit(t0.Add(time.Second + time.Millisecond)) {
		t.Fatal("a request just past the first one's second was refused")
	}
}

func newLoopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// pacedClient is a client with the default pacing against srv, no retries
// (a 429 is an error the test sees).
func pacedClient(t *testing.T, srv *httptest.Server) *Client {
	t.Helper()
	c, err := New(testKey, WithBaseURL(srv.URL), WithTransport(srv.Client().Transport),
		WithRetries(1, 0, 0), WithTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPacing_defaultKeepsARollingSecondToTen: 60 requests one after the
// other at the default pacing draw no 429 from a gateway of 10 per any
// rolling second (the token bucket alone drew 3-4: a request that wakes
// late leaves the next closer than 100 ms).
func TestPacing_defaultKeepsARollingSecondToTen(t *testing.T) {
	t.Parallel()
	g := &rollingGateway{limit: DefaultRateLimit}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/calls/{id}", g.handler(ok))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := pacedClient(t, srv)
	for i := range 60 {
		if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if g.refused != 0 || len(g.admitted) != 60 {
		t.Fatalf("%d refused, %d admitted, want 0 and 60", g.refused, len(g.admitted))
	}
}

// TestPacing_defaultKeepsARollingSecondToTenConcurrently: the same 60
// requests from 12 goroutines at once.
func TestPacing_defaultKeepsARollingSecondToTenConcurrently(t *testing.T) {
	t.Parallel()
	g := &rollingGateway{limit: DefaultRateLimit}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/calls/{id}", g.handler(ok))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := pacedClient(t, srv)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			for range 5 {
				if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refused != 0 || len(g.admitted) != 60 {
		t.Fatalf("%d refused, %d admitted, want 0 and 60", g.refused, len(g.admitted))
	}
}

// TestPacing_withRateLimitKeepsItsOwnWindow: --api-rate 5 keeps a rolling
// second to 5, and 0 turns the window off with the rest of the pacing.
func TestPacing_withRateLimitKeepsItsOwnWindow(t *testing.T) {
	c, err := New(testKey, WithRateLimit(5))
	if err != nil {
		t.Fatal(err)
	}
	if c.window == nil || len(c.window.sent) != 5 || c.window.width != time.Second+paceMargin {
		t.Fatalf("WithRateLimit(5): window = %+v, want 5 per %v", c.window, time.Second+paceMargin)
	}
	if c, _ := New(testKey, WithRateLimit(0)); c.window != nil {
		t.Error("WithRateLimit(0) kept the rolling window")
	}
	if c, _ := New(testKey, WithRateLimit(2.5)); c.window == nil || len(c.window.sent) != 3 {
		t.Error("WithRateLimit(2.5) should keep a rolling second to 3 (its spacing of 400 ms already does)")
	}
}

// TestRollingWindow_failsAtOnceWhenTheWaitPassesTheDeadline: a full window
// and a deadline sooner than its room is an immediate DeadlineExceeded,
// not a wait that outlives the caller.
func TestRollingWindow_failsAtOnceWhenTheWaitPassesTheDeadline(t *testing.T) {
	w := newRollingWindow(3)
	for i := range 3 {
		if err := w.wait(context.Background()); err != nil {
			t.Fatalf("admission %d: %v", i, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := w.wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a full window: %v, want DeadlineExceeded", err)
	}
}
