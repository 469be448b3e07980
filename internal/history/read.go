// Reading a whole window: for tools that answer from every call of a
// window (counts, worklists) rather than page through it. Read takes the
// stream to its end, or to a request budget, and says exactly which part
// of the window it read: a budget stops it between two instants, never in
// the middle of the calls of one instant, so what it read is a window of
// its own, [From, Before).

package history

import (
	"context"
	"errors"
	"time"
)

// Span is what Read read of a window.
type Span struct {
	Coverage Coverage
	// Calls is how many calls it handed to the callback.
	Calls int
	// Complete: the whole window was read.
	Complete bool
	// From is where the calls read start when the budget stopped the
	// read (not Complete): every call created in [From, Before) was read,
	// none before From. Zero when Complete.
	From time.Time
}

// ErrStop, returned by Read's callback, ends the read early without an
// error; the span is then not Complete and From is zero.
var ErrStop = errors.New("history: stop reading")

// Read hands every call of q to fn, newest first (fn must copy what it
// keeps: the pointer is to the same variable every time), until the window ends or
// the stream has spent budget API requests (0: no budget). Once it has, a
// call that needs another request ends the read, unless it shares its
// instant with the last call read: so the stream makes one request more
// than budget (a few more on ties), and Span.Coverage says how many.
func Read(ctx context.Context, src Source, q Query, budget int, fn func(*Call) error) (Span, error) {
	st, err := src.Open(ctx, q, nil)
	if err != nil {
		return Span{}, err
	}
	defer st.Suspend()
	if ch, ok := st.(Chunker); ok {
		return readChunks(ctx, st, ch, fn)
	}
	var span Span
	var last time.Time
	// One variable for every call: fn gets a pointer to it, which would
	// otherwise move each call of a window to the heap.
	var c Call
	for {
		spent := budget > 0 && st.Coverage().Requests >= budget
		before := st.Coverage().Requests
		var ok bool
		var err error
		c, ok, err = st.Next(ctx)
		if err != nil {
			span.Coverage = st.Coverage()
			return span, err
		}
		if !ok {
			span.Complete = true
			break
		}
		if spent && st.Coverage().Requests > before && span.Calls > 0 && !c.CreatedAt.Equal(last) {
			// c needed a request past the budget and starts a new instant:
			// the read ends before it.
			span.From = last
			break
		}
		if err := fn(&c); err != nil {
			span.Coverage = st.Coverage()
			if errors.Is(err, ErrStop) {
				return span, nil
			}
			return span, err
		}
		span.Calls++
		last = c.CreatedAt
	}
	span.Coverage = st.Coverage()
	return span, nil
}

// Chunker is a Stream that can hand out its calls a chunk at a time, such
// as a local copy that makes no request: Read then passes each call of a
// chunk to fn where it lies, without copying it.
type Chunker interface {
	// NextChunk returns the next calls, newest first, in a slice of their
	// own; more is false after the last chunk.
	NextChunk(ctx context.Context) (calls []Call, more bool, err error)
}

// readChunks is Read over a Chunker; it needs no budget, as a chunker makes
// no API request.
func readChunks(ctx context.Context, st Stream, ch Chunker, fn func(*Call) error) (Span, error) {
	var span Span
	for {
		calls, more, err := ch.NextChunk(ctx)
		if err != nil {
			span.Coverage = st.Coverage()
			return span, err
		}
		for i := range calls {
			if err := fn(&calls[i]); err != nil {
				span.Coverage = st.Coverage()
				if errors.Is(err, ErrStop) {
					return span, nil
				}
				return span, err
			}
			span.Calls++
		}
		if !more {
			span.Complete = true
			span.Coverage = st.Coverage()
			return span, nil
		}
	}
}
