package history_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// TestRead_WholeWindow: without a budget, Read hands over every call of
// the window once, newest first, on both surfaces, and says it read all.
func TestRead_WholeWindow(t *testing.T) {
	f := newFixture(small)
	for _, tc := range []struct {
		name string
		src  func(*countingAPI) history.Source
	}{
		{"dated", func(a *countingAPI) history.Source { return history.NewDatedCalls(a, nil) }},
		{"v1", func(a *countingAPI) history.Source { return history.NewV1Walk(a, nil) }},
	} {
		api := f.api(t, nil)
		var keys []history.Key
		span, err := history.Read(context.Background(), tc.src(api), f.query(), 0, func(c *history.Call) error {
			keys = append(keys, history.KeyOf(&c.Call))
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(f.truth, keys); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		if !span.Complete || !span.From.IsZero() || span.Calls != len(f.truth) || span.Coverage.Requests != api.requests() {
			t.Errorf("%s: span %+v for %d calls in %d requests", tc.name, span, len(f.truth), api.requests())
		}
	}
}

// TestRead_Budget: a budget stops the read between two instants, never
// inside one, and From says exactly what was read: every call of
// [From, Before), none older.
func TestRead_Budget(t *testing.T) {
	f := newFixture(small)
	// Ten calls at one instant straddle the dated surface's first page
	// boundary, so the budget is reached inside them.
	at := f.truth[45].At // also reached by the v1 walk's first requests
	for i := 0; i < 10; i++ {
		f.ws.Calls = append(f.ws.Calls, client.Call{ID: "ACtie" + string(rune('a'+i)), PhoneNumberID: f.numbers[0], UserID: "US1",
			Direction: "incoming", Status: "completed", Participants: []string{"+16460000000", "+14155550100"}, CreatedAt: at})
	}
	f.truth = nil
	for _, c := range f.ws.Calls {
		if !c.CreatedAt.Before(f.after) && c.CreatedAt.Before(f.before) {
			f.truth = append(f.truth, history.KeyOf(&c))
		}
	}
	sortKeys(f.truth)
	for _, budget := range []int{1, 2, 3} {
		for _, src := range []string{"dated", "v1"} {
			api := f.api(t, nil)
			var keys []history.Key
			var source history.Source = history.NewDatedCalls(api, nil)
			if src == "v1" {
				source = history.NewV1Walk(api, nil)
			}
			span, err := history.Read(context.Background(), source, f.query(), budget, func(c *history.Call) error {
				keys = append(keys, history.KeyOf(&c.Call))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if span.Complete || span.From.IsZero() {
				t.Fatalf("%s, budget %d: span %+v, want a partial read", src, budget, span)
			}
			var want []history.Key
			for _, k := range f.truth {
				if !k.At.Before(span.From) {
					want = append(want, k)
				}
			}
			if diff := cmp.Diff(want, keys); diff != "" {
				t.Errorf("%s, budget %d: the calls read are not those of [From, Before) (-want +got):\n%s", src, budget, diff)
			}
			if span.Calls != len(keys) || len(keys) == 0 {
				t.Errorf("%s, budget %d: %d calls counted of %d handed", src, budget, span.Calls, len(keys))
			}
			t.Logf("%s, budget %d: %d calls in %d requests, from %s", src, budget, len(keys), span.Coverage.Requests, span.From.Format(time.RFC3339))
		}
	}
}

// TestRead_Stop: the callback ends a read without an error.
func TestRead_Stop(t *testing.T) {
	f := newFixture(small)
	api := f.api(t, nil)
	n := 0
	span, err := history.Read(context.Background(), history.NewDatedCalls(api, nil), f.query(), 0, func(*history.Call) error {
		if n++; n == 3 {
			return history.ErrStop
		}
		return nil
	})
	if err != nil || span.Complete || span.Calls != 2 || !span.From.IsZero() {
		t.Errorf("got %+v, %v; want 2 calls read, not complete, no error", span, err)
	}
	boom := errors.New("boom")
	_, err = history.Read(context.Background(), history.NewDatedCalls(api, nil), f.query(), 0, func(*history.Call) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("a callback's error: got %v", err)
	}
}

func sortKeys(keys []history.Key) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j].Before(keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// TestV1Walk_PartyWithoutCallerID: a conversation with a caller without
// caller ID, whose calls GET /v1/calls refuses to list (its participants
// must be E.164), is passed over; the walk lists every other call.
func TestV1Walk_PartyWithoutCallerID(t *testing.T) {
	f := newFixture(small)
	l := f.before.Add(-time.Hour)
	f.ws.Conversations = append(f.ws.Conversations, client.Conversation{ID: "CNanon", PhoneNumberID: f.numbers[0],
		Participants: []string{"anonymous"}, LastActivityAt: &l, CreatedAt: &f.after})
	f.ws.Calls = append(f.ws.Calls, client.Call{ID: "ACanon", PhoneNumberID: f.numbers[0], UserID: "US1", Direction: "incoming",
		Status: "missed", Participants: []string{"anonymous", "+14155550100"}, CreatedAt: l})
	api := f.api(t, nil)
	var keys []history.Key
	_, err := history.Read(context.Background(), history.NewV1Walk(api, nil), f.query(), 0, func(c *history.Call) error {
		keys = append(keys, history.KeyOf(&c.Call))
		return nil
	})
	if err != nil {
		t.Fatalf("the walk failed on a party without caller ID: %v", err)
	}
	if diff := cmp.Diff(f.truth, keys); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
