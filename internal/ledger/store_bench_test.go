// Benchmarks of the SQLite store on a generated ledger of 100,000 calls
// over 90 days (3 numbers, 6 users, 2,000 named parties, ~65% answered
// with a summary and a transcript, ~10% voicemails): Search by kind of
// query (p50 reported), Range of the whole 90 days, a page of 100, Count,
// opening (and the listing's memory per call), and the build itself. The
// ledger is built once into the temp dir and reused by later runs
// (benchVersion names it); BenchmarkBuild always builds a fresh one.
//
//	go test ./internal/ledger -run '^$' -bench . -benchtime 20x

package ledger

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
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
	return took, s.Close()
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

func BenchmarkSearch(b *testing.B) {
	s := benchStore(b)
	for _, q := range bench.queries {
		b.Run(q.kind, func(b *testing.B) {
			var res *SearchResult
			timed(b, func() {
				var err error
				if res, err = s.Search(bg(), SearchQuery{Text: q.text, Limit: 20}); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(res.Total), "hits")
			b.Logf("%s: %q, %d calls", q.kind, q.text, res.Total)
		})
	}
}

func BenchmarkRange90Days(b *testing.B) {
	s := benchStore(b)
	q := history.Query{After: benchOptions.end.Add(-90 * 24 * time.Hour)}
	var n int
	timed(b, func() {
		calls, err := s.Range(bg(), q, nil, 0)
		if err != nil {
			b.Fatal(err)
		}
		n = len(calls)
	})
	if n != bench.calls {
		b.Fatalf("%d calls, want %d", n, bench.calls)
	}
	b.ReportMetric(float64(n), "calls")
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
	s := benchStore(b)
	q := history.Query{After: benchOptions.end.Add(-90 * 24 * time.Hour)}
	timed(b, func() {
		if _, err := s.Count(bg(), q); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkOpen opens the 100k ledger: its time, and the memory the
// listing takes: Go heap after a GC here, and the RSS that an open adds
// to a fresh process (TestOpenRSS run as a child: this process's RSS is
// the generator's).
func BenchmarkOpen(b *testing.B) {
	benchStore(b).Close()
	var heap float64
	timed(b, func() {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		s, err := OpenSQLite(bg(), bench.path, testWorkspace)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc) - float64(before.HeapAlloc)
		runtime.KeepAlive(s)
		s.Close()
		b.StartTimer()
	})
	b.ReportMetric(heap/float64(bench.calls), "heap-B/call")
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenRSS$", "-test.v")
	cmd.Env = append(os.Environ(), "LEDGER_RSS_PATH="+bench.path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%v: %s", err, out)
	}
	if _, v, ok := strings.Cut(string(out), "rss-added="); ok {
		added, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
		b.ReportMetric(added/float64(bench.calls), "rss-B/call")
	}
}

// TestOpenRSS, run by BenchmarkOpen, says how much RSS opening the ledger
// at $LEDGER_RSS_PATH adds to this process once the load's garbage is
// returned: the listing, SQLite's caches, the runtime's own.
func TestOpenRSS(t *testing.T) {
	path := os.Getenv("LEDGER_RSS_PATH")
	if path == "" {
		t.Skip("run by BenchmarkOpen")
	}
	before := rssBytes()
	s, err := OpenSQLite(bg(), path, testWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	debug.FreeOSMemory() // the load's garbage gone back: what stays
	t.Logf("rss-added=%d", rssBytes()-before)
}

// rssBytes is the process's resident set, from /proc (0 elsewhere).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkBuild builds a fresh 100k ledger: names, calls in batches of
// 500, then each transcript as the sync stores it (run it -benchtime 1x).
func BenchmarkBuild(b *testing.B) {
	d := generate(benchOptions)
	for i := range b.N {
		path := filepath.Join(b.TempDir(), fmt.Sprintf("build%d.db", i))
		took, err := buildLedger(path, d)
		if err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(took.total().Seconds(), "build-s")
		b.ReportMetric(took.calls.Seconds(), "calls-s")
		b.ReportMetric(took.transcripts.Seconds(), "transcripts-s")
		b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
		b.ReportMetric(float64(fi.Size())/float64(len(d.calls)), "file-B/call")
	}
}
