package history_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

var small = shape{conversations: 300, active: 120, groups: 3, heavy: 2, days: 7, seed: 1}

// TestV1Walk_PagesEveryCallOnce: paging through a window lists exactly its
// calls, each once, newest first, for page sizes from 1 to 100; with the
// walk state kept, within 1.2 times the fewest requests that can list it.
func TestV1Walk_PagesEveryCallOnce(t *testing.T) {
	f := newFixture(small)
	for _, n := range []int{1, 7, 20, 100} {
		api := f.api(t, nil)
		keys, _, pages := pageAll(t, history.NewV1Walk(api, history.NewStates(0, 0)), api, f.query(), n)
		if diff := cmp.Diff(f.truth, keys); diff != "" {
			t.Fatalf("n=%d: the calls listed differ from the window's (-want +got):\n%s", n, diff)
		}
		if want := (len(f.truth) + n - 1) / n; pages != want {
			t.Errorf("n=%d: %d pages, want %d", n, pages, want)
		}
		if got, limit := api.requests(), f.floor*12/10; got > limit {
			t.Errorf("n=%d: %d requests, more than 1.2 x the floor of %d", n, got, f.floor)
		}
	}
}

// TestV1Walk_WalksAgainWithoutState: a cursor whose state is gone (another
// replica, none kept, another client) still resumes exactly after its call.
func TestV1Walk_WalksAgainWithoutState(t *testing.T) {
	// Small: each page walks again every conversation active since its
	// cursor, so paging a window this way costs pages x conversations.
	f := newFixture(shape{conversations: 90, active: 40, groups: 2, heavy: 1, days: 7, seed: 2})
	api := f.api(t, nil)
	keys, _, _ := pageAll(t, history.NewV1Walk(api, nil), api, f.query(), 25)
	if diff := cmp.Diff(f.truth, keys); diff != "" {
		t.Fatalf("without state (-want +got):\n%s", diff)
	}

	// Each page on a new walker: its states are another replica's.
	var from *history.Cursor
	var got []history.Key
	resumed := map[string]int{}
	for {
		res, err := history.Page(context.Background(), history.NewV1Walk(api, history.NewStates(0, 0)), f.query(), history.Scope{}, from, 40)
		if err != nil {
			t.Fatal(err)
		}
		resumed[res.Coverage.Resumed]++
		for _, c := range res.Calls {
			got = append(got, history.KeyOf(&c.Call))
		}
		if from = res.Next; from == nil {
			break
		}
	}
	if diff := cmp.Diff(f.truth, got); diff != "" {
		t.Fatalf("across replicas (-want +got):\n%s", diff)
	}
	if resumed["state"] != 0 || resumed["rewalk"] == 0 {
		t.Errorf("resumed %v: want only walks again", resumed)
	}
}

