package history_test

import (
	"testing"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// busy is the scale issue 10 measures: 5,000 conversations, 1,000 of them
// active in a dense 7-day window.
var busy = shape{conversations: 5000, active: 1000, groups: 10, heavy: 10, days: 7, seed: 10}

// BenchmarkV1Walk_Window pages through every call of the busy window, 20
// calls a page (recent_calls' default), with the walk state kept between
// pages. Figures: requests over the floor (the fewest requests that list
// the window: every 1:1 conversation's calls once, 100 a request, and the
// conversation list down to the window's start), and the most requests of
// one page (at 10 requests per second, seconds = requests / 10).
func BenchmarkV1Walk_Window(b *testing.B) {
	f := newFixture(busy)
	b.ResetTimer()
	for b.Loop() {
		api := f.api(b, nil)
		keys, maxPage, pages := pageAll(b, history.NewV1Walk(api, history.NewStates(0, 0)), api, f.query(), 20)
		if len(keys) != len(f.truth) {
			b.Fatalf("%d calls listed, want %d", len(keys), len(f.truth))
		}
		b.ReportMetric(float64(api.requests()), "requests")
		b.ReportMetric(float64(f.floor), "floor")
		b.ReportMetric(float64(api.requests())/float64(f.floor), "x-floor")
		b.ReportMetric(float64(maxPage), "max-page-requests")
		b.ReportMetric(float64(pages), "pages")
		b.ReportMetric(float64(len(keys)), "calls")
	}
}

// BenchmarkV1Walk_WindowWithoutState is the same walk when no page finds
// the state of the one before (every page on another replica): each page
// lists again every conversation active since its cursor. Slow by design;
// run it with -benchtime=1x.
func BenchmarkV1Walk_WindowWithoutState(b *testing.B) {
	f := newFixture(busy)
	b.ResetTimer()
	for b.Loop() {
		api := f.api(b, nil)
		keys, maxPage, pages := pageAll(b, history.NewV1Walk(api, nil), api, f.query(), 20)
		if len(keys) != len(f.truth) {
			b.Fatalf("%d calls listed, want %d", len(keys), len(f.truth))
		}
		b.ReportMetric(float64(api.requests()), "requests")
		b.ReportMetric(float64(api.requests())/float64(f.floor), "x-floor")
		b.ReportMetric(float64(maxPage), "max-page-requests")
		b.ReportMetric(float64(pages), "pages")
	}
}

// TestV1Walk_BusyWindowWithinTheFloor is the benchmark's guarantee as a
// test, on the same 5,000 conversations: every call once, at most 1.2 x
// the floor in requests, and no page over 300 requests (30 s at 10/s).
func TestV1Walk_BusyWindowWithinTheFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 conversations")
	}
	f := newFixture(busy)
	api := f.api(t, nil)
	keys, maxPage, pages := pageAll(t, history.NewV1Walk(api, history.NewStates(0, 0)), api, f.query(), 20)
	if len(keys) != len(f.truth) {
		t.Fatalf("%d calls listed, want %d", len(keys), len(f.truth))
	}
	for i := range keys {
		if keys[i] != f.truth[i] {
			t.Fatalf("call %d is %v, want %v", i, keys[i], f.truth[i])
		}
	}
	if got := api.requests(); got*10 > f.floor*12 {
		t.Errorf("%d requests for a floor of %d (%.2fx)", got, f.floor, float64(got)/float64(f.floor))
	}
	if maxPage > 300 {
		t.Errorf("a page made %d requests (over 30 s at 10 per second)", maxPage)
	}
	t.Logf("%d calls in %d pages: %d requests, floor %d (%.3fx), at most %d a page",
		len(keys), pages, api.requests(), f.floor, float64(api.requests())/float64(f.floor), maxPage)
}
