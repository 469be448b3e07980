// Tests of Search: unique phrases found in a summary and in a transcript
// and nothing else, names searchable (and found again when they change),
// terms matching across a call's fields, exclusions, the filters, paging,
// passages and their marks, hostile queries, and a fuzz test that no text
// makes Search fail.

package ledger

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

var shared struct {
	once sync.Once
	s    *SQLite
	err  error
}

// sharedSearchStore is one searchStore for the tests that only read it,
// open until the tests end.
func sharedSearchStore(t testing.TB) *SQLite {
	shared.once.Do(func() {
		shared.s, shared.err = OpenSQLiteMemory(bg(), testWorkspace)
		if shared.err == nil {
			shared.err = fillSearchStore(shared.s)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.s
}

// searchStore is a generated workspace and a few calls whose words the
// generator never makes.
func searchStore(t testing.TB) *SQLite {
	t.Helper()
	s := memStore(t)
	if err := fillSearchStore(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func fillSearchStore(s *SQLite) error {
	d := generate(genOptions{calls: 400, days: 4, numbers: 2, users: 4, parties: 40, seed: 7, end: t0})
	if err := d.load(s); err != nil {
		return err
	}
	a := call("ACzebra", 10)
	a.Summary = &client.DatedCallSummary{Status: client.StatusCompleted,
		Summary:   []string{"The customer reported that the zebra quartz invoice was charged twice."},
		NextSteps: []string{"Refund the duplicate charge by Friday."}}
	b := call("ACelephant", 20)
	b.PhoneNumberID, b.Participant, b.UserID = "PN2", "+15550777", "US2"
	c := call("ACmixed", 30)
	c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"Talked about zebra stripes."}}
	vm := call("ACvoicemail", 40)
	vm.Status, vm.Duration, vm.AnsweredAt = "missed", 0, nil
	vm.Voicemail = &client.Voicemail{ID: "VMx", Status: client.VoicemailCompleted, Transcript: ptr("Hi, this is about the quokka delivery.")}
	if err := s.PutCalls(bg(), []history.Call{a, b, c, vm}); err != nil {
		return err
	}
	lines := []Line{{Text: "Hello, thanks for calling."}, {Text: "My purple elephant warranty ran out."},
		{Text: "I can extend it for a year."}}
	if err := s.PutTranscript(bg(), "ACelephant", Transcript{Status: client.StatusCompleted, Lines: lines}); err != nil {
		return err
	}
	return s.PutTranscript(bg(), "ACmixed", Transcript{Status: client.StatusCompleted,
		Lines: []Line{{Text: "Tell me about the quartz countertop."}}})
}

func TestSearchFindsPhrases(t *testing.T) {
	s := sharedSearchStore(t)
	for _, c := range []struct{ q, id, field, marked string }{
		{`"zebra quartz"`, "ACzebra", FieldSummary, "the «zebra quartz» invoice"},
		{`"purple elephant"`, "ACelephant", FieldTranscript, "My «purple elephant» warranty"},
		{`DUPLICATE`, "ACzebra", FieldNextSteps, "«duplicate»"},
		{`quokka`, "ACvoicemail", FieldVoicemail, "«quokka»"},
		{`Quökka`, "ACvoicemail", FieldVoicemail, "«quokka»"},
	} {
		res := search(t, s, SearchQuery{Text: c.q})
		if len(res.Hits) != 1 || res.Total != 1 || res.Hits[0].Call.ID != c.id {
			t.Errorf("%s: %v (total %d), want only %s", c.q, hitIDs(res), res.Total, c.id)
			continue
		}
		h := res.Hits[0]
		if h.Field != c.field || !strings.Contains(h.Passage, c.marked) {
			t.Errorf("%s: field %q passage %q, want %q with %q", c.q, h.Field, h.Passage, c.field, c.marked)
		}
	}
	res := search(t, s, SearchQuery{Text: "zebra"})
	if h := res.Hits[0]; h.Call.Summary == nil || h.Call.ID != "ACmixed" && h.Call.ID != "ACzebra" {
		t.Errorf("zebra: first hit %s with summary %v", h.Call.ID, h.Call.Summary)
	}
	res = search(t, s, SearchQuery{Text: "quokka"})
	if v := res.Hits[0].Call.Voicemail; v == nil || v.ID != "VMx" {
		t.Errorf("a hit without its voicemail: %+v", v)
	}
	fake := call("ACfake", 60)
	fake.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"a «fake» mark near the wombat"}}
	s2 := memStore(t)
	s2.PutCalls(bg(), []history.Call{fake})
	if p := search(t, s2, SearchQuery{Text: "wombat"}).Hits[0].Passage; p != "a ‹fake› mark near the «wombat»" {
		t.Errorf("marks in a call's own text: %q", p)
	}
	if res := search(t, s, SearchQuery{Text: `"quartz zebra"`}); len(res.Hits) != 0 {
		t.Errorf("a phrase in the wrong order matched %v", hitIDs(res))
	}
}

func TestSearchAcrossFieldsAndExclusions(t *testing.T) {
	s := sharedSearchStore(t)
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"zebra quartz", []string{"ACzebra", "ACmixed"}}, // ACmixed: summary and transcript
		{"zebra -quartz", []string{}},                    // quartz anywhere excludes
		{"zebra -countertop", []string{"ACzebra"}},
		{`zebra -"zebra quartz"`, []string{"ACmixed"}},
		{"quokka OR elephant", []string{"ACelephant", "ACvoicemail"}},
		{"-zebra", []string{}},
		{"!!! ???", []string{}},
	} {
		got := hitIDs(search(t, s, SearchQuery{Text: c.q}))
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.q, got, c.want)
		}
	}
}

