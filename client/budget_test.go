package client

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// fakeBudget records what was taken of it, in order with the requests
// the server saw (events), and fails or blocks as told.
type fakeBudget struct {
	mu     sync.Mutex
	events *[]string
	fail   error         // returned by every Take when set
	block  chan struct{} // when set, Take closes it and waits for its context to end
}

func (b *fakeBudget) Take(ctx context.Context, background bool) (func(), error) {
	b.mu.Lock()
	lane := "interactive"
	if background {
		lane = "background"
	}
	*b.events = append(*b.events, "take "+lane)
	b.mu.Unlock()
	if b.block != nil {
		close(b.block)
		<-ctx.Done()
		return nil, errors.New("gave up: " + ctx.Err().Error())
	}
	if b.fail != nil {
		return nil, b.fail
	}
	return func() {
		b.mu.Lock()
		*b.events = append(*b.events, "done")
		b.mu.Unlock()
	}, nil
}

func (b *fakeBudget) log() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(*b.events)
}

// budgetSetup is a client with budget b whose server notes each request
// in b's events and answers 503 to the first failures requests.
func budgetSetup(t *testing.T, b *fakeBudget, failures int, opts ...Option) (*Client, *counter) {
	t.Helper()
	b.events = new([]string)
	var n counter
	c, mux, _ := setup(t, append([]Option{WithSharedBudget(b)}, opts...)...)
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		*b.events = append(*b.events, "request")
		b.mu.Unlock()
		if n.get() <= failures {
			writeJSON(w, http.StatusServiceUnavailable, `{"message":"busy"}`)
			return
		}
		ok(w, r)
	}))
	return c, &n
}

func TestWithSharedBudget_everyAttemptTakesOneInItsLaneBeforeItIsSent(t *testing.T) {
	b := &fakeBudget{}
	c, _ := budgetSetup(t, b, 2)
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetCall(Background(context.Background()), "AC2"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		// Each attempt takes one before it is sent and reports its end
		// once its answer came: two 503s, then 200.
		"take interactive", "request", "done", "take interactive", "request", "done", "take interactive", "request", "done",
		"take background", "request", "done",
	}
	if got := b.log(); !slices.Equal(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
}

func TestWithSharedBudget_anUnreachableBudgetFailsTheAttemptUnsent(t *testing.T) {
	b := &fakeBudget{fail: errors.New("connection refused")}
	c, n := budgetSetup(t, b, 0)
	_, err := c.GetCall(context.Background(), "AC1")
	checkErr(t, err)
	if !errors.Is(err, ErrSharedBudget) {
		t.Errorf("error %q does not wrap ErrSharedBudget", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "shared with the other replicas") {
		t.Errorf("error %q should say what failed and why", err)
	}
	if n.get() != 0 {
		t.Errorf("%d requests sent without their share of the budget, want 0", n.get())
	}
}

func TestWithSharedBudget_aContextEndingInTheTakeGivesItsError(t *testing.T) {
	b := &fakeBudget{block: make(chan struct{})}
	c, n := budgetSetup(t, b, 0)
	ctx, cancel := context.WithCancelCause(context.Background())
	errStop := errors.New("the caller went away")
	go func() {
		<-b.block
		cancel(errStop)
	}()
	_, err := c.GetCall(ctx, "AC1")
	if !errors.Is(err, errStop) {
		t.Errorf("error %v, want the context's cause", err)
	}
	if errors.Is(err, ErrSharedBudget) {
		t.Errorf("a canceled wait is reported as a budget failure: %v", err)
	}
	if n.get() != 0 {
		t.Errorf("%d requests sent, want 0", n.get())
	}
}

func TestWithSharedBudget_aRequestTheLocalPacingRefusesTakesNothing(t *testing.T) {
	b := &fakeBudget{}
	// One token, and the next an hour away: the second request's local
	// pacing fails at once on its deadline.
	lim := rate.NewLimiter(rate.Every(time.Hour), 1)
	c, n := budgetSetup(t, b, 0, WithLimiter(lim))
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.GetCall(ctx, "AC2")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the local pacing's deadline", err)
	}
	if got, want := b.log(), []string{"take interactive", "request", "done"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if n.get() != 1 {
		t.Errorf("%d requests, want 1", n.get())
	}
}

func TestWithSharedBudget_aPacedClientTakesAfterItsPacing(t *testing.T) {
	b := &fakeBudget{}
	c, _ := budgetSetup(t, b, 0, WithRateLimit(DefaultRateLimit)) // setup's default is no pacing
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	if got, want := b.log(), []string{"take interactive", "request", "done"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
