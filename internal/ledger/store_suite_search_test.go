// The conformance suite's search: unique phrases found in a summary and
// in a transcript and nothing else, names searchable (and found again
// when they change), terms matching across a call's fields, exclusions,
// the filters, paging, passages and their marks, unranked searches of
// common words, and hostile queries.

package ledger

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

var suiteSearchTests = map[string]func(*testing.T, opener){
	"phrases":                    suiteSearchFindsPhrases,
	"across fields, exclusions":  suiteSearchAcrossFields,
	"unranked":                   suiteSearchUnranked,
	"names":                      suiteSearchNames,
	"filters and paging":         suiteSearchFiltersAndPaging,
	"hostile":                    suiteSearchHostile,
	"marks in the call's text":   suiteSearchOwnMarks,
	"diacritics and case folded": suiteSearchFolded,
}

func sortedKeys[T any](m map[string]T) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func search(t *testing.T, s Store, q SearchQuery) *SearchResult {
	t.Helper()
	res, err := s.Search(bg(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Text, err)
	}
	return res
}

func hitIDs(res *SearchResult) []string {
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.Call.ID)
	}
	return out
}

// searchStore is a generated workspace and a few calls whose words the
// generator never makes.
func searchStore(t *testing.T, open opener) Store {
	t.Helper()
	s := open(t)
	if err := fillSearchStore(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func fillSearchStore(s Store) error {
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

// suiteShared is the suite's searchStore for the search tests that only
// read it, filled once per backend (runStoreSuite sets it; the tests
// run one after another).
var suiteShared Store

func sharedSearchStore(t *testing.T, _ opener) Store {
	t.Helper()
	if suiteShared == nil {
		t.Fatal("no shared search store: run by runStoreSuite")
	}
	return suiteShared
}

func suiteSearchFindsPhrases(t *testing.T, open opener) {
	s := searchStore(t, open)
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
	if res := search(t, s, SearchQuery{Text: `"quartz zebra"`}); len(res.Hits) != 0 {
		t.Errorf("a phrase in the wrong order matched %v", hitIDs(res))
	}
	// a phrase across two fields (the summary's end, the next steps'
	// start) is no phrase
	if res := search(t, s, SearchQuery{Text: `"twice refund"`}); len(res.Hits) != 0 {
		t.Errorf("a phrase across two fields matched %v", hitIDs(res))
	}
}

func suiteSearchOwnMarks(t *testing.T, open opener) {
	s := open(t)
	fake := call("ACfake", 60)
	fake.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"a «fake» mark near the wombat"}}
	mustPut(t, s, fake)
	if p := search(t, s, SearchQuery{Text: "wombat"}).Hits[0].Passage; p != "a ‹fake› mark near the «wombat»" {
		t.Errorf("marks in a call's own text: %q", p)
	}
}

func suiteSearchFolded(t *testing.T, open opener) {
	s := open(t)
	c := call("ACfold", 1)
	c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted,
		Summary: []string{"Señora MÜLLER called from Zürich about the café's crème brûlée order (ref Q-77)."}}
	mustPut(t, s, c)
	for _, q := range []string{"senora", "müller", "MULLER", "zurich", `"creme brulee"`, "CAFÉ", "q 77", `"ref q"`} {
		if res := search(t, s, SearchQuery{Text: q}); res.Total != 1 || !strings.Contains(res.Hits[0].Passage, MarkOpen) {
			t.Errorf("%q: %d hits %v", q, res.Total, res.Hits)
		}
	}
	for _, q := range []string{"cafés", "q77", "brulee creme -crème"} {
		if res := search(t, s, SearchQuery{Text: q}); res.Total != 0 {
			t.Errorf("%q: %d hits, want none", q, res.Total)
		}
	}
}

