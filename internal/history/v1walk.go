// The v1 conversation walk: the calls of a window through OpenPhone's v1
// API, which lists calls only per (number, other party). Conversations come
// off GET /v1/conversations in order of last activity, newest first (read
// once, down to the window's start); each 1:1 conversation's calls are
// listed, only when the stream reaches its last activity, with
// GET /v1/calls, newest first, 100 a request, and merged into one stream,
// newest first. A conversation last active at L holds no call newer than L,
// so a call is handed out only once no conversation still unread (in the
// list or unfetched) can hold a newer one.
//
// Paging a whole window lists every conversation's calls once: a page
// suspends the walk (States) and the next page picks it up where it
// stopped. Without that state (another replica, expired) the next page
// walks again from its cursor: correct, but it lists again every
// conversation active since the cursor's call.

package history

import (
	"container/heap"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// V1API is what the walk needs of the v1 client; *client.Client has it.
type V1API interface {
	ListConversations(ctx context.Context, p client.ListConversationsParams) (*client.ConversationPage, error)
	ListCalls(ctx context.Context, p client.ListCallsParams) (*client.CallPage, error)
}

// V1Walk is the Source over the v1 API.
type V1Walk struct {
	api    V1API
	owner  any // whose states these are; the API client itself
	states *States
	// Conversations, when set, is told every page of conversations the walk
	// reads (for a cache of contact names).
	Conversations func([]client.Conversation)
}

// NewV1Walk walks with api; states (nil: none kept) keeps suspended walks
// for the next page, for this api value only.
func NewV1Walk(api V1API, states *States) *V1Walk {
	return &V1Walk{api: api, owner: api, states: states}
}

// Tuning of the walk.
const (
	// v1Workers bounds the calls requests in flight for one stream; the
	// client's shared limiter still paces them all to the API's rate.
	v1Workers = 4
	// clockSlack widens the API's time filters outward and pads
	// comparisons against conversation times, so that a different
	// precision on the API's side (seconds rather than milliseconds) can
	// never hide a call. Calls are then filtered exactly here.
	clockSlack = time.Second
	// maxConversationPages and maxCallPages bound the walk against an API
	// that keeps handing out page tokens.
	maxConversationPages = 1000
	maxCallPages         = 50
	conversationsPerPage = 100
	callsPerRequest      = 100
	// maxFilterNumbers is how many numbers the conversations list can be
	// filtered by; with more, the walk lists all and skips the others.
	maxFilterNumbers = 100
	// SourceV1 names the source in Coverage.
	SourceV1 = "v1 conversation walk"
)

// topID sorts after every real id at the same time: a bound on calls of
// that time.
const topID = "\xff"

// Open starts the walk of q, after from when it is set.
func (w *V1Walk) Open(ctx context.Context, q Query, from *Cursor) (Stream, error) {
	if q.After.IsZero() || len(q.PhoneNumberIDs) == 0 {
		return nil, errors.New("history: a query needs a window start and at least one number")
	}
	progress := progressOf(ctx)
	if from != nil {
		if s, ok := w.states.take(w.owner, from.State).(*v1Stream); ok && s.resumes(q, from.Last) {
			s.progress, s.cov = progress, Coverage{Source: SourceV1, Resumed: "state"}
			return s, nil
		}
	}
	s := &v1Stream{
		walk: w, q: q, progress: progress, ordered: true,
		scope: map[string]bool{}, pairs: map[[2]string]bool{},
		cov: Coverage{Source: SourceV1},
	}
	for _, id := range q.PhoneNumberIDs {
		s.scope[id] = true
	}
	if from != nil {
		last := from.Last
		s.cursor, s.last = &last, &last
		s.cov.Resumed = "rewalk"
	}
	return s, nil
}

// v1Stream is one walk. One goroutine owns its state; the calls requests
// run in up to v1Workers goroutines that only talk to the API.
type v1Stream struct {
	walk     *V1Walk
	q        Query
	scope    map[string]bool
	progress Progress
	cov      Coverage

	// cursor is where a walk again started: calls up to it were handed out
	// by earlier pages, groups active after it were reported.
	cursor *Key
	last   *Key // the last call handed out

	// The conversations list, read once (readList).
	convs     []client.Conversation
	next      int
	listRead  bool
	listEnded bool       // no conversation left to take
	ordered   bool       // lastActivityAt never went up: the documented order held
	frontier  *time.Time // last activity of the last conversation taken: none left in the list is newer
	items     convHeap
	seq       int
	// pairs are the (number, other party) pairs taken: GET /v1/calls lists
	// by pair, so a second conversation of a pair would list its calls again.
	pairs      map[[2]string]bool
	found      int // calls taken in
	buffered   int
	steps      int
	fetchedAll int // conversations whose calls were listed
}

// convItem is a 1:1 conversation of the walk.
type convItem struct {
	conv    client.Conversation
	seq     int           // list order, for ties
	fetched bool          // its calls were listed at least once
	buf     []client.Call // listed, not yet handed out, in listing order
	more    bool          // the API may hold older calls of it in the window
	// bound: none of its calls still to list comes before it in the
	// listing order.
	bound Key
}

// key is where the item stands in the merge: its next call, or the bound of
// what is still to list.
func (it *convItem) key() Key {
	if len(it.buf) > 0 {
		return KeyOf(&it.buf[0])
	}
	return it.bound
}

func (it *convItem) needsFetch() bool { return len(it.buf) == 0 && (!it.fetched || it.more) }

// convHeap orders items by key, listing order first.
type convHeap []*convItem

func (h convHeap) Len() int { return len(h) }
func (h convHeap) Less(i, j int) bool {
	a, b := h[i].key(), h[j].key()
	if a != b {
		return a.Before(b)
	}
	return h[i].seq < h[j].seq
}
func (h convHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *convHeap) Push(x any)   { *h = append(*h, x.(*convItem)) }
func (h *convHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// resumes reports whether a suspended walk continues q right after last.
func (s *v1Stream) resumes(q Query, last Key) bool {
	return s.last != nil && *s.last == last && s.q.same(&q)
}

// Coverage is what the walk did so far.
func (s *v1Stream) Coverage() Coverage {
	c := s.cov
	c.Groups = slices.Clone(c.Groups)
	return c
}

// Suspend keeps the walk for the next page, unless it is too big to keep
// or has handed out nothing.
func (s *v1Stream) Suspend() StateID {
	if s.last == nil || s.walk.states == nil {
		return StateID{}
	}
	s.progress = nil
	return s.walk.states.put(s.walk.owner, s, s.buffered+len(s.convs)-s.next+len(s.items))
}

// Next hands out the next call of the window.
func (s *v1Stream) Next(ctx context.Context) (Call, bool, error) {
	if err := s.settle(ctx); err != nil || len(s.items) == 0 {
		return Call{}, false, err
	}
	it := s.items[0]
	c := it.buf[0]
	it.buf = it.buf[1:]
	s.buffered--
	k := KeyOf(&c)
	s.last = &k
	if len(it.buf) == 0 {
		if !it.more {
			heap.Pop(&s.items)
		} else {
			it.bound = k // what is left is older
			heap.Fix(&s.items, 0)
		}
	} else {
		heap.Fix(&s.items, 0)
	}
	out := Call{Call: c, Participant: it.conv.Participants[0], ConversationID: it.conv.ID}
	if it.conv.Name != nil {
		out.ConversationName = *it.conv.Name
	}
	return out, true, nil
}

// Peek reports whether another call follows.
func (s *v1Stream) Peek(ctx context.Context) (bool, error) {
	if err := s.settle(ctx); err != nil {
		return false, err
	}
	return len(s.items) > 0, nil
}

// frontierKey bounds every call of the conversations still in the list.
func (s *v1Stream) frontierKey() Key {
	if s.frontier == nil {
		return Key{MaxTime, topID}
	}
	return Key{s.frontier.Add(clockSlack), topID}
}

// listMayHoldNewer reports whether a conversation still in the list could
// hold a call that comes before k.
func (s *v1Stream) listMayHoldNewer(k Key) bool {
	return !s.listEnded && (!s.ordered || s.frontierKey().Before(k))
}

// settle reads the list and lists calls until the first item holds the
// next call of the window, or nothing is left.
func (s *v1Stream) settle(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		for !s.listEnded && (len(s.items) == 0 || s.listMayHoldNewer(s.items[0].key())) {
			if err := s.takeConversation(ctx); err != nil {
				return err
			}
		}
		if len(s.items) == 0 || !s.items[0].needsFetch() {
			return nil
		}
		// The first item must be listed; so may the next few that need it
		// and that nothing still in the list can outrank: with the state
		// kept, none of those requests is wasted over a window.
		var batch []*convItem
		for len(batch) < v1Workers && len(s.items) > 0 && s.items[0].needsFetch() &&
			(len(batch) == 0 || !s.listMayHoldNewer(s.items[0].key())) {
			batch = append(batch, heap.Pop(&s.items).(*convItem))
		}
		if err := s.fetch(ctx, batch); err != nil {
			return err
		}
		for _, it := range batch {
			if len(it.buf) > 0 || it.more {
				heap.Push(&s.items, it)
			}
		}
	}
}

// takeConversation takes the next conversation off the list. The first
// take reads the list down to the window's start (all of it, if it is out
// of order): a snapshot, so that a conversation that moves to the top with
// new activity while the pages of a window are read cannot slip past the
// walk between two of the API's pages.
func (s *v1Stream) takeConversation(ctx context.Context) error {
	if !s.listRead {
		if err := s.readList(ctx); err != nil {
			return err
		}
		s.listRead = true
	}
	if s.next >= len(s.convs) {
		s.listEnded = true
		s.convs, s.next = nil, 0
		return nil
	}
	conv := s.convs[s.next]
	s.next++
	s.examine(&conv)
	return nil
}

// examine decides what the walk does with a conversation it has just taken
// off the list: list its calls, report it as a group, skip it, or end the
// list (activity older than the window).
func (s *v1Stream) examine(conv *client.Conversation) {
	if conv.LastActivityAt == nil {
		return // never active
	}
	l := *conv.LastActivityAt
	if s.frontier != nil && l.After(*s.frontier) {
		s.ordered = false // not the documented order: take it all
	}
	if s.frontier == nil || l.Before(*s.frontier) {
		s.frontier = &l
	}
	if !l.Add(clockSlack).After(s.q.After) {
		if s.ordered {
			// Every conversation from here on was last active before the
			// window: none has a call in it.
			s.listEnded = true
		}
		return
	}
	switch {
	case !s.scope[conv.PhoneNumberID], len(conv.Participants) == 0:
		return
	case len(conv.Participants) > 1:
		// Reported once over a window's pages: a walk again from a cursor
		// reported those active after it already.
		if !l.Before(s.q.After) && s.q.Participant == "" && (s.cursor == nil || !l.After(s.cursor.At)) {
			s.cov.Groups = append(s.cov.Groups, *conv)
		}
		return
	}
	if s.q.Participant != "" && conv.Participants[0] != s.q.Participant {
		return
	}
	if !listable(conv.Participants[0]) {
		// GET /v1/calls takes E.164 participants only: the calls of a
		// caller without caller ID ("anonymous") cannot be listed on v1.
		return
	}
	pair := [2]string{conv.PhoneNumberID, conv.Participants[0]}
	if s.pairs[pair] {
		return // another conversation of the pair lists the same calls
	}
	s.pairs[pair] = true
	bound := Key{l.Add(clockSlack), topID}
	if s.cursor != nil && bound.Before(*s.cursor) {
		bound = *s.cursor // handed out already: only older calls are wanted
	}
	s.seq++
	heap.Push(&s.items, &convItem{conv: *conv, seq: s.seq, bound: bound})
}

// listable reports whether GET /v1/calls can list a party's calls: an
// E.164 number, "+" and 2 to 15 digits, the first not 0.
func listable(party string) bool {
	if len(party) < 3 || len(party) > 16 || party[0] != '+' || party[1] == '0' {
		return false
	}
	for i := 1; i < len(party); i++ {
		if party[i] < '0' || party[i] > '9' {
			return false
		}
	}
	return true
}
