package serve

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

var testLimits = eventLimits{maxEvents: 8, maxBytes: 1000}

func progressMsg(token string, n int) []byte {
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":%s,"progress":%d}}`, token, n)
}

func responseMsg(id int) []byte {
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"result":{"content":[]}}`, id)
}

func replayed(t *testing.T, l *eventLog, last string) (string, []string) {
	t.Helper()
	stream, events, err := l.after(last)
	if err != nil {
		t.Fatalf("after(%q): %v", last, err)
	}
	var msgs []string
	for _, e := range events {
		msgs = append(msgs, string(e.msg))
	}
	return stream, msgs
}

// TestEventLog_ProgressEndsWithItsCall: once a call has answered, its
// progress is gone (on its own stream and on the listening one), yet a
// client that last saw a progress event still gets the answer on resume.
func TestEventLog_ProgressEndsWithItsCall(t *testing.T) {
	var l eventLog
	l.beginCall("7")
	first := l.add("post-7", progressMsg("7", 1), testLimits)
	onListen := l.add("listen", progressMsg("7", 2), testLimits)
	l.add("post-7", responseMsg(7), testLimits)
	l.endCall("7")
	for _, e := range l.events {
		if e.progress != "" && e.msg != nil {
			t.Errorf("progress kept after its call answered: %s", e.msg)
		}
	}
	if stream, msgs := replayed(t, &l, first); stream != "post-7" || len(msgs) != 1 || msgs[0] != string(responseMsg(7)) {
		t.Errorf("resume after a dropped progress event: stream %q, %q; want the answer alone", stream, msgs)
	}
	if _, msgs := replayed(t, &l, onListen); len(msgs) != 0 {
		t.Errorf("listening stream replays %q, want nothing", msgs)
	}
	if id := l.add("listen", progressMsg("7", 3), testLimits); id != "" {
		t.Errorf("progress arriving after its call answered was kept as event %s", id)
	}
	l.beginCall("7") // a token used again, by a new call
	if id := l.add("post-7b", progressMsg("7", 1), testLimits); id == "" {
		t.Error("progress of a new call with a reused token was not kept")
	}
}

// TestEventLog_LatestProgressOnly: a running call keeps only its latest
// progress notification.
func TestEventLog_LatestProgressOnly(t *testing.T) {
	var l eventLog
	for i := range 5 {
		l.add("s", progressMsg(`"tok"`, i), testLimits)
	}
	kept := 0
	for _, e := range l.events {
		if e.msg != nil {
			kept++
			if !strings.Contains(string(e.msg), `"progress":4`) {
				t.Errorf("kept %s, want the latest", e.msg)
			}
		}
	}
	if kept != 1 {
		t.Errorf("kept %d progress messages, want 1", kept)
	}
}

// TestEventLog_Bounded: oldest events go first past the count or the byte
// budget; an event larger than the budget is not kept at all.
func TestEventLog_Bounded(t *testing.T) {
	var l eventLog
	var ids []string
	for i := range 20 {
		ids = append(ids, l.add("s", responseMsg(i), testLimits))
	}
	if len(l.events) != testLimits.maxEvents {
		t.Errorf("%d events kept, want %d", len(l.events), testLimits.maxEvents)
	}
	if _, _, err := l.after(ids[0]); !errors.Is(err, server.ErrUnknownEventID) {
		t.Errorf("an evicted id: %v, want ErrUnknownEventID", err)
	}
	big := []byte(`{"jsonrpc":"2.0","id":99,"result":"` + strings.Repeat("x", 400) + `"}`)
	for range 5 {
		l.add("s", big, testLimits)
	}
	if l.bytes > testLimits.maxBytes {
		t.Errorf("%d bytes kept, budget %d", l.bytes, testLimits.maxBytes)
	}
	huge := []byte(`{"jsonrpc":"2.0","id":100,"result":"` + strings.Repeat("x", 2000) + `"}`)
	if id := l.add("s", huge, testLimits); id != "" {
		t.Errorf("an event over the whole budget was kept as %s", id)
	}
}

// TestEventLog_UnknownIDs: anything but an id the log holds is
// ErrUnknownEventID, and replay stays on the id's stream.
func TestEventLog_UnknownIDs(t *testing.T) {
	var l eventLog
	a := l.add("a", responseMsg(1), testLimits)
	l.add("b", responseMsg(2), testLimits)
	for _, id := range []string{"", "0", "99", "-1", "1x", strings.Repeat("9", 100000)} {
		if _, _, err := l.after(id); !errors.Is(err, server.ErrUnknownEventID) {
			t.Errorf("after(%.20q): %v, want ErrUnknownEventID", id, err)
		}
	}
	if stream, msgs := replayed(t, &l, a); stream != "a" || len(msgs) != 0 {
		t.Errorf("after the last event of stream a: %q %q, want a and nothing", stream, msgs)
	}
}
