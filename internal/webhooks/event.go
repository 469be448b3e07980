// A delivery's payload, both envelopes: the dated one ({id, apiVersion,
// createdAt, type, data: {resource, context, links}}) and the legacy one
// ({id, object: "event", createdAt, type, data: {object}}). The call is
// data.resource or data.object: a call (its id, "AC…") for call events,
// or a summary, transcript, recording or voicemail that names its call in
// callId.

package webhooks

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

type payload struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	CreatedAt string `json:"createdAt"`
	Data      struct {
		Resource *payloadObject `json:"resource"` // dated
		Object   *payloadObject `json:"object"`   // legacy
	} `json:"data"`
}

type payloadObject struct {
	ID     string `json:"id"`
	CallID string `json:"callId"`
}

// parseEvent decodes a verified body; what is not JSON of this shape is
// a 400.
func parseEvent(body []byte) (*payload, *refusal) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, refuse(http.StatusBadRequest, "the body is not a JSON event: %s", oneLine(err.Error()))
	}
	if p.Type == "" {
		return nil, refuse(http.StatusBadRequest, "the event has no type")
	}
	return &p, nil
}

// callID is the call the event is about: the object's callId, else its
// id when that is a call's.
func (p *payload) callID() string {
	for _, o := range []*payloadObject{p.Data.Resource, p.Data.Object} {
		switch {
		case o == nil:
		case o.CallID != "":
			return o.CallID
		case strings.HasPrefix(o.ID, "AC"):
			return o.ID
		}
	}
	return ""
}

// at is when the event happened: createdAt, else the signature's time.
func (p *payload) at(signed time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, p.CreatedAt); err == nil {
		return t
	}
	return signed
}

// oneLine keeps a decoder's message to one short line.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
