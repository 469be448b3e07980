// Surface choice: the dated API first, and v1 when the API answers that it
// does not know the dated surface (a 404 on /calls, or a 400 that names
// the version header or an unknown parameter). The fallback is remembered
// per client for a while, so a key on an API without the dated surface
// pays the failed request once an hour, not once a question; and a wrong
// guess costs one extra request, never a failed question.

package history

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// Fallbacks remembers which clients were answered that the dated surface is
// unknown, for every client of one server. The zero value is not usable;
// use NewFallbacks.
type Fallbacks struct {
	mu    sync.Mutex
	until map[any]time.Time
	ttl   time.Duration
	now   func() time.Time
	// Logged, when set, is told once per fallback of a client (to log it).
	Logged func(err error)
}

// fallbacksKept bounds the clients remembered.
const fallbacksKept = 4096

// NewFallbacks remembers a fallback for ttl (zero: one hour).
func NewFallbacks(ttl time.Duration) *Fallbacks {
	if ttl <= 0 {
		ttl = time.Hour
	}
	return &Fallbacks{until: map[any]time.Time{}, ttl: ttl, now: time.Now}
}

func (f *Fallbacks) fallenBack(owner any) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.until[owner]
	return ok && f.now().Before(t)
}

func (f *Fallbacks) fallBack(owner any, err error) {
	f.mu.Lock()
	if len(f.until) >= fallbacksKept {
		clear(f.until) // starting over costs one failed request per client
	}
	f.until[owner] = f.now().Add(f.ttl)
	logged := f.Logged
	f.mu.Unlock()
	if logged != nil {
		logged(err)
	}
}

// FallenBack reports whether owner's API was answered, within the ttl,
// that it does not know the dated surface: for tools that ask the dated
// surface for one call rather than through a Source.
func (f *Fallbacks) FallenBack(owner any) bool { return f.fallenBack(owner) }

// FallBack remembers that owner's API does not know the dated surface.
func (f *Fallbacks) FallBack(owner any, err error) { f.fallBack(owner, err) }

// DatedUnknown reports whether err says the API does not know the dated
// surface, one of its routes or one of its parameters.
func DatedUnknown(err error) bool {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.StatusCode {
	case http.StatusNotFound:
		// The list route unknown; or a call's dated route answered in v1's
		// coded error shape (dated errors carry no code), which is an API
		// without the route, not an unknown call.
		return ae.Path == "/calls" || (strings.HasPrefix(ae.Path, "/calls/") && ae.Code != "")
	case http.StatusBadRequest:
		text := strings.ToLower(ae.Title + " " + ae.Message)
		for _, fe := range ae.Errors {
			text += " " + strings.ToLower(fe.Path+" "+fe.Message)
		}
		return strings.Contains(text, "quo-api-version") || strings.Contains(text, "version") ||
			strings.Contains(text, "unknown") || strings.Contains(text, "not allowed") ||
			strings.Contains(text, "unrecognized")
	}
	return false
}

// Fallback is a Source that lists from Dated and, once the API says it
// does not know the dated surface, from V1.
type Fallback struct {
	Dated, V1 Source
	owner     any
	memo      *Fallbacks
}

// NewFallback lists for owner (the API client) from dated, falling back to
// v1 as memo remembers.
func NewFallback(dated, v1 Source, owner any, memo *Fallbacks) *Fallback {
	return &Fallback{Dated: dated, V1: v1, owner: owner, memo: memo}
}

// Open opens the dated stream, or the v1 one for a client fallen back.
func (f *Fallback) Open(ctx context.Context, q Query, from *Cursor) (Stream, error) {
	if f.memo.fallenBack(f.owner) {
		return f.V1.Open(ctx, q, from)
	}
	st, err := f.Dated.Open(ctx, q, from)
	if err != nil {
		return nil, err
	}
	return &fallbackStream{f: f, ctx: ctx, q: q, from: from, cur: st}, nil
}

// fallbackStream switches to v1 on the dated surface's first answer, if
// that answer says it is unknown; nothing was handed out by then.
type fallbackStream struct {
	f        *Fallback
	ctx      context.Context
	q        Query
	from     *Cursor
	cur      Stream
	answered bool
	spent    int // requests of the dated stream before the switch
	note     string
}

func (s *fallbackStream) switchOn(err error) (bool, error) {
	if s.answered || !DatedUnknown(err) {
		return false, err
	}
	s.spent = s.cur.Coverage().Requests
	s.f.memo.fallBack(s.f.owner, err)
	st, oerr := s.f.V1.Open(s.ctx, s.q, s.from)
	if oerr != nil {
		return false, oerr
	}
	s.cur, s.answered, s.note = st, true, "this API has no dated calls API"
	return true, nil
}

func (s *fallbackStream) Next(ctx context.Context) (Call, bool, error) {
	c, ok, err := s.cur.Next(ctx)
	if err != nil {
		if switched, err := s.switchOn(err); !switched {
			return Call{}, false, err
		}
		return s.cur.Next(ctx)
	}
	s.answered = true
	return c, ok, nil
}

func (s *fallbackStream) Peek(ctx context.Context) (bool, error) {
	ok, err := s.cur.Peek(ctx)
	if err != nil {
		if switched, err := s.switchOn(err); !switched {
			return false, err
		}
		return s.cur.Peek(ctx)
	}
	s.answered = true
	return ok, nil
}

func (s *fallbackStream) Coverage() Coverage {
	c := s.cur.Coverage()
	c.Requests += s.spent
	if s.note != "" {
		c.FellBack = s.note
	}
	return c
}

func (s *fallbackStream) Suspend() StateID { return s.cur.Suspend() }