// TestSearchUnscored matches every group unscored, as a search of common
// words does: the same calls (as many, for a query of more than a page),
// ranked newest first.
func TestSearchUnscored(t *testing.T) {
	s := sharedSearchStore(t)
	defer func(m int) { maxScoredRows = m }(maxScoredRows)
	for _, q := range []string{"zebra quartz", "zebra -countertop", "quokka OR elephant", "invoice order"} {
		maxScoredRows = 20000
		scored := search(t, s, SearchQuery{Text: q, Limit: maxHits})
		maxScoredRows = -1
		unscored := search(t, s, SearchQuery{Text: q, Limit: maxHits})
		a, b := hitIDs(scored), hitIDs(unscored)
		slices.Sort(a)
		slices.Sort(b)
		if scored.Total != unscored.Total || (scored.Total <= maxHits && !slices.Equal(a, b)) {
			t.Errorf("%q: scored %v, unscored %v", q, a, b)
		}
		for i, h := range unscored.Hits {
			if h.Rank != 0 || (i > 0 && h.Call.CreatedAt.After(unscored.Hits[i-1].Call.CreatedAt)) {
				t.Fatalf("%q: unscored hit %d ranked %v at %v", q, i, h.Rank, h.Call.CreatedAt)
			}
			if !strings.Contains(h.Passage, MarkOpen) {
				t.Errorf("%q: unscored passage %q", q, h.Passage)
			}
		}
	}
}

func TestSearchNames(t *testing.T) {
	s := searchStore(t)
	if err := s.PutNames(bg(), []Name{{PhoneNumberID: "PN2", Party: "+15550777", Name: "Gwendolyn Featherstone"},
		{UserID: "US2", Name: "Featherstone the user"}}); err != nil {
		t.Fatal(err)
	}
	res := search(t, s, SearchQuery{Text: "featherstone"})
	if got := hitIDs(res); !slices.Equal(got, []string{"ACelephant"}) || res.Hits[0].Field != FieldName {
		t.Fatalf("a party's name: %v, want ACelephant by its name", got)
	}
	if got := hitIDs(search(t, s, SearchQuery{Text: "gwendolyn warranty"})); !slices.Equal(got, []string{"ACelephant"}) {
		t.Errorf("a name and a word of the transcript: %v", got)
	}
	s.PutNames(bg(), []Name{{PhoneNumberID: "PN2", Party: "+15550777", Name: "Gwen Stone"}})
	if got := hitIDs(search(t, s, SearchQuery{Text: "featherstone"})); len(got) != 0 {
		t.Errorf("the old name still matches %v", got)
	}
	later := call("AClater", 50)
	later.PhoneNumberID, later.Participant, later.ConversationName = "PN2", "+15550777", "Stone Plumbing LLC"
	s.PutCalls(bg(), []history.Call{later})
	got := hitIDs(search(t, s, SearchQuery{Text: "stone"}))
	slices.Sort(got)
	if !slices.Equal(got, []string{"ACelephant", "AClater"}) {
		t.Errorf("a new call of a named party, and a conversation's name: %v", got)
	}
	group := datedCall() // parties +15550200 and +15550300 on PNb
	s.PutCalls(bg(), []history.Call{group})
	s.PutNames(bg(), []Name{{PhoneNumberID: "PNb", Party: "+15550300", Name: "Zacharias Group"}})
	if got := hitIDs(search(t, s, SearchQuery{Text: "zacharias"})); !slices.Equal(got, []string{"ACdated"}) {
		t.Errorf("a group call's second party: %v", got)
	}
}

