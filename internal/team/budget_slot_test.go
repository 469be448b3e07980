package team

import (
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)

func ms(d int) time.Time { return t0.Add(time.Duration(d) * time.Millisecond) }

func TestSlot_theNextFreeSlotAndWhoMayTakeIt(t *testing.T) {
	b := NewBudgets(nil, 10, nil) // 10 in any 1.25 s, 100 ms apart
	tenFrom0 := []time.Time{ms(0), ms(100), ms(200), ms(300), ms(400), ms(500), ms(600), ms(700), ms(800), ms(900)}
	for _, c := range []struct {
		name       string
		r          ring
		background bool
		at         time.Time
		ok         bool
	}{
		{"an empty ring: now, interactive", ring{now: ms(0)}, false, ms(0), true},
		{"an empty ring: now, background", ring{now: ms(0)}, true, ms(0), true},
		{"a spacing after the last grant", ring{now: ms(50), grants: []time.Time{ms(0)}}, false, ms(100), true},
		{"background does not take a future slot", ring{now: ms(50), grants: []time.Time{ms(0)}}, true, ms(100), false},
		{"a window after the tenth last", ring{now: ms(950), grants: tenFrom0}, false, ms(1250), true},
		{"a full window holds background too", ring{now: ms(950), grants: tenFrom0}, true, ms(1250), false},
		{"free again a window after", ring{now: ms(1260), grants: tenFrom0}, true, ms(1260), true},
		{
			"background yields to a reserved interactive slot",
			ring{now: ms(0), grants: []time.Time{ms(300)}, interactiveUntil: ms(300)}, true, ms(400), false,
		},
		{
			"background yields a spacing after an interactive grant",
			ring{now: ms(550), grants: []time.Time{ms(300)}, interactiveUntil: ms(500)}, true, ms(600), false,
		},
		{
			"background takes what interactive left",
			ring{now: ms(700), grants: []time.Time{ms(500)}, interactiveUntil: ms(500)}, true, ms(700), true,
		},
		{
			"interactive reserves behind another reservation (FIFO)",
			ring{now: ms(0), grants: []time.Time{ms(300)}, interactiveUntil: ms(300)}, false, ms(400), true,
		},
	} {
		at, ok := b.slot(&c.r, c.background)
		if !at.Equal(c.at) || ok != c.ok {
			t.Errorf("%s: slot at +%v, take %v; want +%v, %v", c.name, at.Sub(t0), ok, c.at.Sub(t0), c.ok)
		}
	}
}

func TestRingGrant_keepsTheLastNAndMarksInteractive(t *testing.T) {
	r := ring{grants: []time.Time{ms(0), ms(100), ms(200)}}
	r.grant(ms(300), 3, true)
	if len(r.grants) != 3 || !r.grants[0].Equal(ms(100)) || !r.grants[2].Equal(ms(300)) {
		t.Errorf("grants %v, want the last 3 ending at +300ms", r.grants)
	}
	if !r.interactiveUntil.IsZero() {
		t.Error("a background grant moved interactiveUntil")
	}
	r.grant(ms(400), 3, false)
	if !r.interactiveUntil.Equal(ms(400)) {
		t.Errorf("interactiveUntil %v, want +400ms", r.interactiveUntil.Sub(t0))
	}
	// A rate lowered since (n smaller than the ring): trimmed to n.
	r.grant(ms(500), 2, true)
	if len(r.grants) != 2 {
		t.Errorf("%d grants kept, want 2", len(r.grants))
	}
}

func TestRingStepped_aGrantFarAheadOfTheClock(t *testing.T) {
	if (&ring{now: ms(0), grants: []time.Time{ms(30_000)}}).stepped() {
		t.Error("a queue 30 s long taken for a clock step")
	}
	if !(&ring{now: ms(0), grants: []time.Time{t0.Add(2 * time.Hour)}}).stepped() {
		t.Error("a grant two hours ahead not taken for a clock step")
	}
}

func TestNewBudgets_aRateThatIsNoRateFailsEveryTake(t *testing.T) {
	for _, r := range []float64{0, -1, 1001, math.NaN(), math.Inf(1)} {
		b := NewBudgets(nil, r, nil)
		err := b.For("k").Take(t.Context(), false)
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
