// Tests of ParseQuery: words, phrases, OR, exclusions, and any text at all
// (unbalanced quotes, lone dashes and ORs, punctuation, FTS5 syntax typed
// by a user) parsed into plain terms, never an error; a fuzz test of it.

package ledger

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func w(words ...string) Term { return Term{Words: words} }

func TestParseQuery(t *testing.T) {
	cases := []struct {
		in   string
		want Query
	}{
		{"refund", Query{All: [][]Term{{w("refund")}}}},
		{"  Refund  Invoice ", Query{All: [][]Term{{w("refund")}, {w("invoice")}}}},
		{`"purchase order" late`, Query{All: [][]Term{{w("purchase", "order")}, {w("late")}}}},
		{"refund OR credit", Query{All: [][]Term{{w("refund"), w("credit")}}}},
		{"a OR b OR c d", Query{All: [][]Term{{w("a"), w("b"), w("c")}, {w("d")}}}},
		{"refund or credit", Query{All: [][]Term{{w("refund")}, {w("or")}, {w("credit")}}}},
		{`refund -credit -"gift card"`, Query{All: [][]Term{{w("refund")}}, Not: []Term{w("credit"), w("gift", "card")}}},
		{"-credit", Query{Not: []Term{w("credit")}}},
		{"OR refund OR", Query{All: [][]Term{{w("refund")}}}},
		{"refund OR OR credit", Query{All: [][]Term{{w("refund"), w("credit")}}}},
		{"refund OR -credit", Query{All: [][]Term{{w("refund")}}, Not: []Term{w("credit")}}},
		{"- -- refund", Query{All: [][]Term{{w("refund")}}}},
		{`"unbalanced phrase`, Query{All: [][]Term{{w("unbalanced", "phrase")}}}},
		{`""`, Query{}},
		{`"!!!" ... ?`, Query{}},
		{`e-mail`, Query{All: [][]Term{{w("e", "mail")}}}},
		{`NEAR(a b)`, Query{All: [][]Term{{w("near", "a")}, {w("b")}}}},
		{`text:zebra`, Query{All: [][]Term{{w("text", "zebra")}}}},
		{`zebra* ^quartz`, Query{All: [][]Term{{w("zebra")}, {w("quartz")}}}},
		{`a AND b NOT c`, Query{All: [][]Term{{w("a")}, {w("and")}, {w("b")}, {w("not")}, {w("c")}}}},
		{`say"hello world"now`, Query{All: [][]Term{{w("say")}, {w("hello", "world")}, {w("now")}}}},
		{"Café Ünïcode ÉCOLE", Query{All: [][]Term{{w("café")}, {w("ünïcode")}, {w("école")}}}},
		{"\u0301 x\u0301", Query{All: [][]Term{{w("x\u0301")}}}},
		{"\x00\xff\xfe refund", Query{All: [][]Term{{w("refund")}}}},
		{"OR", Query{}},
	}
	for _, c := range cases {
		got := ParseQuery(c.in)
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("ParseQuery(%q) (-want +got):\n%s", c.in, d)
		}
	}
}

func TestParseQueryBounds(t *testing.T) {
	q := ParseQuery(strings.Repeat("word ", 100) + strings.Repeat("-not ", 100))
	if n := len(q.All); n != maxTerms {
		t.Errorf("%d terms kept, want %d", n, maxTerms)
	}
	q = ParseQuery(strings.Repeat("-not ", 100) + "word")
	if len(q.Not) != maxExclusions || len(q.All) != 1 {
		t.Errorf("%d exclusions and %d terms kept, want %d and 1", len(q.Not), len(q.All), maxExclusions)
	}
	q = ParseQuery(`"` + strings.Repeat("w ", 100) + `"`)
	if n := len(q.All[0][0].Words); n != maxTermWords {
		t.Errorf("a phrase of %d words kept, want %d", n, maxTermWords)
	}
	if q := ParseQuery(strings.Repeat("x", 10*maxQueryLength)); len(q.All[0][0].Words[0]) != maxQueryLength {
		t.Errorf("a query of %d bytes read whole", 10*maxQueryLength)
	}
}

func TestQueryString(t *testing.T) {
	q := ParseQuery(`refund OR "gift card" late -"store credit" -x`)
	if got, want := q.String(), `refund OR "gift card" late -"store credit" -x`; got != want {
		t.Errorf("String: %q, want %q", got, want)
	}
}

// checkQuery asserts what every parse must be: terms of words made of word
// runes, lower case, within the bounds, and its String parsed again the
// same query.
func checkQuery(t *testing.T, s string, q Query) {
	terms := 0
	check := func(tm Term) {
		if len(tm.Words) == 0 || len(tm.Words) > maxTermWords {
			t.Fatalf("ParseQuery(%q): a term of %d words", s, len(tm.Words))
		}
		for _, wd := range tm.Words {
			if wd == "" || !utf8.ValidString(wd) {
				t.Fatalf("ParseQuery(%q): word %q", s, wd)
			}
			for _, r := range wd {
				if !isWordRune(r) || unicode.ToLower(r) != r {
					t.Fatalf("ParseQuery(%q): word %q has %q", s, wd, r)
				}
			}
		}
	}
	for _, g := range q.All {
		if len(g) == 0 {
			t.Fatalf("ParseQuery(%q): an empty group", s)
		}
		for _, tm := range g {
			terms++
			check(tm)
		}
	}
	for _, tm := range q.Not {
		check(tm)
	}
	if terms > maxTerms || len(q.Not) > maxExclusions {
		t.Fatalf("ParseQuery(%q): %d terms, %d exclusions", s, terms, len(q.Not))
	}
	if str := q.String(); len(str) < maxQueryLength/2 {
		if d := cmp.Diff(q, ParseQuery(str)); d != "" {
			t.Fatalf("ParseQuery(%q).String() = %q parses to another query:\n%s", s, str, d)
		}
	}
}

var hostile = []string{
	``, ` `, `"`, `""`, `"""`, `-`, `--`, `- -`, `-"`, `-""`, `OR`, `OR OR`, `a OR`, `OR a`,
	`NEAR(a b)`, `NEAR(a b, 2)`, `a AND b`, `NOT a`, `a NOT b`, `*`, `a*`, `^a`, `a:b`, `text:a`,
	`{text}: a`, `- text : a`, `(a`, `a)`, `((((a))))`, `"a`, `a"b c"`, `a"`, `\"a\"`, `''`,
	`'; DROP TABLE calls; --`, `%_`, "\x00", "\xff\xfe\xfd", "a\x00b", "\u0301", "é\u0301\u0302",
	"🙂 📞", "שלום עולם", "電話 会議", "ǅemal İstanbul", "\t\n\r", `a + b`, `a & b | c`,
	`col:"x" OR -y`, `MATCH`, `"OR"`, `-OR`, `a -OR b`, `a--b`, `rank`, `bm25(fts)`,
}

// hostileLong are long queries, kept out of the fuzz seeds (the fuzzer
// makes its own long inputs).
var hostileLong = []string{
	strings.Repeat(`"a" `, 300), strings.Repeat("(", 1000), strings.Repeat("ab OR ", 500),
	strings.Repeat("-x ", 500), strings.Repeat("é", 3000),
}

func TestParseQueryHostile(t *testing.T) {
	for _, s := range append(hostile, hostileLong...) {
		checkQuery(t, s, ParseQuery(s))
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkQuery(t, s, ParseQuery(s))
	})
}
