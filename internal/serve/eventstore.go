package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/mark3labs/mcp-go/server"
)

// eventLog is one session's share of the streamable event store: the
// messages mcp-go recorded on the session's SSE streams, so a client whose
// stream broke can resume it with Last-Event-ID. It is bounded in events and
// bytes (oldest dropped first), and progress notifications are kept only
// while their call runs: once it has answered, only the answer is worth
// redelivering. Callers hold sessions.mu.
type eventLog struct {
	seq    uint64
	events []*storedEvent // oldest first; ids ascend, so lookups are binary searches
	bytes  int
	// ended remembers the progress tokens of calls that have answered, so a
	// progress notification that loses the race with its answer is not kept.
	ended []string
}

type storedEvent struct {
	id       uint64
	stream   string
	msg      []byte // nil once dropped: the id still resumes the stream
	progress string // the compact JSON progressToken of a notifications/progress
}

// eventLimits bound one session's log.
type eventLimits struct {
	maxEvents int
	maxBytes  int
}

// endedTokensKept is how many answered calls' tokens a session remembers.
const endedTokensKept = 64

// add records msg on stream and returns its event id, or "" when msg is not
// kept (larger than the whole budget, or progress of a call that has
// answered); mcp-go then delivers it live without an id.
func (l *eventLog) add(stream string, msg []byte, lim eventLimits) string {
	head := classify(msg)
	if head.progress != "" && l.hasEnded(head.progress) {
		return ""
	}
	if len(msg) > lim.maxBytes {
		return ""
	}
	if head.response {
		// The stream's call has answered: its progress is history.
		l.dropProgress(func(e *storedEvent) bool { return e.stream == stream })
	}
	if head.progress != "" {
		// Progress supersedes progress: only the latest of a call matters.
		l.dropProgress(func(e *storedEvent) bool { return e.progress == head.progress })
	}
	l.seq++
	l.events = append(l.events, &storedEvent{id: l.seq, stream: stream, msg: bytes.Clone(msg), progress: head.progress})
	l.bytes += len(msg)
	for len(l.events) > lim.maxEvents || l.bytes > lim.maxBytes {
		l.bytes -= len(l.events[0].msg)
		l.events[0] = nil
		l.events = l.events[1:]
	}
	return strconv.FormatUint(l.seq, 10)
}

// beginCall forgets that token's call has ended: clients may reuse tokens.
func (l *eventLog) beginCall(token string) {
	for i, t := range l.ended {
		if t == token {
			l.ended = append(l.ended[:i], l.ended[i+1:]...)
			return
		}
	}
}

// endCall drops the progress notifications of the call that carried token,
// on whichever stream they went out.
func (l *eventLog) endCall(token string) {
	l.dropProgress(func(e *storedEvent) bool { return e.progress == token })
	if len(l.ended) == endedTokensKept {
		l.ended = append(l.ended[:0], l.ended[1:]...)
	}
	l.ended = append(l.ended, token)
}

func (l *eventLog) hasEnded(token string) bool {
	for _, t := range l.ended {
		if t == token {
			return true
		}
	}
	return false
}

// dropProgress frees the messages of the progress events that match; their
// ids stay, so a client that last saw one still resumes the stream.
func (l *eventLog) dropProgress(match func(*storedEvent) bool) {
	for _, e := range l.events {
		if e.progress != "" && e.msg != nil && match(e) {
			l.bytes -= len(e.msg)
			e.msg = nil
		}
	}
}

// replayedEvent is one event to resend.
type replayedEvent struct {
	id  string
	msg []byte
}

// after returns the kept events after lastEventID on its stream, and the
// stream's id; an id this log does not hold (never issued, evicted, or any
// other string) is server.ErrUnknownEventID.
func (l *eventLog) after(lastEventID string) (string, []replayedEvent, error) {
	n, err := strconv.ParseUint(lastEventID, 10, 64)
	i := sort.Search(len(l.events), func(i int) bool { return l.events[i].id >= n })
	if err != nil || i == len(l.events) || l.events[i].id != n {
		return "", nil, fmt.Errorf("%w (%d characters)", server.ErrUnknownEventID, len(lastEventID))
	}
	stream := l.events[i].stream
	var out []replayedEvent
	for _, e := range l.events[i+1:] {
		if e.stream == stream && e.msg != nil {
			out = append(out, replayedEvent{id: strconv.FormatUint(e.id, 10), msg: e.msg})
		}
	}
	return stream, out, nil
}

type eventHead struct {
	response bool   // a JSON-RPC response: the end of a call's stream
	progress string // compact progressToken of a progress notification
}

// classify reads only what the log needs; big results are not progress, so
// the cheap substring test spares their full decode in that case.
func classify(msg []byte) eventHead {
	var h struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			ProgressToken json.RawMessage `json:"progressToken"`
		} `json:"params"`
	}
	if !bytes.Contains(msg, []byte(`"notifications/progress"`)) {
		var r struct {
			ID     json.RawMessage `json:"id"`
			Method *string         `json:"method"`
		}
		if json.Unmarshal(msg, &r) != nil {
			return eventHead{}
		}
		return eventHead{response: len(r.ID) > 0 && r.Method == nil}
	}
	if json.Unmarshal(msg, &h) != nil || h.Method != "notifications/progress" {
		return eventHead{response: len(h.ID) > 0 && h.Method == ""}
	}
	return eventHead{progress: compactToken(h.Params.ProgressToken)}
}

// compactToken spells a progress token one way, so the token a request
// carried and the one its notifications carry compare equal.
func compactToken(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	return b.String()
}
