package webhooks

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testNow is the clock of the handler tests.
var testNow = time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)

var (
	datedSecret = "whsec_" + b64("dated webhook key, 32 bytes long!")
	v1Secret    = b64("v1 summaries webhook key 32 bytes")
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// recordingSink keeps the events it was given; err fails them.
type recordingSink struct {
	mu     sync.Mutex
	events []Event
	err    error
}

func (s *recordingSink) CallEvent(_ context.Context, e Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return s.err
}

func (s *recordingSink) got() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

type rig struct {
	h       http.Handler
	sink    *recordingSink
	replays *MemoryReplays
	now     time.Time
	logs    *bytes.Buffer
}

func newRig(t *testing.T, secrets ...string) *rig {
	t.Helper()
	if secrets == nil {
		secrets = []string{datedSecret, v1Secret}
	}
	r := &rig{sink: &recordingSink{}, replays: NewMemoryReplays(0), now: testNow, logs: &bytes.Buffer{}}
	r.h = New(Config{Secrets: secrets, Sink: r.sink, Replays: r.replays, MaxBody: 4096, Now: func() time.Time { return r.now },
		Logger: slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return r
}

// dated signs body as a dated webhook would, at at, with delivery id.
func dated(t testing.TB, secret, id string, at time.Time, body string) http.Header {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", ts)
	h.Set("webhook-signature", "v1,"+sign(t, secret, id+"."+ts+"."+body))
	return h
}

// legacySigned signs body as a v1 webhook would, at at.
func legacySigned(t testing.TB, secret string, at time.Time, body string) http.Header {
	t.Helper()
	ms := strconv.FormatInt(at.UnixMilli(), 10)
	h := http.Header{}
	h.Set("openphone-signature", "hmac;1;"+ms+";"+sign(t, secret, ms+"."+body))
	return h
}

// post delivers body with h and returns the status and the answer's body.
func (r *rig) post(h http.Header, body string) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/quo", strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func datedEvent(id, typ, resource string) string {
	return `{"id":"` + id + `","apiVersion":"2026-03-30","createdAt":"2026-11-30T17:59:30.000Z","type":"` + typ +
		`","data":{"resource":` + resource + `,"context":{},"links":{"quo":"https://my.quo.com/x"}}}`
}

func legacyEvent(id, typ, object string) string {
	return `{"id":"` + id + `","object":"event","apiVersion":"v4","createdAt":"2026-11-30T17:59:30.000Z","type":"` + typ +
		`","data":{"object":` + object + `}}`
}

var eventAt = time.Date(2026, 11, 30, 17, 59, 30, 0, time.UTC)

// TestHandler_CallEvents: each call event reaches the sink with its call,
// from either envelope and either scheme, answered 200 once the sink is
// done.
func TestHandler_CallEvents(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		legacy     bool
		want       Event
	}{
		{"dated call.completed", datedEvent("EV1", "call.completed", `{"id":"AC1","status":"completed"}`), false,
			Event{ID: "EV1", Type: EventCallCompleted, CallID: "AC1", At: eventAt}},
		{"dated call.missed", datedEvent("EV2", "call.missed", `{"id":"AC2"}`), false,
			Event{ID: "EV2", Type: EventCallMissed, CallID: "AC2", At: eventAt}},
		{"dated call.summary.completed", datedEvent("EV3", "call.summary.completed", `{"callId":"AC3","summary":["x"]}`), false,
			Event{ID: "EV3", Type: EventCallSummaryCompleted, CallID: "AC3", At: eventAt}},
		{"dated call.voicemail.completed", datedEvent("EV4", "call.voicemail.completed", `{"id":"VM4","callId":"AC4"}`), false,
			Event{ID: "EV4", Type: EventCallVoicemailCompleted, CallID: "AC4", At: eventAt}},
		{"dated call.recording.completed", datedEvent("EV5", "call.recording.completed", `{"id":"CR5","callId":"AC5"}`), false,
			Event{ID: "EV5", Type: EventCallRecordingCompleted, CallID: "AC5", At: eventAt}},
		{"legacy call.completed", legacyEvent("EV6", "call.completed", `{"id":"AC6","object":"call"}`), true,
			Event{ID: "EV6", Type: EventCallCompleted, CallID: "AC6", At: eventAt}},
		{"legacy call.transcript.completed", legacyEvent("EV7", "call.transcript.completed", `{"object":"callTranscript","callId":"AC7"}`), true,
			Event{ID: "EV7", Type: EventCallTranscriptCompleted, CallID: "AC7", At: eventAt}},
		{"legacy call.recording.completed", legacyEvent("EV8", "call.recording.completed", `{"id":"AC8","media":[]}`), true,
			Event{ID: "EV8", Type: EventCallRecordingCompleted, CallID: "AC8", At: eventAt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			h := dated(t, datedSecret, "msg_"+tc.want.ID, testNow, tc.body)
			if tc.legacy {
				h = legacySigned(t, v1Secret, testNow, tc.body)
			}
			if status, body := r.post(h, tc.body); status != http.StatusOK {
				t.Fatalf("%d %q, want 200", status, body)
			}
			if diff := cmp.Diff([]Event{tc.want}, r.sink.got()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
	if (Event{Type: EventCallTranscriptCompleted}).Transcript() != true || (Event{Type: EventCallCompleted}).Transcript() {
		t.Error("Event.Transcript")
	}
}

// TestHandler_OtherEvents: a signed event the ledger does not need is
// acknowledged (204) and goes nowhere.
func TestHandler_OtherEvents(t *testing.T) {
	r := newRig(t)
	for i, typ := range []string{"message.received", "call.ringing", "contact.updated"} {
		body := datedEvent("EVo"+strconv.Itoa(i), typ, `{"id":"AC1"}`)
		if status, _ := r.post(dated(t, datedSecret, "msg_o"+strconv.Itoa(i), testNow, body), body); status != http.StatusNoContent {
			t.Errorf("%s: %d, want 204", typ, status)
		}
	}
	if n := len(r.sink.got()); n != 0 {
		t.Errorf("%d events reached the sink", n)
	}
}

// TestHandler_Refusals: each refusal is its 4xx with a one-line reason,
// reaches no sink and records no delivery.
func TestHandler_Refusals(t *testing.T) {
	body := datedEvent("EVr", "call.completed", `{"id":"AC1"}`)
	good := func() http.Header { return dated(t, datedSecret, "msg_r", testNow, body) }
	for _, tc := range []struct {
		name   string
		method string
		h      http.Header
		body   string
		length int64 // -1: unannounced
		status int
		says   string
	}{
		{"not POST", http.MethodGet, good(), "", 0, 405, "POST"},
		{"unsigned", http.MethodPost, http.Header{}, body, 0, 401, "not signed"},
		{"a changed body", http.MethodPost, good(), strings.Replace(body, "AC1", "AC2", 1), 0, 401, "signature"},
		{"another key", http.MethodPost, dated(t, "whsec_"+b64("someone else's key"), "msg_r", testNow, body), body, 0, 401, "signature"},
		{"6 minutes old", http.MethodPost, dated(t, datedSecret, "msg_r", testNow.Add(-6*time.Minute), body), body, 0, 400, "old"},
		{"6 minutes ahead", http.MethodPost, dated(t, datedSecret, "msg_r", testNow.Add(6*time.Minute), body), body, 0, 400, "future"},
		{"legacy, 6 minutes old", http.MethodPost, legacySigned(t, v1Secret, testNow.Add(-6*time.Minute), body), body, 0, 400, "old"},
		{"not JSON", http.MethodPost, dated(t, datedSecret, "msg_r", testNow, "{"), "{", 0, 400, "JSON"},
		{"no type", http.MethodPost, dated(t, datedSecret, "msg_r", testNow, `{"id":"EV"}`), `{"id":"EV"}`, 0, 400, "type"},
		{"no call", http.MethodPost, dated(t, datedSecret, "msg_r", testNow, datedEvent("EV", "call.completed", `{"id":"VM1"}`)),
			datedEvent("EV", "call.completed", `{"id":"VM1"}`), 0, 400, "names no call"},
		{"too large", http.MethodPost, good(), body + strings.Repeat(" ", 4096), 0, 413, "larger than 4096"},
		{"too large, unannounced", http.MethodPost, good(), body + strings.Repeat(" ", 4096), -1, 413, "larger than 4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			req := httptest.NewRequest(tc.method, "/webhooks/quo", strings.NewReader(tc.body))
			if tc.length < 0 {
				req.Body, req.ContentLength = io.NopCloser(strings.NewReader(tc.body)), -1
			}
			for k, v := range tc.h {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			r.h.ServeHTTP(rec, req)
			answer := rec.Body.String()
			if rec.Code != tc.status || !strings.Contains(answer, tc.says) || strings.Count(answer, "\n") != 1 || !strings.HasSuffix(answer, "\n") {
				t.Errorf("%d %q, want %d with one line saying %q", rec.Code, answer, tc.status, tc.says)
			}
			if len(r.sink.got()) != 0 || r.replays.Len() != 0 {
				t.Errorf("a refused delivery changed something: %d events, %d deliveries recorded", len(r.sink.got()), r.replays.Len())
			}
		})
	}
}

// TestHandler_Replays: a delivery sent again is refused (409) without
// reaching the sink, by webhook-id (dated) or by the event's id (legacy);
// after a failure the same delivery is taken.
func TestHandler_Replays(t *testing.T) {
	r := newRig(t)
	body := datedEvent("EVp", "call.completed", `{"id":"AC1"}`)
	h := dated(t, datedSecret, "msg_p", testNow, body)
	if status, _ := r.post(h, body); status != 200 {
		t.Fatalf("first: %d", status)
	}
	r.now = testNow.Add(4 * time.Minute) // still inside the signature's tolerance
	if status, answer := r.post(h, body); status != http.StatusConflict || !strings.Contains(answer, "replay") {
		t.Errorf("the same delivery again: %d %q, want 409", status, answer)
	}
	lbody := legacyEvent("EVq", "call.completed", `{"id":"AC2"}`)
	if status, _ := r.post(legacySigned(t, v1Secret, r.now, lbody), lbody); status != 200 {
		t.Fatalf("legacy first: %d", status)
	}
	// Signed again a second later: a new signature, the same event.
	if status, _ := r.post(legacySigned(t, v1Secret, r.now.Add(time.Second), lbody), lbody); status != http.StatusConflict {
		t.Errorf("the legacy event again: %d, want 409", status)
	}
	if n := len(r.sink.got()); n != 2 {
		t.Errorf("%d events reached the sink, want 2", n)
	}

	r.sink.err = errors.New("the API is down")
	fbody := datedEvent("EVf", "call.summary.completed", `{"callId":"AC3"}`)
	fh := dated(t, datedSecret, "msg_f", r.now, fbody)
	if status, answer := r.post(fh, fbody); status != http.StatusServiceUnavailable || strings.Contains(answer, "the API is down") {
		t.Errorf("a failed sink: %d %q, want 503 without the sink's error", status, answer)
	}
	r.sink.err = nil
	if status, _ := r.post(fh, fbody); status != 200 {
		t.Errorf("Quo's retry after the failure: %d, want 200", status)
	}
	if n := len(r.sink.got()); n != 4 {
		t.Errorf("%d sink calls, want 4 (the failed one and its retry)", n)
	}
}

// TestHandler_SecretsAndConfig: any key of several verifies; a handler
// without keys or sink answers 503 and applies nothing.
func TestHandler_SecretsAndConfig(t *testing.T) {
	third := b64("third webhook key")
	r := newRig(t, datedSecret, v1Secret, third)
	body := legacyEvent("EVk", "call.transcript.completed", `{"callId":"AC9"}`)
	if status, _ := r.post(legacySigned(t, third, testNow, body), body); status != 200 {
		t.Errorf("signed with the third key: %d, want 200", status)
	}
	for _, cfg := range []Config{{Sink: &recordingSink{}}, {Secrets: []string{v1Secret}}, {Secrets: []string{"**"}, Sink: &recordingSink{}}} {
		h := New(cfg)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		for k, v := range legacySigned(t, v1Secret, time.Now(), body) {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("config %+v: %d, want 503", cfg, rec.Code)
		}
		if s, ok := cfg.Sink.(*recordingSink); ok && len(s.got()) != 0 {
			t.Error("a misconfigured handler reached its sink")
		}
	}
}

// TestHandler_LogsNoBodyOrSecret: whatever happens, the log holds
// neither the body nor a key nor a signature.
func TestHandler_LogsNoBodyOrSecret(t *testing.T) {
	r := newRig(t)
	const marker = "MARKER-of-the-body-7c1e"
	body := datedEvent("EVl", "call.completed", `{"id":"AC1","note":"`+marker+`"}`)
	h := dated(t, datedSecret, "msg_l", testNow, body)
	r.post(h, body)                                   // accepted
	r.post(h, body)                                   // a replay
	r.post(h, strings.Replace(body, "AC1", "AC2", 1)) // a bad signature
	r.sink.err = errors.New("sink failed")
	r.post(dated(t, datedSecret, "msg_l2", testNow, body), body)
	logs := r.logs.String()
	for _, secret := range []string{marker, datedSecret, strings.TrimPrefix(datedSecret, "whsec_"), h.Get("webhook-signature")[3:]} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "AC1") || !strings.Contains(logs, "replay") {
		t.Errorf("the log lacks the call or the refusal:\n%s", logs)
	}
}
