package team

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pgConfig is the test database's pool settings, or a skip without one.
func pgConfig(t testing.TB) *pgxpool.Config {
	t.Helper()
	url := os.Getenv("OPENPHONE_TEST_POSTGRES")
	if url == "" {
		t.Skip("OPENPHONE_TEST_POSTGRES is not set: the team tests need a Postgres (see .ci/run)")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("OPENPHONE_TEST_POSTGRES: %v", err)
	}
	return cfg
}

// newPool is a pool of its own, as one replica has, closed at the end.
func newPool(t testing.TB, cfg *pgxpool.Config) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg.Copy())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// unique is a name no other test (or run) uses.
func unique(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func TestMigrate_replicasStartingTogetherApplyItOnce(t *testing.T) {
	cfg := pgConfig(t)
	errs := make(chan error, 3)
	for range 3 {
		pool := newPool(t, cfg)
		go func() { errs <- Migrate(context.Background(), pool) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var version int
	pool := newPool(t, cfg)
	if err := pool.QueryRow(context.Background(),
		`SELECT version FROM openphone_mcp_schema WHERE component = 'team'`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != len(migrations) {
		t.Errorf("team schema version %d, want %d", version, len(migrations))
	}
}
