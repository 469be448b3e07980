// The v1 webhooks routes, the sandbox's only writes, validated as the
// OpenAPI document describes them:
//
//	POST   /v1/webhooks/calls, /v1/webhooks/call-summaries, /v1/webhooks/call-transcripts
//	GET    /v1/webhooks
//	GET    /v1/webhooks/{id}
//	DELETE /v1/webhooks/{id}
//
// Where the document is silent the sandbox chooses: resourceIds omitted
// means ["*"]; unknown body properties are ignored; any "US…" userId is
// accepted (the owner when omitted); GET /v1/webhooks filters by userId
// only when given; message webhooks are not served (404). It sends no
// events: Webhooks lets a test see what was registered.

package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// webhookStore is a Server's webhooks, in the order they were created.
type webhookStore struct {
	mu   sync.Mutex
	list []client.Webhook
}

// webhookKinds are the create routes and the events each accepts.
var webhookKinds = map[string]struct {
	events   []string
	minItems int
}{
	"/calls":            {[]string{client.EventCallCompleted, client.EventCallRinging, client.EventCallRecordingCompleted}, 0},
	"/call-summaries":   {[]string{client.EventCallSummaryCompleted}, 1},
	"/call-transcripts": {[]string{client.EventCallTranscriptCompleted}, 1},
}

// maxWebhookBody bounds a create request's body.
const maxWebhookBody = 1 << 20

// Webhooks are the webhooks created so far (keys included), oldest first.
func (s *Server) Webhooks() []client.Webhook {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return slices.Clone(s.hooks.list)
}

// serveWebhooks answers a request under /v1/webhooks and reports true, or
// reports false for any other path. Authorization and the rate limit are
// checked before, as for every route.
func (s *Server) serveWebhooks(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/webhooks")
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return false
	}
	switch _, create := webhookKinds[rest]; {
	case rest == "":
		if allowMethod(w, r, http.MethodGet) {
			s.listWebhooks(w, r)
		}
	case create:
		if allowMethod(w, r, http.MethodPost) {
			s.createWebhook(w, r, rest)
		}
	case rest == "/messages" || strings.Count(rest, "/") > 1 || rest == "/":
		writeError(w, &apiError{status: http.StatusNotFound, code: "0300404", title: "Not Found",
			message: "Route " + r.Method + " " + r.URL.Path + " not found (the sandbox serves call webhooks only)"})
	default:
		if allowMethod(w, r, http.MethodGet, http.MethodDelete) {
			s.webhookByID(w, r, rest[1:])
		}
	}
	return true
}

// allowMethod answers 405 unless r's method is one of methods.
func allowMethod(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: "0300405", title: "Method Not Allowed",
		message: r.URL.Path + " answers " + strings.Join(methods, " and ") + ", not " + r.Method})
	return false
}

// createWebhook serves POST /v1/webhooks/<kind>.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, kind string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	var doc map[string]json.RawMessage
	if err != nil || len(body) > maxWebhookBody || json.Unmarshal(body, &doc) != nil || doc == nil {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "0300400", title: "Bad Request",
			message: "Invalid request: the body must be a JSON object such as {\"url\": \"https://example.com/\", \"events\": [...]}"})
		return
	}
	v := &bodyCheck{doc: doc}
	wh := client.Webhook{Status: "enabled", ResourceIDs: []string{client.AllResources}, CreatedAt: s.now().UTC()}
	wh.UpdatedAt = wh.CreatedAt
	wh.URL = v.uri("url")
	wh.Events = v.events("events", webhookKinds[kind].events, webhookKinds[kind].minItems)
	if ids, ok := v.resourceIDs("resourceIds"); ok {
		wh.ResourceIDs = ids
	}
	wh.UserID = v.optionalString("userId", "US")
	if label := v.optionalString("label", ""); label != "" {
		wh.Label = &label
	}
	if st := v.optionalString("status", ""); st != "" {
		if st != "enabled" && st != "disabled" {
			v.fail("status", "Expected union value", st)
		}
		wh.Status = st
	}
	if len(v.errs) > 0 {
		writeError(w, badRequest("03", v.errs))
		return
	}
	if wh.UserID == "" {
		wh.UserID = s.ownerID()
	}
	wh.ID, wh.OrgID, wh.Key = "WH"+randomHex(16), "ORsandbox", client.SigningKey(randomKey())
	s.hooks.mu.Lock()
	s.hooks.list = append(s.hooks.list, wh)
	s.hooks.mu.Unlock()
	writeStatusData(w, http.StatusCreated, wh)
}

// listWebhooks serves GET /v1/webhooks.
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	user := q.prefixed("userId", "US", false)
	if len(q.errs) > 0 {
		writeError(w, badRequest("03", q.errs))
		return
	}
	out := []client.Webhook{}
	for _, wh := range s.Webhooks() {
		if user == "" || wh.UserID == user {
			out = append(out, wh)
		}
	}
	writeData(w, out)
}

