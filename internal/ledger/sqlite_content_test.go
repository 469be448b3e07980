// Tests of the SQLite store's content and upkeep: transcripts, Prune (its
// calls, transcripts and index rows gone), Unsettled, WantTranscripts,
// Count, Status, the in-memory listing in step with the file, and
// concurrent writers and readers.

package ledger

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

func done(status string) Transcript {
	return Transcript{Status: status, Lines: []Line{{Start: 1.5, Speaker: "+15550001", UserID: "US1", Text: "hello there"}}}
}

func TestPutTranscript(t *testing.T) {
	s := memStore(t)
	s.PutCalls(bg(), []history.Call{call("AC1", 0)})
	want := done(client.StatusCompleted)
	if err := s.PutTranscript(bg(), "AC1", want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Transcript(bg(), "AC1")
	if err != nil || !ok || cmp.Diff(want, got) != "" {
		t.Errorf("Transcript: %v %v %s", ok, err, cmp.Diff(want, got))
	}
	for _, lines := range [][]Line{nil, {}, {{Start: 0.1 + 0.2, Text: `<"quoted"> & \n`}}} {
		want := Transcript{Status: client.StatusAbsent, Lines: lines}
		s.PutTranscript(bg(), "AC1", want)
		if got, _, _ := s.Transcript(bg(), "AC1"); cmp.Diff(want, got) != "" || (lines != nil) != (got.Lines != nil) {
			t.Errorf("lines %#v came back %#v", lines, got.Lines)
		}
	}
	if err := s.PutTranscript(bg(), "ACnone", want); !errors.Is(err, ErrUnknownCall) {
		t.Errorf("a transcript of a call not stored: %v, want ErrUnknownCall", err)
	}
	if _, ok, _ := s.Transcript(bg(), "ACnone"); ok {
		t.Error("the transcript of a call not stored was kept")
	}
}

func TestPrune(t *testing.T) {
	s := memStore(t)
	var calls []history.Call
	for i := range 10 {
		c := call(fmt.Sprintf("AC%d", i), i)
		c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{fmt.Sprintf("topic%d", i)}}
		calls = append(calls, c)
	}
	s.PutCalls(bg(), calls)
	for i := range 10 {
		s.PutTranscript(bg(), fmt.Sprintf("AC%d", i), done(client.StatusCompleted))
	}
	n, err := s.Prune(bg(), t0.Add(5*time.Minute))
	if err != nil || n != 5 {
		t.Fatalf("Prune: %d %v, want 5", n, err)
	}
	if got := ids(mustRange(t, s, all(), nil, 0)); !slices.Equal(got, []string{"AC9", "AC8", "AC7", "AC6", "AC5"}) {
		t.Errorf("left %v", got)
	}
	var rows, transcripts int
	s.db.QueryRow(`SELECT count(*) FROM fts`).Scan(&rows)
	s.db.QueryRow(`SELECT count(*) FROM transcripts`).Scan(&transcripts)
	if rows != 5*2 || transcripts != 5 { // summary and transcript rows
		t.Errorf("%d index rows and %d transcripts left, want 10 and 5", rows, transcripts)
	}
	for i, want := range []int{0, 0, 1} {
		if res := search(t, s, SearchQuery{Text: fmt.Sprintf("topic%d", i+3)}); res.Total != want {
			t.Errorf("topic%d: %d hits, want %d", i+3, res.Total, want)
		}
	}
	if n, _ := s.Prune(bg(), t0); n != 0 {
		t.Errorf("pruning again: %d", n)
	}
	if c, _ := s.Get(bg(), "AC2"); c != nil {
		t.Error("Get of a pruned call")
	}
}

