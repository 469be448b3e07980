// The conformance suite's content and upkeep: transcripts, content that
// no index takes whole, Unsettled, WantTranscripts, Count, Status, Prune
// (its calls, transcripts and index entries gone), and concurrent
// writers and readers.

package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// transcriptReader is a Store that gives a call's transcript back (both
// backends do; the Store needs it only for passages).
type transcriptReader interface {
	Transcript(ctx context.Context, callID string) (Transcript, bool, error)
}

func transcriptOf(t *testing.T, s Store, id string) (Transcript, bool) {
	t.Helper()
	r, ok := s.(transcriptReader)
	if !ok {
		t.Fatalf("%T gives no transcript back", s)
	}
	tr, found, err := r.Transcript(bg(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tr, found
}

func done(status string) Transcript {
	return Transcript{Status: status, Lines: []Line{{Start: 1.5, Speaker: "+15550001", UserID: "US1", Text: "hello there"}}}
}

func suiteTranscript(t *testing.T, open opener) {
	s := open(t)
	mustPut(t, s, call("AC1", 0))
	want := done(client.StatusCompleted)
	if err := s.PutTranscript(bg(), "AC1", want); err != nil {
		t.Fatal(err)
	}
	if got, ok := transcriptOf(t, s, "AC1"); !ok || cmp.Diff(want, got) != "" {
		t.Errorf("Transcript: %v %s", ok, cmp.Diff(want, got))
	}
	for _, lines := range [][]Line{nil, {}, {{Start: 0.1 + 0.2, Text: `<"quoted"> & \n`}}} {
		want := Transcript{Status: client.StatusAbsent, Lines: lines}
		if err := s.PutTranscript(bg(), "AC1", want); err != nil {
			t.Fatal(err)
		}
		if got, _ := transcriptOf(t, s, "AC1"); cmp.Diff(want, got) != "" || (lines != nil) != (got.Lines != nil) {
			t.Errorf("lines %#v came back %#v", lines, got.Lines)
		}
	}
	if err := s.PutTranscript(bg(), "ACnone", want); !errors.Is(err, ErrUnknownCall) {
		t.Errorf("a transcript of a call not stored: %v, want ErrUnknownCall", err)
	}
	if _, ok := transcriptOf(t, s, "ACnone"); ok {
		t.Error("the transcript of a call not stored was kept")
	}
	// a put of the call never touches its transcript
	mustPut(t, s, call("AC1", 0))
	if got, ok := transcriptOf(t, s, "AC1"); !ok || len(got.Lines) != 1 {
		t.Errorf("the transcript after a put of its call: %v %+v", ok, got)
	}
}

// settleFixture stores calls of every state of content.
func settleFixture(t *testing.T, s Store) {
	mk := func(id string, minute int, f func(c *history.Call)) history.Call {
		c := call(id, minute)
		f(&c)
		return c
	}
	pending := &client.DatedCallSummary{Status: client.StatusInProgress}
	final := &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"ok"}}
	mustPut(t, s,
		mk("ACold", -10, func(c *history.Call) { c.Summary = pending }),
		mk("ACsum", 1, func(c *history.Call) { c.Summary = pending }),
		mk("ACvm", 2, func(c *history.Call) {
			c.Status, c.Duration, c.AnsweredAt = "missed", 0, nil
			c.Voicemail = &client.Voicemail{ID: "VM", Status: client.VoicemailInProgress}
		}),
		mk("ACtr", 3, func(c *history.Call) { c.Summary = final }),
		mk("ACdone", 4, func(c *history.Call) { c.Summary = final }),
		mk("ACnone", 5, func(c *history.Call) {}),
		mk("ACshort", 6, func(c *history.Call) { c.Duration = 0 }),
		mk("ACmissed", 7, func(c *history.Call) { c.Status, c.AnsweredAt = "no-answer", nil }),
		mk("ACbystatus", 8, func(c *history.Call) { c.AnsweredAt = nil }), // completed, 60 s
		mk("ACabsent", 9, func(c *history.Call) {}),
		mk("ACempty", 10, func(c *history.Call) {}), // a transcript of no status: none yet
	)
	for id, status := range map[string]string{"ACtr": client.StatusInProgress, "ACdone": client.StatusCompleted,
		"ACabsent": client.StatusAbsent, "ACempty": ""} {
		if err := s.PutTranscript(bg(), id, done(status)); err != nil {
			t.Fatal(err)
		}
	}
}

