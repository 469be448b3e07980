package ledger_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// fakeElector is one lock per workspace in memory, as Postgres's advisory
// lock is across replicas; kill frees it the way a dead replica's closed
// connection does, closing the holder's Lost without its Release.
type fakeElector struct {
	mu     sync.Mutex
	holder map[string]*fakeLease
}

type fakeLease struct {
	e    *fakeElector
	ws   string
	lost chan struct{}
	once sync.Once
}

func (e *fakeElector) TryLead(_ context.Context, ws string) (ledger.Lease, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.holder == nil {
		e.holder = map[string]*fakeLease{}
	}
	if e.holder[ws] != nil {
		return nil, false, nil
	}
	l := &fakeLease{e: e, ws: ws, lost: make(chan struct{})}
	e.holder[ws] = l
	return l, true, nil
}

func (e *fakeElector) current(ws string) *fakeLease {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.holder[ws]
}

func (l *fakeLease) Lost() <-chan struct{} { return l.lost }
func (l *fakeLease) Release()              { l.free() }

// kill is the holder's connection breaking: the lock is free and Lost is
// closed.
func (l *fakeLease) kill() { l.free(); close(l.lost) }

func (l *fakeLease) free() {
	l.once.Do(func() {
		l.e.mu.Lock()
		if l.e.holder[l.ws] == l {
			delete(l.e.holder, l.ws)
		}
		l.e.mu.Unlock()
	})
}

// replica is one server of a team: its own client and counter of API
// requests, the shared store and elector.
type replica struct {
	api *swapAPI
	l   *ledger.Ledger
}

func newReplica(t *testing.T, sb *sandbox.Server, store ledger.Store, e ledger.Elector, clock func() time.Time) *replica {
	t.Helper()
	api := &swapAPI{}
	api.set(sb)
	c, err := client.New("test-key", client.WithTransport(api), client.WithRateLimit(0), client.WithRetries(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(store, c, ledger.Config{Days: 30, Interval: 100 * time.Millisecond, Elector: e, Workspace: "ws1"})
	l.Syncer.Now = clock
	l.LeasePoll = 20 * time.Millisecond
	return &replica{api: api, l: l}
}

// waitFor polls cond for up to a minute: the loops run on their own
// goroutines, and only the end state is asserted.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLedger_StartElectsOneSyncingReplica(t *testing.T) {
	now := syncNow
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	ws := syncWorkspace(syncNow)
	sb := sandbox.New(ws, sandbox.Options{Now: clock})
	store, err := ledger.OpenSQLiteMemory(context.Background(), ledger.WorkspaceID("test-key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &fakeElector{}
	a := newReplica(t, sb, store, e, clock)
	b := newReplica(t, sb, store, e, clock)

	ctxA, stopA := context.WithCancel(context.Background())
	defer stopA()
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	a.l.Start(ctxA)
	waitFor(t, "replica A to take the lease", func() bool { return e.current("ws1") != nil })
	b.l.Start(ctxB)
	ctx := context.Background()
	waitFor(t, "the backfill", func() bool {
		m, _ := store.Meta(ctx)
		return !m.From.IsZero() && !m.From.After(a.l.Syncer.Horizon(clock()))
	})
	first := e.current("ws1")

	// B only reads: none of its requests went to the API, and a stale
	// ledger sends it to the API instead of a sync of its own.
	if n := b.api.requests.Load(); n != 0 {
		t.Errorf("the replica without the lease made %d API requests; want 0", n)
	}
	if a.api.requests.Load() == 0 {
		t.Fatal("the replica with the lease made no request")
	}

	// A dies: its lease is lost without Release. B takes over and syncs
	// the calls made since, each once.
	stopA()
	<-a.l.Done()
	first.kill()
	clockMu.Lock()
	now = now.Add(10 * time.Minute)
	clockMu.Unlock()
	ws2 := withNewCalls(ws, syncNow, 7, "ACnew")
	sb2 := sandbox.New(ws2, sandbox.Options{Now: clock})
	a.api.set(sb2)
	b.api.set(sb2)
	waitFor(t, "replica B to take the lease", func() bool { l := e.current("ws1"); return l != nil && l != first })
	waitFor(t, "replica B's sync of the new calls", func() bool {
		m, _ := store.Meta(ctx)
		return !m.SyncedAt.Before(clock())
	})
	calls, err := store.Range(ctx, history.Query{After: history.MinTime}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range calls {
		got = append(got, c.ID)
	}
	want := truthIDs(ws2, clock().AddDate(0, 0, -30), clock())
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("after the takeover the ledger holds %d calls, want %d (each once)", len(got), len(want))
	}
	if b.api.requests.Load() == 0 {
		t.Error("replica B made no request after the takeover")
	}
}

func TestLedger_ReadyWithoutTheLeaseDoesNotSync(t *testing.T) {
	ws := syncWorkspace(syncNow)
	r := newRig(t, ws, "auto")
	r.sync(t, all)
	e := &fakeElector{}
	if _, ok, _ := e.TryLead(context.Background(), "ws1"); !ok {
		t.Fatal("the fake elector gave no lease")
	}
	r.l.Elector, r.l.Workspace = e, "ws1" // another replica holds the lease
	r.advance(5 * time.Minute)
	before := r.api.requests.Load()
	age, ok := r.l.Ready(context.Background(), syncNow.Add(-24*time.Hour), time.Time{})
	if ok || age != 5*time.Minute {
		t.Errorf("stale without the lease: ready %v, age %v; want not ready, age 5m0s", ok, age)
	}
	if spent := r.api.requests.Load() - before; spent != 0 {
		t.Errorf("Ready without the lease made %d requests; want 0 (the syncing replica syncs)", spent)
	}
}
