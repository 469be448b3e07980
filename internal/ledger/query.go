// The query language of search_calls, parsed into a small tree that any
// backend can translate: words, "quoted phrases", OR between two terms,
// -word and -"phrase" to exclude. Any text parses; what cannot be a term
// (lone quotes and dashes, punctuation, an OR with nothing on one side) is
// dropped, never an error.

package ledger

import (
	"strings"
	"unicode"
)

// The most terms a query keeps; the rest of a longer text is ignored, so
// that no query can grow a backend's expression without bound.
const (
	maxTerms       = 32 // positive terms, over all groups
	maxExclusions  = 16
	maxTermWords   = 32 // words of one phrase
	maxQueryLength = 4096
)

// Query is a parsed search: a call matches when every group of All has one
// of its terms matching, and no term of Not does.
type Query struct {
	All [][]Term // AND of groups, each group an OR of terms
	Not []Term
}

// Term is a word or a phrase: its words in order, lower case, made only of
// letters, digits and marks (everything else separates words).
type Term struct {
	Words []string
}

// Empty reports whether q can match nothing: it has no positive term (a
// query of exclusions alone matches nothing).
func (q Query) Empty() bool { return len(q.All) == 0 }

// String is q in the query language again, normalised.
func (q Query) String() string {
	var parts []string
	for _, g := range q.All {
		var alts []string
		for _, t := range g {
			alts = append(alts, t.String())
		}
		parts = append(parts, strings.Join(alts, " OR "))
	}
	for _, t := range q.Not {
		parts = append(parts, "-"+t.String())
	}
	return strings.Join(parts, " ")
}

// String is t as a word, or as a quoted phrase when it has several words.
func (t Term) String() string {
	if len(t.Words) == 1 {
		return t.Words[0]
	}
	return `"` + strings.Join(t.Words, " ") + `"`
}

// token is one lexical unit of a query text.
type token struct {
	text    string
	negated bool
	or      bool // the operator OR (bare, uppercase)
}

// ParseQuery parses s in search_calls' language. It never fails: see the
// file's comment for what it drops.
func ParseQuery(s string) Query {
	if len(s) > maxQueryLength {
		s = s[:maxQueryLength]
	}
	var q Query
	orPending := false // an OR follows a positive term
	lastPositive := false
	terms := 0
	for _, tok := range lex(s) {
		if tok.or {
			orPending = lastPositive
			continue
		}
		t := Term{Words: words(tok.text)}
		if len(t.Words) == 0 {
			continue // nothing searchable: as if it were not there
		}
		if tok.negated {
			if len(q.Not) < maxExclusions {
				q.Not = append(q.Not, t)
			}
			orPending, lastPositive = false, false
			continue
		}
		if terms == maxTerms {
			break
		}
		terms++
		if orPending {
			last := len(q.All) - 1
			q.All[last] = append(q.All[last], t)
		} else {
			q.All = append(q.All, []Term{t})
		}
		orPending, lastPositive = false, true
	}
	return q
}

// lex cuts s into words, phrases and ORs. A phrase runs from a quote to the
// next quote or the end; a word runs to a space or a quote. Leading dashes
// negate what follows them at once (a dash alone negates nothing).
func lex(s string) []token {
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		negated := false
		for i < len(rs) && rs[i] == '-' {
			negated = true
			i++
		}
		if i == len(rs) || unicode.IsSpace(rs[i]) {
			continue // lone dashes
		}
		if rs[i] == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			out = append(out, token{text: string(rs[i+1 : j]), negated: negated})
			i = j + 1
			continue
		}
		j := i
		for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
			j++
		}
		text := string(rs[i:j])
		out = append(out, token{text: text, negated: negated, or: !negated && text == "OR"})
		i = j
	}
	return out
}

// words splits s into its words, lower case: runs of letters, digits and
// marks, as the index's tokenizer (unicode61) cuts text; a run of marks
// alone is no word.
func words(s string) []string {
	var out []string
	var b strings.Builder
	base := false // the word has a letter or a digit, not marks alone
	flush := func() {
		if base && len(out) < maxTermWords {
			out = append(out, b.String())
		}
		b.Reset()
		base = false
	}
	for _, r := range s {
		if isWordRune(r) {
			b.WriteRune(unicode.ToLower(r))
			base = base || !unicode.IsMark(r)
			continue
		}
		flush()
	}
	flush()
	return out
}

// isWordRune reports whether r is part of a word: a letter, a digit, a mark
// or a private-use character (unicode61's token characters).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || unicode.Is(unicode.Co, r)
}
