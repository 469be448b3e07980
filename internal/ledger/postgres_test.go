// Tests of the Postgres store that only it has, against the database of
// $OPENPHONE_TEST_POSTGRES (skipped without one): workspaces in one
// database apart, migrations from replicas starting together applied
// once, a newer schema refused, the status's URL without a password, a
// reopened ledger, text Postgres cannot hold, and the same search results
// as SQLite on the same calls. Each test has workspaces (or a schema) of
// its own, removed when it ends.

package ledger

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

var testPG struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// testPool is the tests' pool on $OPENPHONE_TEST_POSTGRES, open until
// the tests end; the test skips without it.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("OPENPHONE_TEST_POSTGRES")
	if url == "" {
		t.Skip("OPENPHONE_TEST_POSTGRES is not set: the Postgres store's tests need a database URL (see .ci/run)")
	}
	testPG.once.Do(func() {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			testPG.err = err
			return
		}
		cfg.MaxConns = 16
		// the tests' data needs no durability: commits need not wait
		// for the disk
		cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
		testPG.pool, testPG.err = pgxpool.NewWithConfig(bg(), cfg)
	})
	if testPG.err != nil {
		t.Fatalf("OPENPHONE_TEST_POSTGRES: %v", testPG.err)
	}
	return testPG.pool
}

// randomName is prefix and 12 random hex digits.
func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// pgStore opens the ledger of a new workspace, removed when the test
// ends.
func pgStore(t testing.TB) *Postgres {
	t.Helper()
	return pgStoreOf(t, testPool(t), randomName("test-"))
}

func pgStoreOf(t testing.TB, pool *pgxpool.Pool, workspace string) *Postgres {
	t.Helper()
	s, err := OpenPostgres(bg(), pool, workspace)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, table := range []string{"openphone_mcp_ledger_names", "openphone_mcp_ledger_calls", "openphone_mcp_ledger_meta"} {
			if _, err := pool.Exec(bg(), `DELETE FROM `+table+` WHERE workspace = $1`, workspace); err != nil {
				t.Errorf("removing the test's workspace: %v", err)
			}
		}
	})
	return s
}

// schemaPool is a pool whose connections live in a new schema of their
// own (search_path), dropped when the test ends.
func schemaPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	base := testPool(t)
	schema := randomName("optest_")
	if _, err := base.Exec(bg(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	cfg := base.Config().Copy()
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(bg(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		if _, err := base.Exec(bg(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping the test's schema: %v", err)
		}
	})
	return pool
}

func TestPostgresWorkspacesApart(t *testing.T) {
	pool := testPool(t)
	a, b := pgStoreOf(t, pool, randomName("test-a-")), pgStoreOf(t, pool, randomName("test-b-"))
	ca, cb := call("AC1", 0), call("AC1", 0) // one id in both
	ca.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"alpha aardvark"}}
	cb.Summary = &client.DatedCallSummary{Status: client.StatusInProgress, Summary: []string{"beta badger"}}
	cb.Status = "answered"
	mustPut(t, a, ca, call("ACa", 1))
	mustPut(t, b, cb)
	if err := a.PutTranscript(bg(), "AC1", done(client.StatusCompleted)); err != nil {
		t.Fatal(err)
	}
	a.PutNames(bg(), []Name{{PhoneNumberID: "PN1", Party: "+15550001", Name: "Anna Alpha"}})
	b.SetMeta(bg(), Meta{Source: history.SourceV1})
	if got, _ := b.Get(bg(), "AC1"); got == nil || got.Status != "answered" || got.Summary.Summary[0] != "beta badger" {
		t.Errorf("b's call: %+v", got)
	}
	if got := ids(mustRange(t, b, all(), nil, 0)); !slices.Equal(got, []string{"AC1"}) {
		t.Errorf("b lists %v", got)
	}
	for _, q := range []string{"aardvark", "anna", "hello", "alpha OR beta"} {
		if res := search(t, b, SearchQuery{Text: q}); res.Total > 1 || (res.Total == 1 && res.Hits[0].Call.Summary.Summary[0] != "beta badger") {
			t.Errorf("b finds %q in a's calls: %+v", q, res.Hits)
		}
	}
	if names, _ := b.Names(bg()); len(names) != 0 {
		t.Errorf("b's names: %v", names)
	}
	if c, _ := b.Count(bg(), history.Query{}); c != (Counts{Calls: 1, Answered: 1}) {
		t.Errorf("b's counts: %+v", c)
	}
	if w, _ := b.Unsettled(bg(), time.Time{}, 0); !slices.Equal(w, []string{"AC1"}) {
		t.Errorf("b's unsettled: %v", w)
	}
	if n, _ := b.Prune(bg(), t0.Add(time.Hour)); n != 1 {
		t.Errorf("b pruned %d", n)
	}
	if st := mustStatus(t, a); st.Calls != 2 || st.Transcripts != 1 || st.Meta.Source != "" {
		t.Errorf("a after b's writes: %+v", st)
	}
	if res := search(t, a, SearchQuery{Text: "aardvark anna hello"}); res.Total != 1 {
		t.Errorf("a's search: %+v", res)
	}
}

