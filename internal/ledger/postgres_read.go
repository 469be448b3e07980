// The Postgres Store's reads: a history.Query as SQL over the listing
// order's index, Range (whole calls, or lean: only what call_stats
// counts), Get, Count, and the sync's worklists.

package ledger

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// pgWhere builds a WHERE clause and its arguments.
type pgWhere struct {
	conds []string
	args  []any
}

// arg is v's placeholder.
func (w *pgWhere) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *pgWhere) add(cond string) { w.conds = append(w.conds, cond) }

func (w *pgWhere) String() string { return strings.Join(w.conds, " AND ") }

// callsOf is the WHERE clause of q's window and filters in workspace,
// starting after from when it is set, on the calls table as c.
func callsOf(workspace string, q *history.Query, from *history.Key) *pgWhere {
	w := &pgWhere{}
	w.add("c.workspace = " + w.arg(workspace))
	if !q.After.IsZero() {
		w.add("c.created_at >= " + w.arg(toNanos(q.After)))
	}
	if !q.Before.IsZero() {
		w.add("c.created_at < " + w.arg(toNanos(q.Before)))
	}
	if from != nil {
		w.add("(c.created_at, c.id) < (" + w.arg(toNanos(from.At)) + ", " + w.arg(pgText(from.ID)) + ")")
	}
	if len(q.PhoneNumberIDs) > 0 {
		w.add("c.phone_number_id = ANY(" + w.arg(pgTexts(q.PhoneNumberIDs)) + ")")
	}
	if len(q.Statuses) > 0 {
		w.add("c.status = ANY(" + w.arg(pgTexts(q.Statuses)) + ")")
	}
	if q.Direction != "" {
		w.add("c.direction = " + w.arg(pgText(q.Direction)))
	}
	if q.UserID != "" {
		u := w.arg(pgText(q.UserID))
		w.add(fmt.Sprintf("(c.user_id = %[1]s OR c.actor_id = %[1]s OR c.answered_by = %[1]s OR c.initiated_by = %[1]s)", u))
	}
	if q.Participant != "" {
		p := w.arg(pgText(q.Participant))
		w.add(fmt.Sprintf("(c.participant = %[1]s OR %[1]s = ANY(c.parties))", p))
	}
	return w
}

// contentColumns are the summary and the voicemail when wanted (NULL
// when not), of the content joined as d (joinContent).
func contentColumns(wantSum, wantVM bool) string {
	cols := "NULL::text, NULL::text"
	switch {
	case wantSum && wantVM:
		cols = "d.summary, d.voicemail"
	case wantSum:
		cols = "d.summary, NULL::text"
	case wantVM:
		cols = "NULL::text, d.voicemail"
	}
	return cols
}

// joinContent joins a call's content to its row of calls.
const joinContent = ` LEFT JOIN openphone_mcp_ledger_content d ON d.workspace = c.workspace AND d.id = c.id`

// callReader reads rows of a listing, its content (summary and voicemail
// JSON, or for a lean read whether it has a voicemail) and extra
// columns into calls.
type callReader struct {
	d       *listingDecoder
	lean    bool
	sum, vm *string
	hasVM   bool // lean
}

func newCallReader(lean bool) *callReader { return &callReader{d: newListingDecoder(), lean: lean} }

