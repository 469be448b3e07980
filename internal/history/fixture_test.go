package history_test

// A generated workspace for the walk's tests and benchmarks: conversations
// on two numbers, most of them inactive, the active ones with a skewed
// number of calls in the window (a few with hundreds, so that a
// conversation takes several requests), conversations whose last activity
// is a message, group conversations, and calls on both sides of the
// window. The truth (every call of the window, in order) and the floor
// (the fewest requests that list it) are computed from the data, not from
// the walk.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

type fixture struct {
	ws            *sandbox.Workspace
	after, before time.Time
	numbers       []string // PN ids
	truth         []history.Key
	floor         int // requests: conversation pages + calls requests
	active        int // 1:1 conversations active in the window
}

// shape is what a fixture holds.
type shape struct {
	conversations int // in all
	active        int // 1:1 conversations active in the window
	groups        int // group conversations active in the window
	heavy         int // active conversations with 150-350 calls in the window
	days          int // the window
	seed          uint64
}

func newFixture(sh shape) *fixture {
	r := rand.New(rand.NewPCG(sh.seed, 7))
	before := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	after := before.Add(-time.Duration(sh.days) * 24 * time.Hour)
	window := before.Sub(after)
	f := &fixture{ws: &sandbox.Workspace{}, after: after, before: before}
	own := []string{"+14155550100", "+14155550101"}
	for i, n := range own {
		id := fmt.Sprintf("PN%d", i+1)
		f.numbers = append(f.numbers, id)
		f.ws.PhoneNumbers = append(f.ws.PhoneNumbers, client.PhoneNumber{ID: id, Number: n, Name: "Line " + id,
			Users: []client.PhoneNumberUser{{ID: "US1", Email: "us1@example.com"}}})
	}
	callN := 0
	addCall := func(pn, ownNum, other string, at time.Time) {
		callN++
		f.ws.Calls = append(f.ws.Calls, client.Call{
			ID: fmt.Sprintf("AC%07d", callN), PhoneNumberID: pn, UserID: "US1",
			Direction: []string{"incoming", "outgoing"}[callN%2],
			Status:    []string{"completed", "missed", "no-answer", "completed", "abandoned"}[callN%5],
			Duration:  30, Participants: []string{other, ownNum}, CreatedAt: at,
		})
	}
	for i := 0; i < sh.conversations; i++ {
		pn, ownNum := f.numbers[i%2], own[i%2]
		other := fmt.Sprintf("+1646%07d", i)
		var newest time.Time
		switch {
		case i < sh.active:
			n := 1 + int(r.ExpFloat64()*5)
			if i < sh.heavy {
				n = 150 + r.IntN(200)
			}
			if i%37 == 5 {
				n = 0 // active by a message only
			}
			inWindow := 0
			for k := 0; k < n; k++ {
				at := after.Add(time.Duration(r.Int64N(int64(window))) + time.Millisecond)
				if i%11 == 3 && k == 0 {
					at = at.Truncate(time.Second) // same-second calls across conversations
				}
				addCall(pn, ownNum, other, at)
				inWindow++
				if at.After(newest) {
					newest = at
				}
			}
			f.active++
			f.floor += max(1, (inWindow+99)/100)
			switch {
			case newest.IsZero():
				newest = before.Add(-time.Duration(1+r.IntN(86400)) * time.Second)
			case i%5 == 0:
				// The last activity is a message after the last call.
				if m := newest.Add(time.Duration(1+r.IntN(3600)) * time.Second); m.Before(before) {
					newest = m
				}
			}
			for k := 0; k < r.IntN(3); k++ { // older calls, before the window
				addCall(pn, ownNum, other, after.Add(-time.Duration(1+r.IntN(30*86400))*time.Second))
			}
		default:
			newest = after.Add(-time.Duration(1+r.IntN(90*86400)) * time.Second)
			addCall(pn, ownNum, other, newest)
		}
		l := newest
		name := fmt.Sprintf("Contact %d", i)
		f.ws.Conversations = append(f.ws.Conversations, client.Conversation{
			ID: fmt.Sprintf("CN%05d", i), PhoneNumberID: pn, Participants: []string{other},
			Name: &name, LastActivityAt: &l, CreatedAt: &after,
		})
	}
	for g := 0; g < sh.groups; g++ {
		l := after.Add(time.Duration(r.Int64N(int64(window))))
		f.ws.Conversations = append(f.ws.Conversations, client.Conversation{
			ID: fmt.Sprintf("CNG%03d", g), PhoneNumberID: f.numbers[g%2],
			Participants:   []string{fmt.Sprintf("+1917%07d", 2*g), fmt.Sprintf("+1917%07d", 2*g+1)},
			LastActivityAt: &l, CreatedAt: &after,
		})
	}
	for i := range f.ws.Calls {
		c := &f.ws.Calls[i]
		if !c.CreatedAt.Before(after) && c.CreatedAt.Before(before) {
			f.truth = append(f.truth, history.KeyOf(c))
		}
	}
	slices.SortFunc(f.truth, func(a, b history.Key) int {
		if a.Before(b) {
			return -1
		}
		return 1
	})
	// The list down to the first conversation older than the window.
	f.floor += (f.active + sh.groups + 1 + 99) / 100
	return f
}