func suiteSearchAcrossFields(t *testing.T, open opener) {
	s := sharedSearchStore(t, open)
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

// forceUnranked makes s's searches unranked, as searches of common words
// are, until the test ends.
func forceUnranked(t *testing.T, s Store) {
	switch s.(type) {
	case *SQLite:
		old := maxScoredRows
		maxScoredRows = -1
		t.Cleanup(func() { maxScoredRows = old })
	case *Postgres:
		old := pgMaxRanked
		pgMaxRanked = -1
		t.Cleanup(func() { pgMaxRanked = old })
	default:
		t.Fatalf("no way to make a %T search unranked", s)
	}
}

// suiteSearchUnranked: unranked, a search gives the same calls (as
// many, for a query of more than a page), newest first, each Rank 0.
func suiteSearchUnranked(t *testing.T, open opener) {
	s := sharedSearchStore(t, open)
	queries := []string{"zebra quartz", "zebra -countertop", "quokka OR elephant", "invoice order"}
	var ranked []*SearchResult
	for _, q := range queries {
		ranked = append(ranked, search(t, s, SearchQuery{Text: q, Limit: maxHits}))
	}
	forceUnranked(t, s)
	for i, q := range queries {
		unranked := search(t, s, SearchQuery{Text: q, Limit: maxHits})
		a, b := hitIDs(ranked[i]), hitIDs(unranked)
		slices.Sort(a)
		slices.Sort(b)
		if ranked[i].Total != unranked.Total || (ranked[i].Total <= maxHits && !slices.Equal(a, b)) {
			t.Errorf("%q: ranked %v, unranked %v", q, a, b)
		}
		for i, h := range unranked.Hits {
			if h.Rank != 0 || (i > 0 && h.Call.CreatedAt.After(unranked.Hits[i-1].Call.CreatedAt)) {
				t.Fatalf("%q: unranked hit %d ranked %v at %v", q, i, h.Rank, h.Call.CreatedAt)
			}
			if !strings.Contains(h.Passage, MarkOpen) {
				t.Errorf("%q: unranked passage %q", q, h.Passage)
			}
		}
	}
}

func suiteSearchNames(t *testing.T, open opener) {
	s := searchStore(t, open)
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
	if got := hitIDs(search(t, s, SearchQuery{Text: `"gwen stone" "purple elephant"`})); !slices.Equal(got, []string{"ACelephant"}) {
		t.Errorf("the new name with the transcript kept: %v", got)
	}
	later := call("AClater", 50)
	later.PhoneNumberID, later.Participant, later.ConversationName = "PN2", "+15550777", "Stone Plumbing LLC"
	mustPut(t, s, later)
	got := hitIDs(search(t, s, SearchQuery{Text: "stone"}))
	slices.Sort(got)
	if !slices.Equal(got, []string{"ACelephant", "AClater"}) {
		t.Errorf("a new call of a named party, and a conversation's name: %v", got)
	}
	group := datedCall() // parties +15550200 and +15550300 on PNb
	mustPut(t, s, group)
	s.PutNames(bg(), []Name{{PhoneNumberID: "PNb", Party: "+15550300", Name: "Zacharias Group"}})
	if got := hitIDs(search(t, s, SearchQuery{Text: "zacharias"})); !slices.Equal(got, []string{"ACdated"}) {
		t.Errorf("a group call's second party: %v", got)
	}
	// a name on no number names the party where its number has none
	s.PutNames(bg(), []Name{{Party: "+15550300", Name: "Everywhere Yolanda"}, {Party: "+15550777", Name: "Nowhere Xavier"}})
	if got := hitIDs(search(t, s, SearchQuery{Text: "yolanda OR xavier"})); len(got) != 0 {
		t.Errorf("a name on no number beat a number's own: %v", got)
	}
	mustPut(t, s, func() history.Call {
		c := call("ACother", 70)
		c.PhoneNumberID, c.Participant = "PN9", "+15550300"
		return c
	}())
	if got := hitIDs(search(t, s, SearchQuery{Text: "yolanda"})); !slices.Equal(got, []string{"ACother"}) {
		t.Errorf("a name on no number, on another number: %v", got)
	}
	names, err := s.Names(bg())
	if err != nil || len(names) != 40+5 || names[0] != (Name{UserID: "US2", Name: "Featherstone the user"}) ||
		names[1] != (Name{Party: "+15550300", Name: "Everywhere Yolanda"}) || names[44] != (Name{PhoneNumberID: "PNb", Party: "+15550300", Name: "Zacharias Group"}) {
		t.Errorf("Names: %v %v", names, err)
	}
}

func suiteSearchFiltersAndPaging(t *testing.T, open opener) {
	s := sharedSearchStore(t, open)
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
		if h.Call.Summary == nil && h.Call.Voicemail == nil && h.Field != FieldTranscript {
			t.Fatalf("hit %s in %s without its content", h.Call.ID, h.Field)
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
	if res := search(t, s, SearchQuery{Text: "invoice", Limit: 100000}); len(res.Hits) != min(maxHits, common.Total) {
		t.Errorf("a limit past the most: %d hits", len(res.Hits))
	}
}

func suiteSearchHostile(t *testing.T, open opener) {
	s := sharedSearchStore(t, open)
	for _, q := range append(hostile, hostileLong...) {
		res := search(t, s, SearchQuery{Text: q, Limit: 5})
		if res.Total < len(res.Hits) || len(res.Hits) > 5 {
			t.Errorf("%q: %d hits of %d", q, len(res.Hits), res.Total)
		}
	}
	for q, want := range map[string]int{`zebra*`: 2, `^quokka`: 1, `(quokka`: 1, `quokka)`: 1,
		`text:quokka`: 0, `NEAR(zebra quartz)`: 0, `"zebra`: 2, `{text}: quokka`: 0, `zebra & !quartz`: 2,
		`quokka | zebra`: 0, `quokka:*`: 1, `'quokka'`: 1, `quokka\`: 1, "quokka\x00": 1, `zebra <-> quartz`: 2} {
		if res := search(t, s, SearchQuery{Text: q}); res.Total != want {
			t.Errorf("%q: %d hits, want %d", q, res.Total, want)
		}
	}
	if st := mustStatus(t, s); st.Calls != 404 {
		t.Errorf("%d calls after the hostile queries, want 404", st.Calls)
	}
}
