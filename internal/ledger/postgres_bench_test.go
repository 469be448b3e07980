// The Postgres store's side of the benchmarks (store_bench_test.go runs
// each on every backend it has): the same generated 100,000-call ledger
// built once into a workspace of the test database of
// $OPENPHONE_TEST_POSTGRES and kept for later runs, vacuumed and analysed
// as autovacuum leaves a table, and the benchmarks that only Postgres has
// (its build and its size).
//
//	OPENPHONE_TEST_POSTGRES=postgres://... go test ./internal/ledger -run '^$' -bench 'Search|Read90' -benchtime 20x

package ledger

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// pgBench is the 100k ledger's workspace in the test database.
var pgBench struct {
	once sync.Once
	s    *Postgres
	err  error
}

// pgBenchBuilt marks a bench workspace whose build finished (its meta's
// source).
const pgBenchBuilt = "bench-built"

// pgBenchWorkspace names the cached ledger: change benchVersion with the
// generator, pgSchemaVersion with the tables.
func pgBenchWorkspace() string {
	return fmt.Sprintf("bench-calls-%s-schema-%d", benchVersion, pgSchemaVersion)
}

// pgBenchStore is the Postgres 100k ledger, built the first time; nil
// when the tests have no database.
func pgBenchStore(b *testing.B) *Postgres {
	b.Helper()
	if os.Getenv("OPENPHONE_TEST_POSTGRES") == "" {
		return nil
	}
	pool := testPool(b)
	pgBench.once.Do(func() {
		ws := pgBenchWorkspace()
		s, err := OpenPostgres(bg(), pool, ws)
		if err != nil {
			pgBench.err = err
			return
		}
		pgBench.s = s
		if m, err := s.Meta(bg()); err == nil && m.Source == pgBenchBuilt {
			return
		}
		for _, table := range []string{"openphone_mcp_ledger_names", "openphone_mcp_ledger_calls"} {
			if _, err := pool.Exec(bg(), `DELETE FROM `+table+` WHERE workspace = $1`, ws); err != nil {
				pgBench.err = err
				return
			}
		}
		d := generate(benchOptions)
		took, err := pgBuild(s, d)
		if err == nil {
			err = s.SetMeta(bg(), Meta{Source: pgBenchBuilt})
		}
		pgBench.err = err
		fmt.Fprintf(os.Stderr, "built the Postgres 100k ledger in %v (calls %v, transcripts %v)\n",
			took.total().Round(time.Millisecond), took.calls.Round(time.Millisecond),
			took.transcripts.Round(time.Millisecond))
		runtime.GC()
	})
	if pgBench.err != nil {
		b.Fatal(pgBench.err)
	}
	return pgBench.s
}

// pgBuild writes d into s as buildLedger does into a file, then
// vacuums and analyses the tables, as autovacuum would soon after.
func pgBuild(s *Postgres, d *genData) (buildTimes, error) {
	took, err := writeGen(s, d, time.Now())
	if err != nil {
		return took, err
	}
	for _, table := range []string{"openphone_mcp_ledger_calls", "openphone_mcp_ledger_transcripts",
		"openphone_mcp_ledger_names"} {
		if _, err := s.pool.Exec(bg(), `VACUUM ANALYZE `+table); err != nil {
			return took, err
		}
	}
	return took, nil
}

// BenchmarkPostgresSize is the 100k ledger's share of the database, as
// Status estimates it.
func BenchmarkPostgresSize(b *testing.B) {
	s := pgBenchStore(b)
	if s == nil {
		b.Skip("OPENPHONE_TEST_POSTGRES is not set: no Postgres to measure (see .ci/run)")
	}
	var st Status
	timed(b, func() {
		var err error
		if st, err = s.Status(bg()); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(st.Bytes)/(1<<20), "MiB")
	b.ReportMetric(float64(st.Bytes)/float64(st.Calls), "B/call")
}
