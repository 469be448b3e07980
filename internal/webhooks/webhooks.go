// Package webhooks receives Quo's call events, so that the ledger is
// fresh within seconds without polling: an http.Handler that checks each
// delivery's signature (both of Quo's schemes: signature.go), refuses old
// or replayed deliveries (Replays: replays.go, replays_postgres.go for
// replicas behind one load balancer), and hands the event's call to a
// Sink (the ledger: sink_ledger.go). It answers 2xx only once the Sink
// has done its work, so a failure is retried by Quo.
//
// It imports internal/ledger (for the sink), never the other way.
package webhooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// The call events the handler acts on; any other type is acknowledged
// and ignored.
const (
	EventCallCompleted           = "call.completed"
	EventCallMissed              = "call.missed"
	EventCallRecordingCompleted  = "call.recording.completed"
	EventCallTranscriptCompleted = "call.transcript.completed"
	EventCallSummaryCompleted    = "call.summary.completed"
	EventCallVoicemailCompleted  = "call.voicemail.completed"
)

var handled = []string{EventCallCompleted, EventCallMissed, EventCallRecordingCompleted,
	EventCallTranscriptCompleted, EventCallSummaryCompleted, EventCallVoicemailCompleted}

// Tolerance is how far a delivery's signed timestamp may be from now,
// either way; older (or later) deliveries are refused.
const Tolerance = 5 * time.Minute

// DefaultMaxBody is the body cap when Config.MaxBody is 0.
const DefaultMaxBody = 1 << 20

// Event is one call event, as the Sink gets it.
type Event struct {
	ID     string    // the event's id (the payload's "EV…"; else the delivery's webhook-id)
	Type   string    // one of the Event… constants
	CallID string    // "AC…"
	At     time.Time // when it happened (the payload's createdAt, else the signature's time)
}

// Transcript reports whether the event says a transcript is ready.
func (e Event) Transcript() bool { return e.Type == EventCallTranscriptCompleted }

// Sink applies call events. The handler answers 2xx once CallEvent
// returned nil, and 5xx on its error, which makes Quo deliver it again.
type Sink interface {
	CallEvent(ctx context.Context, e Event) error
}

// SinkFunc is a function as a Sink.
type SinkFunc func(ctx context.Context, e Event) error

// CallEvent calls f.
func (f SinkFunc) CallEvent(ctx context.Context, e Event) error { return f(ctx, e) }

// Config is what New needs.
type Config struct {
	// Secrets are the signing keys, one per webhook (v1 makes one webhook
	// per kind, each with its own key): "whsec_<base64>" of a dated webhook
	// or the bare base64 of a v1 one. A delivery signed by any is accepted.
	// ParseSecrets reads QUO_WEBHOOK_SECRET into them.
	Secrets []string
	Sink    Sink
	// Replays remembers the deliveries seen (nil: an in-memory one, which
	// replicas do not share; PostgresReplays for those that must).
	Replays Replays
	Logger  *slog.Logger     // nil: none
	MaxBody int64            // the body cap (0: DefaultMaxBody)
	Now     func() time.Time // nil: time.Now
}

type handler struct {
	keys    [][]byte
	broken  error // a configuration that cannot verify anything: every delivery gets 503
	sink    Sink
	replays Replays
	log     *slog.Logger
	maxBody int64
	now     func() time.Time
}

// New is the handler of Quo's webhook deliveries (mount it for POST). A
// configuration without usable secrets or without a sink is logged, and
// every delivery answered 503, so that Quo keeps them until it is fixed;
// check QUO_WEBHOOK_SECRET with ParseSecrets first to fail at start.
func New(cfg Config) http.Handler {
	h := &handler{sink: cfg.Sink, replays: cfg.Replays, log: cfg.Logger, maxBody: cfg.MaxBody, now: cfg.Now}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBody
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.replays == nil {
		h.replays = NewMemoryReplays(0)
	}
	h.keys, h.broken = decodeKeys(cfg.Secrets)
	switch {
	case h.broken != nil:
	case len(h.keys) == 0:
		h.broken = errors.New("no webhook signing key is set (QUO_WEBHOOK_SECRET)")
	case h.sink == nil:
		h.broken = errors.New("the webhook handler has no sink")
	}
	if h.broken != nil {
		h.log.Error("webhooks: every delivery will be refused with 503", "error", h.broken)
	}
	return h
}

