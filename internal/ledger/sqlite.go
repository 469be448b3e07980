// The SQLite Store: opening a ledger file (its mode, its pragmas, its
// schema's version and its workspace checked before anything is written),
// the meta and the status. The driver is modernc.org/sqlite: pure Go, with
// FTS5 built in, so the project and its tests build without cgo.

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite is a Store in one SQLite file (or in memory). Reads of SQL run on
// a pool of connections; writes are serialised here, one transaction each.
// Beside SQL it keeps the listing of every call in memory (sqlite_mem.go).
type SQLite struct {
	db        *sql.DB
	path      string // "" in memory
	workspace string
	wmu       sync.Mutex // one writer at a time
	mem       *memIndex
}

var _ Store = (*SQLite)(nil)

// The connection's settings: a writer waits up to 5 s for another
// (another process on the same file), transactions take the write lock
// at once (no deadlock upgrading a read), NORMAL sync is safe under WAL.
const connParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate"

// OpenSQLite opens the ledger file at path for workspace, creating it
// (mode 0600, its directory 0700) and migrating its schema as needed. A
// file that is not a ledger, is corrupt, has a newer schema than this
// code or belongs to another workspace is refused with an error wrapping
// ErrForeign, and left as it was.
func OpenSQLite(ctx context.Context, path, workspace string) (*SQLite, error) {
	if workspace == "" {
		return nil, errors.New("ledger: no workspace to open a ledger for")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if err := ownFile(abs); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	dsn := (&url.URL{Scheme: "file", Path: abs}).String() + "?" + connParams
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return open(ctx, db, abs, workspace)
}

// OpenSQLiteMemory opens an empty ledger in memory, for the demo and the
// tests: one connection, gone with Close.
func OpenSQLiteMemory(ctx context.Context, workspace string) (*SQLite, error) {
	if workspace == "" {
		return nil, errors.New("ledger: no workspace to open a ledger for")
	}
	db, err := sql.Open("sqlite", ":memory:?"+connParams)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // each connection to :memory: is its own database
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return open(ctx, db, "", workspace)
}

// open checks and migrates the database, then loads the listing.
func open(ctx context.Context, db *sql.DB, path, workspace string) (*SQLite, error) {
	s := &SQLite{db: db, path: path, workspace: workspace, mem: newMemIndex()}
	fail := func(err error) (*SQLite, error) {
		_ = db.Close()
		if path != "" {
			return nil, fmt.Errorf("ledger %s: %w", path, foreignIfCorrupt(err))
		}
		return nil, fmt.Errorf("ledger: %w", foreignIfCorrupt(err))
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	err = migrate(ctx, conn, workspace)
	if err == nil && path != "" {
		var mode string
		err = conn.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
	}
	conn.Close()
	if err != nil {
		return fail(err)
	}
	if err := s.load(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

// foreignIfCorrupt marks SQLite's "not a database" and "malformed" errors
// as ErrForeign.
func foreignIfCorrupt(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: not a SQLite database, or a corrupt one (%v)", ErrForeign, err)
		}
	}
	return err
}

// ownFile creates path 0600, or makes an existing file 0600 (and its WAL
// companions) when its mode lets others read it.
func ownFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	for i, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		switch {
		case err != nil && i > 0:
			continue
		case err != nil:
			return err
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file", p)
		case fi.Mode().Perm()&0o077 != 0:
			if err := os.Chmod(p, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}

// load reads the listing of every stored call into memory.
func (s *SQLite) load(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+listingColumns+`
		FROM calls c LEFT JOIN transcripts t ON t.call_id = c.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	batch := make([]storedCall, 0, 4096)
	for rows.Next() {
		sc, err := scanListing(rows)
		if err != nil {
			return err
		}
		if batch = append(batch, sc); len(batch) == cap(batch) {
			s.mem.put(batch, false)
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.mem.put(batch, false)
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

// Path is the ledger's file, "" in memory.
func (s *SQLite) Path() string { return s.path }

// Meta is the sync state.
func (s *SQLite) Meta(ctx context.Context) (Meta, error) {
	var m Meta
	var from, synced int64
	err := s.db.QueryRowContext(ctx, `SELECT workspace, from_at, synced_at, source FROM meta WHERE id = 1`).
		Scan(&m.Workspace, &from, &synced, &m.Source)
	if err != nil {
		return Meta{}, fmt.Errorf("ledger: meta: %w", err)
	}
	m.From, m.SyncedAt = fromNanos(from), fromNanos(synced)
	return m, nil
}

// SetMeta replaces the sync state. m.Workspace empty keeps the ledger's;
// another workspace is refused (ErrForeign): a ledger never changes hands.
func (s *SQLite) SetMeta(ctx context.Context, m Meta) error {
	if m.Workspace != "" && m.Workspace != s.workspace {
		return fmt.Errorf("ledger: meta of workspace %s: %w", m.Workspace, ErrForeign)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.db.ExecContext(ctx, `UPDATE meta SET from_at = ?, synced_at = ?, source = ? WHERE id = 1`,
		toNanos(m.From), toNanos(m.SyncedAt), m.Source)
	if err != nil {
		return fmt.Errorf("ledger: meta: %w", err)
	}
	return nil
}

// Status is the ledger's size and contents. Summaries counts the calls
// with a completed summary, Voicemails those with a voicemail, and
// Transcripts those with a completed transcript.
func (s *SQLite) Status(ctx context.Context) (Status, error) {
	m, err := s.Meta(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Path: s.path, Meta: m}
	if s.path != "" {
		for _, p := range []string{s.path, s.path + "-wal"} {
			if fi, err := os.Stat(p); err == nil {
				st.Bytes += fi.Size()
			}
		}
	}
	x := s.mem
	x.mu.RLock()
	defer x.mu.RUnlock()
	st.Calls = len(x.order)
	if st.Calls > 0 {
		st.Newest = fromNanos(x.rows[x.order[0]].at)
		st.Oldest = fromNanos(x.rows[x.order[st.Calls-1]].at)
	}
	for _, slot := range x.order {
		r := &x.rows[slot]
		st.Summaries += b2i(r.flags&summaryDone != 0)
		st.Voicemails += b2i(r.flags&hasVoicemail != 0)
		st.Transcripts += b2i(r.transcript == tsDone)
	}
	return st, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// since is t as a bound for Unsettled and WantTranscripts.
func since(t time.Time) int64 {
	if t.IsZero() {
		return zeroNanos
	}
	return toNanos(t)
}
