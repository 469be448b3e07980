package team

import (
	"math"
	"strings"
	"testing"
	"time"
)

// us is d milliseconds as the record's microseconds.
func us(d int) int64 { return int64(d) * 1000 }

func TestDecide_aPlaceOnlyWhileFewerThanNCount(t *testing.T) {
	window := int(budgetWindow.Milliseconds())
	inFlight := func(tokens ...int64) []entry {
		var es []entry
		for i, tok := range tokens {
			es = append(es, entry{token: tok, granted: us(i * 10)})
		}
		return es
	}
	for _, c := range []struct {
		name       string
		r          record
		background bool
		granted    bool
		wait       time.Duration // when not granted
	}{
		{"an empty record: interactive", record{now: us(0)}, false, true, 0},
		{"an empty record: background", record{now: us(0)}, true, true, 0},
		{"three in flight of three: a request in flight holds its place", record{now: us(5000), entries: inFlight(1, 2, 3)}, false, false,
			(inFlightLimit + budgetWindow - 5*time.Second)},
		{
			"full, one answered 100 ms ago: its place frees a window after its answer",
			record{now: us(1000), entries: []entry{{1, us(0), us(900)}, {2, us(10), 0}, {3, us(20), 0}}}, false, false,
			budgetWindow - 100*time.Millisecond,
		},
		{
			"an answer a window ago no longer counts",
			record{now: us(900 + window), entries: []entry{{1, us(0), us(900)}, {2, us(10), 0}, {3, us(20), 0}}}, false, true, 0,
		},
		{
			"a request in flight past the limit no longer counts (its replica died)",
			record{now: us(int(inFlightLimit.Milliseconds()) + window + 1), entries: inFlight(1, 2, 3)}, false, true, 0,
		},
		{"background stays out while an interactive request waits", record{now: us(0), waitingUntil: us(40)}, true, false, 40 * time.Millisecond},
		{"interactive goes in while another interactive request waits", record{now: us(0), waitingUntil: us(40)}, false, true, 0},
		{"background goes in once the wait is over", record{now: us(41), waitingUntil: us(40)}, true, true, 0},
	} {
		r := c.r
		wait, granted, _ := decide(&r, 3, 0, 99, c.background)
		if granted != c.granted || (!granted && wait != c.wait) {
			t.Errorf("%s: granted %v, wait %v; want %v, %v", c.name, granted, wait, c.granted, c.wait)
		}
		if granted && (len(r.entries) == 0 || r.entries[len(r.entries)-1].token != 99 || r.entries[len(r.entries)-1].finished != 0) {
			t.Errorf("%s: the grant is not recorded in flight: %+v", c.name, r.entries)
		}
		if !granted && !c.background && r.waitingUntil <= r.now {
			t.Errorf("%s: an interactive request waits unmarked", c.name)
		}
	}
}

// Two requests that hold the same place arrive at least a window apart
// whatever their delays, since the second is granted only a window after
// the first one's answer, which came after its arrival.
func TestDecide_aPlaceIsHeldFromGrantToAWindowAfterTheAnswer(t *testing.T) {
	r := record{now: us(0)}
	if _, ok, _ := decide(&r, 1, 0, 1, false); !ok {
		t.Fatal("no place in an empty record")
	}
	r.now = us(700) // sent late, answered at 700 ms
	if !r.finish(1) || r.finish(1) {
		t.Fatal("finish: the first report should count, the second not")
	}
	r.now = us(700 + int(budgetWindow.Milliseconds()) - 1)
	if _, ok, _ := decide(&r, 1, 0, 2, false); ok {
		t.Error("a place granted less than a window after the answer")
	}
	r.now = us(700 + int(budgetWindow.Milliseconds()))
	if _, ok, _ := decide(&r, 1, 0, 2, false); !ok {
		t.Error("no place a window after the answer")
	}
}

func TestNewBudgets_aRateThatIsNoRateFailsEveryTake(t *testing.T) {
	for _, r := range []float64{0, -1, 1001, math.NaN(), math.Inf(1)} {
		b := NewBudgets(nil, r, nil)
		_, err := b.For("k").Take(t.Context(), false)
		if err == nil || !strings.Contains(err.Error(), "such as 10") {
			t.Errorf("rate %v: %v, want a sentence with a good value", r, err)
		}
	}
}

func TestKeyID_namesAKeyWithoutIt(t *testing.T) {
	const key = "opk_MARKER_3f9c2a7e5d"
	id := KeyID(key)
	if strings.Contains(id, key) || strings.Contains(id, "MARKER") {
		t.Errorf("KeyID %q shows the key", id)
	}
	if KeyID(key+"\n") != id {
		t.Error("a trailing newline names another budget (client.New drops it)")
	}
	if KeyID("other") == id {
		t.Error("two keys share a budget")
	}
}

func TestDecide_grantsAreSpacedAndAnInteractiveGrantHoldsBackgroundASpacing(t *testing.T) {
	r := record{now: us(0)}
	if _, ok, _ := decide(&r, 10, 100*time.Millisecond, 1, false); !ok {
		t.Fatal("no place in an empty record")
	}
	r.now = us(50)
	if wait, ok, _ := decide(&r, 10, 100*time.Millisecond, 2, false); ok || wait != 50*time.Millisecond {
		t.Errorf("a grant 50 ms after the last: granted %v, wait %v; want a wait of 50ms", ok, wait)
	}
	r = record{now: us(0)}
	decide(&r, 10, 100*time.Millisecond, 1, false)
	r.now = us(50)
	if wait, ok, _ := decide(&r, 10, 100*time.Millisecond, 2, true); ok || wait != 50*time.Millisecond || r.waitingUntil != us(100) {
		t.Errorf("background 50 ms after an interactive grant: granted %v, wait %v, held until %d; want held out until +100ms",
			ok, wait, r.waitingUntil)
	}
	r.now = us(100)
	if _, ok, _ := decide(&r, 10, 100*time.Millisecond, 2, true); !ok {
		t.Error("background not granted once the spacing after the interactive grant is over and nobody waits")
	}
}
