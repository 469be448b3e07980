package team

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// dropBudget deletes the test key's row at the end.
func dropBudget(t *testing.T, b *Budgets, key string) {
	t.Helper()
	t.Cleanup(func() {
		_, _ = b.pool.Exec(context.Background(), `DELETE FROM openphone_mcp_team_budget WHERE key_id = $1`, KeyID(key))
	})
}

// arrival is a request the test's gateway saw, by lane (its path).
type arrival struct {
	at         time.Time
	background bool
}

// TestBudgets_threeReplicasShareTheKeysTenPerSecond: three replicas, each
// a client with its own default pacing (10/s) and its own pool, share one
// key's budget against a gateway that refuses an 11th request in any
// rolling second. Each sends a background flood (four goroutines) and an
// interactive request every 600 ms. Every request is answered, none with
// a 429, no rolling second of the gateway's own log holds more than 10,
// and no interactive request waits while more than 4 background ones
// arrive (with background requests queued as interactive ones are, about
// 12 do: a replica's whole flood). No 429 is by construction (a request
// counts until its answer); how many background requests slip in while
// an interactive one waits depends on scheduling, so a run may be tried
// three times (a budget that does not share, or does not put interactive
// requests first, fails them all).
func TestBudgets_threeReplicasShareTheKeysTenPerSecond(t *testing.T) {
	cfg := pgConfig(t)
	var problems []string
	for run := 1; run <= 3; run++ {
		p, figures := shareRun(t, cfg)
		t.Logf("run %d: %s", run, figures)
		if len(p) == 0 {
			return
		}
		t.Logf("run %d out of bounds: %s", run, strings.Join(p, "; "))
		problems = p
	}
	t.Errorf("three runs out of bounds, the last: %s", strings.Join(problems, "; "))
}

// shareRun is one run of the test above: what was out of bounds, and the
// figures.
func shareRun(t *testing.T, cfg *pgxpool.Config) (problems []string, figures string) {
	key := unique("opk_team_")
	sb := sandbox.New(nil, sandbox.Options{RateLimit: client.DefaultRateLimit, RateWindow: true, LogArrivals: true})
	var mu sync.Mutex
	var seen []arrival
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, arrival{time.Now(), r.URL.Path == "/v1/users"})
		mu.Unlock()
		sb.ServeHTTP(w, r)
	}))
	defer srv.Close()

	const replicas, floods, interactive = 3, 4, 8
	clients := make([]*client.Client, replicas)
	for i := range clients {
		b := NewBudgets(newPool(t, cfg), client.DefaultRateLimit, nil)
		if i == 0 {
			dropBudget(t, b, key)
		}
		c, err := client.New(key, client.WithBaseURL(srv.URL), client.WithTransport(srv.Client().Transport),
			client.WithSharedBudget(b.For(key)))
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = c
	}

	var stop atomic.Bool
	var failed atomic.Int64
	var lastErr atomic.Value
	var flood, tools sync.WaitGroup
	type span struct{ from, to time.Time }
	var spans []span // of the interactive requests, guarded by mu
	start := time.Now()
	for i, c := range clients {
		for range floods {
			flood.Go(func() {
				for !stop.Load() {
					if _, err := c.ListUsers(client.Background(context.Background()), client.ListUsersParams{}); err != nil {
						failed.Add(1)
						lastErr.Store(err.Error())
					}
				}
			})
		}
		tools.Go(func() {
			time.Sleep(time.Duration(i) * 200 * time.Millisecond) // the replicas' tool calls apart
			tick := time.NewTicker(600 * time.Millisecond)
			defer tick.Stop()
			for range interactive {
				from := time.Now()
				if _, err := c.ListPhoneNumbers(context.Background(), ""); err != nil {
					failed.Add(1)
					lastErr.Store(err.Error())
				}
				to := time.Now()
				mu.Lock()
				spans = append(spans, span{from, to})
				mu.Unlock()
				<-tick.C
			}
		})
	}
	tools.Wait()
	stop.Store(true)
	flood.Wait()
	took := time.Since(start)

	if sb.Throttled() != 0 {
		problems = append(problems, fmt.Sprintf("%d of %d requests answered 429", sb.Throttled(), sb.Requests()))
	}
	log := sb.Arrivals(key)
	if most := sandbox.MostInWindow(log, time.Second); most > client.DefaultRateLimit {
		problems = append(problems, fmt.Sprintf("%d requests arrived within one rolling second, want at most %d",
			most, client.DefaultRateLimit))
	}
	if failed.Load() != 0 {
		problems = append(problems, fmt.Sprintf("%d requests failed, the last: %v", failed.Load(), lastErr.Load()))
	}

	// Not starved: the background requests that arrived while an
	// interactive one was on its way.
	mu.Lock()
	defer mu.Unlock()
	background, ahead := 0, 0
	for _, a := range seen {
		if a.background {
			background++
		}
	}
	var waits []time.Duration
	for _, s := range spans {
		waits = append(waits, s.to.Sub(s.from))
		n := 0
		for _, a := range seen {
			if a.background && a.at.After(s.from) && a.at.Before(s.to) {
				n++
			}
		}
		ahead = max(ahead, n)
	}
	if ahead > 4 {
		problems = append(problems, fmt.Sprintf("an interactive request waited while %d background requests arrived, want at most 4", ahead))
	}
	if background == 0 {
		problems = append(problems, "the background floods got nothing")
	}
	slices.Sort(waits)
	figures = fmt.Sprintf("%d requests (%d interactive, %d background) in %v: %.2f/s together against %d/s; "+
		"interactive waits median %v, max %v; at most %d background arrivals during one",
		len(log), len(waits), background, took.Round(time.Millisecond), float64(len(log))/took.Seconds(),
		client.DefaultRateLimit, waits[len(waits)/2].Round(time.Millisecond), waits[len(waits)-1].Round(time.Millisecond), ahead)
	return problems, figures
}

