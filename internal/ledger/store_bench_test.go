// Benchmarks of the stores on a generated ledger of 100,000 calls over 90
// days (3 numbers, 6 users, 2,000 named parties, ~65% answered with a
// summary and a transcript, ~10% voicemails): Search by kind of query as
// search_calls asks it, the 90 days whole and read lean as call_stats
// reads them (p50 reported), on SQLite and, with
// $OPENPHONE_TEST_POSTGRES, on Postgres side by side
// (postgres_bench_test.go); and SQLite's alone: a page of 100, Count,
// opening (and the listing's memory per call), and the build itself. The
// SQLite ledger is built once into the temp dir and reused by later runs
// (benchVersion names it); BenchmarkBuild always builds a fresh one.
//
//	go test ./internal/ledger -run '^$' -bench . -benchtime 20x

package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// benchVersion names the cached ledger: change it with the generator.
const benchVersion = "5"

var benchOptions = genOptions{calls: 100_000, days: 90, numbers: 3, users: 6, parties: 2000, seed: 42,
	end: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}

// bench is the 100k ledger's file and what the benchmarks need of its
// generated data (not the data itself: its hundreds of MB on the heap
// would slow every GC of the benchmarks, which a server does not have).
var bench struct {
	once    sync.Once
	path    string
	calls   int
	queries []benchQuery
	err     error
}

type benchQuery struct{ kind, text string }

// benchPath is the cached ledger's file.
func benchPath() string {
	return filepath.Join(os.TempDir(), "openphone-mcp-ledger-bench",
		fmt.Sprintf("calls-%s-schema-%d.db", benchVersion, schemaVersion))
}

// buildTimes is how long a build took: the names and calls (batches of
// 500), then the transcripts (one transaction each, as the sync stores
// them).
type buildTimes struct{ calls, transcripts time.Duration }

func (t buildTimes) total() time.Duration { return t.calls + t.transcripts }

// buildLedger writes the generated workspace into a new file at path.
func buildLedger(path string, d *genData) (buildTimes, error) {
	var took buildTimes
	start := time.Now()
	s, err := OpenSQLite(bg(), path, testWorkspace)
	if err != nil {
		return took, err
	}
	defer s.Close()
	if took, err = writeGen(s, d, start); err != nil {
		return took, err
	}
	return took, s.Close()
}

// writeGen writes d into s, names, then calls 500 at a time, then
// transcripts, timing the calls from start and the transcripts after.
func writeGen(s Store, d *genData, start time.Time) (buildTimes, error) {
	var took buildTimes
	if err := s.PutNames(bg(), d.names); err != nil {
		return took, err
	}
	for i := 0; i < len(d.calls); i += 500 {
		if err := s.PutCalls(bg(), d.calls[i:min(i+500, len(d.calls))]); err != nil {
			return took, err
		}
	}
	took.calls = time.Since(start)
	start = time.Now()
	for _, t := range d.transcripts {
		if err := s.PutTranscript(bg(), t.callID, t.t); err != nil {
			return took, err
		}
	}
	took.transcripts = time.Since(start)
	return took, nil
}

