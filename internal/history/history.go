// Package history answers the one question every call tool asks: the calls
// of a window that match some filters, newest first, resumable. A Source
// streams them (today the v1 conversation walk; Quo's dated calls list and
// a local ledger are meant to sit behind the same interface), and Page cuts
// a stream into pages whose Cursor a later call, on any replica, resumes.
//
// It imports nothing of the project but client/: it knows no MCP, no tool
// and no rendering.
package history

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// Query is what a stream lists: the calls created in the half-open window
// [After, Before) on the given numbers, so that consecutive windows never
// count a call twice, narrowed by the optional filters.
type Query struct {
	After  time.Time // inclusive; required
	Before time.Time // exclusive; zero: open, up to now
	// PhoneNumberIDs are the OpenPhone numbers (PN ids) to list; at least one.
	PhoneNumberIDs []string
	UserID         string   // "" or US...
	Statuses       []string // any of these call statuses; empty: all
	Direction      string   // "incoming", "outgoing" or "" for both
	Participant    string   // the other party, E.164; "" for all
	// Include asks a source that can for the AI summary and the voicemail
	// inline (client.IncludeSummary, client.IncludeVoicemail).
	Include []string
	// Lean: the caller counts the calls and reads only their times,
	// direction, status, duration, number, other party, who answered,
	// placed or handled them, and whether a voicemail was left (Voicemail
	// non-nil, maybe without its content). A local source may leave the
	// rest out; the API's sources ignore it.
	Lean bool
}

// matches reports whether c passes the filters a source may not apply on
// the API's side: the window, the statuses and the direction.
func (q *Query) matches(c *client.Call) bool {
	if c.CreatedAt.Before(q.After) || (!q.Before.IsZero() && !c.CreatedAt.Before(q.Before)) {
		return false
	}
	if q.Direction != "" && c.Direction != q.Direction {
		return false
	}
	return len(q.Statuses) == 0 || slices.Contains(q.Statuses, c.Status)
}

// same reports whether q and o list the same calls.
func (q *Query) same(o *Query) bool {
	return q.After.Equal(o.After) && q.Before.Equal(o.Before) && q.UserID == o.UserID &&
		q.Direction == o.Direction && q.Participant == o.Participant &&
		slices.Equal(q.PhoneNumberIDs, o.PhoneNumberIDs) && slices.Equal(q.Statuses, o.Statuses) &&
		slices.Equal(q.Include, o.Include) && q.Lean == o.Lean
}

// Call is one call of a stream with the conversation it belongs to. A
// source fills what its surface knows: the v1 walk the conversation, the
// dated API every party, the actor and, when asked, the AI summary and the
// voicemail inline.
type Call struct {
	client.Call
	Participant    string // the other party, E.164 (the first, on a group call)
	ConversationID string
	// ConversationName is the contact name the API gave the conversation.
	ConversationName string
	// Parties are every outside party of a group call (3 or more parties
	// in all); empty on a 1:1 call.
	Parties []string
	// ActorID is who took or placed the call on the dated surface: a user
	// (US...) or a system actor such as the AI agent (SYU...).
	ActorID   string
	Summary   *client.DatedCallSummary // with IncludeSummary, on the dated surface
	Voicemail *client.Voicemail        // with IncludeVoicemail, when one was left
}

// Key is a call's place in the listing order: newest first, ties on the
// creation time broken by id, descending.
type Key struct {
	At time.Time
	ID string
}

// KeyOf is c's place in the listing order.
func KeyOf(c *client.Call) Key { return Key{c.CreatedAt, c.ID} }

// Before reports whether k comes before o in the listing order.
func (k Key) Before(o Key) bool {
	if !k.At.Equal(o.At) {
		return k.At.After(o.At)
	}
	return k.ID > o.ID
}

// Coverage is what a stream did so far: how many API requests it made and
// what it could not list.
type Coverage struct {
	// Source names where the calls came from, e.g. "v1 conversation walk".
	Source string
	// Requests is the API requests made by this stream (not counting the
	// client's retries of one request).
	Requests int
	// Groups are group conversations active in the window whose calls the
	// source cannot list, each reported once over the pages of a window.
	Groups []client.Conversation
	// Resumed says how the stream continued a cursor: "" on a first page,
	// "state" when it picked up the walk where the previous page left it,
	// "rewalk" when that state was gone (another replica, expired) and it
	// walked again from the cursor.
	Resumed string
	// FellBack, when set, says why the stream listed from v1 though the
	// dated surface was asked first.
	FellBack string
	// Local: the calls came from a local copy (the ledger), not the API;
	// Source says which and how fresh.
	Local bool
}

// Source opens streams of calls.
type Source interface {
	// Open starts a stream of q's calls, newest first. With a cursor it
	// starts right after the cursor's call; the cursor's window and filters
	// are the caller's to check (Cursor.Matches).
	Open(ctx context.Context, q Query, from *Cursor) (Stream, error)
}

// Stream yields calls newest first. It is used by one goroutine.
type Stream interface {
	// Next returns the next call; ok is false at the end of the window.
	Next(ctx context.Context) (c Call, ok bool, err error)
	// Peek reports whether another call follows, without taking it.
	Peek(ctx context.Context) (ok bool, err error)
	// Coverage is what the stream did so far.
	Coverage() Coverage
	// Suspend ends the stream and keeps what it learnt for a later page,
	// under the id it returns (zero when it keeps nothing).
	Suspend() StateID
}

// Progress, when set on a context with WithProgress, is told how the walk
// goes: a count that only grows and a sentence.
type Progress func(step int, message string)

type progressKey struct{}

// WithProgress returns a context whose streams report progress to p.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

func progressOf(ctx context.Context) Progress {
	if p, ok := ctx.Value(progressKey{}).(Progress); ok && p != nil {
		return p
	}
	return func(int, string) {}
}

// Result is one page of calls.
type Result struct {
	Calls    []Call
	Coverage Coverage
	// Next resumes after the last call; nil on the last page.
	Next *Cursor
}

// Page reads up to n calls of q from src, starting after from (nil: the
// newest), and the cursor of the next page. The returned cursor carries
// the window and the filters of q as given in scope.
func Page(ctx context.Context, src Source, q Query, scope Scope, from *Cursor, n int) (*Result, error) {
	if n < 1 {
		return nil, errors.New("history: a page holds at least one call")
	}
	st, err := src.Open(ctx, q, from)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for len(res.Calls) < n {
		c, ok, err := st.Next(ctx)
		if err != nil {
			st.Suspend() // nothing to keep after a failure
			return nil, err
		}
		if !ok {
			break
		}
		res.Calls = append(res.Calls, c)
	}
	more := false
	if len(res.Calls) == n {
		if more, err = st.Peek(ctx); err != nil {
			st.Suspend()
			return nil, err
		}
	}
	res.Coverage = st.Coverage()
	state := st.Suspend()
	if more {
		last := res.Calls[len(res.Calls)-1]
		res.Next = &Cursor{Scope: scope, After: q.After, Before: q.Before, Last: KeyOf(&last.Call), State: state}
	}
	return res, nil
}