func suiteUnsettled(t *testing.T, open opener) {
	s := open(t)
	settleFixture(t, s)
	got, err := s.Unsettled(bg(), t0, 0)
	if want := []string{"ACsum", "ACvm", "ACtr"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Unsettled: %v %v, want %v", got, err, want)
	}
	if got, _ := s.Unsettled(bg(), time.Time{}, 2); !slices.Equal(got, []string{"ACold", "ACsum"}) {
		t.Errorf("Unsettled since the start, 2: %v", got)
	}
	got, err = s.WantTranscripts(bg(), t0, 0)
	if want := []string{"ACempty", "ACbystatus", "ACnone", "ACtr", "ACsum"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("WantTranscripts: %v %v, want %v", got, err, want)
	}
	if got, _ := s.WantTranscripts(bg(), t0.Add(5*time.Minute), 1); !slices.Equal(got, []string{"ACempty"}) {
		t.Errorf("WantTranscripts since 5 min, 1: %v", got)
	}
	if got, err := s.WantTranscripts(bg(), t0.Add(time.Hour), 0); got != nil || err != nil {
		t.Errorf("WantTranscripts of none: %#v %v", got, err)
	}
	// settled later: a put with the final summary, the final transcript
	settled := call("ACsum", 1)
	settled.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"ok"}}
	mustPut(t, s, settled)
	if err := s.PutTranscript(bg(), "ACtr", done(client.StatusCompleted)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Unsettled(bg(), t0, 0); !slices.Equal(got, []string{"ACvm"}) {
		t.Errorf("Unsettled once settled: %v", got)
	}
}

func suiteCount(t *testing.T, open opener) {
	s := open(t)
	settleFixture(t, s)
	for _, c := range []struct {
		q    history.Query
		want Counts
	}{
		{history.Query{After: t0}, Counts{Calls: 10, Answered: 7, Transcripts: 1}},
		{history.Query{}, Counts{Calls: 11, Answered: 8, Transcripts: 1}},
		{history.Query{After: t0, Before: t0.Add(5 * time.Minute), Statuses: []string{"completed"}},
			Counts{Calls: 3, Answered: 3, Transcripts: 1}},
		{history.Query{After: t0, Direction: "outgoing"}, Counts{}},
		{history.Query{PhoneNumberIDs: []string{"PN1"}, UserID: "US1", Participant: "+15550001"},
			Counts{Calls: 11, Answered: 8, Transcripts: 1}},
	} {
		if got, err := s.Count(bg(), c.q); err != nil || got != c.want {
			t.Errorf("Count(%+v): %+v %v, want %+v", c.q, got, err, c.want)
		}
	}
}

func suiteStatus(t *testing.T, open opener) {
	s := open(t)
	if st := mustStatus(t, s); st.Calls != 0 || !st.Oldest.IsZero() || !st.Newest.IsZero() {
		t.Errorf("Status of an empty ledger: %+v", st)
	}
	settleFixture(t, s)
	st := mustStatus(t, s)
	if st.Calls != 11 || st.Summaries != 2 || st.Voicemails != 1 || st.Transcripts != 1 || st.Bytes <= 0 ||
		!st.Oldest.Equal(t0.Add(-10*time.Minute)) || !st.Newest.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("Status: %+v", st)
	}
}

