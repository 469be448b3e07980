// Tests of the SQLite store's in-memory listing: in step with the file
// after writes of every kind (the Store's contract itself is the
// conformance suite's, store_suite_content_test.go).

package ledger

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

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