func (f *fixture) query() history.Query {
	return history.Query{After: f.after, Before: f.before, PhoneNumberIDs: f.numbers}
}

// countingAPI counts the requests of each kind made through it.
type countingAPI struct {
	*client.Client
	convs, calls, dated atomic.Int64
}

func (a *countingAPI) ListConversations(ctx context.Context, p client.ListConversationsParams) (*client.ConversationPage, error) {
	a.convs.Add(1)
	return a.Client.ListConversations(ctx, p)
}

func (a *countingAPI) ListCalls(ctx context.Context, p client.ListCallsParams) (*client.CallPage, error) {
	a.calls.Add(1)
	return a.Client.ListCalls(ctx, p)
}

func (a *countingAPI) ListDatedCalls(ctx context.Context, p client.ListDatedCallsParams) (*client.DatedCallPage, error) {
	a.dated.Add(1)
	return a.Client.ListDatedCalls(ctx, p)
}

func (a *countingAPI) requests() int { return int(a.convs.Load() + a.calls.Load() + a.dated.Load()) }

// inProcess serves requests from a handler without a socket.
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	res := rec.Result()
	res.Request = req
	return res, nil
}

func (f *fixture) api(t testing.TB, h http.Handler) *countingAPI {
	t.Helper()
	if h == nil {
		h = sandbox.New(f.ws, sandbox.Options{})
	}
	c, err := client.New("test-key", client.WithTransport(inProcess{h}), client.WithRateLimit(0),
		client.WithRetries(1, 0, 0), client.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return &countingAPI{Client: c}
}

// pageAll pages through the window, n calls a page, and returns the keys
// listed and the most requests any one page made.
func pageAll(t testing.TB, src history.Source, api *countingAPI, q history.Query, n int) (keys []history.Key, maxPage, pages int) {
	t.Helper()
	var from *history.Cursor
	for {
		before := api.requests()
		res, err := history.Page(context.Background(), src, q, history.Scope{}, from, n)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if got := api.requests() - before; got != res.Coverage.Requests {
			t.Fatalf("page %d: coverage says %d requests, the API saw %d", pages, res.Coverage.Requests, got)
		} else if got > maxPage {
			maxPage = got
		}
		for _, c := range res.Calls {
			keys = append(keys, history.KeyOf(&c.Call))
		}
		if res.Next == nil {
			return keys, maxPage, pages
		}
		tok, err := res.Next.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if from, err = history.DecodeCursor(tok); err != nil {
			t.Fatalf("page %d: its own cursor: %v", pages, err)
		}
	}
}
