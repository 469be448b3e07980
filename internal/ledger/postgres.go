// The Postgres Store, for team deployments: one workspace's ledger in a
// database that can hold several (every table keyed by workspace), over a
// pool the caller owns and shares. Opening migrates the tables; writes
// are serialised per workspace across processes (replicas) by an
// advisory lock, as the SQLite file serialises its writers; reads never
// wait for them.

package ledger

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is a Store of one workspace in a Postgres database.
type Postgres struct {
	pool      *pgxpool.Pool
	workspace string
	url       string // the database's URL without its password
}

var _ Store = (*Postgres)(nil)

// maxWorkspaceBytes bounds a workspace's name (WorkspaceID is 16).
const maxWorkspaceBytes = 200

// OpenPostgres opens the ledger of workspace in the database of pool,
// migrating the ledger's tables as needed (once, whichever replica comes
// first). The pool stays the caller's: Close leaves it open. A database
// whose ledger tables are newer than this code is refused (ErrForeign).
func OpenPostgres(ctx context.Context, pool *pgxpool.Pool, workspace string) (*Postgres, error) {
	switch {
	case workspace == "":
		return nil, errors.New("ledger: no workspace to open a ledger for")
	case len(workspace) > maxWorkspaceBytes || !utf8.ValidString(workspace) || hasNUL(workspace):
		return nil, fmt.Errorf("ledger: the workspace %.40q is not a workspace id (at most %d bytes of text, as ledger.WorkspaceID gives)",
			workspace, maxWorkspaceBytes)
	case pool == nil:
		return nil, errors.New("ledger: no Postgres pool to open a ledger in")
	}
	s := &Postgres{pool: pool, workspace: workspace, url: redactedURL(pool.Config().ConnConfig)}
	if err := migratePostgres(ctx, pool); err != nil {
		return nil, fmt.Errorf("ledger %s: migrating the ledger's tables: %w", s.url, err)
	}
	_, err := pool.Exec(ctx, `INSERT INTO openphone_mcp_ledger_meta (workspace, from_at, synced_at, source)
		VALUES ($1, $2, $2, '') ON CONFLICT (workspace) DO NOTHING`, workspace, int64(zeroNanos))
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", s.url, err)
	}
	return s, nil
}

// redactedURL is the database's address as a URL, with its user but
// never its password.
func redactedURL(c *pgx.ConnConfig) string {
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))), Path: "/" + c.Database}
	if c.Host == "" || c.Host[0] == '/' { // a Unix socket
		u.Host = ""
		q := url.Values{"host": {c.Host}}
		u.RawQuery = q.Encode()
	}
	if c.User != "" {
		u.User = url.User(c.User)
	}
	return u.String()
}

func hasNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// Close releases nothing: the pool is the caller's.
func (s *Postgres) Close() error { return nil }

// write runs fn in a transaction holding the workspace's write lock, so
// that one writer at a time changes a workspace's ledger, whichever
// process it runs in: an index row is built from what the writer read,
// and no other writer changes that meanwhile.
func (s *Postgres) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('openphone-mcp ledger'), hashtext($1))`,
			s.workspace); err != nil {
			return err
		}
		return fn(tx)
	})
}

// Meta is the sync state.
func (s *Postgres) Meta(ctx context.Context) (Meta, error) {
	m := Meta{Workspace: s.workspace}
	var from, synced int64
	err := s.pool.QueryRow(ctx, `SELECT from_at, synced_at, source FROM openphone_mcp_ledger_meta
		WHERE workspace = $1`, s.workspace).Scan(&from, &synced, &m.Source)
	if err != nil {
		return Meta{}, fmt.Errorf("ledger: meta: %w", err)
	}
	m.From, m.SyncedAt = fromNanos(from), fromNanos(synced)
	return m, nil
}

// SetMeta replaces the sync state. m.Workspace empty keeps the ledger's;
// another workspace is refused (ErrForeign): a ledger never changes hands.
func (s *Postgres) SetMeta(ctx context.Context, m Meta) error {
	if m.Workspace != "" && m.Workspace != s.workspace {
		return fmt.Errorf("ledger: meta of workspace %s: %w", m.Workspace, ErrForeign)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO openphone_mcp_ledger_meta (workspace, from_at, synced_at, source)
		VALUES ($1, $2, $3, $4) ON CONFLICT (workspace) DO UPDATE
		SET from_at = excluded.from_at, synced_at = excluded.synced_at, source = excluded.source`,
		s.workspace, toNanos(m.From), toNanos(m.SyncedAt), pgText(m.Source))
	if err != nil {
		return fmt.Errorf("ledger: meta: %w", err)
	}
	return nil
}

// pgTables are the ledger's tables that hold a workspace's rows.
var pgTables = []string{"openphone_mcp_ledger_calls", "openphone_mcp_ledger_content", "openphone_mcp_ledger_transcripts",
	"openphone_mcp_ledger_names", "openphone_mcp_ledger_meta"}

// Status is the ledger's size and contents. Path is the database's URL
// without its password. Bytes is an estimate of this workspace's share
// of the database: each ledger table's whole size (its rows, their TOAST
// and its indexes) times the workspace's share of the table's rows.
func (s *Postgres) Status(ctx context.Context) (Status, error) {
	m, err := s.Meta(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Path: s.url, Meta: m}
	var oldest, newest *int64
	err = s.pool.QueryRow(ctx, `SELECT count(*), min(created_at), max(created_at),
			count(*) FILTER (WHERE summary_status = 'completed'),
			count(*) FILTER (WHERE has_voicemail),
			count(*) FILTER (WHERE transcript_status = 'completed')
		FROM openphone_mcp_ledger_calls WHERE workspace = $1`, s.workspace).
		Scan(&st.Calls, &oldest, &newest, &st.Summaries, &st.Voicemails, &st.Transcripts)
	if err != nil {
		return Status{}, fmt.Errorf("ledger: status: %w", err)
	}
	if oldest != nil {
		st.Oldest, st.Newest = fromNanos(*oldest), fromNanos(*newest)
	}
	for _, table := range pgTables {
		var share float64
		err := s.pool.QueryRow(ctx, `SELECT coalesce(pg_total_relation_size($2::regclass) *
				(SELECT count(*) FROM `+table+` WHERE workspace = $1)::float8 /
				nullif((SELECT count(*) FROM `+table+`), 0), 0)`, s.workspace, table).Scan(&share)
		if err != nil {
			return Status{}, fmt.Errorf("ledger: status: the size of %s: %w", table, err)
		}
		st.Bytes += int64(share)
	}
	return st, nil
}

// pgText is s as Postgres text can hold it: text holds no NUL and only
// valid UTF-8, so each NUL or invalid byte becomes U+FFFD (the API's JSON
// gives valid UTF-8, and a NUL only as an escape).
func pgText(s string) string {
	if utf8.ValidString(s) && !hasNUL(s) {
		return s
	}
	b := make([]rune, 0, len(s))
	for _, r := range s {
		if r == 0 {
			r = utf8.RuneError
		}
		b = append(b, r)
	}
	return string(b)
}

func pgTextPtr(s *string) *string {
	if s == nil {
		return nil
	}
	t := pgText(*s)
	return &t
}

// pgTexts is l as text[]: nil stays nil (NULL), so nil and empty differ.
func pgTexts(l []string) []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = pgText(s)
	}
	return out
}