// TestV1Walk_StateIsTheClients: a walk state is resumed only by the client
// that listed it; the same cursor from another client walks again.
func TestV1Walk_StateIsTheClients(t *testing.T) {
	f := newFixture(small)
	states := history.NewStates(0, 0)
	a, b := f.api(t, nil), f.api(t, nil)
	first, err := history.Page(context.Background(), history.NewV1Walk(a, states), f.query(), history.Scope{}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if first.Next == nil || first.Next.State.IsZero() || states.Len() != 1 {
		t.Fatalf("no state kept: next %+v, %d states", first.Next, states.Len())
	}
	other, err := history.Page(context.Background(), history.NewV1Walk(b, states), f.query(), history.Scope{}, first.Next, 10)
	if err != nil {
		t.Fatal(err)
	}
	if other.Coverage.Resumed != "rewalk" {
		t.Errorf("another client resumed the state: %q", other.Coverage.Resumed)
	}
	same, err := history.Page(context.Background(), history.NewV1Walk(a, states), f.query(), history.Scope{}, first.Next, 10)
	if err != nil {
		t.Fatal(err)
	}
	if same.Coverage.Resumed != "state" {
		t.Errorf("its own client did not resume the state: %q", same.Coverage.Resumed)
	}
	if diff := cmp.Diff(keysOf(other.Calls), keysOf(same.Calls)); diff != "" {
		t.Errorf("the two resumptions differ (-other +same):\n%s", diff)
	}
	// Taken once: the same cursor again walks again, and still agrees.
	again, err := history.Page(context.Background(), history.NewV1Walk(a, states), f.query(), history.Scope{}, first.Next, 10)
	if err != nil {
		t.Fatal(err)
	}
	if again.Coverage.Resumed != "rewalk" || !cmp.Equal(keysOf(again.Calls), keysOf(same.Calls)) {
		t.Errorf("a second use of a cursor: resumed %q, calls equal %v", again.Coverage.Resumed, cmp.Equal(keysOf(again.Calls), keysOf(same.Calls)))
	}
}

func keysOf(calls []history.Call) []history.Key {
	var out []history.Key
	for _, c := range calls {
		out = append(out, history.KeyOf(&c.Call))
	}
	return out
}

// TestV1Walk_FirstPageIsCheap: the first page of a busy window lists only
// the conversations whose calls can reach it, not the window.
func TestV1Walk_FirstPageIsCheap(t *testing.T) {
	f := newFixture(small)
	api := f.api(t, nil)
	res, err := history.Page(context.Background(), history.NewV1Walk(api, nil), f.query(), history.Scope{}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.truth[:10], keysOf(res.Calls)); diff != "" {
		t.Fatalf("first page (-want +got):\n%s", diff)
	}
	if got := api.requests(); got > 30 {
		t.Errorf("the first page of 10 calls made %d requests (the window's floor is %d)", got, f.floor)
	}
}

// TestV1Walk_Groups: group conversations active in the window are reported,
// each once over the pages, and their calls are never listed.
func TestV1Walk_Groups(t *testing.T) {
	f := newFixture(small)
	api := f.api(t, nil)
	w := history.NewV1Walk(api, history.NewStates(0, 0))
	var from *history.Cursor
	seen := map[string]int{}
	for {
		res, err := history.Page(context.Background(), w, f.query(), history.Scope{}, from, 30)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range res.Coverage.Groups {
			seen[g.ID]++
		}
		if from = res.Next; from == nil {
			break
		}
	}
	if len(seen) != small.groups {
		t.Errorf("%d group conversations reported, want %d: %v", len(seen), small.groups, seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("group %s reported %d times", id, n)
		}
	}
}

// TestV1Walk_UserAndNumber: the filters reach the API and the stream.
func TestV1Walk_UserAndNumber(t *testing.T) {
	f := newFixture(small)
	var users, numbers atomic.Int64
	h := sandbox.New(f.ws, sandbox.Options{})
	spy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if strings.HasPrefix(r.URL.Path, "/v1/calls") && q.Get("userId") == "US1" {
			users.Add(1)
		}
		if strings.HasPrefix(r.URL.Path, "/v1/conversations") && q.Get("phoneNumbers") == "PN2" && len(q["phoneNumbers"]) == 1 {
			numbers.Add(1)
		}
		h.ServeHTTP(w, r)
	})
	api := f.api(t, spy)
	q := f.query()
	q.PhoneNumberIDs, q.UserID = []string{"PN2"}, "US1"
	keys, _, _ := pageAll(t, history.NewV1Walk(api, history.NewStates(0, 0)), api, q, 50)
	var want []history.Key
	for _, k := range f.truth {
		if callOf(f, k.ID).PhoneNumberID == "PN2" {
			want = append(want, k)
		}
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Fatalf("PN2 only (-want +got):\n%s", diff)
	}
	if users.Load() == 0 || numbers.Load() == 0 {
		t.Errorf("filters not sent: %d calls requests with userId, %d conversation pages for PN2", users.Load(), numbers.Load())
	}
}

func callOf(f *fixture, id string) *client.Call {
	for i := range f.ws.Calls {
		if f.ws.Calls[i].ID == id {
			return &f.ws.Calls[i]
		}
	}
	return nil
}

