// The SQLite store's own benchmarks on the 100k ledger of
// store_bench_test.go: opening it (its time, and the listing's memory per
// call), and building a fresh one.
//
//	go test ./internal/ledger -run '^$' -bench 'Open|Build' -benchtime 1x

package ledger

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

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