func TestPostgresMigratesOnce(t *testing.T) {
	pool := schemaPool(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s *Postgres
			s, errs[i] = OpenPostgres(bg(), pool, randomName("test-"))
			if errs[i] == nil {
				errs[i] = s.PutCalls(bg(), []history.Call{call("AC1", 0)})
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err) // a step applied twice fails: its tables exist
		}
	}
	var version, calls int
	pool.QueryRow(bg(), `SELECT version FROM openphone_mcp_schema WHERE component = 'ledger'`).Scan(&version)
	pool.QueryRow(bg(), `SELECT count(*) FROM openphone_mcp_ledger_calls`).Scan(&calls)
	if version != pgSchemaVersion || calls != len(errs) {
		t.Errorf("version %d, %d calls; want %d and %d", version, calls, pgSchemaVersion, len(errs))
	}
	// a newer schema than this code's is refused
	pool.Exec(bg(), `UPDATE openphone_mcp_schema SET version = 99 WHERE component = 'ledger'`)
	if _, err := OpenPostgres(bg(), pool, "ws"); !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), "99") {
		t.Errorf("a newer schema: %v, want ErrForeign", err)
	}
}

func TestPostgresOpenRefuses(t *testing.T) {
	pool := testPool(t)
	for _, ws := range []string{"", "a\x00b", "\xff", strings.Repeat("w", 201)} {
		if _, err := OpenPostgres(bg(), pool, ws); err == nil {
			t.Errorf("opened a ledger of workspace %q", ws)
		}
	}
	if _, err := OpenPostgres(bg(), nil, "ws"); err == nil {
		t.Error("opened a ledger without a pool")
	}
}

func TestPostgresStatusURL(t *testing.T) {
	cfg := testPool(t).Config().Copy()
	cfg.ConnConfig.Password = "s3cret-pw" // trust auth: asked for by no one
	pool, err := pgxpool.NewWithConfig(bg(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // after the store's own cleanup
	s := pgStoreOf(t, pool, randomName("test-"))
	st := mustStatus(t, s)
	if strings.Contains(st.Path, "s3cret") || !strings.HasPrefix(st.Path, "postgres://") ||
		!strings.Contains(st.Path, cfg.ConnConfig.Database) {
		t.Errorf("Status.Path %q", st.Path)
	}
	mustPut(t, s, roundTripCalls()...)
	after := mustStatus(t, s)
	var db int64
	pool.QueryRow(bg(), `SELECT pg_database_size(current_database())`).Scan(&db)
	if after.Bytes <= st.Bytes || after.Bytes > db {
		t.Errorf("Bytes %d before, %d after 3 calls, of a %d-byte database", st.Bytes, after.Bytes, db)
	}
	s.Close()
	if err := pool.Ping(bg()); err != nil {
		t.Errorf("Close closed the caller's pool: %v", err)
	}
}

func TestPostgresReopened(t *testing.T) {
	pool := testPool(t)
	ws := randomName("test-")
	want := roundTripCalls()
	mustPut(t, pgStoreOf(t, pool, ws), want...)
	checkRoundTrip(t, pgStoreOf(t, pool, ws), want, "reopened")
}

// TestPostgresText: text Postgres cannot hold (NUL, invalid UTF-8) is
// never refused: a call comes back as it was put (its listing is bytes),
// the rest (names, a transcript's status) with U+FFFD in its place, and
// its words are found.
func TestPostgresText(t *testing.T) {
	s := pgStore(t)
	c := call("AC\x00nul", 0)
	c.ConversationName = "Bad\x00name \xff"
	c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"nul\x00byte walrus"}} // JSON: no invalid UTF-8
	mustPut(t, s, c)
	if err := s.PutTranscript(bg(), c.ID, Transcript{Status: "done\x00", Lines: []Line{{Text: "tusk\x00s"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutNames(bg(), []Name{{PhoneNumberID: "PN1", Party: "+15550001", Name: "Nu\x00l"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(bg(), c.ID)
	if err != nil || got == nil || cmp.Diff(c, *got) != "" {
		t.Fatalf("Get: %v %s", err, cmp.Diff(c, got))
	}
	if names, _ := s.Names(bg()); len(names) != 1 || names[0].Name != "Nu\uFFFDl" {
		t.Errorf("Names: %q", names)
	}
	for _, q := range []string{"walrus", "tusk", "bad name"} {
		if res := search(t, s, SearchQuery{Text: q}); res.Total != 1 {
			t.Errorf("%q: %d hits", q, res.Total)
		}
	}
}

// TestSearchSameOnBothBackends: on the same calls, SQLite and Postgres
// find as many calls for every kind of query, the same ones when they
// fit on a page (their ranks differ: bm25 and ts_rank).
func TestSearchSameOnBothBackends(t *testing.T) {
	pg := pgStore(t)
	lite := memStore(t)
	d := generate(genOptions{calls: 600, days: 5, numbers: 3, users: 6, parties: 60, seed: 11, end: t0})
	for _, s := range []Store{pg, lite} {
		if err := d.load(s); err != nil {
			t.Fatal(err)
		}
	}
	freq := callFreq(d)
	var queries []string
	for i, w := range d.vocab[:60] {
		if freq[w] == 0 {
			continue
		}
		next := d.vocab[(i*7+3)%len(d.vocab)]
		queries = append(queries, w, w+" "+next, w+" OR "+next, w+" -"+next, `"the `+w+`"`, `"`+w+` the"`,
			strings.ToUpper(w[:1])+w[1:]+"é")
	}
	queries = append(queries, "garcia", "maria OR james", "reference number", `"reference number"`)
	const page = 30
	for _, q := range queries {
		a := search(t, pg, SearchQuery{Text: q, Limit: page})
		b := search(t, lite, SearchQuery{Text: q, Limit: page})
		x, y := hitIDs(a), hitIDs(b)
		slices.Sort(x)
		slices.Sort(y)
		if a.Total != b.Total || (a.Total <= page && !slices.Equal(x, y)) {
			t.Fatalf("%q: Postgres %d hits, SQLite %d:\n%s", q, a.Total, b.Total, cmp.Diff(y, x))
		}
	}
	t.Logf("%d queries", len(queries))
}