// TestV1Walk_Errors: an API failure ends the page with the API's error,
// and an API that repeats its page token is stopped.
func TestV1Walk_Errors(t *testing.T) {
	f := newFixture(small)
	h := sandbox.New(f.ws, sandbox.Options{})
	var n atomic.Int64
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/calls") && n.Add(1) == 3 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	})
	api := f.api(t, failing)
	_, err := history.Page(context.Background(), history.NewV1Walk(api, nil), f.query(), history.Scope{}, nil, 100)
	if !client.IsStatus(err, http.StatusInternalServerError) {
		t.Errorf("got %v, want the API's 500", err)
	}

	// An API that hands back the token it was asked for (or "again").
	now := f.before.Add(-time.Minute)
	loop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("pageToken")
		if tok == "" {
			tok = "again"
		}
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/v1/conversations") {
			_ = json.NewEncoder(w).Encode(client.ConversationPage{NextPageToken: &tok, Data: []client.Conversation{
				{ID: "CN1", PhoneNumberID: "PN1", Participants: []string{"+16465550100"}, LastActivityAt: &now}}})
			return
		}
		_ = json.NewEncoder(w).Encode(client.CallPage{NextPageToken: &tok, Data: []client.Call{
			{ID: "AC1", PhoneNumberID: "PN1", Participants: []string{"+16465550100", "+14155550100"}, CreatedAt: now}}})
	})
	api = f.api(t, loop)
	q := f.query()
	q.After = f.before.Add(-time.Hour)
	_, err = history.Page(context.Background(), history.NewV1Walk(api, nil), q, history.Scope{}, nil, 100)
	if !errors.Is(err, client.ErrRepeatedPageToken) {
		t.Errorf("got %v, want client.ErrRepeatedPageToken", err)
	}
}

// TestV1Walk_Cancelled: a cancelled context ends the walk with its error.
func TestV1Walk_Cancelled(t *testing.T) {
	f := newFixture(small)
	api := f.api(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := history.Page(ctx, history.NewV1Walk(api, nil), f.query(), history.Scope{}, nil, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestV1Walk_NewActivityBetweenPages: a conversation that moves to the top
// of the list with new activity between two pages still has every one of
// its older calls listed, once (the walk reads the list as one snapshot).
func TestV1Walk_NewActivityBetweenPages(t *testing.T) {
	f := newFixture(small)
	var current atomic.Pointer[sandbox.Server]
	current.Store(sandbox.New(f.ws, sandbox.Options{}))
	api := f.api(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { current.Load().ServeHTTP(w, r) }))
	for _, states := range []*history.States{history.NewStates(0, 0), nil} {
		src := history.NewV1Walk(api, states)
		first, err := history.Page(context.Background(), src, f.query(), history.Scope{}, nil, 15)
		if err != nil {
			t.Fatal(err)
		}
		// The active conversation last in the list, with calls, gets a call
		// newer than any other: it moves from the list's second page to the
		// top of its first.
		moved := *f.ws
		moved.Conversations = slices.Clone(f.ws.Conversations)
		var target *client.Conversation
		for i := range moved.Conversations {
			c := &moved.Conversations[i]
			if len(c.Participants) == 1 && c.LastActivityAt.After(f.after) && hasCalls(f, c) &&
				(target == nil || c.LastActivityAt.Before(*target.LastActivityAt)) {
				target = c
			}
		}
		newest := f.before.Add(-time.Millisecond)
		target.LastActivityAt = &newest
		moved.Calls = append(slices.Clone(f.ws.Calls), client.Call{ID: "ACnew", PhoneNumberID: target.PhoneNumberID,
			Participants: []string{target.Participants[0], "+1415555010" + target.PhoneNumberID[2:]}, CreatedAt: newest, Status: "completed"})
		current.Store(sandbox.New(&moved, sandbox.Options{}))

		keys := keysOf(first.Calls)
		for from := first.Next; from != nil; {
			res, err := history.Page(context.Background(), src, f.query(), history.Scope{}, from, 15)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, keysOf(res.Calls)...)
			from = res.Next
		}
		if diff := cmp.Diff(f.truth, keys); diff != "" {
			t.Errorf("states %v: (-want +got):\n%s", states != nil, diff)
		}
		current.Store(sandbox.New(f.ws, sandbox.Options{}))
	}
}

func hasCalls(f *fixture, c *client.Conversation) bool {
	for _, k := range f.truth {
		if call := callOf(f, k.ID); call.PhoneNumberID == c.PhoneNumberID && slices.Contains(call.Participants, c.Participants[0]) {
			return true
		}
	}
	return false
}

// TestV1Walk_TwoConversationsOfAPair: GET /v1/calls lists by (number,
// other party), so a second conversation of a pair (say, one deleted and
// started again) adds no request and no call twice.
func TestV1Walk_TwoConversationsOfAPair(t *testing.T) {
	f := newFixture(small)
	want := newFixture(small)
	for i := range f.ws.Conversations {
		c := f.ws.Conversations[i]
		if len(c.Participants) == 1 && c.LastActivityAt.After(f.after) && hasCalls(f, &c) {
			c.ID += "b"
			f.ws.Conversations = append(f.ws.Conversations, c)
			break
		}
	}
	api, base := f.api(t, nil), want.api(t, nil)
	keys, _, _ := pageAll(t, history.NewV1Walk(api, history.NewStates(0, 0)), api, f.query(), 30)
	wantKeys, _, _ := pageAll(t, history.NewV1Walk(base, history.NewStates(0, 0)), base, want.query(), 30)
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("(-without the copy +with it):\n%s", diff)
	}
	if api.calls.Load() != base.calls.Load() {
		t.Errorf("%d calls requests with the second conversation, %d without", api.calls.Load(), base.calls.Load())
	}
}

