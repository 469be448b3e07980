// The ledger as a history.Source: a stream of the stored calls of a window,
// read a chunk at a time; and the source the tools use, which reads the
// ledger when it covers the window and is fresh, and otherwise the API,
// writing what the API says through to the ledger.

package ledger

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// SourceLocal names the ledger in a Coverage.
const SourceLocal = "local ledger"

// How many calls a ledger stream reads at a time: a page (Next) little
// more than it shows, a whole-window read (NextChunk) big chunks, the next
// one read while the last is being counted.
const (
	pageChunk  = 200
	wholeChunk = 4000
)

// storeSource streams a Store's calls.
type storeSource struct {
	store Store
	label string
}

func (s storeSource) Open(ctx context.Context, q history.Query, from *history.Cursor) (history.Stream, error) {
	st := &storeStream{src: s, q: q}
	if from != nil {
		k := from.Last
		st.after = &k
		st.cov.Resumed = "state"
	}
	st.cov.Source, st.cov.Local = s.label, true
	return st, nil
}

type storeStream struct {
	src   storeSource
	q     history.Query
	after *history.Key
	buf   []history.Call
	ended bool
	cov   history.Coverage
	// next is the chunk being read ahead by NextChunk, if any.
	next chan rangeResult
}

type rangeResult struct {
	calls []history.Call
	err   error
}

// read reads the n calls after the last one read, and notes where it got.
func (s *storeStream) read(ctx context.Context, n int) ([]history.Call, error) {
	calls, err := s.src.store.Range(ctx, s.q, s.after, n)
	if err != nil {
		return nil, err
	}
	s.advance(calls, n)
	return calls, nil
}

func (s *storeStream) advance(calls []history.Call, n int) {
	if len(calls) < n {
		s.ended = true
	}
	if k := len(calls); k > 0 {
		key := history.KeyOf(&calls[k-1].Call)
		s.after = &key
	}
}

func (s *storeStream) fill(ctx context.Context) error {
	if len(s.buf) > 0 || s.ended {
		return nil
	}
	calls, err := s.read(ctx, pageChunk)
	s.buf = calls
	return err
}

func (s *storeStream) Next(ctx context.Context) (history.Call, bool, error) {
	if err := s.fill(ctx); err != nil || len(s.buf) == 0 {
		return history.Call{}, false, err
	}
	c := s.buf[0]
	s.buf = s.buf[1:]
	return c, true, nil
}

func (s *storeStream) Peek(ctx context.Context) (bool, error) {
	if err := s.fill(ctx); err != nil {
		return false, err
	}
	return len(s.buf) > 0, nil
}

// NextChunk hands out the rest of the current chunk, or the next one, and
// starts reading the one after: the whole-window reads (history.Read) take
// them without copying a call, and count one while the next is read.
func (s *storeStream) NextChunk(ctx context.Context) ([]history.Call, bool, error) {
	if len(s.buf) > 0 {
		calls := s.buf
		s.buf = nil
		return calls, !s.ended, nil
	}
	var calls []history.Call
	switch {
	case s.next != nil:
		r := <-s.next
		s.next = nil
		if r.err != nil {
			return nil, false, r.err
		}
		calls = r.calls
		s.advance(calls, wholeChunk)
	case s.ended:
		return nil, false, nil
	default:
		var err error
		if calls, err = s.read(ctx, wholeChunk); err != nil {
			return nil, false, err
		}
	}
	if !s.ended {
		after := *s.after
		s.next = make(chan rangeResult, 1)
		go func(next chan<- rangeResult) {
			calls, err := s.src.store.Range(ctx, s.q, &after, wholeChunk)
			next <- rangeResult{calls, err}
		}(s.next)
	}
	return calls, !s.ended, nil
}

func (s *storeStream) Coverage() history.Coverage { return s.cov }
func (s *storeStream) Suspend() history.StateID   { return history.StateID{} }

// writeThrough is an API source whose calls are written to the ledger as
// they are handed out.
type writeThrough struct {
	api    history.Source
	store  Store
	logger *slog.Logger
}

func (w writeThrough) Open(ctx context.Context, q history.Query, from *history.Cursor) (history.Stream, error) {
	st, err := w.api.Open(ctx, q, from)
	if err != nil {
		return nil, err
	}
	return &writeStream{Stream: st, w: w, ctx: context.WithoutCancel(ctx)}, nil
}

type writeStream struct {
	history.Stream
	w   writeThrough
	ctx context.Context
	buf []history.Call
}

func (s *writeStream) Next(ctx context.Context) (history.Call, bool, error) {
	c, ok, err := s.Stream.Next(ctx)
	if ok {
		s.buf = append(s.buf, c)
		if len(s.buf) >= pageChunk {
			s.flush()
		}
	}
	return c, ok, err
}

func (s *writeStream) flush() {
	if len(s.buf) == 0 {
		return
	}
	// Best effort: the answer does not wait on, or fail with, the ledger.
	if err := s.w.store.PutCalls(s.ctx, s.buf); err != nil {
		s.w.logger.Warn("ledger: calls could not be written through", "error", err)
	}
	s.buf = s.buf[:0]
}

func (s *writeStream) Suspend() history.StateID {
	s.flush()
	return s.Stream.Suspend()
}

// Prefer is the source the tools use for l's workspace: the ledger when it
// covers the window and is fresh (Ledger.Ready), else api, its calls
// written through to the ledger.
func Prefer(l *Ledger, api history.Source) history.Source { return preferSource{l, api} }

type preferSource struct {
	l   *Ledger
	api history.Source
}

func (p preferSource) Open(ctx context.Context, q history.Query, from *history.Cursor) (history.Stream, error) {
	if age, ok := p.l.Ready(ctx, q.After, q.Before); ok {
		return storeSource{store: p.l.Store, label: SourceLocal + ", synced " + Age(age) + " ago"}.Open(ctx, q, from)
	}
	return writeThrough{api: p.api, store: p.l.Store, logger: p.l.logger()}.Open(ctx, q, from)
}

// Age writes how long ago something was, for a header: "12 s", "4 min",
// "2 h".
func Age(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < 2*time.Minute:
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + " s"
	case d < 2*time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d/time.Hour)) + " h"
}
