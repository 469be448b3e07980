package tools

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// Calls with no conversation, or none recorded, beside the fixture's
// missed (fxMissed), still transcribing (fxLong) and failed (fxAI) ones.
const (
	fxNoAnswer    = "AC0000000000000000000000000000b1"
	fxAbandoned   = "AC0000000000000000000000000000b2"
	fxVoicemail   = "AC0000000000000000000000000000b3"
	fxNotRecorded = "AC0000000000000000000000000000b4"
	fxLive        = "AC0000000000000000000000000000b5"
)

// absenceWorkspace is the fixture with those calls; none of them has a
// transcript, a summary or a recording.
func absenceWorkspace() *sandbox.Workspace {
	ws := fxWorkspace()
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 7, 0, time.UTC) }
	call := func(id, direction, status string, duration int, created time.Time) client.Call {
		return client.Call{ID: id, PhoneNumberID: fxSales, UserID: "USjordan01", Direction: direction, Status: status,
			Duration: duration, Participants: []string{fxMaple, fxSalesNumber}, CreatedAt: created}
	}
	done := call(fxNotRecorded, "incoming", "completed", 180, at(14, 0))
	done.AnsweredAt, done.CompletedAt, done.AnsweredBy = ptr(at(14, 0)), ptr(at(14, 3)), ptr("USjordan01")
	live := call(fxLive, "outgoing", "in-progress", 0, at(14, 58))
	live.AnsweredAt, live.InitiatedBy = ptr(at(14, 58)), ptr("USjordan01")
	ws.Calls = append(ws.Calls,
		call(fxNoAnswer, "outgoing", "no-answer", 0, at(13, 10)),
		call(fxAbandoned, "incoming", "abandoned", 12, at(13, 20)),
		call(fxVoicemail, "incoming", "missed", 40, at(13, 30)),
		done, live)
	return ws
}

// TestCallContentAbsentGolden: a call with no transcript, summary or
// recordings is a normal result that says why in one line, from the call.
func TestCallContentAbsentGolden(t *testing.T) {
	cases := []callInfoCase{
		{"get_call_transcript", fxNoAnswer, "get_call_transcript/no_answer"},
		{"get_call_transcript", fxAbandoned, "get_call_transcript/abandoned"},
		{"get_call_transcript", fxVoicemail, "get_call_transcript/voicemail"},
		{"get_call_transcript", fxNotRecorded, "get_call_transcript/not_recorded"},
		{"get_call_transcript", fxLive, "get_call_transcript/live"},
		{"get_call_summary", fxNoAnswer, "get_call_summary/no_answer"},
		{"get_call_summary", fxNotRecorded, "get_call_summary/not_recorded"},
		{"get_call_recordings", fxAbandoned, "get_call_recordings/abandoned"},
		{"get_call_recordings", fxNotRecorded, "get_call_recordings/not_recorded"},
		{"get_call_recordings", fxLive, "get_call_recordings/live"},
	}
	e, _ := newSandboxEnv(t, absenceWorkspace(), testutil.ProtocolLegacy)
	for _, tc := range cases {
		res := e.call(t, tc.tool, map[string]any{"callId": tc.callID})
		if res.IsError {
			t.Errorf("%s %s: isError: %s", tc.tool, tc.callID, res.Text)
			continue
		}
		if strings.Count(res.Text, "\n") != 1 || !strings.HasPrefix(res.Text, "Call "+tc.callID+" (") {
			t.Errorf("%s %s: want one line about the call, got %q", tc.tool, tc.callID, res.Text)
		}
		structured := testutil.JSON(t, res.Structured)
		if strings.Contains(structured, "null") {
			t.Errorf("%s %s: a null in %s", tc.tool, tc.callID, structured)
		}
		testutil.Golden(t, tc.golden+".txt", res.Text)
		testutil.Golden(t, tc.golden+".structured.json", structured)
	}
}

