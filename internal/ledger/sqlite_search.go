// The SQLite Store's search: a parsed Query translated to FTS5 MATCH
// expressions (every term a quoted string, so nothing typed is FTS5
// syntax), matched group by group so that the terms of a query may match
// in different fields of a call, ranked by bm25, one hit per call with the
// passage of its best field.

package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// The paging of hits: Limit 0 is defaultHits, at most maxHits a page.
const (
	defaultHits = 20
	maxHits     = 200
	maxTotal    = 10000 // Total counts at most this many calls
	passageMax  = 200   // characters of a passage, about
)

// ftsPhrase is t as an FTS5 string: its words in double quotes, any quote
// doubled.
func ftsPhrase(t Term) string {
	return `"` + strings.ReplaceAll(strings.Join(t.Words, " "), `"`, `""`) + `"`
}

// ftsAny is an FTS5 expression matching any of ts.
func ftsAny(ts []Term) string {
	ps := make([]string, len(ts))
	for i, t := range ts {
		ps[i] = ftsPhrase(t)
	}
	if len(ps) == 1 {
		return ps[0]
	}
	return "(" + strings.Join(ps, " OR ") + ")"
}

// candidate is a call matching every group so far.
type candidate struct {
	score     float64 // the sum over groups of its best bm25
	row       int64   // its best row (field)
	rowScore  float64
	slot      int32
	at        int64
	id        string
	matchedIn int // groups matched
}

// Search finds the calls matching q.Text (see Store).
func (s *SQLite) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	pq := ParseQuery(q.Text)
	res := &SearchResult{Hits: []Hit{}}
	if pq.Empty() {
		return res, ctx.Err()
	}
	plans, err := s.plan(ctx, pq)
	if err != nil {
		return nil, fmt.Errorf("ledger: search: %w", err)
	}
	cands := map[int64]*candidate{}
	for gi, g := range plans {
		if gi > 0 && len(cands) == 0 {
			break
		}
		scored := g.rows <= maxScoredRows/4 || (gi == 0 && g.rows <= maxScoredRows)
		if err := s.matchGroup(ctx, ftsAny(g.terms), gi, cands, scored); err != nil {
			return nil, fmt.Errorf("ledger: search: %w", err)
		}
	}
	if len(pq.Not) > 0 {
		if err := s.exclude(ctx, ftsAny(pq.Not), cands); err != nil {
			return nil, fmt.Errorf("ledger: search: %w", err)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultHits
	}
	page, calls, ns := s.page(&q, cands, len(pq.All), max(q.Offset, 0), min(limit, maxHits), res)
	if err := s.attach(ctx, calls, ns, true, true); err != nil {
		return nil, fmt.Errorf("ledger: search: %w", err)
	}
	var all []Term
	for _, g := range pq.All {
		all = append(all, g...)
	}
	fields := make([]int, len(page))
	for i, c := range page {
		fields[i] = int(c.row % codeSlots)
		res.Hits = append(res.Hits, Hit{Call: calls[i], Field: fieldOfCode[fields[i]], Rank: c.score})
	}
	if err := s.passages(ctx, res.Hits, fields, ftsAny(all)); err != nil {
		return nil, fmt.Errorf("ledger: search: %w", err)
	}
	return res, nil
}

// maxScoredRows bounds the rows a group is ranked over: bm25 costs most
// of a match (~3 µs a row here, five times the match itself), so a group
// of more rows is matched for its calls only, unscored (its terms are
// common: bm25 would weigh them little anyway). A var for the tests.
var maxScoredRows = 20000

// groupPlan is a group of the query and how many index rows it can match
// at most, by the index's vocabulary.
type groupPlan struct {
	terms []Term
	rows  int
}

