package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// cutOffMessage is what a call still running when the shutdown grace runs
// out gets instead of its result.
const cutOffMessage = "the server is shutting down: this call did not finish within the shutdown grace period; retry it once the server is back"

// answerCutOffCalls serves a streamable POST and, when shutdown gave up on
// it (the grace period ran out, its context was cancelled), answers the
// requests mcp-go left unanswered with a JSON-RPC error. mcp-go writes
// nothing once a request's context is cancelled, assuming the client left;
// here the client is still waiting and would get an empty 200.
func (f *frontend) answerCutOffCalls(w http.ResponseWriter, r *http.Request, next http.Handler) {
	ids := callIDs(peekBody(r))
	cw := &callWriter{ResponseWriter: w}
	next.ServeHTTP(cw, r)
	if f.stopCtx.Err() == nil || cw.answered || len(ids) == 0 {
		return
	}
	errs := make([]mcp.JSONRPCMessage, len(ids))
	for i, id := range ids {
		errs[i] = mcp.JSONRPCError{
			JSONRPC: mcp.JSONRPC_VERSION,
			ID:      mcp.NewRequestId(id),
			Error:   mcp.NewJSONRPCErrorDetails(mcp.INTERNAL_ERROR, cutOffMessage, nil),
		}
	}
	if cw.status == 0 {
		// Nothing sent yet: a plain JSON answer, one object or a batch.
		var body []byte
		if len(errs) == 1 {
			body, _ = json.Marshal(errs[0])
		} else {
			body, _ = json.Marshal(errs)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(append(body, '\n'))
		// On the wire before the tracker lets runHTTP close connections.
		flush(w)
		return
	}
	if !cw.stream {
		return // a JSON body went out already; nothing can be added to it
	}
	// The answer had become an SSE stream (progress notifications): the
	// errors go on it as events.
	for _, e := range errs {
		data, _ := json.Marshal(e)
		_, _ = fmt.Fprintf(w, "event: message\ndata: %s\n\n", data)
	}
	flush(w)
}

func flush(w http.ResponseWriter) {
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
}

// callWriter notes whether a JSON-RPC response went out: any JSON body, or
// an SSE event carrying a response (mcp-go writes one event per Write).
type callWriter struct {
	http.ResponseWriter
	status   int
	stream   bool
	answered bool
}

func (w *callWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.stream = strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *callWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.stream {
		w.answered = true
	} else if event, data := parseSSEEvent(p); event == "message" && isResponse([]byte(data)) {
		w.answered = true
	}
	return w.ResponseWriter.Write(p)
}

func (w *callWriter) Flush() {
	if fl, ok := w.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

func (w *callWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// callIDs returns the ids of the requests (id and method) in a message or
// batch, as countCalls counts them.
func callIDs(body []byte) []json.RawMessage {
	body = bytes.TrimSpace(body)
	var msgs []json.RawMessage
	if len(body) > 0 && body[0] == '[' {
		if json.Unmarshal(body, &msgs) != nil {
			return nil
		}
	} else {
		msgs = []json.RawMessage{body}
	}
	var ids []json.RawMessage
	for _, m := range msgs {
		var h rpcHead
		if json.Unmarshal(m, &h) == nil && h.hasID() && h.Method != "" && h.Method != "subscriptions/listen" {
			ids = append(ids, h.ID) // raw, so the id goes back exactly as sent
		}
	}
	return ids
}
