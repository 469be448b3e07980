// The dated source: the calls of a window from Quo's dated API (2026-03-30),
// GET /calls, which lists the whole workspace newest first, 50 a request,
// group and AI-agent calls included, every filter on the API's side.
//
// Its cursors are short-lived, so a page resumes by time: the next request
// asks for calls up to the last one's createdAt (inclusive) and drops those
// at or before it in the listing order. A suspended stream keeps the rest
// of its last API page (and its cursor, used only while it is young).

package history

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// DatedAPI is what the dated source needs of the client; *client.Client
// has it.
type DatedAPI interface {
	ListDatedCalls(ctx context.Context, p client.ListDatedCallsParams) (*client.DatedCallPage, error)
}

// DatedCalls is the Source over Quo's dated GET /calls.
type DatedCalls struct {
	api    DatedAPI
	owner  any
	states *States
	now    func() time.Time
}

// NewDatedCalls lists with api; states (nil: none kept) keeps suspended
// streams for the next page, for this api value only.
func NewDatedCalls(api DatedAPI, states *States) *DatedCalls {
	return &DatedCalls{api: api, owner: api, states: states, now: time.Now}
}

const (
	datedPerRequest = 50
	// datedCursorAge is how long a kept API cursor is used; after it, a
	// page resumes by time (the API's cursors are short-lived).
	datedCursorAge = time.Minute
	maxDatedPages  = 1000
	SourceDated    = "Quo calls API 2026-03-30"
)

// Open starts the listing of q, after from when it is set.
func (d *DatedCalls) Open(ctx context.Context, q Query, from *Cursor) (Stream, error) {
	if q.After.IsZero() || len(q.PhoneNumberIDs) == 0 {
		return nil, errors.New("history: a query needs a window start and at least one number")
	}
	if from != nil {
		if s, ok := d.states.take(d.owner, from.State).(*datedStream); ok && s.last != nil && *s.last == from.Last && s.q.same(&q) {
			s.cov, s.progress = Coverage{Source: SourceDated, Resumed: "state"}, progressOf(ctx)
			return s, nil
		}
	}
	s := &datedStream{src: d, q: q, cov: Coverage{Source: SourceDated}, scope: map[string]bool{}, progress: progressOf(ctx)}
	for _, id := range q.PhoneNumberIDs {
		s.scope[id] = true
	}
	if from != nil {
		last := from.Last
		s.last = &last
		s.cov.Resumed = "rewalk"
	}
	return s, nil
}

// datedStream is one listing; one goroutine uses it.
type datedStream struct {
	src      *DatedCalls
	progress Progress
	q        Query
	scope    map[string]bool
	cov      Coverage
	last     *Key // the last call handed out, or the cursor resumed after

	buf      []Call // fetched, not handed out, in listing order
	minAt    time.Time
	cursor   string // the API's next cursor; "" at the end
	cursorAt time.Time
	// asked is the request that gave the cursor: the API wants the same
	// filters beside it.
	asked client.ListDatedCallsParams
	ended bool
	pages int
	found int // calls the API sent, for progress
}

func (s *datedStream) Coverage() Coverage { return s.cov }

func (s *datedStream) Suspend() StateID {
	if s.last == nil || s.src.states == nil {
		return StateID{}
	}
	s.progress = nil
	return s.src.states.put(s.src.owner, s, len(s.buf))
}

func (s *datedStream) Next(ctx context.Context) (Call, bool, error) {
	if err := s.settle(ctx); err != nil || len(s.buf) == 0 {
		return Call{}, false, err
	}
	c := s.buf[0]
	s.buf = s.buf[1:]
	k := KeyOf(&c.Call)
	s.last = &k
	return c, true, nil
}

func (s *datedStream) Peek(ctx context.Context) (bool, error) {
	if err := s.settle(ctx); err != nil {
		return false, err
	}
	return len(s.buf) > 0, nil
}

// ready is how many buffered calls can be handed out: all at the end;
// before it, none at the oldest time fetched, since the API's next page
// may hold calls of that same instant that sort before them.
func (s *datedStream) ready() int {
	if s.ended {
		return len(s.buf)
	}
	n := 0
	for n < len(s.buf) && s.buf[n].CreatedAt.After(s.minAt) {
		n++
	}
	return n
}

// settle fetches until a call can be handed out or the listing ends.
func (s *datedStream) settle(ctx context.Context) error {
	for s.ready() == 0 && !s.ended {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.fetch(ctx); err != nil {
			return err
		}
	}
	return nil
}

