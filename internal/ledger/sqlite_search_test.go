// Tests of the SQLite store's search that only it has: a fuzz test that
// no text makes Search fail (over one shared store in memory), and the
// cut of a passage (the search's contract is the conformance suite's,
// store_suite_search_test.go).

package ledger

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var sqliteShared struct {
	once sync.Once
	s    *SQLite
	err  error
}

// sqliteSearchStore is one searchStore in memory, open until the tests
// end, for the fuzz test.
func sqliteSearchStore(t testing.TB) *SQLite {
	sqliteShared.once.Do(func() {
		sqliteShared.s, sqliteShared.err = OpenSQLiteMemory(bg(), testWorkspace)
		if sqliteShared.err == nil {
			sqliteShared.err = fillSearchStore(sqliteShared.s)
		}
	})
	if sqliteShared.err != nil {
		t.Fatal(sqliteShared.err)
	}
	return sqliteShared.s
}

func TestPassage(t *testing.T) {
	long := strings.Repeat("word ", 30) + "«match» " + strings.Repeat("tail ", 30) + "«a" + strings.Repeat("b", 50) + "»"
	p := passage(long)
	if n := utf8.RuneCountInString(p); n > passageMax+2 || !strings.HasSuffix(p, "…") {
		t.Errorf("passage of %d characters: %q", n, p)
	}
	cut := passage(strings.Repeat("x", 150) + " «" + strings.Repeat("y", 100) + "»")
	if strings.Count(cut, MarkOpen) != strings.Count(cut, MarkClose) {
		t.Errorf("a mark left open: %q", cut)
	}
	if got := passage("a\n\n b\tc"); got != "a b c" {
		t.Errorf("whitespace: %q", got)
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("zebra quartz -countertop")
	f.Add(`"purple elephant" OR quokka`)
	s := sqliteSearchStore(f)
	f.Fuzz(func(t *testing.T, q string) {
		res, err := s.Search(bg(), SearchQuery{Text: q, Limit: 3})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		if len(res.Hits) > 3 || res.Total < len(res.Hits) || (ParseQuery(q).Empty() && res.Total > 0) {
			t.Fatalf("Search(%q): %d hits of %d", q, len(res.Hits), res.Total)
		}
		for _, h := range res.Hits {
			if strings.Count(h.Passage, MarkOpen) != strings.Count(h.Passage, MarkClose) {
				t.Fatalf("Search(%q): passage %q", q, h.Passage)
			}
		}
	})
}
