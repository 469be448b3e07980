package history_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// withGroupCalls adds calls of 3 parties, which only the dated surface
// lists, to f's workspace and its truth.
func withGroupCalls(f *fixture, n int) *fixture {
	for i := 0; i < n; i++ {
		at := f.after.Add(time.Duration(i+1) * f.before.Sub(f.after) / time.Duration(n+1))
		pn := f.numbers[i%2]
		own := f.ws.PhoneNumbers[i%2].Number
		us := "US1"
		f.ws.DatedCalls = append(f.ws.DatedCalls, client.DatedCall{
			ID: fmt.Sprintf("ACgroup%03d", i), PhoneNumberID: &pn, ActorID: "US1", Direction: "outgoing",
			Status: "completed", Duration: 60, CreatedAt: at,
			Participants: []client.CallParticipant{{PhoneNumber: own, ActorID: &us},
				{PhoneNumber: fmt.Sprintf("+1917555%04d", 2*i)}, {PhoneNumber: fmt.Sprintf("+1917555%04d", 2*i+1)}},
		})
		f.truth = append(f.truth, history.Key{At: at, ID: fmt.Sprintf("ACgroup%03d", i)})
	}
	slices.SortFunc(f.truth, func(a, b history.Key) int {
		if a.Before(b) {
			return -1
		}
		return 1
	})
	return f
}

// TestDatedCalls_PagesEveryCallOnce: the dated source lists every call of
// the window once, newest first, group calls included, in about one
// request per 50 calls with the stream kept between pages, and still
// correctly when every page is on another replica.
func TestDatedCalls_PagesEveryCallOnce(t *testing.T) {
	f := withGroupCalls(newFixture(small), 6)
	for _, n := range []int{7, 20, 50, 100} {
		api := f.api(t, nil)
		keys, _, pages := pageAll(t, history.NewDatedCalls(api, history.NewStates(0, 0)), api, f.query(), n)
		if diff := cmp.Diff(f.truth, keys); diff != "" {
			t.Fatalf("n=%d (-want +got):\n%s", n, diff)
		}
		if limit := (len(f.truth)+49)/50 + 2; api.requests() > limit {
			t.Errorf("n=%d: %d requests for %d calls in %d pages, more than ceil(calls/50)+2 = %d", n, api.requests(), len(f.truth), pages, limit)
		}
		api = f.api(t, nil)
		keys, _, _ = pageAll(t, history.NewDatedCalls(api, nil), api, f.query(), n)
		if diff := cmp.Diff(f.truth, keys); diff != "" {
			t.Fatalf("n=%d, no state (-want +got):\n%s", n, diff)
		}
	}
}

// TestDatedCalls_ExpiredCursor: a short-lived API cursor that expired
// costs a request by time, never a failed page or a lost call.
func TestDatedCalls_ExpiredCursor(t *testing.T) {
	f := newFixture(small)
	now := time.Now()
	clock := func() time.Time { return now }
	sb := sandbox.New(f.ws, sandbox.Options{CursorTTL: time.Millisecond, Now: clock})
	step := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now = now.Add(time.Second) // every request comes after the last cursor expired
		sb.ServeHTTP(w, r)
	})
	api := f.api(t, step)
	keys, _, _ := pageAll(t, history.NewDatedCalls(api, history.NewStates(0, 0)), api, f.query(), 120)
	if diff := cmp.Diff(f.truth, keys); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// TestDatedCalls_Filters: the filters reach the API and the stream gives
// exactly the matching calls.
func TestDatedCalls_Filters(t *testing.T) {
	f := newFixture(small)
	for _, tc := range []struct {
		name  string
		set   func(*history.Query)
		match func(*client.Call) bool
	}{
		{"missed", func(q *history.Query) { q.Statuses = []string{"missed", "no-answer", "abandoned"} },
			func(c *client.Call) bool {
				return slices.Contains([]string{"missed", "no-answer", "abandoned"}, c.Status)
			}},
		{"one status", func(q *history.Query) { q.Statuses = []string{"completed"} }, func(c *client.Call) bool { return c.Status == "completed" }},
		{"outgoing on PN2", func(q *history.Query) { q.Direction, q.PhoneNumberIDs = "outgoing", []string{"PN2"} },
			func(c *client.Call) bool { return c.Direction == "outgoing" && c.PhoneNumberID == "PN2" }},
	} {
		q := f.query()
		tc.set(&q)
		api := f.api(t, nil)
		keys, _, _ := pageAll(t, history.NewDatedCalls(api, history.NewStates(0, 0)), api, q, 40)
		checkFiltered(t, tc.name, f, keys, tc.match)
	}
}

// TestDatedCalls_Call: a dated call arrives in the engine's shape: its
// other party, every party of a group call, its actor.
func TestDatedCalls_Call(t *testing.T) {
	f := withGroupCalls(newFixture(small), 1)
	api := f.api(t, nil)
	q := f.query()
	q.Direction = "outgoing"
	var calls []history.Call
	for from := (*history.Cursor)(nil); ; {
		res, err := history.Page(context.Background(), history.NewDatedCalls(api, nil), q, history.Scope{}, from, 100)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, res.Calls...)
		if from = res.Next; from == nil {
			break
		}
	}
	var group, single *history.Call
	for i := range calls {
		if c := &calls[i]; c.ID == "ACgroup000" {
			group = c
		} else if single == nil {
			single = c
		}
	}
	if group == nil || single == nil {
		t.Fatalf("calls missing: group %v, 1:1 %v", group, single)
	}
	if len(group.Parties) != 2 || group.Participant != group.Parties[0] || group.ActorID != "US1" || group.UserID != "US1" {
		t.Errorf("group call: %+v", group)
	}
	if len(single.Parties) != 0 || single.Participant == "" || single.PhoneNumberID == "" {
		t.Errorf("1:1 call: %+v", single)
	}
}

// TestDatedCalls_TiesAcrossAPIPages: an API that orders calls of the same
// instant otherwise than this listing (here: by id ascending), across its
// pages, still has every call listed once and in order: calls of a page's
// oldest instant wait for the next page.
func TestDatedCalls_TiesAcrossAPIPages(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	pn := "PN1"
	var all []client.DatedCall
	var want []history.Key
	for i := 0; i < 120; i++ {
		t := at
		if i >= 110 {
			t = at.Add(-time.Minute)
		}
		id := fmt.Sprintf("AC%03d", i)
		all = append(all, client.DatedCall{ID: id, PhoneNumberID: &pn, CreatedAt: t, Direction: "incoming", Status: "completed",
			Participants: []client.CallParticipant{{PhoneNumber: "+16465550100"}}})
		want = append(want, history.Key{At: t, ID: id})
	}
	slices.SortFunc(want, func(a, b history.Key) int {
		if a.Before(b) {
			return -1
		}
		return 1
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		off := 0
		fmt.Sscan(r.URL.Query().Get("after"), &off)
		end := min(off+50, len(all))
		page := client.DatedCallPage{Data: all[off:end]}
		if end < len(all) {
			next := fmt.Sprint(end)
			page.NextCursor = &next
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(page)
	})
	f := newFixture(small)
	api := f.api(t, h)
	q := history.Query{After: at.Add(-time.Hour), Before: at.Add(time.Hour), PhoneNumberIDs: []string{"PN1"}}
	keys, _, _ := pageAll(t, history.NewDatedCalls(api, history.NewStates(0, 0)), api, q, 30)
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
