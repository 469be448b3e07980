// The Postgres index's text: tokens cut and folded in Go exactly as the
// SQLite index's tokenizer does (unicode61, remove_diacritics 2: its
// tables in postgres_fold_table.go), so that both backends find the same
// words; a call's fields as one tsvector written literally (no parser or
// dictionary of Postgres between the text and the index, the 'simple'
// configuration's way); and a parsed Query as a tsquery of quoted
// lexemes, so that nothing a user types is ever tsquery syntax.

package ledger

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// isTokenRune reports whether r is part of a token.
func isTokenRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiToken[r]
	}
	i := sort.Search(len(tokenRanges), func(i int) bool { return tokenRanges[i][1] >= r })
	return i < len(tokenRanges) && tokenRanges[i][0] <= r
}

// asciiToken is isTokenRune of ASCII, at a glance.
var asciiToken = func() (t [utf8.RuneSelf]bool) {
	for _, rg := range tokenRanges {
		for r := rg[0]; r <= rg[1] && r < utf8.RuneSelf; r++ {
			t[r] = true
		}
	}
	return t
}()

// foldRune is r folded (lower case, diacritics removed); 0 when folding
// removes it.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	i := sort.Search(len(foldPairs), func(i int) bool { return foldPairs[i][0] >= r })
	if i < len(foldPairs) && foldPairs[i][0] == r {
		return foldPairs[i][1]
	}
	return r
}

// scanTokens calls fn with each token of s, folded, and the byte offsets
// [start, end) of its text in s. A token that folding leaves as it is
// is s's own bytes (no copy).
func scanTokens(s string, fn func(tok string, start, end int)) {
	var buf []byte
	start, folded := -1, false
	flush := func(end int) {
		switch {
		case start < 0:
		case !folded:
			fn(s[start:end], start, end)
		case len(buf) > 0:
			fn(string(buf), start, end)
		}
		start = -1
	}
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !isTokenRune(r) {
			flush(i)
			i += size
			continue
		}
		if start < 0 {
			start, folded = i, false
		}
		f := foldRune(r)
		if !folded && f != r {
			folded, buf = true, append(buf[:0], s[start:i]...)
		}
		if folded && f != 0 {
			buf = utf8.AppendRune(buf, f)
		}
		i += size
	}
	flush(len(s))
}

// Postgres's limits on a tsvector and a tsquery: a lexeme's bytes (2,046 in
// a tsquery, one less than in a tsvector), a position, the positions of
// one lexeme, and the bytes of all lexemes together.
const (
	maxLexemeBytes    = 2046
	maxPosition       = 16383
	maxLexemePosition = 256
	maxLexemesBytes   = 1 << 19 // well under Postgres's 1 MiB
)

// lexeme is tok as the index keeps it: cut to maxLexemeBytes at a
// character's boundary (the same cut in the index and in a query).
func lexeme(tok string) string {
	if len(tok) <= maxLexemeBytes {
		return tok
	}
	cut := maxLexemeBytes
	for cut > 0 && !utf8.RuneStart(tok[cut]) {
		cut--
	}
	return tok[:cut]
}

// docBuilder builds one tsvector of a call's fields. Each field starts
// two positions after the last one ended, so that no phrase matches
// across two fields.
type docBuilder struct {
	pos   map[string][]int
	order []string
	next  int // the position of the next token
	bytes int
}

func newDocBuilder() *docBuilder { return &docBuilder{pos: map[string][]int{}, next: 1} }

// add indexes one field's text.
func (d *docBuilder) add(text string) {
	if text == "" {
		return
	}
	scanTokens(text, func(tok string, _, _ int) {
		tok = lexeme(tok)
		at := min(d.next, maxPosition)
		d.next++
		ps, ok := d.pos[tok]
		switch {
		case !ok && d.bytes+len(tok) > maxLexemesBytes:
			return // a text this large adds no more words
		case !ok:
			d.order = append(d.order, tok)
			d.bytes += len(tok)
		case len(ps) == maxLexemePosition || ps[len(ps)-1] == at:
			return
		}
		d.pos[tok] = append(ps, at)
	})
	d.next++ // the gap before the next field
}

// literal is the tsvector's literal, workspace's lexeme (wsLexeme) first.
func (d *docBuilder) literal(workspace string) string {
	var b strings.Builder
	b.WriteString(quoteLexeme(wsLexeme(workspace)))
	for _, tok := range d.order {
		b.WriteByte(' ')
		b.WriteString(quoteLexeme(tok))
		for i, p := range d.pos[tok] {
			if i == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// wsLexeme is a lexeme that every call of workspace has in its tsvector,
// and no word can be (a colon is no token character): a search asks for
// it, so that the index itself keeps to the workspace's calls when a
// database holds several.
func wsLexeme(workspace string) string { return lexeme("ws:" + workspace) }

// quoteLexeme is s in single quotes, as tsvector and tsquery literals
// take a lexeme verbatim: a quote doubled, a backslash escaped.
func quoteLexeme(s string) string {
	return "'" + lexemeEscapes.Replace(s) + "'"
}

var lexemeEscapes = strings.NewReplacer(`'`, `''`, `\`, `\\`)

// termLexemes are t's lexemes: its words tokenized as the index's text
// is (a word may hold several tokens, as SQLite's tokenizer cuts it).
func termLexemes(t Term) []string {
	var out []string
	scanTokens(strings.Join(t.Words, " "), func(tok string, _, _ int) { out = append(out, lexeme(tok)) })
	return out
}

// tsTerm is t as a tsquery: a lexeme, or a phrase of lexemes one after
// another; "" when t has no token.
func tsTerm(t Term) string {
	ls := termLexemes(t)
	for i, l := range ls {
		ls[i] = quoteLexeme(l)
	}
	if len(ls) > 1 {
		return "(" + strings.Join(ls, " <-> ") + ")"
	}
	return strings.Join(ls, "")
}

// tsAny is a tsquery matching any of ts; "" when none has a token.
func tsAny(ts []Term) string {
	var alts []string
	for _, t := range ts {
		if s := tsTerm(t); s != "" {
			alts = append(alts, s)
		}
	}
	if len(alts) == 0 {
		return ""
	}
	return "(" + strings.Join(alts, " | ") + ")"
}

// pgQuery is q as tsqueries: match for the index (the workspace's lexeme,
// every group, no exclusion) and rank for ts_rank (the groups alone). ok
// is false when q can match nothing: a group none of whose terms has a
// token.
type pgQuery struct {
	match, rank string
	terms       [][]string // each positive term's lexemes, for passages
}

func toPgQuery(q Query, workspace string) (pq pgQuery, ok bool) {
	var groups []string
	for _, g := range q.All {
		s := tsAny(g)
		if s == "" {
			return pgQuery{}, false
		}
		groups = append(groups, s)
		for _, t := range g {
			if ls := termLexemes(t); len(ls) > 0 {
				pq.terms = append(pq.terms, ls)
			}
		}
	}
	if len(groups) == 0 {
		return pgQuery{}, false
	}
	pq.rank = strings.Join(groups, " & ")
	parts := append([]string{quoteLexeme(wsLexeme(workspace))}, groups...)
	for _, t := range q.Not {
		if s := tsTerm(t); s != "" {
			parts = append(parts, "!"+s)
		}
	}
	pq.match = strings.Join(parts, " & ")
	return pq, true
}
