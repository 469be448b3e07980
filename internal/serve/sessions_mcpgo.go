// What the session table hands mcp-go: the id manager that gives
// initialize the id the gate issued, the bounded event store, and the
// response writer that lets go of a streamed call once its handler ends.

package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// ResolveSessionIdManager implements server.SessionIdManagerResolver.
// Generate hands out the id the gate issued for this initialize; r is nil
// when mcp-go terminates sessions on its own (shutdown).
func (ss *sessions) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	issued := ""
	if r != nil {
		issued, _ = r.Context().Value(issuedSessionKey{}).(string)
	}
	return sessionIDs{ss: ss, issued: issued}
}

type sessionIDs struct {
	ss     *sessions
	issued string
}

// Generate returns "" without an issued id, which mcp-go answers without a
// session (and keeps no state for).
func (m sessionIDs) Generate() string { return m.issued }

func (m sessionIDs) Validate(id string) (bool, error) {
	m.ss.mu.Lock()
	defer m.ss.mu.Unlock()
	if _, ok := m.ss.byID[id]; !ok {
		return false, errors.New("unknown session")
	}
	return false, nil
}

func (m sessionIDs) Terminate(id string) (bool, error) {
	m.ss.remove(id)
	return false, nil
}

// StoreEvent implements server.EventStore. Events of a session the table
// does not hold (a notification racing its session's end) are not kept.
func (ss *sessions) StoreEvent(_ context.Context, sessionID, streamID string, message json.RawMessage) (string, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[sessionID]
	if !ok {
		return "", nil
	}
	return s.events.add(streamID, message, ss.limits), nil
}

// ReplayEventsAfter implements server.EventStore; it sends outside the lock.
func (ss *sessions) ReplayEventsAfter(_ context.Context, sessionID, lastEventID string, send func(string, json.RawMessage) error) (string, error) {
	ss.mu.Lock()
	s, ok := ss.byID[sessionID]
	if !ok {
		ss.mu.Unlock()
		return "", fmt.Errorf("%w: no such session", server.ErrUnknownEventID)
	}
	stream, events, err := s.events.after(lastEventID)
	ss.mu.Unlock()
	if err != nil {
		return "", err
	}
	for _, e := range events {
		if err := send(e.id, e.msg); err != nil {
			return "", err
		}
	}
	return stream, nil
}

// PurgeSession implements server.EventStore: mcp-go calls it as it ends a
// session, whose events then go with it.
func (ss *sessions) PurgeSession(_ context.Context, sessionID string) error {
	ss.withEvents(sessionID, func(l *eventLog) { *l = eventLog{} })
	return nil
}

// detachableWriter lets mcp-go's stream records, which keep the POST's
// writer for the session's life, let go of the request and response once
// the handler has returned; later writes fail, as they would on a closed
// connection.
type detachableWriter struct {
	mu sync.Mutex
	w  http.ResponseWriter
}

var errDetached = errors.New("response already finished")

func (d *detachableWriter) Header() http.Header {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return http.Header{}
	}
	return d.w.Header()
}

func (d *detachableWriter) WriteHeader(code int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w != nil {
		d.w.WriteHeader(code)
	}
}

func (d *detachableWriter) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return 0, errDetached
	}
	return d.w.Write(p)
}

func (d *detachableWriter) Flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f, ok := d.w.(http.Flusher); ok {
		f.Flush()
	}
}

// SetWriteDeadline is what mcp-go's replay asks of http.ResponseController.
func (d *detachableWriter) SetWriteDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return errDetached
	}
	return http.NewResponseController(d.w).SetWriteDeadline(t)
}

func (d *detachableWriter) detach() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.w = nil
}

// discardWriter answers the table's own DELETEs into mcp-go.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header       { return d.h }
func (discardWriter) WriteHeader(int)             {}
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) Flush()                      {}
func (discardWriter) CanStream() bool             { return false }