// refusal is a 4xx or 5xx answer and its one-line reason.
type refusal struct {
	status int
	reason string
}

func refuse(status int, format string, args ...any) *refusal {
	return &refusal{status, fmt.Sprintf(format, args...)}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, reason, e := h.serve(r)
	if status >= 400 {
		if r.ContentLength != 0 {
			w.Header().Set("Connection", "close") // the body may be unread
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		h.log.Log(r.Context(), level, "webhooks: delivery refused", "status", status, "reason", reason,
			"type", e.Type, "callId", e.CallID)
		http.Error(w, reason, status)
		return
	}
	h.log.Debug("webhooks: delivery", "status", status, "type", e.Type, "callId", e.CallID, "event", e.ID)
	w.WriteHeader(status)
}

// serve handles one delivery: the answer's status, the reason of a
// refusal, and the event as far as it was read.
func (h *handler) serve(r *http.Request) (int, string, Event) {
	var e Event
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, "webhook deliveries are POST requests", e
	}
	if h.broken != nil {
		return http.StatusServiceUnavailable, "the webhook receiver is not configured; try again later", e
	}
	if r.ContentLength > h.maxBody {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", h.maxBody), e
	}
	now := h.now()
	sig, rf := parseSignature(r.Header, now)
	if rf != nil {
		return rf.status, rf.reason, e
	}
	body, rf := h.readBody(r)
	if rf != nil {
		return rf.status, rf.reason, e
	}
	if !sig.verify(h.keys, body) {
		return http.StatusUnauthorized, "the signature matches none of the webhook signing keys", e
	}
	ev, rf := parseEvent(body)
	if rf != nil {
		return rf.status, rf.reason, e
	}
	e = Event{ID: ev.ID, Type: ev.Type, CallID: ev.callID(), At: ev.at(sig.at)}
	if !slices.Contains(handled, e.Type) {
		return http.StatusNoContent, "", e // not a call event the ledger needs
	}
	if e.CallID == "" {
		return http.StatusBadRequest, "the event names no call: data.resource (or data.object) has no callId or AC… id", e
	}
	if e.ID == "" {
		e.ID = sig.id
	}
	key := replayKey(sig, ev.ID)
	fresh, err := h.replays.Claim(r.Context(), key, now, 2*Tolerance+time.Minute)
	switch {
	case err != nil:
		h.log.Warn("webhooks: the replay check failed", "error", err)
		return http.StatusServiceUnavailable, "the replay check failed; try again later", e
	case !fresh:
		return http.StatusConflict, "this delivery was received before (a replay)", e
	}
	if err := h.sink.CallEvent(r.Context(), e); err != nil {
		// Forget the delivery so that Quo's retry is taken.
		if rerr := h.replays.Release(context.WithoutCancel(r.Context()), key); rerr != nil {
			h.log.Warn("webhooks: could not forget a failed delivery; its retry will be refused as a replay", "error", rerr)
		}
		h.log.Warn("webhooks: the event could not be applied", "type", e.Type, "callId", e.CallID, "error", err)
		return http.StatusServiceUnavailable, "the event could not be applied; deliver it again later", e
	}
	return http.StatusOK, "", e
}

// readBody reads the whole body under the cap, never more than the cap
// and one byte.
func (h *handler) readBody(r *http.Request) ([]byte, *refusal) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxBody+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || int64(len(body)) > h.maxBody:
		return nil, refuse(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", min(h.maxBody, capOf(tooBig, h.maxBody)))
	case err != nil:
		return nil, refuse(http.StatusBadRequest, "the body could not be read")
	}
	return body, nil
}

func capOf(e *http.MaxBytesError, def int64) int64 {
	if e == nil {
		return def
	}
	return e.Limit
}

// replayKey names a delivery for Replays: its webhook-id (dated), else
// the payload's event id (legacy), else the signature itself; each with
// its kind, so that the spaces never meet.
func replayKey(sig *signature, eventID string) string {
	switch {
	case sig.id != "":
		return "webhook-id:" + sig.id
	case eventID != "":
		return "event:" + eventID
	}
	sum := sha256.Sum256([]byte(sig.header))
	return "signature:" + hex.EncodeToString(sum[:])
}