// benchStore opens the 100k ledger, building it the first time.
func benchStore(b *testing.B) *SQLite {
	b.Helper()
	bench.once.Do(func() {
		d := generate(benchOptions)
		bench.calls, bench.queries = len(d.calls), benchQueries(d)
		bench.path = benchPath()
		defer runtime.GC()
		if _, err := os.Stat(bench.path); err == nil {
			return
		}
		tmp := bench.path + ".building"
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(p)
		}
		took, err := buildLedger(tmp, d)
		if err == nil {
			err = os.Rename(tmp, bench.path)
		}
		bench.err = err
		fmt.Fprintf(os.Stderr, "built the 100k ledger in %v (calls %v, transcripts %v)\n",
			took.total().Round(time.Millisecond), took.calls.Round(time.Millisecond),
			took.transcripts.Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	s, err := OpenSQLite(bg(), bench.path, testWorkspace)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// timed runs fn b.N times and reports the median of its runs.
func timed(b *testing.B, fn func()) {
	b.Helper()
	runs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		fn()
		runs = append(runs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(runs)
	b.ReportMetric(float64(runs[len(runs)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(runs[len(runs)*9/10].Microseconds())/1000, "p90-ms")
}

// callFreq is in how many calls each word of the vocabulary is said.
func callFreq(d *genData) map[string]int {
	texts := map[string][]string{}
	for _, c := range d.calls {
		if c.Summary != nil {
			texts[c.ID] = append(append(texts[c.ID], c.Summary.Summary...), c.Summary.NextSteps...)
		}
		if c.Voicemail != nil && c.Voicemail.Transcript != nil {
			texts[c.ID] = append(texts[c.ID], *c.Voicemail.Transcript)
		}
	}
	for _, t := range d.transcripts {
		for _, l := range t.t.Lines {
			texts[t.callID] = append(texts[t.callID], l.Text)
		}
	}
	freq := map[string]int{}
	for _, ts := range texts {
		seen := map[string]bool{}
		for _, t := range ts {
			for _, w := range words(t) {
				if !seen[w] {
					seen[w] = true
					freq[w]++
				}
			}
		}
	}
	return freq
}

// wordNear is the vocabulary word said in the number of calls nearest n.
func wordNear(d *genData, freq map[string]int, n int, not ...string) string {
	best := ""
	for _, w := range d.vocab {
		if freq[w] == 0 || slices.Contains(not, w) {
			continue
		}
		if best == "" || abs(freq[w]-n) < abs(freq[best]-n) {
			best = w
		}
	}
	return best
}

func abs(x int) int { return max(x, -x) }

// rareWord is the first reference number (sorted) said in a single call.
func rareWord(freq map[string]int) string {
	var refs []string
	for w, n := range freq {
		if n == 1 && len(w) == 6 && w[0] == 'q' && strings.Trim(w[1:], "0123456789") == "" {
			refs = append(refs, w)
		}
	}
	slices.Sort(refs)
	return refs[0]
}

// benchQueries are realistic queries of each kind on d.
func benchQueries(d *genData) []benchQuery {
	freq := callFreq(d)
	one := wordNear(d, freq, len(d.calls)/100)
	half1 := wordNear(d, freq, len(d.calls)/200, one)
	half2 := wordNear(d, freq, len(d.calls)/200, one, half1)
	common := wordNear(d, freq, len(d.calls)/10)
	return []benchQuery{
		{"word-1pct", one},
		{"phrase", `"the ` + common + `"`},
		{"or", half1 + " OR " + half2},
		{"two-words", common + " " + one},
		{"rare", rareWord(freq)},
		{"name", "Garcia"},
		{"word-10pct", common},
	}
}

// benchBackend is a backend's 100k ledger.
type benchBackend struct {
	name  string
	store Store
}

// benchBackends are the 100k ledgers of every backend the benchmarks
// have: SQLite, and Postgres with $OPENPHONE_TEST_POSTGRES
// (postgres_bench_test.go).
func benchBackends(b *testing.B) []benchBackend {
	out := []benchBackend{{"sqlite", benchStore(b)}}
	if pg := pgBenchStore(b); pg != nil {
		out = append(out, benchBackend{"postgres", pg})
	}
	return out
}

// BenchmarkSearch searches as search_calls does: a page of 20 hits of
// the ledger's window (the window's counts for its coverage line are
// BenchmarkCount90Days).
func BenchmarkSearch(b *testing.B) {
	backends := benchBackends(b)
	window := history.Query{After: benchOptions.end.Add(-90 * 24 * time.Hour)}
	for _, q := range bench.queries {
		for _, be := range backends {
			b.Run(q.kind+"/"+be.name, func(b *testing.B) {
				var res *SearchResult
				timed(b, func() {
					var err error
					if res, err = be.store.Search(bg(), SearchQuery{Text: q.text, Filter: window, Limit: 20}); err != nil {
						b.Fatal(err)
					}
				})
				b.ReportMetric(float64(res.Total), "hits")
				b.Logf("%s: %q, %d calls", q.kind, q.text, res.Total)
			})
		}
	}
}

// BenchmarkRead90DaysLean reads the 90 days as call_stats does: a lean
// query with voicemails, read whole by history.Read from the ledger's
// source (chunks of 4,000, the next read while one is counted).
func BenchmarkRead90DaysLean(b *testing.B) {
	q := history.Query{After: benchOptions.end.Add(-90 * 24 * time.Hour),
		Include: []string{client.IncludeVoicemail}, Lean: true}
	for _, be := range benchBackends(b) {
		b.Run(be.name, func(b *testing.B) {
			src := storeSource{store: be.store, label: SourceLocal}
			timed(b, func() {
				n, vms := 0, 0
				if _, err := history.Read(bg(), src, q, 0, func(c *history.Call) error {
					n++
					if c.Voicemail != nil {
						vms++
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				if n != bench.calls || vms == 0 {
					b.Fatalf("%d calls (%d voicemails), want %d", n, vms, bench.calls)
				}
			})
		})
	}
}

func BenchmarkRange90Days(b *testing.B) {
	q := history.Query{After: benchOptions.end.Add(-90 * 24 * time.Hour)}
	for _, be := range benchBackends(b) {
		b.Run(be.name, func(b *testing.B) {
			var n int
			timed(b, func() {
				calls, err := be.store.Range(bg(), q, nil, 0)
				if err != nil {
					b.Fatal(err)
				}
				n = len(calls)
			})
			if n != bench.calls {
				b.Fatalf("%d calls, want %d", n, bench.calls)
			}
			b.ReportMetric(float64(n), "calls")
		})
	}
}

// BenchmarkRange90DaysChunked reads the 90 days as the ledger's Source
// does: 500 calls a Range, each after the last.
func BenchmarkRange90DaysChunked(b *testing.B) {
	s := benchStore(b)
	q := history.Query{After: benchOptions.end.Add(-90 * 24 * time.Hour)}
	timed(b, func() {
		var from *history.Key
		n := 0
		for {
			calls, err := s.Range(bg(), q, from, 500)
			if err != nil {
				b.Fatal(err)
			}
			if n += len(calls); len(calls) < 500 {
				break
			}
			k := history.KeyOf(&calls[len(calls)-1].Call)
			from = &k
		}
		if n != bench.calls {
			b.Fatalf("%d calls, want %d", n, bench.calls)
		}
	})
}

func BenchmarkRangePage(b *testing.B) {
	s := benchStore(b)
	week := history.Query{After: benchOptions.end.Add(-7 * 24 * time.Hour), PhoneNumberIDs: []string{"PN00000001"}}
	for _, c := range []struct {
		name    string
		include []string
	}{{"listing", nil}, {"with-content", []string{client.IncludeSummary, client.IncludeVoicemail}}} {
		b.Run(c.name, func(b *testing.B) {
			q := week
			q.Include = c.include
			timed(b, func() {
				calls, err := s.Range(bg(), q, nil, 100)
				if err != nil || len(calls) != 100 {
					b.Fatal(len(calls), err)
				}
			})
		})
	}
}

func BenchmarkCount90Days(b *testing.B) {
	q := history.Query{After: benchOptions.end.Add(-90 * 24 * time.Hour)}
	for _, be := range benchBackends(b) {
		b.Run(be.name, func(b *testing.B) {
			timed(b, func() {
				if _, err := be.store.Count(bg(), q); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