func (cr *callReader) read(rows pgx.Rows, c *history.Call, extra ...any) error {
	raw := rows.RawValues()
	binary := len(raw) == 3+len(extra) && rows.FieldDescriptions()[0].Format == pgx.BinaryFormatCode
	if binary && cr.lean { // most rows of all: no Scan
		cr.hasVM = raw[2] != nil
		return cr.d.decode(raw[0], c, true)
	}
	var listing []byte
	dest := append([]any{&listing, &cr.sum, &cr.vm}, extra...)
	if binary {
		listing, dest[0] = raw[0], nil // decoded before the next row overwrites it
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	if err := cr.d.decode(listing, c, cr.lean); err != nil {
		return err
	}
	if cr.lean {
		cr.hasVM = cr.vm != nil
		return nil
	}
	ct, err := decodeContent(nullable(cr.sum), nullable(cr.vm))
	if err != nil {
		return fmt.Errorf("content of call %s: %w", c.ID, err)
	}
	c.Summary, c.Voicemail = ct.summary, ct.voicemail
	return nil
}

// Range lists the stored calls of q newest first (see Store), each
// decoded from its listing (postgres_listing.go).
func (s *Postgres) Range(ctx context.Context, q history.Query, from *history.Key, limit int) ([]history.Call, error) {
	w := callsOf(s.workspace, &q, from)
	wantSum := slices.Contains(q.Include, client.IncludeSummary)
	wantVM := slices.Contains(q.Include, client.IncludeVoicemail)
	cols, table := contentColumns(wantSum, wantVM), "openphone_mcp_ledger_calls c"
	switch {
	case q.Lean:
		cols = "NULL::text, CASE WHEN c.has_voicemail THEN '' END"
	case wantSum || wantVM:
		table += joinContent
	}
	sql := `SELECT c.listing, ` + cols + ` FROM ` + table + ` WHERE ` + w.String() +
		` ORDER BY c.created_at DESC, c.id DESC`
	if limit > 0 {
		sql += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := s.pool.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, fmt.Errorf("ledger: listing calls: %w", err)
	}
	defer rows.Close()
	calls := make([]history.Call, 0, min(max(limit, 0), 10000)) // a chunk's calls, not grown
	cr := newCallReader(q.Lean)
	for rows.Next() {
		calls = append(calls, history.Call{})
		c := &calls[len(calls)-1]
		if err := cr.read(rows, c); err != nil {
			return nil, fmt.Errorf("ledger: listing calls: %w", err)
		}
		if q.Lean && wantVM && cr.hasVM {
			c.Voicemail = leftVoicemail
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: listing calls: %w", err)
	}
	return calls, nil
}

// Get is one stored call with its summary and voicemail; nil when the
// ledger does not hold it.
func (s *Postgres) Get(ctx context.Context, callID string) (*history.Call, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.listing, d.summary, d.voicemail
		FROM openphone_mcp_ledger_calls c`+joinContent+` WHERE c.workspace = $1 AND c.id = $2`,
		s.workspace, pgText(callID))
	if err != nil {
		return nil, fmt.Errorf("ledger: call %s: %w", callID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("ledger: call %s: %w", callID, err)
		}
		return nil, nil
	}
	var c history.Call
	if err := newCallReader(false).read(rows, &c); err != nil {
		return nil, fmt.Errorf("ledger: call %s: %w", callID, err)
	}
	return &c, nil
}

// Count is what the ledger holds of q's window: its calls, the answered
// ones with a duration, and those of them with a completed transcript.
func (s *Postgres) Count(ctx context.Context, q history.Query) (Counts, error) {
	w := callsOf(s.workspace, &q, nil)
	var c Counts
	err := s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE c.answered),
			count(*) FILTER (WHERE c.answered AND c.transcript_status = 'completed')
		FROM openphone_mcp_ledger_calls c WHERE `+w.String(), w.args...).Scan(&c.Calls, &c.Answered, &c.Transcripts)
	if err != nil {
		return Counts{}, fmt.Errorf("ledger: counting calls: %w", err)
	}
	return c, nil
}

// Unsettled are the calls created at or after t whose summary, voicemail
// or transcript was in progress when stored, oldest first, at most limit
// (0: all).
func (s *Postgres) Unsettled(ctx context.Context, t time.Time, limit int) ([]string, error) {
	return s.ids(ctx, `(c.summary_status = 'in-progress' OR c.voicemail_status = 'in-progress'
		OR c.transcript_status = 'in-progress')`, "c.created_at, c.id", t, limit)
}

// WantTranscripts are the answered calls with a duration created at or
// after t that have no transcript or one in progress, newest first, at
// most limit (0: all).
func (s *Postgres) WantTranscripts(ctx context.Context, t time.Time, limit int) ([]string, error) {
	return s.ids(ctx, `c.answered AND c.transcript_status IN ('', 'in-progress')`,
		"c.created_at DESC, c.id DESC", t, limit)
}

// ids are the ids of the calls created at or after t that cond keeps, in
// order.
func (s *Postgres) ids(ctx context.Context, cond, order string, t time.Time, limit int) ([]string, error) {
	sql := `SELECT c.id FROM openphone_mcp_ledger_calls c WHERE c.workspace = $1 AND c.created_at >= $2 AND ` +
		cond + ` ORDER BY ` + order
	if limit > 0 {
		sql += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := s.pool.Query(ctx, sql, s.workspace, since(t))
	if err != nil {
		return nil, fmt.Errorf("ledger: worklist: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("ledger: worklist: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