// TestBudgets_anInteractiveTakeThatWouldPassItsDeadlineTakesNothing: at
// one request at a time, a second request waits for the first one's
// answer and a window; under a 100 ms deadline it fails and takes no
// place, and once the first is answered and its window over, the next
// gets one.
func TestBudgets_anInteractiveTakeThatWouldPassItsDeadlineTakesNothing(t *testing.T) {
	cfg := pgConfig(t)
	key := unique("opk_team_")
	b := NewBudgets(newPool(t, cfg), 1, nil)
	dropBudget(t, b, key)
	kb := b.For(key)
	done, err := kb.Take(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	tokens := func() []int64 {
		var v []int64
		if err := b.pool.QueryRow(context.Background(), `SELECT tokens FROM openphone_mcp_team_budget WHERE key_id = $1`,
			KeyID(key)).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := tokens()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := kb.Take(ctx, false); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "before the deadline") {
		t.Fatalf("Take: %v, want no place before the deadline", err)
	}
	if after := tokens(); !slices.Equal(after, before) {
		t.Errorf("the refused Take took a place: %v, was %v", after, before)
	}
	done()
	start := time.Now()
	next, err := kb.Take(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	next()
	if waited := time.Since(start); waited < budgetWindow-100*time.Millisecond {
		t.Errorf("the next request got a place %v after the first's answer; the window is %v", waited, budgetWindow)
	}
}

// TestBudgets_anUnreachableDatabaseIsAClearError needs no database: the
// pool points at a closed loopback port.
func TestBudgets_anUnreachableDatabaseIsAClearError(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	b := NewBudgets(newPool(t, cfg), 10, nil)
	const key = "opk_MARKER_3f9c2a7e5d"
	for _, background := range []bool{false, true} {
		_, err := b.For(key).Take(context.Background(), background)
		if err == nil || !strings.Contains(err.Error(), "Postgres") {
			t.Errorf("background %v: %v, want an error naming Postgres", background, err)
		}
		if err != nil && strings.Contains(err.Error(), key) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}

// TestBudgets_aDatabaseThatStopsAnsweringIsAClearError: through a proxy
// that hangs, a Take fails after the look's timeout instead of holding
// the request.
func TestBudgets_aDatabaseThatStopsAnsweringIsAClearError(t *testing.T) {
	cfg := pgConfig(t)
	via, p := viaProxy(t, cfg)
	key := unique("opk_team_")
	b := NewBudgets(newPool(t, via), 10, nil)
	b.timeout = 300 * time.Millisecond
	dropBudget(t, NewBudgets(newPool(t, cfg), 10, nil), key)
	kb := b.For(key)
	if _, err := kb.Take(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	p.hang()
	for _, background := range []bool{false, true} {
		_, err := kb.Take(context.Background(), background)
		if err == nil || !strings.Contains(err.Error(), "the shared API budget in Postgres: no answer within 300ms") {
			t.Errorf("background %v: %v, want no answer within the timeout", background, err)
		}
	}
	p.close() // before the pool's: its connections' close then ends at once
}
