package sandbox

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

func TestRateWindow_admitsCeilRateInAnySecond(t *testing.T) {
	var r rollingLimits
	t0 := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	// 2.5/s: three in a second, all at once.
	for i := range 3 {
		if _, ok := r.allow("k", 2.5, at(time.Duration(i)*time.Millisecond)); !ok {
			t.Fatalf("request %d of the first three refused", i)
		}
	}
	// A token bucket of burst 3 at 2.5/s would admit this one (a token
	// refilled by 400 ms); the window holds three already.
	wait, ok := r.allow("k", 2.5, at(500*time.Millisecond))
	if ok {
		t.Fatal("a fourth request within the second was admitted")
	}
	if wait != 500*time.Millisecond {
		t.Errorf("wait %v, want 500ms (until the first leaves the window)", wait)
	}
	if _, ok := r.allow("k", 2.5, at(999*time.Millisecond)); ok {
		t.Fatal("a fourth request 999 ms after the first was admitted")
	}
	// The refused ones did not count: one second after the first, one
	// place is free, and only one.
	if _, ok := r.allow("k", 2.5, at(time.Second)); !ok {
		t.Fatal("refused one second after the first")
	}
	if _, ok := r.allow("k", 2.5, at(time.Second)); ok {
		t.Fatal("two admitted when one place was free")
	}
	if _, ok := r.allow("other", 2.5, at(time.Second)); !ok {
		t.Error("another key shares the window")
	}
}

func TestRateWindow_overHTTPAnswersTheSame429AndLogsArrivals(t *testing.T) {
	s, srv := startServer(t, demo(t), Options{RateLimit: 2, RateWindow: true, LogArrivals: true})
	for i := range 2 {
		if status, _, b := get(t, srv, "k1", "/v1/phone-numbers"); status != 200 {
			t.Fatalf("request %d: %d %s", i, status, b)
		}
	}
	status, hdr, b := get(t, srv, "k1", "/v1/calls/ACx")
	var e errBody
	_ = json.Unmarshal(b, &e)
	if status != 429 || e.Code != "0100429" || e.Status != 429 || e.Title != "Too Many Requests" {
		t.Errorf("429 body: %d %s", status, b)
	}
	if ra, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || ra != 1 {
		t.Errorf("Retry-After %q, want 1 (under a second to wait, rounded up)", hdr.Get("Retry-After"))
	}
	if status, _, _ := get(t, srv, "k2", "/v1/phone-numbers"); status != 200 {
		t.Errorf("another key: %d", status)
	}
	if s.Throttled() != 1 {
		t.Errorf("Throttled = %d, want 1", s.Throttled())
	}
	if got := len(s.Arrivals("k1")); got != 3 {
		t.Errorf("%d arrivals of k1 logged, want 3 (the refused one too)", got)
	}
	if got := len(s.Arrivals("k2")); got != 1 {
		t.Errorf("%d arrivals of k2 logged, want 1", got)
	}
}

func TestArrivals_emptyUnlessLogged(t *testing.T) {
	s, srv := startServer(t, demo(t), Options{})
	get(t, srv, "k1", "/v1/phone-numbers")
	if got := s.Arrivals("k1"); len(got) != 0 {
		t.Errorf("%d arrivals logged without LogArrivals", len(got))
	}
}

func TestMostInWindow(t *testing.T) {
	t0 := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	ms := func(ds ...int) []time.Time {
		var out []time.Time
		for _, d := range ds {
			out = append(out, t0.Add(time.Duration(d)*time.Millisecond))
		}
		return out
	}
	for _, c := range []struct {
		name string
		at   []time.Time
		want int
	}{
		{"none", nil, 0},
		{"one", ms(0), 1},
		{"a second apart", ms(0, 1000, 2000), 1},
		{"just under a second", ms(0, 999), 2},
		{"the busiest span in the middle", ms(0, 500, 1400, 1450, 1499, 2600), 4},
	} {
		if got := MostInWindow(c.at, time.Second); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
