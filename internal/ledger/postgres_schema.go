// The Postgres ledger's schema and its versions, under the project's
// convention: the component "ledger" in openphone_mcp_schema, every step
// it lacks applied in one transaction under the migrations' advisory
// lock, so that replicas starting together apply each step once. A step
// once released never changes; a new one is one more entry at the end.

package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgComponent is the ledger's name in openphone_mcp_schema.
const pgComponent = "ledger"

// pgMigrations[i] takes the ledger's tables from version i to i+1.
//
// Every table is keyed by workspace: one database holds the ledgers of
// several. A call is two rows. Its row of calls is narrow, what listings,
// counts and worklists read: the columns the filters and the sync's
// worklists need, and listing, the whole call but its AI content packed
// by Go in one value (postgres_listing.go), which reads of calls read.
// Its row of content is what searches read: the summary and voicemail
// (JSON, as the API gave them), names_text (the call's name field as
// indexed) and doc, the search index: every field of the call in one
// tsvector (postgres_text.go). Times are UTC Unix nanoseconds (as the
// SQLite file keeps them); ids sort by byte (COLLATE "C"), as the
// listing order wants, whatever the database's collation.
var pgMigrations = [][]string{{
	`CREATE TABLE openphone_mcp_ledger_meta (
		workspace text PRIMARY KEY,
		from_at bigint NOT NULL,
		synced_at bigint NOT NULL,
		source text NOT NULL)`,
	`CREATE TABLE openphone_mcp_ledger_calls (
		workspace text NOT NULL,
		id text COLLATE "C" NOT NULL,
		created_at bigint NOT NULL,
		phone_number_id text NOT NULL,
		user_id text NOT NULL,
		actor_id text NOT NULL,
		direction text NOT NULL,
		status text NOT NULL,
		participant text NOT NULL,
		parties text[],
		answered_by text,
		initiated_by text,
		answered boolean NOT NULL, -- answered, with a duration: it can have a transcript
		summary_status text,
		voicemail_status text,
		has_voicemail boolean NOT NULL,
		transcript_status text NOT NULL DEFAULT '',
		listing bytea NOT NULL,
		PRIMARY KEY (workspace, id))`,
	// the listing order, newest first
	`CREATE INDEX openphone_mcp_ledger_calls_order
		ON openphone_mcp_ledger_calls (workspace, created_at DESC, id DESC)`,
	// a window's counts from the index alone (search_calls' coverage
	// line: 100,000 calls in ~25 ms rather than ~60)
	`CREATE INDEX openphone_mcp_ledger_calls_window
		ON openphone_mcp_ledger_calls (workspace, created_at) INCLUDE (answered, transcript_status)`,
	// the calls a party's new name names again
	`CREATE INDEX openphone_mcp_ledger_calls_party
		ON openphone_mcp_ledger_calls (workspace, participant)`,
	`CREATE INDEX openphone_mcp_ledger_calls_parties
		ON openphone_mcp_ledger_calls USING gin (parties) WHERE parties IS NOT NULL`,
	// the sync's worklists: content in progress, answered calls without
	// a final transcript (a few calls each)
	`CREATE INDEX openphone_mcp_ledger_calls_unsettled
		ON openphone_mcp_ledger_calls (workspace, created_at, id)
		WHERE summary_status = 'in-progress' OR voicemail_status = 'in-progress'
			OR transcript_status = 'in-progress'`,
	`CREATE INDEX openphone_mcp_ledger_calls_want_transcript
		ON openphone_mcp_ledger_calls (workspace, created_at DESC, id DESC)
		WHERE answered AND transcript_status IN ('', 'in-progress')`,
	`CREATE TABLE openphone_mcp_ledger_content (
		workspace text NOT NULL,
		id text COLLATE "C" NOT NULL,
		created_at bigint NOT NULL, -- the call's, for a search's window
		summary text,
		voicemail text,
		names_text text NOT NULL,
		doc tsvector NOT NULL,
		PRIMARY KEY (workspace, id),
		FOREIGN KEY (workspace, id) REFERENCES openphone_mcp_ledger_calls (workspace, id) ON DELETE CASCADE)`,
	// a doc stays in its row (compressed) unless the row outgrows a
	// page: a phrase is checked against the docs of every call holding
	// its words, one page each rather than a TOAST lookup each (a common
	// phrase of 100,000 calls: 270 -> 35 ms)
	`ALTER TABLE openphone_mcp_ledger_content ALTER COLUMN doc SET STORAGE MAIN`,
	// the search index, updated at once: a pending list of new entries
	// (GIN's fastupdate) makes every search read it whole until vacuum
	`CREATE INDEX openphone_mcp_ledger_content_doc ON openphone_mcp_ledger_content USING gin (doc)
		WITH (fastupdate = off)`,
	`CREATE TABLE openphone_mcp_ledger_transcripts (
		workspace text NOT NULL,
		call_id text COLLATE "C" NOT NULL,
		status text NOT NULL,
		lines text NOT NULL,
		PRIMARY KEY (workspace, call_id),
		FOREIGN KEY (workspace, call_id) REFERENCES openphone_mcp_ledger_calls (workspace, id)
			ON DELETE CASCADE)`,
	`CREATE TABLE openphone_mcp_ledger_names (
		workspace text NOT NULL,
		phone_number_id text COLLATE "C" NOT NULL,
		party text COLLATE "C" NOT NULL,
		user_id text COLLATE "C" NOT NULL,
		name text NOT NULL,
		PRIMARY KEY (workspace, phone_number_id, party, user_id))`,
	`CREATE INDEX openphone_mcp_ledger_names_party
		ON openphone_mcp_ledger_names (workspace, party) WHERE user_id = ''`,
}}

// pgSchemaVersion is the version this code writes.
var pgSchemaVersion = len(pgMigrations)

// migratePostgres brings the ledger's tables to pgSchemaVersion, or
// refuses a database whose tables are newer than this code (ErrForeign).
func migratePostgres(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('openphone-mcp migrations'))`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS openphone_mcp_schema (
			component text PRIMARY KEY, version int NOT NULL)`); err != nil {
			return err
		}
		var version int
		err := tx.QueryRow(ctx, `SELECT version FROM openphone_mcp_schema WHERE component = $1`,
			pgComponent).Scan(&version)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if version > pgSchemaVersion {
			return fmt.Errorf("%w: the database's ledger tables are version %d, newer than this server's (%d): upgrade this server",
				ErrForeign, version, pgSchemaVersion)
		}
		if version == pgSchemaVersion {
			return nil
		}
		for v := version; v < pgSchemaVersion; v++ {
			for _, stmt := range pgMigrations[v] {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("schema step %d: %w", v+1, err)
				}
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO openphone_mcp_schema (component, version) VALUES ($1, $2)
			ON CONFLICT (component) DO UPDATE SET version = excluded.version`, pgComponent, pgSchemaVersion)
		return err
	})
}
