// Tests of the SQLite store that only it has: a ledger file reopened
// gives back what was written (the Store's contract itself is the
// conformance suite's, store_suite_test.go). Its helpers open SQLite
// stores in memory and in files.

package ledger

import (
	"path/filepath"
	"testing"
)

const testWorkspace = "ws-test"

// memStore is an empty ledger in memory.
func memStore(t testing.TB) *SQLite {
	t.Helper()
	s, err := OpenSQLiteMemory(bg(), testWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fileStore opens (or creates) the ledger at path.
func fileStore(t testing.TB, path string) *SQLite {
	t.Helper()
	s, err := OpenSQLite(bg(), path, testWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteReopened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := fileStore(t, path)
	want := roundTripCalls()
	mustPut(t, s, want...)
	s.Close()
	checkRoundTrip(t, fileStore(t, path), want, "reopened")
}
