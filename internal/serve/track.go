package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// tracker counts calls that have been accepted but not yet answered, so
// shutdown can wait for them. http.Server.Shutdown cannot do this alone:
// over SSE, POST /message returns 202 at once and the answer travels later
// on the /sse stream, and the streams themselves never go idle.
type tracker struct {
	mu      sync.Mutex
	active  int            // calls without a session (streamable POSTs)
	sse     map[string]int // SSE session id -> calls awaiting their answer
	changed chan struct{}  // closed and replaced whenever a count drops
}

func newTracker() *tracker {
	return &tracker{sse: map[string]int{}, changed: make(chan struct{})}
}

func (t *tracker) add(sid string, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sid == "" {
		t.active += n
	} else {
		t.sse[sid] += n
	}
}

func (t *tracker) done(sid string, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sid == "" {
		t.active = max(t.active-n, 0)
	} else if c, ok := t.sse[sid]; ok {
		if c <= n {
			delete(t.sse, sid)
		} else {
			t.sse[sid] = c - n
		}
	}
	t.notifyLocked()
}

// drop forgets a session's pending calls: its stream is gone, so their
// answers can no longer be delivered.
func (t *tracker) drop(sid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.sse, sid)
	t.notifyLocked()
}

func (t *tracker) notifyLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

func (t *tracker) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pendingLocked()
}

func (t *tracker) pendingLocked() int {
	n := t.active
	for _, c := range t.sse {
		n += c
	}
	return n
}

// wait returns nil once nothing is pending, or ctx.Err().
func (t *tracker) wait(ctx context.Context) error {
	for {
		t.mu.Lock()
		n := t.pendingLocked()
		ch := t.changed
		t.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// sseMessage counts the requests in an accepted POST /message as pending on
// their session until sseStream sees their answers go out.
func (t *tracker) sseMessage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sid := r.URL.Query().Get("sessionId")
		n := 0
		if r.Method == http.MethodPost && sid != "" {
			n = countCalls(peekBody(r))
		}
		if n == 0 {
			next.ServeHTTP(w, r)
			return
		}
		// Count before mcp-go starts the call: its answer may be streamed
		// before ServeHTTP returns.
		t.add(sid, n)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status != http.StatusAccepted {
			t.done(sid, n) // refused (unknown session, bad JSON): no answer will come
		}
	})
}

// sseStream watches what mcp-go writes on a /sse stream: the endpoint event
// names the session, and each JSON-RPC response settles one pending call.
func (t *tracker) sseStream(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &sseWatcher{ResponseWriter: w, t: t}
		defer func() {
			if sw.sid != "" {
				t.drop(sw.sid)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// sseWatcher relies on mcp-go writing one whole event per Write call
// (fmt.Fprint(w, event) followed by Flush), all from the handler goroutine.
type sseWatcher struct {
	http.ResponseWriter
	t        *tracker
	sid      string
	answered int // responses written but not yet flushed
}

func (w *sseWatcher) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	event, data := parseSSEEvent(p)
	switch {
	case event == "endpoint" && w.sid == "":
		if u, err := url.Parse(strings.TrimSpace(data)); err == nil {
			w.sid = u.Query().Get("sessionId")
		}
	case event == "message" && isResponse([]byte(data)):
		w.answered++
	}
	return n, err
}

// Flush settles answered calls only once they are on the wire, so shutdown
// cannot close the stream between the write and the flush.
func (w *sseWatcher) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	if w.answered > 0 && w.sid != "" {
		w.t.done(w.sid, w.answered)
	}
	w.answered = 0
}

func (w *sseWatcher) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// parseSSEEvent extracts the event name and the (joined) data of one event.
func parseSSEEvent(p []byte) (event, data string) {
	var datas []string
	for line := range strings.SplitSeq(strings.ReplaceAll(string(p), "\r\n", "\n"), "\n") {
		if v, ok := strings.CutPrefix(line, "event:"); ok {
			event = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "data:"); ok {
			datas = append(datas, strings.TrimPrefix(v, " "))
		}
	}
	return event, strings.Join(datas, "\n")
}

type rpcHead struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
}

func (h rpcHead) hasID() bool {
	return len(h.ID) > 0 && string(h.ID) != "null"
}

// isResponse: a JSON-RPC response has an id and no method.
func isResponse(data []byte) bool {
	var h rpcHead
	return json.Unmarshal(data, &h) == nil && h.hasID() && h.Method == ""
}

// countCalls counts JSON-RPC requests (id and method) in a message or batch.
// Notifications and responses get no answer; subscriptions/listen is a
// stream that lasts as long as the client wants, not a call to wait for.
func countCalls(body []byte) int {
	body = bytes.TrimSpace(body)
	var heads []rpcHead
	if len(body) > 0 && body[0] == '[' {
		if json.Unmarshal(body, &heads) != nil {
			return 0
		}
	} else {
		var h rpcHead
		if json.Unmarshal(body, &h) != nil {
			return 0
		}
		heads = []rpcHead{h}
	}
	n := 0
	for _, h := range heads {
		if h.hasID() && h.Method != "" && h.Method != "subscriptions/listen" {
			n++
		}
	}
	return n
}

// peekBody returns the body limitBody already buffered, leaving it readable.
func peekBody(r *http.Request) []byte {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}
