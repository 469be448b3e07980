// The Postgres Store's search: a parsed Query as one tsquery over the
// calls' docs (GIN), the window and filters in the same WHERE (the rows
// of calls joined only for filters beyond the window), ranked by
// ts_rank (as a Rank, lower is better) unless too many calls match, when
// the hits come newest first unranked, as SQLite does with common words;
// each hit's field and passage found in Go (postgres_passage.go).

package ledger

import (
	"context"
	"fmt"
	"strconv"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// searched is where a search looks, and its WHERE: the calls' content,
// its doc matched and its window (the content keeps the call's creation
// time), and their rows of calls only when a filter needs them.
func searched(workspace string, q *history.Query, match string) (from string, w *pgWhere) {
	if len(q.PhoneNumberIDs) > 0 || len(q.Statuses) > 0 || q.Direction != "" || q.UserID != "" || q.Participant != "" {
		w = callsOf(workspace, q, nil)
		from = `openphone_mcp_ledger_content d JOIN openphone_mcp_ledger_calls c
			ON c.workspace = d.workspace AND c.id = d.id`
	} else {
		w = &pgWhere{}
		w.add("d.workspace = " + w.arg(workspace))
		if !q.After.IsZero() {
			w.add("d.created_at >= " + w.arg(toNanos(q.After)))
		}
		if !q.Before.IsZero() {
			w.add("d.created_at < " + w.arg(toNanos(q.Before)))
		}
		from = "openphone_mcp_ledger_content d"
	}
	w.add("d.doc @@ " + w.arg(match) + "::tsquery")
	return from, w
}

// pgMaxRanked is the most matching calls a search ranks: ts_rank reads
// each call's doc, so a search of more (a common word) lists its hits
// newest first, each Rank 0. A var for the tests.
var pgMaxRanked = 5000

// Search finds the calls matching q.Text (see Store).
func (s *Postgres) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	res := &SearchResult{Hits: []Hit{}}
	parsed := ParseQuery(q.Text)
	tq, ok := toPgQuery(parsed, s.workspace)
	if !ok {
		return res, ctx.Err()
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultHits
	}
	limit, offset := min(limit, maxHits), max(q.Offset, 0)
	from, w := searched(s.workspace, &q.Filter, tq.match)
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+
		w.String()+` LIMIT `+strconv.Itoa(maxTotal)+`) m`, w.args...).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("ledger: search: %w", err)
	}
	res.Total = n
	if n == 0 || offset >= n {
		return res, nil
	}
	rank := "0::float8"
	if n <= pgMaxRanked {
		rank = "(-ts_rank(d.doc, " + w.arg(tq.rank) + "::tsquery, 1))::float8"
	}
	// the page first, then the calls of its hits
	rows, err := s.pool.Query(ctx, `SELECT c.listing, h.summary, h.voicemail, h.names_text, h.r
		FROM (SELECT d.workspace, d.id, d.created_at, d.summary, d.voicemail, d.names_text, `+rank+` AS r
			FROM `+from+` WHERE `+w.String()+`
			ORDER BY r, d.created_at DESC, d.id DESC LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(offset)+`) h
		JOIN openphone_mcp_ledger_calls c ON c.workspace = h.workspace AND c.id = h.id
		ORDER BY h.r, h.created_at DESC, h.id DESC`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("ledger: search: %w", err)
	}
	var fields []docFields
	cr := newCallReader(false)
	for rows.Next() {
		var h Hit
		var f docFields
		if err := cr.read(rows, &h.Call, &f.names, &h.Rank); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ledger: search: %w", err)
		}
		if f, err = f.withContent(cr.sum, cr.vm); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ledger: search: %w", err)
		}
		res.Hits, fields = append(res.Hits, h), append(fields, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: search: %w", err)
	}
	if err := s.transcriptTexts(ctx, res.Hits, fields); err != nil {
		return nil, fmt.Errorf("ledger: search: %w", err)
	}
	for i := range res.Hits {
		code, passage := bestPassage(&fields[i], tq.terms)
		res.Hits[i].Field, res.Hits[i].Passage = fieldOfCode[code], passage
	}
	return res, nil
}

// transcriptTexts sets each hit's transcript text in fields.
func (s *Postgres) transcriptTexts(ctx context.Context, hits []Hit, fields []docFields) error {
	ids := make([]string, len(hits))
	at := make(map[string]int, len(hits))
	for i := range hits {
		ids[i] = pgText(hits[i].Call.ID) // as the column holds it
		at[ids[i]] = i
	}
	rows, err := s.pool.Query(ctx, `SELECT call_id, lines FROM openphone_mcp_ledger_transcripts
		WHERE workspace = $1 AND call_id = ANY($2)`, s.workspace, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return err
		}
		ls, err := decodeLines(text)
		if err != nil {
			return fmt.Errorf("transcript of %s: %w", id, err)
		}
		fields[at[id]].transcript = transcriptText(ls)
	}
	return rows.Err()
}