// plan is q's groups, rarest first: the first makes the candidates, each
// other only keeps some of them.
func (s *SQLite) plan(ctx context.Context, q Query) ([]groupPlan, error) {
	var words []any
	for _, g := range q.All {
		for _, t := range g {
			for _, w := range t.Words {
				words = append(words, w)
			}
		}
	}
	docs := map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT term, doc FROM fts_vocab WHERE term IN (`+
		strings.Repeat("?, ", len(words)-1)+`?)`, words...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var term string
		var doc int
		if err := rows.Scan(&term, &doc); err != nil {
			return nil, err
		}
		docs[term] = doc
	}
	plans := make([]groupPlan, len(q.All))
	for i, g := range q.All {
		plans[i].terms = g
		for _, t := range g {
			least := -1 // a phrase is in no more rows than its rarest word
			for _, w := range t.Words {
				if d, ok := docs[w]; ok && (least < 0 || d < least) {
					least = d
				}
			}
			plans[i].rows += max(least, 0) // a word not found as typed: unknown, 0
		}
	}
	slices.SortStableFunc(plans, func(a, b groupPlan) int { return cmp.Compare(a.rows, b.rows) })
	return plans, rows.Err()
}

// matchGroup matches one group: the first makes the candidates, each
// other keeps those it matches too. Unscored, its rows count 0.
func (s *SQLite) matchGroup(ctx context.Context, match string, gi int, cands map[int64]*candidate, scored bool) error {
	score := "0.0"
	if scored {
		score = "bm25(fts)"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT rowid, `+score+` FROM fts WHERE fts MATCH ?`, match)
	if err != nil {
		return err
	}
	defer rows.Close()
	best := map[int64]*candidate{} // this group's best row per call
	for rows.Next() {
		var row int64
		var score float64
		if err := rows.Scan(&row, &score); err != nil {
			return err
		}
		n := row / codeSlots
		if gi > 0 && cands[n] == nil {
			continue
		}
		if b := best[n]; b == nil || score < b.rowScore {
			best[n] = &candidate{row: row, rowScore: score}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for n, b := range best {
		c := cands[n]
		if c == nil {
			c = &candidate{rowScore: b.rowScore, row: b.row}
			cands[n] = c
		}
		c.score += b.rowScore
		c.matchedIn++
		if b.rowScore < c.rowScore {
			c.row, c.rowScore = b.row, b.rowScore
		}
	}
	return nil
}

// exclude removes the calls any field of which matches.
func (s *SQLite) exclude(ctx context.Context, match string, cands map[int64]*candidate) error {
	rows, err := s.db.QueryContext(ctx, `SELECT rowid FROM fts WHERE fts MATCH ?`, match)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var row int64
		if err := rows.Scan(&row); err != nil {
			return err
		}
		delete(cands, row/codeSlots)
	}
	return rows.Err()
}

// page ranks the candidates that matched every group, are still stored
// and pass q's window and filters; sets res.Total; and builds the calls of
// the page [offset, offset+limit) with their ns for attach, all under one
// read lock so that no slot changes hands meanwhile.
func (s *SQLite) page(q *SearchQuery, cands map[int64]*candidate, groups, offset, limit int, res *SearchResult) ([]*candidate, []history.Call, []int64) {
	m := s.mem
	m.mu.RLock()
	defer m.mu.RUnlock()
	f := m.compile(&q.Filter)
	if f.none {
		return nil, nil, nil
	}
	var hits []*candidate
	for n, c := range cands {
		slot, ok := m.byN[n]
		if !ok || c.matchedIn < groups {
			continue
		}
		r := &m.rows[slot]
		if r.at < f.after || (!f.open && r.at >= f.before) || !m.match(&f, r) {
			continue
		}
		c.slot, c.at, c.id = slot, r.at, m.ids[slot]
		hits = append(hits, c)
	}
	slices.SortFunc(hits, func(a, b *candidate) int {
		if c := cmp.Compare(a.score, b.score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.at, a.at); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	res.Total = min(len(hits), maxTotal)
	offset = min(offset, len(hits))
	page := hits[offset:min(offset+limit, len(hits))]
	slots := make([]int32, len(page))
	for i, c := range page {
		slots[i] = c.slot
	}
	return page, m.calls(slots), m.contentOf(slots, true, true)
}

// passage is a snippet on one line, cut to about passageMax characters
// without leaving a mark open.
func passage(s string) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if utf8.RuneCountInString(s) <= passageMax {
		return s
	}
	rs := []rune(s)[:passageMax]
	if i := lastSpace(rs); i > passageMax/2 {
		rs = rs[:i]
	}
	out := string(rs)
	if strings.Count(out, MarkOpen) > strings.Count(out, MarkClose) {
		out += MarkClose
	}
	return out + "…"
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == ' ' {
			return i
		}
	}
	return -1
}