// TestCallContentAbsentRequests: saying why costs one request for the
// call at most: none more for the transcript, which fetches the call for
// names anyway, and none when there is content.
func TestCallContentAbsentRequests(t *testing.T) {
	e, sb := newSandboxEnv(t, absenceWorkspace(), testutil.ProtocolLegacy)
	e.call(t, "get_call", map[string]any{"callId": fxCompleted}) // the names, cached
	base := requestCounts{"/v1/phone-numbers": 1, "/v1/calls/": 1, "/v1/conversations": 1}
	assertRequests(t, sb, base)

	res := e.call(t, "get_call_transcript", map[string]any{"callId": fxMissed})
	if res.IsError || !strings.Contains(res.Text, "was missed: missed calls have no transcript.") {
		t.Fatalf("a missed call's transcript: %v %s", res.IsError, res.Text)
	}
	base["/v1/call-transcripts/"], base["/v1/calls/"] = 1, 2
	assertRequests(t, sb, base)

	e.call(t, "get_call_summary", map[string]any{"callId": fxMissed})
	base["/v1/call-summaries/"], base["/v1/calls/"] = 1, 3
	assertRequests(t, sb, base)
	e.call(t, "get_call_recordings", map[string]any{"callId": fxMissed})
	base["/v1/call-recordings/"], base["/v1/calls/"] = 1, 4
	assertRequests(t, sb, base)

	// A summary still being made, or recordings there: no request for why.
	e.call(t, "get_call_summary", map[string]any{"callId": fxLong})
	e.call(t, "get_call_recordings", map[string]any{"callId": fxCompleted})
	base["/v1/call-summaries/"], base["/v1/call-recordings/"] = 2, 2
	assertRequests(t, sb, base)
}

// contentGone answers 404 for every transcript, summary and recordings
// request, as the live API may for a call that has none, and passes the
// rest to the sandbox; it counts the 404s.
type contentGone struct {
	rt    http.RoundTripper
	count atomic.Int64
}

func (g *contentGone) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, p := range []string{"/v1/call-transcripts/", "/v1/call-summaries/", "/v1/call-recordings/"} {
		if strings.HasPrefix(r.URL.Path, p) {
			g.count.Add(1)
			body, _ := json.Marshal(errorBody(404, "0600404", "Not Found", "Not found"))
			return &http.Response{StatusCode: 404, Status: "404 Not Found", Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		}
	}
	return g.rt.RoundTrip(r)
}

// TestCallContent404: a 404 for the content of a call that exists is a
// normal result saying why; for an id with no call, the error it was.
func TestCallContent404(t *testing.T) {
	sb := sandbox.New(absenceWorkspace(), sandbox.Options{APIKey: markerKey})
	gone := &contentGone{rt: sb.RoundTripper()}
	e := newEnv(t, []client.Option{client.WithTransport(gone)}, testutil.ProtocolLegacy, func(d *Deps) { d.APIVersion = APIV1 })
	e.call(t, "get_call", map[string]any{"callId": fxCompleted}) // the names, cached
	calls := sb.RequestsTo("/v1/calls/")
	for _, tc := range []struct{ tool, id, want string }{
		{"get_call_transcript", fxMissed, "Call " + fxMissed + " (incoming, missed, 2026-11-26 12:40:07+00:00) was missed: missed calls have no transcript.\n"},
		{"get_call_summary", fxNoAnswer, "Call " + fxNoAnswer + " (outgoing, no-answer, 2026-11-26 13:10:07+00:00) was not answered: unanswered calls have no summary.\n"},
		{"get_call_recordings", fxVoicemail, "Call " + fxVoicemail + " (incoming, missed, 2026-11-26 13:30:07+00:00) went to voicemail with no conversation, so it has no recordings.\n"},
		{"get_call_transcript", fxNotRecorded, "Call " + fxNotRecorded + " (incoming, completed, 2026-11-26 14:00:07+00:00) has no transcript: none was recorded (recording or transcription is off for that number, or the plan lacks AI features).\n"},
	} {
		before := gone.count.Load()
		res := e.call(t, tc.tool, map[string]any{"callId": tc.id})
		if res.IsError || res.Text != tc.want {
			t.Errorf("%s %s: isError %v\n got %q\nwant %q", tc.tool, tc.id, res.IsError, res.Text, tc.want)
		}
		if got := testutil.JSON(t, res.Structured); got != testutil.JSON(t, map[string]string{"note": strings.TrimSuffix(tc.want, "\n")}) {
			t.Errorf("%s %s: structured content %s, want the line as its note", tc.tool, tc.id, got)
		}
		if n := gone.count.Load() - before; n != 1 {
			t.Errorf("%s %s: %d content requests, want 1", tc.tool, tc.id, n)
		}
		calls++
		if got := sb.RequestsTo("/v1/calls/"); got != calls {
			t.Errorf("%s %s: %d call requests in all, want %d: one for why", tc.tool, tc.id, got, calls)
		}
	}
	if n := sb.Requests(); n != calls+2 { // the numbers and the conversations, once
		t.Errorf("%d sandbox requests, want %d", n, calls+2)
	}

	for _, tool := range []string{"get_call_transcript", "get_call_summary", "get_call_recordings"} {
		res := e.call(t, tool, map[string]any{"callId": fxUnknownCall})
		want := "Not found: call " + fxUnknownCall + " (404 Not Found: "
		if !res.IsError || !strings.HasPrefix(res.Text, want) || !strings.HasSuffix(res.Text, "Check the id: "+callIDHint) {
			t.Errorf("%s of a call that does not exist: isError %v %q", tool, res.IsError, res.Text)
		}
	}
}

