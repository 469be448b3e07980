// The full-text index's rows: one per (call, field), its rowid the call's
// n times 8 plus the field's code, kept in step with the calls,
// transcripts and names by every write (and rebuilt whole by reindex).
// The index is contentless: the text stays in the calls, transcripts and
// names it comes from, and sqlite_passage.go finds a hit's passage there.

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// The codes of the fields in the index's rowids.
const (
	codeSummary = iota
	codeNextSteps
	codeVoicemail
	codeTranscript
	codeName
	codeSlots = 8 // rowids per call
)

var fieldOfCode = [...]string{FieldSummary, FieldNextSteps, FieldVoicemail, FieldTranscript, FieldName}

func ftsRowid(n int64, code int) int64 { return n*codeSlots + int64(code) }

// indexer writes index rows inside one transaction, its statements
// prepared when first used.
type indexer struct {
	tx    *sql.Tx
	stmts [stmtCount]*sql.Stmt
}

// The indexer's statements.
const (
	stmtInsert = iota
	stmtReplace
	stmtDelete
	stmtDeleteCall
	stmtName
	stmtCount
)

var indexerSQL = [stmtCount]string{
	stmtInsert:     `INSERT INTO fts (rowid, text) VALUES (?, ?)`,
	stmtReplace:    `INSERT OR REPLACE INTO fts (rowid, text) VALUES (?, ?)`,
	stmtDelete:     `DELETE FROM fts WHERE rowid = ?`,
	stmtDeleteCall: `DELETE FROM fts WHERE rowid >= ? AND rowid < ?`,
	stmtName: `SELECT name FROM names WHERE party = ? AND user_id = '' AND phone_number_id IN (?, '')
		ORDER BY phone_number_id DESC LIMIT 1`,
}

func newIndexer(tx *sql.Tx) *indexer { return &indexer{tx: tx} }

// stmt is statement k, prepared once.
func (ix *indexer) stmt(ctx context.Context, k int) (*sql.Stmt, error) {
	if ix.stmts[k] == nil {
		st, err := ix.tx.PrepareContext(ctx, indexerSQL[k])
		if err != nil {
			return nil, err
		}
		ix.stmts[k] = st
	}
	return ix.stmts[k], nil
}

func (ix *indexer) exec(ctx context.Context, k int, args ...any) error {
	st, err := ix.stmt(ctx, k)
	if err == nil {
		_, err = st.ExecContext(ctx, args...)
	}
	return err
}

func (ix *indexer) close() {
	for _, st := range ix.stmts {
		if st != nil {
			_ = st.Close()
		}
	}
}

// set makes the row of call n's field code hold text (none when empty).
// fresh says the call has no rows yet.
func (ix *indexer) set(ctx context.Context, n int64, code int, text string, fresh bool) error {
	id := ftsRowid(n, code)
	text = unmarked.Replace(text)
	switch {
	case text == "" && fresh:
		return nil
	case text == "":
		return ix.exec(ctx, stmtDelete, id)
	case fresh:
		return ix.exec(ctx, stmtInsert, id, text)
	}
	return ix.exec(ctx, stmtReplace, id, text)
}

// unmarked keeps the passages' marks out of the indexed text, so that a
// passage's marks are only those of the search (the tokens are the same:
// both are punctuation).
var unmarked = strings.NewReplacer(MarkOpen, "‹", MarkClose, "›")

// drop deletes every row of call n.
func (ix *indexer) drop(ctx context.Context, n int64) error {
	return ix.exec(ctx, stmtDeleteCall, ftsRowid(n, 0), ftsRowid(n+1, 0))
}

// call indexes what a write of c brings: its summary and next steps and
// its voicemail when set (kept when nil, as the call's columns are), and
// the names of its parties.
func (ix *indexer) call(ctx context.Context, n int64, c *history.Call, fresh bool) error {
	if c.Summary != nil {
		if err := ix.set(ctx, n, codeSummary, summaryText(c.Summary), fresh); err != nil {
			return err
		}
		if err := ix.set(ctx, n, codeNextSteps, lines(c.Summary.NextSteps), fresh); err != nil {
			return err
		}
	}
	if c.Voicemail != nil {
		if err := ix.set(ctx, n, codeVoicemail, voicemailText(c.Voicemail), fresh); err != nil {
			return err
		}
	}
	return ix.names(ctx, n, partiesOf{c.PhoneNumberID, c.ConversationName, c.Participant, c.Parties}, fresh)
}