// params is the request for the next page.
func (s *datedStream) params() client.ListDatedCallsParams {
	p := client.ListDatedCallsParams{
		ActorID: s.q.UserID, Participant: s.q.Participant, Direction: s.q.Direction,
		CreatedAtOrAfter: s.q.After, Include: s.q.Include, Limit: datedPerRequest,
	}
	if len(s.q.PhoneNumberIDs) == 1 {
		p.PhoneNumberID = s.q.PhoneNumberIDs[0]
	}
	switch len(s.q.Statuses) {
	case 0:
	case 1:
		p.Status = s.q.Statuses[0]
	default:
		p.StatusIn = s.q.Statuses
	}
	if s.cursor != "" && s.src.now().Sub(s.cursorAt) < datedCursorAge {
		p = s.asked
		p.After = s.cursor
		return p
	}
	// By time: up to the last call handed out or fetched, inclusive.
	upper := s.q.Before
	if k := s.resumeKey(); k != nil {
		upper = k.At
	}
	p.CreatedAtOrBefore = upper
	return p
}

// resumeKey is the key the listing goes on after: the oldest fetched, or
// the last handed out.
func (s *datedStream) resumeKey() *Key {
	if n := len(s.buf); n > 0 {
		k := KeyOf(&s.buf[n-1].Call)
		return &k
	}
	return s.last
}

func (s *datedStream) fetch(ctx context.Context) error {
	if s.pages >= maxDatedPages {
		return fmt.Errorf("the Quo API kept paging calls past %d pages; narrow the window", maxDatedPages)
	}
	p := s.params()
	page, err := s.src.api.ListDatedCalls(ctx, p)
	s.cov.Requests++
	s.pages++
	if err != nil && p.After != "" && client.IsStatus(err, 400) {
		// The cursor expired sooner than datedCursorAge allowed for (or
		// was refused): go on by time, once.
		s.cursor = ""
		p = s.params()
		page, err = s.src.api.ListDatedCalls(ctx, p)
		s.cov.Requests++
	}
	if err != nil {
		return err
	}
	// New calls come after the last one handed out; those fetched but held
	// back (at the oldest instant of a page) are skipped by id.
	for i := range page.Data {
		c := FromDated(&page.Data[i])
		if !s.q.matches(&c.Call) || (s.last != nil && !s.last.Before(KeyOf(&c.Call))) || !s.inScope(&page.Data[i]) {
			continue
		}
		if slices.ContainsFunc(s.buf, func(b Call) bool { return b.ID == c.ID }) {
			continue
		}
		s.buf = append(s.buf, c)
	}
	slices.SortFunc(s.buf, func(a, b Call) int {
		if KeyOf(&a.Call).Before(KeyOf(&b.Call)) {
			return -1
		}
		return 1
	})
	next := page.NextToken()
	switch {
	case next == "":
		s.ended = true
	case next == p.After:
		return fmt.Errorf("GET /calls: %w", client.ErrRepeatedPageToken)
	case len(page.Data) > 0:
		s.minAt = page.Data[len(page.Data)-1].CreatedAt
		for i := range page.Data {
			if page.Data[i].CreatedAt.Before(s.minAt) {
				s.minAt = page.Data[i].CreatedAt
			}
		}
	}
	s.cursor, s.cursorAt, s.asked = next, s.src.now(), p
	s.found += len(page.Data)
	s.progress(s.pages, "Listed "+strconv.Itoa(s.pages)+" page(s) of calls; "+strconv.Itoa(s.found)+" call(s) so far")
	return nil
}

// inScope reports whether a call is on one of the query's numbers; a call
// with no number (some AI-agent calls) is in a listing of all of them.
func (s *datedStream) inScope(c *client.DatedCall) bool {
	if c.PhoneNumberID == nil {
		return len(s.q.PhoneNumberIDs) > 1
	}
	return s.scope[*c.PhoneNumberID]
}

// FromDated is a dated call in the engine's shape (for the listing, and
// for tools that fetch a call by id): the v1 fields, every
// party's number, the actor, the summary and voicemail inline.
func FromDated(d *client.DatedCall) Call {
	c := Call{
		Call: client.Call{
			ID: d.ID, Direction: d.Direction, Status: d.Status, Duration: d.Duration,
			CreatedAt: d.CreatedAt, AnsweredAt: d.AnsweredAt, AnsweredBy: d.AnsweredBy,
			InitiatedBy: d.InitiatedBy, CompletedAt: d.CompletedAt, UpdatedAt: d.UpdatedAt,
			ForwardedFrom: d.ForwardedFrom, ForwardedTo: d.ForwardedTo, CallRoute: d.CallRoute,
			AIHandled: d.AIHandled,
		},
		ActorID: d.ActorID, Summary: d.Summary, Voicemail: d.Voicemail,
	}
	if d.PhoneNumberID != nil {
		c.PhoneNumberID = *d.PhoneNumberID
	}
	if strings.HasPrefix(d.ActorID, "US") {
		c.UserID = d.ActorID
	}
	var outside []string
	for _, p := range d.Participants {
		if !slices.Contains(c.Participants, p.PhoneNumber) {
			c.Participants = append(c.Participants, p.PhoneNumber)
		}
		if p.ActorID == nil && !slices.Contains(outside, p.PhoneNumber) {
			outside = append(outside, p.PhoneNumber)
		}
	}
	if len(outside) > 0 {
		c.Participant = outside[0]
	}
	if len(d.Participants) > 2 && len(outside) > 1 {
		c.Parties = outside
	}
	return c
}