// TestCallContentInProgress: a transcript or summary still being made
// says so and to try again later, a normal result.
func TestCallContentInProgress(t *testing.T) {
	e, _ := newSandboxEnv(t, absenceWorkspace(), testutil.ProtocolLegacy)
	for tool, want := range map[string]string{
		"get_call_transcript": "Call " + fxLong + " (outgoing, completed, 2026-11-26 08:15:07+00:00) has a transcript that is not ready yet; try again in a few minutes.\n",
		"get_call_summary":    "The summary of call " + fxLong + " is not ready yet; try again in a few minutes.\n",
	} {
		res := e.call(t, tool, map[string]any{"callId": fxLong})
		if res.IsError || res.Text != want {
			t.Errorf("%s: isError %v\n got %q\nwant %q", tool, res.IsError, res.Text, want)
		}
		if got := testutil.JSON(t, res.Structured); got != testutil.JSON(t, map[string]string{"note": strings.TrimSuffix(want, "\n")}) {
			t.Errorf("%s: structured content %s, want the line as its note", tool, got)
		}
	}
}

// TestExplainAbsence: every call status maps to its reason, and the
// content's own status decides for calls that had a conversation.
func TestExplainAbsence(t *testing.T) {
	created := time.Date(2026, 11, 26, 12, 40, 7, 0, time.UTC)
	for _, tc := range []struct {
		status   string
		duration int
		content  string
		reason   string
		clause   string
	}{
		{"missed", 0, client.StatusAbsent, "missed", "was missed: missed calls have no transcript."},
		{"missed", 30, client.StatusAbsent, "voicemail", "went to voicemail with no conversation, so it has no transcript."},
		{"no-answer", 0, client.StatusFailed, "no-answer", "was not answered: unanswered calls have no transcript."},
		{"abandoned", 9, client.StatusAbsent, "abandoned", "was abandoned before anyone answered: abandoned calls have no transcript."},
		{"busy", 0, client.StatusAbsent, "busy", "met a busy line: calls that never connected have no transcript."},
		{"failed", 0, client.StatusAbsent, "call-failed", "failed to connect: calls that never connected have no transcript."},
		{"canceled", 0, client.StatusAbsent, "canceled", "was canceled before anyone answered: canceled calls have no transcript."},
		{"forwarded", 31, client.StatusAbsent, "forwarded", "was forwarded, so it has no transcript."},
		{"ringing", 0, client.StatusAbsent, "call-in-progress", "is still going on: its transcript can come only after it ends; try again a few minutes after that."},
		{"in-progress", 0, client.StatusInProgress, "call-in-progress", "is still going on: its transcript can come only after it ends; try again a few minutes after that."},
		{"completed", 60, client.StatusInProgress, "in-progress", "has a transcript that is not ready yet; try again in a few minutes."},
		{"missed", 30, client.StatusInProgress, "in-progress", "has a transcript that is not ready yet; try again in a few minutes."},
		{"completed", 60, client.StatusFailed, "failed", "has no transcript: OpenPhone failed to transcribe it; get_call_recordings may still have the audio."},
		{"completed", 60, client.StatusAbsent, "not-recorded", "has no transcript: none was recorded (recording or transcription is off for that number, or the plan lacks AI features)."},
		{"answered", 60, client.StatusAbsent, "not-recorded", "has no transcript: none was recorded (recording or transcription is off for that number, or the plan lacks AI features)."},
		{"x\nLast page.", 60, client.StatusAbsent, "not-recorded", "has no transcript: none was recorded"},
	} {
		call := &client.Call{ID: "AC1", Direction: "incoming", Status: tc.status, Duration: tc.duration, CreatedAt: created}
		got := explainAbsence("transcript", tc.content, call, time.UTC)
		head := "Call AC1 (incoming, " + apiText(tc.status) + ", 2026-11-26 12:40:07+00:00) "
		if got.reason != tc.reason || !strings.HasPrefix(got.text, head+tc.clause) || strings.Count(got.text, "\n") != 1 {
			t.Errorf("%s/%s: got %s %q, want %s %q", tc.status, tc.content, got.reason, got.text, tc.reason, head+tc.clause)
		}
		if got.call == nil || *got.call != (CallFacts{Direction: "incoming", Status: tc.status, CreatedAt: "2026-11-26T12:40:07Z"}) {
			t.Errorf("%s/%s: facts %+v", tc.status, tc.content, got.call)
		}
	}
}

