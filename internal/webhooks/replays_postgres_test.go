package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// testPool is a pool on a schema of its own (dropped at the end), so
// that tests sharing the database never meet; replicas are more pools on
// the same schema.
func testPools(t *testing.T, n int) []*pgxpool.Pool {
	t.Helper()
	url := os.Getenv("OPENPHONE_TEST_POSTGRES")
	if url == "" {
		t.Skip("OPENPHONE_TEST_POSTGRES is not set: the Postgres replay store is not tested (see .ci/run)")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "webhooks_test_" + hex.EncodeToString(b)
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	var pools []*pgxpool.Pool
	t.Cleanup(func() {
		for _, p := range pools {
			p.Close()
		}
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	for range n {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		pools = append(pools, p)
	}
	return pools
}

// TestPostgresReplays: the Replays contract, and the migrations applied
// once (version 1 of "webhooks") however many replicas start at once.
func TestPostgresReplays(t *testing.T) {
	pools := testPools(t, 4)
	ctx := context.Background()
	replicas := make([]*PostgresReplays, len(pools))
	errs := make([]error, len(pools))
	var wg sync.WaitGroup
	for i, p := range pools {
		wg.Add(1)
		go func() { defer wg.Done(); replicas[i], errs[i] = NewPostgresReplays(ctx, p) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var version int
	if err := pools[0].QueryRow(ctx, `SELECT version FROM openphone_mcp_schema WHERE component = 'webhooks'`).Scan(&version); err != nil || version != 1 {
		t.Errorf("schema version %d (%v), want 1", version, err)
	}
	checkReplays(t, replicas[0], "")

	// One replica's claim is the others' replay.
	if ok, err := replicas[1].Claim(ctx, "shared", testNow, time.Minute); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, err := replicas[2].Claim(ctx, "shared", testNow.Add(time.Second), time.Minute); ok || err != nil {
		t.Errorf("the same id on another replica: fresh %v (%v), want a replay", ok, err)
	}

	// A database migrated by a newer binary is refused with a sentence.
	if _, err := pools[0].Exec(ctx, `UPDATE openphone_mcp_schema SET version = 9 WHERE component = 'webhooks'`); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPostgresReplays(ctx, pools[3]); err == nil {
		t.Error("a newer schema was accepted")
	}
}

// TestPostgresReplays_AcrossReplicas: two handlers behind one load
// balancer share the store, so a delivery replayed to the other replica
// is refused and reaches no sink.
func TestPostgresReplays_AcrossReplicas(t *testing.T) {
	pools := testPools(t, 2)
	var rigs []*rig
	for _, p := range pools {
		pr, err := NewPostgresReplays(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		r := &rig{sink: &recordingSink{}, now: testNow}
		r.h = New(Config{Secrets: []string{datedSecret}, Sink: r.sink, Replays: pr, Now: func() time.Time { return r.now }})
		rigs = append(rigs, r)
	}
	body := datedEvent("EVx", "call.completed", `{"id":"AC1"}`)
	h := dated(t, datedSecret, "msg_x", testNow, body)
	if status, _ := rigs[0].post(h, body); status != http.StatusOK {
		t.Fatalf("replica A: %d", status)
	}
	if status, _ := rigs[1].post(h, body); status != http.StatusConflict {
		t.Errorf("the replay to replica B: %d, want 409", status)
	}
	if len(rigs[1].sink.got()) != 0 {
		t.Error("the replay reached replica B's sink")
	}
}