func TestUnsettledAndWantTranscripts(t *testing.T) {
	s := memStore(t)
	mk := func(id string, minute int, f func(c *history.Call)) history.Call {
		c := call(id, minute)
		f(&c)
		return c
	}
	pending := &client.DatedCallSummary{Status: client.StatusInProgress}
	final := &client.DatedCallSummary{Status: client.StatusCompleted, Summary: []string{"ok"}}
	s.PutCalls(bg(), []history.Call{
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
	})
	s.PutTranscript(bg(), "ACtr", done(client.StatusInProgress))
	s.PutTranscript(bg(), "ACdone", done(client.StatusCompleted))
	s.PutTranscript(bg(), "ACabsent", done(client.StatusAbsent))
	got, err := s.Unsettled(bg(), t0, 0)
	if want := []string{"ACsum", "ACvm", "ACtr"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Unsettled: %v %v, want %v", got, err, want)
	}
	if got, _ := s.Unsettled(bg(), time.Time{}, 2); !slices.Equal(got, []string{"ACold", "ACsum"}) {
		t.Errorf("Unsettled since the start, 2: %v", got)
	}
	got, err = s.WantTranscripts(bg(), t0, 0)
	if want := []string{"ACbystatus", "ACnone", "ACtr", "ACsum"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("WantTranscripts: %v %v, want %v", got, err, want)
	}
	if got, _ := s.WantTranscripts(bg(), t0.Add(5*time.Minute), 1); !slices.Equal(got, []string{"ACbystatus"}) {
		t.Errorf("WantTranscripts since 5 min, 1: %v", got)
	}
	// settled later: a put with the final summary, the final transcript
	s.PutCalls(bg(), []history.Call{mk("ACsum", 1, func(c *history.Call) { c.Summary = final })})
	s.PutTranscript(bg(), "ACtr", done(client.StatusCompleted))
	if got, _ := s.Unsettled(bg(), t0, 0); !slices.Equal(got, []string{"ACvm"}) {
		t.Errorf("Unsettled once settled: %v", got)
	}
	c, err := s.Count(bg(), history.Query{After: t0})
	if want := (Counts{Calls: 9, Answered: 6, Transcripts: 2}); err != nil || c != want {
		t.Errorf("Count: %+v %v, want %+v", c, err, want)
	}
	if c, _ := s.Count(bg(), history.Query{After: t0, Before: t0.Add(4 * time.Minute), Statuses: []string{"completed"}}); c != (Counts{Calls: 2, Answered: 2, Transcripts: 1}) {
		t.Errorf("Count of a window and a status: %+v", c)
	}
	st, _ := s.Status(bg())
	if st.Calls != 10 || st.Summaries != 3 || st.Voicemails != 1 || st.Transcripts != 2 || st.Bytes != 0 ||
		!st.Oldest.Equal(t0.Add(-10*time.Minute)) || !st.Newest.Equal(t0.Add(9*time.Minute)) {
		t.Errorf("Status: %+v", st)
	}
}

// TestMemoryInStep does writes of every kind, then compares what the store
// lists with what the file gives when opened again.
func TestMemoryInStep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := fileStore(t, path)
	d := generate(genOptions{calls: 300, days: 6, numbers: 3, users: 6, parties: 50, seed: 3, end: t0})
	if err := d.load(s); err != nil {
		t.Fatal(err)
	}
	moved := d.calls[100:130] // re-put: created elsewhere in the order, v1-shaped
	for i := range moved {
		moved[i].CreatedAt = moved[i].CreatedAt.Add(-time.Duration(i) * time.Hour)
		moved[i].Summary, moved[i].Voicemail = nil, nil
	}
	s.PutCalls(bg(), moved)
	s.Prune(bg(), t0.Add(-5*24*time.Hour))
	s.PutCalls(bg(), d.calls[:20]) // back after the prune
	q := history.Query{Include: withContent}
	live := mustRange(t, s, q, nil, 0)
	counts, _ := s.Count(bg(), q)
	unsettled, _ := s.WantTranscripts(bg(), time.Time{}, 0)
	s.Close()
	s = fileStore(t, path)
	if d := cmp.Diff(live, mustRange(t, s, q, nil, 0)); d != "" {
		t.Errorf("the listing differs from the file's (-live +reopened):\n%s", d)
	}
	if c, _ := s.Count(bg(), q); c != counts {
		t.Errorf("Count %+v, reopened %+v", counts, c)
	}
	if w, _ := s.WantTranscripts(bg(), time.Time{}, 0); !slices.Equal(w, unsettled) {
		t.Errorf("WantTranscripts differ after reopening")
	}
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	s := fileStore(t, filepath.Join(t.TempDir(), "l.db"))
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
	if st, _ := s.Status(bg()); st.Transcripts != len(d.transcripts) {
		t.Errorf("%d transcripts, want %d", st.Transcripts, len(d.transcripts))
	}
}