// partiesOf is what names a call: its conversation's name and the names
// stored for its parties on its number.
type partiesOf struct {
	pn, conversationName, participant string
	parties                           []string
}

// names sets call n's name row.
func (ix *indexer) names(ctx context.Context, n int64, p partiesOf, fresh bool) error {
	st, err := ix.stmt(ctx, stmtName)
	if err != nil {
		return err
	}
	text, err := nameText(ctx, func(party string) (string, error) {
		var name string
		err := st.QueryRowContext(ctx, party, p.pn).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return name, err
	}, p)
	if err != nil {
		return err
	}
	return ix.set(ctx, n, codeName, text, fresh)
}

// nameText is what names a call: its conversation's name and its parties'
// names (nameOf, "" for none), each once.
func nameText(ctx context.Context, nameOf func(party string) (string, error), p partiesOf) (string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if k := strings.ToLower(s); s != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	add(p.conversationName)
	for _, party := range append([]string{p.participant}, p.parties...) {
		if party == "" {
			continue
		}
		name, err := nameOf(party)
		if err != nil {
			return "", err
		}
		add(name)
	}
	return strings.Join(out, "\n"), ctx.Err()
}

// summaryText is what of a summary is searched as FieldSummary: its title
// (an agent call's) and its sentences.
func summaryText(s *client.DatedCallSummary) string {
	t := lines(s.Summary)
	if s.Title != nil && *s.Title != "" {
		t = strings.TrimSpace(*s.Title + "\n" + t)
	}
	return t
}

func voicemailText(v *client.Voicemail) string {
	if v.Transcript == nil {
		return ""
	}
	return *v.Transcript
}

func transcriptText(ls []Line) string {
	texts := make([]string, 0, len(ls))
	for _, l := range ls {
		texts = append(texts, l.Text)
	}
	return lines(texts)
}

func lines(l []string) string { return strings.TrimSpace(strings.Join(l, "\n")) }

// reindex rebuilds the whole index from the calls, transcripts and names
// stored.
func reindex(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO fts (fts) VALUES ('delete-all')`); err != nil {
		return err
	}
	type row struct {
		n       int64
		c       history.Call
		sum, vm sql.NullString
		parties sql.NullString
	}
	all, err := scanAll(ctx, tx, `SELECT n, phone_number_id, conversation_name, participant,
		parties, summary, voicemail FROM calls`, func(rows *sql.Rows, r *row) error {
		return rows.Scan(&r.n, &r.c.PhoneNumberID, &r.c.ConversationName, &r.c.Participant, &r.parties, &r.sum, &r.vm)
	})
	if err != nil {
		return err
	}
	ix := newIndexer(tx)
	defer ix.close()
	for _, r := range all {
		ct, err := decodeContent(r.sum, r.vm)
		if err != nil {
			return err
		}
		parties, err := fromJSON[[]string](r.parties)
		if err != nil {
			return err
		}
		if parties != nil {
			r.c.Parties = *parties
		}
		r.c.Summary, r.c.Voicemail = ct.summary, ct.voicemail
		if err := ix.call(ctx, r.n, &r.c, true); err != nil {
			return err
		}
	}
	return reindexTranscripts(ctx, tx, ix)
}

func reindexTranscripts(ctx context.Context, tx *sql.Tx, ix *indexer) error {
	type row struct {
		n     int64
		lines string
	}
	all, err := scanAll(ctx, tx, `SELECT c.n, t.lines FROM transcripts t JOIN calls c ON c.id = t.call_id`,
		func(rows *sql.Rows, r *row) error { return rows.Scan(&r.n, &r.lines) })
	if err != nil {
		return err
	}
	for _, r := range all {
		ls, err := decodeLines(r.lines)
		if err != nil {
			return err
		}
		if err := ix.set(ctx, r.n, codeTranscript, transcriptText(ls), true); err != nil {
			return err
		}
	}
	return nil
}

// scanAll reads every row of query into a T with scan: the whole result
// first, so that the rows are closed before the caller writes.
func scanAll[T any](ctx context.Context, tx *sql.Tx, query string, scan func(*sql.Rows, *T) error) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []T
	for rows.Next() {
		var r T
		if err := scan(rows, &r); err != nil {
			return nil, err
		}
		all = append(all, r)
	}
	return all, rows.Err()
}