func suitePrune(t *testing.T, open opener) {
	s := open(t)
	var calls []history.Call
	for i := range 10 {
		c := call(fmt.Sprintf("AC%d", i), i)
		c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{fmt.Sprintf("topic%d", i)}}
		calls = append(calls, c)
	}
	mustPut(t, s, calls...)
	for i := range 10 {
		if err := s.PutTranscript(bg(), fmt.Sprintf("AC%d", i), Transcript{Status: client.StatusCompleted,
			Lines: []Line{{Text: fmt.Sprintf("spoken%d", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Prune(bg(), t0.Add(5*time.Minute))
	if err != nil || n != 5 {
		t.Fatalf("Prune: %d %v, want 5", n, err)
	}
	if got := ids(mustRange(t, s, all(), nil, 0)); !slices.Equal(got, []string{"AC9", "AC8", "AC7", "AC6", "AC5"}) {
		t.Errorf("left %v", got)
	}
	for i, want := range []int{0, 0, 1} {
		for _, word := range []string{"topic", "spoken"} {
			if res := search(t, s, SearchQuery{Text: fmt.Sprintf("%s%d", word, i+3)}); res.Total != want {
				t.Errorf("%s%d: %d hits, want %d", word, i+3, res.Total, want)
			}
		}
	}
	if _, ok := transcriptOf(t, s, "AC2"); ok {
		t.Error("a pruned call's transcript is kept")
	}
	if _, ok := transcriptOf(t, s, "AC7"); !ok {
		t.Error("a kept call's transcript is gone")
	}
	if n, _ := s.Prune(bg(), t0); n != 0 {
		t.Errorf("pruning again: %d", n)
	}
	if c, _ := s.Get(bg(), "AC2"); c != nil {
		t.Error("Get of a pruned call")
	}
	if st := mustStatus(t, s); st.Calls != 5 || st.Transcripts != 5 {
		t.Errorf("Status after the prune: %+v", st)
	}
	mustPut(t, s, calls[0]) // back after the prune, without its transcript
	if _, ok := transcriptOf(t, s, "AC0"); ok || search(t, s, SearchQuery{Text: "spoken0"}).Total != 0 {
		t.Error("a call put again after its prune came back with its transcript")
	}
}

// suiteHostileContent: content no index takes whole (a transcript of
// 1.6 MB of distinct words, a word of 3,000 bytes, quotes, backslashes,
// tsquery and FTS5 syntax, NUL) is stored and searched without an error.
func suiteHostileContent(t *testing.T, open opener) {
	s := open(t)
	long := strings.Repeat("ab", 1500) // past a Postgres lexeme's 2,046 bytes, within a query's 4,096
	c := call("AChostile", 0)
	c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted,
		Summary: []string{`It's a \'quoted\' & !(not) <-> 'x':* "NEAR(a b)" nul` + "\x00" + "byte " + long}}
	c.ConversationName = `O'Brien \ "Co" ''`
	mustPut(t, s, c)
	var b strings.Builder
	for i := range 200_000 {
		fmt.Fprintf(&b, "w%07d ", i)
	}
	if err := s.PutTranscript(bg(), c.ID, Transcript{Status: client.StatusCompleted,
		Lines: []Line{{Text: b.String()}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutNames(bg(), []Name{{PhoneNumberID: "PN1", Party: "+15550001", Name: `Zoë 'Quote' \ O"Neil`}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"w0000001", `"w0000002 w0000003"`, long, "it's", "o'brien", `"NEAR(a b)"`,
		"nul byte", "zoe neil", `'x':*`} {
		if res := search(t, s, SearchQuery{Text: q}); res.Total != 1 {
			t.Errorf("%.40q: %d hits", q, res.Total)
		}
	}
	if got, _ := s.Get(bg(), c.ID); got == nil || got.ConversationName != c.ConversationName {
		t.Errorf("Get: %+v", got)
	}
}

func suiteConcurrent(t *testing.T, open opener) {
	s := open(t)
	d := generate(genOptions{calls: 400, days: 2, numbers: 2, users: 4, parties: 30, seed: 5, end: t0})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 100; i < (w+1)*100; i += 25 {
				if err := s.PutCalls(bg(), d.calls[i:i+25]); err != nil {
					errs <- err
				}
				if err := s.PutNames(bg(), d.names[i%30:i%30+1]); err != nil {
					errs <- err
				}
			}
			for _, tr := range d.transcripts {
				if tr.callID >= d.calls[w*100].ID && (w == 3 || tr.callID < d.calls[(w+1)*100].ID) {
					if err := s.PutTranscript(bg(), tr.callID, tr.t); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				calls, err := s.Range(bg(), history.Query{Include: withContent}, nil, 0)
				if err == nil {
					_, err = s.Search(bg(), SearchQuery{Text: "invoice OR order"})
				}
				if err == nil {
					_, err = s.Count(bg(), history.Query{})
				}
				if err == nil && !slices.IsSortedFunc(calls, func(a, b history.Call) int {
					return b.CreatedAt.Compare(a.CreatedAt) // newest first
				}) {
					err = errors.New("Range out of order")
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := mustRange(t, s, all(), nil, 0); len(got) != 400 {
		t.Errorf("%d calls, want 400", len(got))
	}
	if st := mustStatus(t, s); st.Transcripts != len(d.transcripts) {
		t.Errorf("%d transcripts, want %d", st.Transcripts, len(d.transcripts))
	}
}