// TestV1Walk_Filters: statuses, direction and the other party narrow the
// stream to exactly the calls of the window that match, in order.
func TestV1Walk_Filters(t *testing.T) {
	f := newFixture(small)
	party := ""
	for _, k := range f.truth {
		party = callOf(f, k.ID).Participants[0] // the oldest call's party: one with calls
	}
	for _, tc := range []struct {
		name  string
		set   func(*history.Query)
		match func(*client.Call) bool
	}{
		{"missed", func(q *history.Query) { q.Statuses = []string{"missed", "no-answer", "abandoned"} },
			func(c *client.Call) bool {
				return c.Status == "missed" || c.Status == "no-answer" || c.Status == "abandoned"
			}},
		{"outgoing", func(q *history.Query) { q.Direction = "outgoing" }, func(c *client.Call) bool { return c.Direction == "outgoing" }},
		{"participant", func(q *history.Query) { q.Participant = party }, func(c *client.Call) bool { return c.Participants[0] == party }},
		{"incoming completed", func(q *history.Query) { q.Direction, q.Statuses = "incoming", []string{"completed"} },
			func(c *client.Call) bool { return c.Direction == "incoming" && c.Status == "completed" }},
	} {
		q := f.query()
		tc.set(&q)
		api := f.api(t, nil)
		keys, _, _ := pageAll(t, history.NewV1Walk(api, history.NewStates(0, 0)), api, q, 9)
		checkFiltered(t, tc.name, f, keys, tc.match)
	}
}

// TestV1Walk_HalfOpenWindow: a call created exactly at the window's start
// is in it, one created exactly at its end is not, so consecutive windows
// never count a call twice.
func TestV1Walk_HalfOpenWindow(t *testing.T) {
	f := newFixture(small)
	at := f.truth[len(f.truth)/2].At
	early, late := f.query(), f.query()
	early.Before, late.After = at, at
	api := f.api(t, nil)
	a, _, _ := pageAll(t, history.NewV1Walk(api, nil), api, late, 50)
	b, _, _ := pageAll(t, history.NewV1Walk(api, nil), api, early, 50)
	if diff := cmp.Diff(f.truth, append(a, b...)); diff != "" {
		t.Errorf("two windows that meet at %s (-whole +split):\n%s", at, diff)
	}
	if got := a[len(a)-1].At; !got.Equal(at) {
		t.Errorf("the later window ends with a call at %s, want the one at its start, %s", got, at)
	}
}

// checkFiltered checks that keys are exactly the calls of f's window that
// match, in order.
func checkFiltered(t *testing.T, name string, f *fixture, keys []history.Key, match func(*client.Call) bool) {
	t.Helper()
	var want []history.Key
	for _, k := range f.truth {
		if match(callOf(f, k.ID)) {
			want = append(want, k)
		}
	}
	if len(want) == 0 {
		t.Fatalf("%s: the fixture has no such call", name)
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
