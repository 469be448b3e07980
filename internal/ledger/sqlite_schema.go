// The SQLite ledger's schema and its versions: migrations[i] takes a file
// from version i to i+1 (PRAGMA user_version), all the steps a file needs
// applied in one transaction at open. A new step is one more entry at the
// end; a step once released never changes.

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// applicationID marks a SQLite file as a ledger of this server (PRAGMA
// application_id, "OPLG").
const applicationID = 0x4f504c47

// migration is one step of the schema.
type migration struct {
	name string
	up   func(ctx context.Context, tx *sql.Tx) error
}

var migrations = []migration{
	{"calls, transcripts, names and meta", execAll(schemaV1...)},
	{"the search index, built from what is stored", migrateSearch},
	{"the index's vocabulary (how many rows hold a term), for planning searches",
		execAll(`CREATE VIRTUAL TABLE fts_vocab USING fts5vocab (fts, row)`)},
}

// schemaVersion is the version this code writes.
var schemaVersion = len(migrations)

var schemaV1 = []string{
	`CREATE TABLE meta (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		workspace TEXT NOT NULL,
		from_at INTEGER NOT NULL,
		synced_at INTEGER NOT NULL,
		source TEXT NOT NULL)`,
	`CREATE TABLE calls (
		n INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: index rows and the listing name calls by n
		id TEXT NOT NULL UNIQUE,
		created_at INTEGER NOT NULL,
		phone_number_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		actor_id TEXT NOT NULL,
		direction TEXT NOT NULL,
		status TEXT NOT NULL,
		duration INTEGER NOT NULL,
		participant TEXT NOT NULL,
		participants TEXT,
		parties TEXT,
		conversation_id TEXT NOT NULL,
		conversation_name TEXT NOT NULL,
		answered_at INTEGER,
		answered_by TEXT,
		initiated_by TEXT,
		completed_at INTEGER,
		updated_at INTEGER,
		forwarded_from TEXT,
		forwarded_to TEXT,
		call_route TEXT,
		ai_handled TEXT,
		summary TEXT,
		summary_status TEXT,
		voicemail TEXT,
		voicemail_status TEXT)`,
	`CREATE INDEX calls_order ON calls (created_at DESC, id DESC)`,
	`CREATE INDEX calls_number ON calls (phone_number_id, created_at)`,
	`CREATE INDEX calls_party ON calls (participant, created_at)`,
	`CREATE INDEX calls_group ON calls (phone_number_id) WHERE parties IS NOT NULL`,
	`CREATE TABLE transcripts (
		call_id TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
		status TEXT NOT NULL,
		lines TEXT NOT NULL)`, // [[start, speaker, user id, text], ...]
	`CREATE INDEX transcripts_status ON transcripts (call_id, status)`,
	`CREATE TABLE names (
		phone_number_id TEXT NOT NULL,
		party TEXT NOT NULL,
		user_id TEXT NOT NULL,
		name TEXT NOT NULL,
		PRIMARY KEY (phone_number_id, party, user_id)) WITHOUT ROWID`,
}

// ftsTokenizer is the index's tokenizer: case and diacritics folded.
const ftsTokenizer = `'unicode61 remove_diacritics 2'`

// migrateSearch adds the full-text index, contentless: one row per (call,
// field), its rowid the call's n times 8 plus the field's code, and
// indexes what the file already holds.
func migrateSearch(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx,
		`CREATE VIRTUAL TABLE fts USING fts5 (text, content = '', contentless_delete = 1, tokenize = `+ftsTokenizer+`)`)
	if err != nil {
		return err
	}
	return reindex(ctx, tx)
}

func execAll(stmts ...string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
}

// pageSize is a new file's page size: 8 KiB packs transcripts (1-2 KiB
// each) with little waste.
const pageSize = 8192

// beginner is a database or one of its connections.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// migrate brings the database to schemaVersion and checks that it is a
// ledger of workspace, all in one transaction on conn.
func migrate(ctx context.Context, conn *sql.Conn, workspace string) error {
	var pages int
	if err := conn.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return err
	}
	if pages == 0 { // a new file: before its first page is written
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA page_size = %d`, pageSize)); err != nil {
			return err
		}
	}
	return migrateTo(ctx, conn, workspace, schemaVersion)
}

// migrateTo is migrate up to version target (tests make older files).
func migrateTo(ctx context.Context, db beginner, workspace string, target int) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var app, version, objects int
	if err := tx.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&objects); err != nil {
		return err
	}
	switch {
	case app == 0 && version == 0 && objects == 0: // a new file
	case app != applicationID:
		return fmt.Errorf("%w: a SQLite database of another program", ErrForeign)
	case version > len(migrations):
		return fmt.Errorf("%w: its schema version %d is newer than this server's (%d)",
			ErrForeign, version, len(migrations))
	}
	for v := version; v < target; v++ {
		if err := migrations[v].up(ctx, tx); err != nil {
			return fmt.Errorf("ledger: schema step %d (%s): %w", v+1, migrations[v].name, err)
		}
	}
	if version < target {
		for _, p := range []string{
			fmt.Sprintf(`PRAGMA application_id = %d`, applicationID),
			fmt.Sprintf(`PRAGMA user_version = %d`, target),
		} {
			if _, err := tx.ExecContext(ctx, p); err != nil {
				return err
			}
		}
	}
	if err := claim(ctx, tx, workspace); err != nil {
		return err
	}
	return tx.Commit()
}

// claim checks that the file is workspace's, writing the workspace into a
// new file's meta.
func claim(ctx context.Context, tx *sql.Tx, workspace string) error {
	var owner string
	err := tx.QueryRowContext(ctx, `SELECT workspace FROM meta WHERE id = 1`).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (id, workspace, from_at, synced_at, source)
			VALUES (1, ?, ?, ?, '')`, workspace, zeroNanos, zeroNanos)
		return err
	}
	if err != nil {
		return err
	}
	if owner != workspace {
		return fmt.Errorf("%w: it is the ledger of workspace %s, not %s", ErrForeign, owner, workspace)
	}
	return nil
}