func TestSearchFiltersAndPaging(t *testing.T) {
	s := sharedSearchStore(t)
	word := "zebra"
	all := search(t, s, SearchQuery{Text: word}).Total
	if f := search(t, s, SearchQuery{Text: word, Filter: history.Query{After: t0.Add(20 * time.Minute)}}); hitIDs(f)[0] != "ACmixed" || f.Total != 1 || all != 2 {
		t.Errorf("window: %v of %d", hitIDs(f), all)
	}
	for name, q := range map[string]history.Query{
		"before": {Before: t0.Add(10 * time.Minute)}, "number": {PhoneNumberIDs: []string{"PN2"}},
		"user": {UserID: "US2"}, "status": {Statuses: []string{"missed"}},
		"direction": {Direction: "outgoing"}, "participant": {Participant: "+15550777"},
	} {
		if res := search(t, s, SearchQuery{Text: word, Filter: q}); len(res.Hits) != 0 {
			t.Errorf("%s filter: %v", name, hitIDs(res))
		}
	}
	if got := hitIDs(search(t, s, SearchQuery{Text: "elephant", Filter: history.Query{UserID: "US2", PhoneNumberIDs: []string{"PN2"}}})); len(got) != 1 {
		t.Errorf("filters that pass: %v", got)
	}
	// a common word of the generated talk, paged
	common := search(t, s, SearchQuery{Text: "invoice", Limit: maxHits})
	if common.Total < 30 {
		t.Fatalf("invoice: %d hits, want a common word", common.Total)
	}
	var paged []string
	for off := 0; off < len(common.Hits); off += 7 {
		page := search(t, s, SearchQuery{Text: "invoice", Offset: off, Limit: 7})
		if page.Total != common.Total || len(page.Hits) > 7 {
			t.Fatalf("offset %d: %d hits of %d", off, len(page.Hits), page.Total)
		}
		paged = append(paged, hitIDs(page)...)
	}
	if !slices.Equal(paged[:len(common.Hits)], hitIDs(common)) {
		t.Errorf("pages do not add up to the whole:\n%v\n%v", paged, hitIDs(common))
	}
	for i, h := range common.Hits {
		if i > 0 && h.Rank < common.Hits[i-1].Rank {
			t.Fatalf("hit %d ranks better than the one before it", i)
		}
		if strings.Count(h.Passage, MarkOpen) == 0 || strings.Count(h.Passage, MarkOpen) != strings.Count(h.Passage, MarkClose) {
			t.Fatalf("passage %q: marks", h.Passage)
		}
		if n := utf8.RuneCountInString(h.Passage); n > passageMax+2 {
			t.Fatalf("passage of %d characters", n)
		}
	}
	if res := search(t, s, SearchQuery{Text: "invoice", Offset: 100000}); len(res.Hits) != 0 || res.Total != common.Total {
		t.Errorf("past the end: %d hits, total %d", len(res.Hits), res.Total)
	}
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

func TestSearchHostile(t *testing.T) {
	s := sharedSearchStore(t)
	for _, q := range append(hostile, hostileLong...) {
		res := search(t, s, SearchQuery{Text: q, Limit: 5})
		if res.Total < len(res.Hits) || len(res.Hits) > 5 {
			t.Errorf("%q: %d hits of %d", q, len(res.Hits), res.Total)
		}
	}
	for q, want := range map[string]int{`zebra*`: 2, `^quokka`: 1, `(quokka`: 1, `quokka)`: 1,
		`text:quokka`: 0, `NEAR(zebra quartz)`: 0, `"zebra`: 2, `{text}: quokka`: 0} {
		if res := search(t, s, SearchQuery{Text: q}); res.Total != want {
			t.Errorf("%q: %d hits, want %d", q, res.Total, want)
		}
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM calls`).Scan(&n)
	if n != 404 {
		t.Errorf("%d calls after the hostile queries, want 404", n)
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("zebra quartz -countertop")
	f.Add(`"purple elephant" OR quokka`)
	s := sharedSearchStore(f)
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