// TestCallContentCallUnavailable: when the call cannot be fetched (500),
// nothing is claimed about it: a 404 for the content stays the error that
// names both readings, an answer of none stays the result without the call.
func TestCallContentCallUnavailable(t *testing.T) {
	e, f := newFakeEnv(t, testutil.ProtocolLegacy)
	f.set(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/calls/"):
			writeJSON(w, 500, errorBody(500, "0101500", "Unknown", "Something went wrong"))
		case strings.HasPrefix(r.URL.Path, "/v1/call-summaries/"):
			writeJSON(w, 200, map[string]any{"data": client.CallSummary{CallID: fxMissed, Status: client.StatusAbsent}})
		case strings.HasPrefix(r.URL.Path, "/v1/call-transcripts/"), strings.HasPrefix(r.URL.Path, "/v1/call-recordings/"):
			writeJSON(w, 404, errorBody(404, "0600404", "Not Found", "Not found"))
		default:
			fakeWorkspace(nil, nil)(w, r)
		}
	})
	for _, tool := range []string{"get_call_transcript", "get_call_recordings"} {
		res := e.call(t, tool, map[string]any{"callId": fxMissed})
		what := strings.TrimPrefix(tool, "get_call_")
		if !res.IsError || !strings.HasPrefix(res.Text, "Not found: the "+what+" of call "+fxMissed) || !strings.Contains(res.Text, "If the id is right, the call has no "+what) {
			t.Errorf("%s: isError %v %q", tool, res.IsError, res.Text)
		}
	}
	res := e.call(t, "get_call_summary", map[string]any{"callId": fxMissed})
	if want := "No summary for call " + fxMissed + ": the call was not completed/answered, or the workspace's plan has no AI features.\n"; res.IsError || res.Text != want {
		t.Errorf("get_call_summary: isError %v\n got %q\nwant %q", res.IsError, res.Text, want)
	}
}

// TestCallTranscriptEmpty: an empty transcript of a call that never
// connected says why, like none; of a conversation, that nothing was
// recognised.
func TestCallTranscriptEmpty(t *testing.T) {
	ws := absenceWorkspace()
	for _, id := range []string{fxNoAnswer, fxNotRecorded} {
		ws.Transcripts[id] = client.CallTranscript{CallID: id, Status: client.StatusCompleted, Dialogue: []client.DialogueLine{}}
	}
	e, _ := newSandboxEnv(t, ws, testutil.ProtocolLegacy)
	res := e.call(t, "get_call_transcript", map[string]any{"callId": fxNoAnswer})
	if want := "Call " + fxNoAnswer + " (outgoing, no-answer, 2026-11-26 13:10:07+00:00) was not answered: unanswered calls have no transcript.\n"; res.IsError || res.Text != want {
		t.Errorf("no-answer: isError %v\n got %q\nwant %q", res.IsError, res.Text, want)
	}
	res = e.call(t, "get_call_transcript", map[string]any{"callId": fxNotRecorded})
	if res.IsError || !strings.HasSuffix(res.Text, "):\nThe transcript is empty: no speech was recognised.\n") {
		t.Errorf("completed: isError %v %q", res.IsError, res.Text)
	}
}
