// The default cap on streamable HTTP sessions: sized from the memory the
// process may use (Go limit, cgroup, physical), since each session can
// hold a full event log.

package serve

import (
	"bufio"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// DefaultMaxSessions is the session cap used when Config.MaxSessions is 0:
// as many sessions as a quarter of the machine's memory (or of the memory
// limit, or the cgroup's) holds with full event logs, within 16-1024.
func DefaultMaxSessions() int {
	budget := memoryAvailable() / 4
	n := budget / (defaultSessionEventBytes + sessionCostEstimate)
	return int(min(max(n, minDefaultSessions), maxDefaultSessions))
}

// memoryAvailable is the smallest of the Go memory limit, the cgroup v2
// limit and the physical memory; 4 GiB where none can be read.
func memoryAvailable() int64 {
	avail := int64(math.MaxInt64)
	if l := debug.SetMemoryLimit(-1); l > 0 {
		avail = l
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
			avail = min(avail, n)
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if kb, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				if n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64); err == nil && n > 0 {
					avail = min(avail, n<<10)
				}
			}
		}
		_ = f.Close()
	}
	if avail == math.MaxInt64 {
		return 4 << 30
	}
	return avail
}
