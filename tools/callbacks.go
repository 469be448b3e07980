// callbacks.go: the missed-call worklist, built from a window's calls read
// newest first: the incoming calls nobody took, grouped by caller, and
// whether someone got back to each caller after their last miss (a later
// outgoing call to the number, or a later answered call from it).

package tools

import (
	"cmp"
	"slices"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// caller is one caller of the worklist.
type caller struct {
	number   string          // the other party, E.164, or "anonymous" and the like
	misses   []*history.Call // newest first
	returned *history.Call   // the first call back after the last miss
}

func (c *caller) last() *history.Call { return c.misses[0] }

// reachable reports whether the caller can be called back: a number,
// not "anonymous", "blocked", "restricted" or "unknown".
func (c *caller) reachable() bool {
	return len(c.number) > 1 && c.number[0] == '+'
}

// key is the caller's place in the worklist: by last miss, newest first.
func (c *caller) key() history.Key {
	return history.Key{At: c.last().CreatedAt, ID: cursorID(c.number)}
}

// cursorID is a caller's number as a cursor carries it (letters, digits,
// '+').
func cursorID(number string) string {
	out := make([]byte, 0, len(number))
	for i := 0; i < len(number) && len(out) < 32; i++ {
		if ch := number[i]; ch == '+' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' {
			out = append(out, ch)
		}
	}
	if len(out) == 0 {
		return "unknown"
	}
	return string(out)
}

// worklist collects the callers of a window.
type worklist struct {
	inScope  map[string]bool // the numbers whose misses count
	missEnd  time.Time       // misses at or after it are not listed (zero: none)
	callers  map[string]*caller
	contacts map[string][]*history.Call // per party, calls that reached them, newest first
}

func newWorklist(numbers []string, missEnd time.Time) *worklist {
	wl := &worklist{inScope: map[string]bool{}, missEnd: missEnd, callers: map[string]*caller{}, contacts: map[string][]*history.Call{}}
	for _, n := range numbers {
		wl.inScope[n] = true
	}
	return wl
}

// isMiss reports whether c is an incoming call nobody took.
func isMiss(c *history.Call) bool {
	return c.Direction == "incoming" && slices.Contains(missedStatuses, c.Status)
}

// returns reports whether c reached its party: a call placed to them, or
// one of theirs that was answered.
func returns(c *history.Call) bool {
	return c.Direction == "outgoing" || (c.Direction == "incoming" && connected(c))
}

// add takes the window's calls newest first.
func (wl *worklist) add(c *history.Call, party string) {
	cc := *c
	switch {
	case isMiss(c) && (wl.inScope[c.PhoneNumberID] || (c.PhoneNumberID == "" && len(wl.inScope) > 1)) &&
		(wl.missEnd.IsZero() || c.CreatedAt.Before(wl.missEnd)):
		k := wl.callers[party]
		if k == nil {
			k = &caller{number: party}
			wl.callers[party] = k
		}
		k.misses = append(k.misses, &cc)
	case returns(c):
		wl.contacts[party] = append(wl.contacts[party], &cc)
	}
}

// settle marks every caller returned or not, from the calls read.
func (wl *worklist) settle() {
	for party, k := range wl.callers {
		k.returned = firstAfter(wl.contacts[party], k.last().CreatedAt)
	}
}

// firstAfter is the oldest of calls (newest first) created after t.
func firstAfter(calls []*history.Call, t time.Time) *history.Call {
	var first *history.Call
	for _, c := range calls {
		if !c.CreatedAt.After(t) {
			break
		}
		first = c
	}
	return first
}

// sorted is the worklist in order, and how many callers were missed.
func (wl *worklist) sorted(onlyUnreturned bool) (list []*caller, missed int) {
	for _, k := range wl.callers {
		if !onlyUnreturned || k.returned == nil {
			list = append(list, k)
		}
	}
	slices.SortFunc(list, func(a, b *caller) int {
		ka, kb := a.key(), b.key()
		if ka == kb {
			return cmp.Compare(a.number, b.number)
		}
		if ka.Before(kb) {
			return -1
		}
		return 1
	})
	return list, len(wl.callers)
}
