// Tests of opening a ledger file: its mode and its directory's, files that
// are not this workspace's ledger refused with ErrForeign and left as they
// were (another workspace, another program, garbage, a corrupt file, a
// newer schema), a v1-schema file migrated, and the meta kept in the file.

package ledger

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestOpenSQLiteModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "openphone-mcp")
	path := filepath.Join(dir, "ws.db")
	s := fileStore(t, path)
	if err := s.PutCalls(bg(), []history.Call{call("AC1", 0)}); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("directory mode %o, want 700", m)
	}
	for _, p := range []string{path, path + "-wal"} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s mode %o, want 600", filepath.Base(p), m)
		}
	}
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	fileStore(t, path).Close()
	if m := mode(t, path); m != 0o600 {
		t.Errorf("an existing 644 file was left %o, want 600", m)
	}
	var journal string
	db, _ := sql.Open("sqlite", path)
	defer db.Close()
	db.QueryRow(`PRAGMA journal_mode`).Scan(&journal)
	if journal != "wal" {
		t.Errorf("journal mode %q, want wal", journal)
	}
	var size int
	db.QueryRow(`PRAGMA page_size`).Scan(&size)
	if size != pageSize {
		t.Errorf("page size %d, want %d", size, pageSize)
	}
}

// refused opens path as the test workspace's ledger and wants ErrForeign,
// the file unchanged.
func refused(t *testing.T, path, why string) {
	t.Helper()
	before, _ := os.ReadFile(path)
	s, err := OpenSQLite(bg(), path, testWorkspace)
	if err == nil {
		s.Close()
		t.Fatalf("%s: opened", why)
	}
	if !errors.Is(err, ErrForeign) {
		t.Errorf("%s: %v, want ErrForeign", why, err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("%s: %q does not name the file", why, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("%s: the file was changed", why)
	}
	t.Logf("%s: %v", why, err)
}

func TestOpenSQLiteForeign(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	s, err := OpenSQLite(bg(), other, "ws-other")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	refused(t, other, "another workspace")

	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("not a database at all\n"), 500), 0o600)
	refused(t, garbage, "garbage")

	program := filepath.Join(dir, "program.db")
	db, _ := sql.Open("sqlite", program)
	if _, err := db.Exec(`CREATE TABLE things (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	refused(t, program, "another program's database")

	newer := filepath.Join(dir, "newer.db")
	fileStore(t, newer).Close()
	db, _ = sql.Open("sqlite", newer)
	db.Exec(`PRAGMA user_version = 99`)
	db.Close()
	refused(t, newer, "a newer schema")

	if _, err := OpenSQLite(bg(), filepath.Join(dir, "x.db"), ""); err == nil {
		t.Error("opened a ledger for no workspace")
	}
}

func TestOpenSQLiteCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := fileStore(t, path)
	if err := generate(genOptions{calls: 300, days: 3, numbers: 2, users: 2, parties: 20, seed: 1, end: t0}).load(s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Remove(path + "-wal") // checkpointed at close
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 64<<10 {
		t.Fatalf("ledger of %d bytes: %v", len(b), err)
	}
	for i := 4096; i < len(b); i++ { // every page but the first
		b[i] ^= 0x5a
	}
	os.WriteFile(path, b, 0o600)
	s2, err := OpenSQLite(bg(), path, testWorkspace)
	if err == nil {
		s2.Close()
		t.Fatal("a corrupt file opened")
	}
	if !errors.Is(err, ErrForeign) {
		t.Errorf("%v, want ErrForeign", err)
	}
}

func TestOpenSQLiteMigratesV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(bg(), db, testWorkspace, 1); err != nil {
		t.Fatal(err)
	}
	c := datedCall()
	args, _ := callArgs(&c)
	if _, err := db.Exec(`INSERT INTO calls (`+callColumns+`) VALUES (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`)`, args...); err != nil {
		t.Fatal(err)
	}
	db.Exec(`INSERT INTO transcripts VALUES ('ACdated', 'completed', '[[0, "", "", "the flux capacitor"]]')`)
	db.Exec(`INSERT INTO names VALUES ('PNb', '+15550300', '', 'Dana Scully')`)
	db.Close()

	s := fileStore(t, path)
	var version int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&version)
	if version != schemaVersion {
		t.Errorf("schema version %d after open, want %d", version, schemaVersion)
	}
	got, _ := s.Get(bg(), "ACdated")
	if got == nil || cmp.Diff(c, *got) != "" {
		t.Fatalf("the v1 file's call: %s", cmp.Diff(c, got))
	}
	for q, field := range map[string]string{"boiler": FieldSummary, "capacitor": FieldTranscript,
		"scully": FieldName, "call me back": FieldVoicemail} {
		res, err := s.Search(bg(), SearchQuery{Text: q})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].Field != field {
			t.Errorf("%q after the migration: %+v %v, want one hit in %s", q, res, err, field)
		}
	}
}

// TestSQLiteMetaReopened: the meta is kept in the file (its contract is
// the suite's), and Status names the file.
func TestSQLiteMetaReopened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := fileStore(t, path)
	want := Meta{Workspace: testWorkspace, From: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC),
		SyncedAt: time.Date(2026, 3, 2, 8, 0, 1, 999, time.FixedZone("X", 3600)), Source: history.SourceDated}
	if err := s.SetMeta(bg(), want); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = fileStore(t, path)
	if m, _ := s.Meta(bg()); cmp.Diff(want, m) != "" {
		t.Errorf("meta after reopening (-want +got):\n%s", cmp.Diff(want, m))
	}
	st, err := s.Status(bg())
	if err != nil || st.Path != path || st.Bytes == 0 || cmp.Diff(want, st.Meta) != "" {
		t.Errorf("Status: %+v %v", st, err)
	}
}