// webhookByID serves GET and DELETE /v1/webhooks/{id}.
func (s *Server) webhookByID(w http.ResponseWriter, r *http.Request, id string) {
	if !strings.HasPrefix(id, "WH") {
		writeError(w, badRequest("03", []fieldError{newFieldError("/id", "string", "Expected string to match '^WH(.*)$'", id)}))
		return
	}
	s.hooks.mu.Lock()
	i := slices.IndexFunc(s.hooks.list, func(wh client.Webhook) bool { return wh.ID == id })
	var wh client.Webhook
	if i >= 0 {
		wh = s.hooks.list[i]
		if r.Method == http.MethodDelete {
			s.hooks.list = slices.Delete(s.hooks.list, i, i+1)
		}
	}
	s.hooks.mu.Unlock()
	switch {
	case i < 0:
		writeError(w, notFound("03", "Webhook", id))
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeData(w, wh)
	}
}

// ownerID is who a webhook created without userId belongs to: the
// workspace's owner, else its first user.
func (s *Server) ownerID() string {
	for _, u := range s.users {
		if u.Role == "owner" {
			return u.ID
		}
	}
	for _, n := range s.numbers {
		for _, u := range n.Users {
			if u.Role == "owner" {
				return u.ID
			}
		}
	}
	if len(s.users) > 0 {
		return s.users[0].ID
	}
	return "USowner"
}

// bodyCheck reads and validates a JSON body's properties, collecting
// field errors as query does for parameters.
type bodyCheck struct {
	doc  map[string]json.RawMessage
	errs []fieldError
}

func (v *bodyCheck) fail(name, msg string, value any) {
	typ := "string"
	if name == "events" || name == "resourceIds" {
		typ = "array"
	}
	v.errs = append(v.errs, newFieldError("/"+name, typ, msg, value))
}

// str reads a string property; ok is false when it is absent (or failed).
func (v *bodyCheck) str(name string, required bool) (string, bool) {
	raw, present := v.doc[name]
	if !present {
		if required {
			v.fail(name, "Expected required property", nil)
		}
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		v.fail(name, "Expected string", json.RawMessage(raw))
		return "", false
	}
	return s, true
}

// uri reads the required url: an absolute URI (a scheme and a host).
func (v *bodyCheck) uri(name string) string {
	s, ok := v.str(name, true)
	if !ok {
		return ""
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" || u.Host == "" {
		v.fail(name, "Expected string to match 'uri' format", s)
	}
	return s
}

func (v *bodyCheck) optionalString(name, prefix string) string {
	s, ok := v.str(name, false)
	if ok && !strings.HasPrefix(s, prefix) {
		v.fail(name, "Expected string to match '^"+prefix+"(.*)$'", s)
	}
	return s
}

// stringList reads an array of strings; ok is false when absent or not one.
func (v *bodyCheck) stringList(name string, required bool) ([]string, bool) {
	raw, present := v.doc[name]
	if !present {
		if required {
			v.fail(name, "Expected required property", nil)
		}
		return nil, false
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		v.fail(name, "Expected array of strings", json.RawMessage(raw))
		return nil, false
	}
	return list, true
}

// events reads the required events: each one of allowed, at least minItems.
func (v *bodyCheck) events(name string, allowed []string, minItems int) []string {
	list, ok := v.stringList(name, true)
	if !ok {
		return nil
	}
	if len(list) < minItems {
		v.fail(name, "Expected array length to be greater or equal to "+strconv.Itoa(minItems), list)
	}
	for i, e := range list {
		if !slices.Contains(allowed, e) {
			v.errs = append(v.errs, newFieldError("/"+name+"/"+strconv.Itoa(i), "string",
				"Expected union value (one of "+strings.Join(allowed, ", ")+")", e))
		}
	}
	return list
}

// resourceIDs reads the optional resourceIds: phone number ids, or ["*"].
func (v *bodyCheck) resourceIDs(name string) ([]string, bool) {
	list, ok := v.stringList(name, false)
	if !ok {
		return nil, false
	}
	allPN := !slices.ContainsFunc(list, func(id string) bool { return !strings.HasPrefix(id, "PN") })
	allStar := !slices.ContainsFunc(list, func(id string) bool { return id != client.AllResources })
	if !allPN && !allStar {
		v.fail(name, "Expected union value (phone number ids '^PN(.*)$', or [\"*\"])", list)
	}
	return list, true
}

// writeStatusData writes v in the {"data": v} envelope with status.
func writeStatusData(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(struct {
		Data any `json:"data"`
	}{v})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomKey is a signing key as v1 gives it: 32 random bytes in base64.
func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
