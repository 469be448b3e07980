// The v1 API's request and error conventions, as the handlers share them:
// the documented error body, the query parameters read and checked the
// way the API does, and opaque checksummed page tokens.

package sandbox

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// apiError is the documented error body:
// {message, code, status, docs, title, trace, errors[], description}.
type apiError struct {
	status  int
	code    string
	title   string
	message string
	errors  []fieldError
}

type fieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	Value   any    `json:"value,omitempty"`
	Schema  struct {
		Type string `json:"type"`
	} `json:"schema"`
}

func newFieldError(path, typ, msg string, value any) fieldError {
	fe := fieldError{Path: path, Message: msg, Value: value}
	fe.Schema.Type = typ
	return fe
}

var traceSeq atomic.Uint64

func writeError(w http.ResponseWriter, e *apiError) {
	body := struct {
		Message     string       `json:"message"`
		Code        string       `json:"code"`
		Status      int          `json:"status"`
		Docs        string       `json:"docs"`
		Title       string       `json:"title"`
		Trace       string       `json:"trace"`
		Errors      []fieldError `json:"errors,omitempty"`
		Description string       `json:"description"`
	}{
		Message: e.message, Code: e.code, Status: e.status, Docs: docsURL, Title: e.title,
		Trace:  "sandbox-" + strconv.FormatUint(traceSeq.Add(1), 16),
		Errors: e.errors, Description: e.title,
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

// badRequest is the generic 400 of resource res ("01", "10"...).
func badRequest(res string, errs []fieldError) *apiError {
	msgs := make([]string, len(errs))
	for i, fe := range errs {
		msgs[i] = fe.Path + ": " + fe.Message
	}
	return &apiError{
		status: http.StatusBadRequest, code: res + "00400", title: "Bad Request",
		message: "Invalid request: " + strings.Join(msgs, "; "), errors: errs,
	}
}

// notPhoneNumberUser is the documented 403 for a phone number the
// workspace lacks or the given user is not on.
func notPhoneNumberUser(res, phoneNumberID string) *apiError {
	return &apiError{
		status: http.StatusForbidden, code: res + "01403", title: "Not Phone Number User",
		message: "You are not a user of phone number " + strconv.Quote(phoneNumberID),
	}
}

func notFound(res, what, id string) *apiError {
	return &apiError{
		status: http.StatusNotFound, code: res + "00404", title: "Not Found",
		message: what + " " + strconv.Quote(id) + " not found",
	}
}

// query reads and validates query parameters, collecting field errors.
type query struct {
	v    url.Values
	errs []fieldError
}

func newQuery(r *http.Request) *query {
	v := r.URL.Query()
	// Accept the bracketed spelling of array parameters too.
	for k, vals := range v {
		if base, ok := strings.CutSuffix(k, "[]"); ok {
			v[base] = append(v[base], vals...)
		}
	}
	return &query{v: v}
}

func (q *query) fail(name, typ, msg string, value any) {
	q.errs = append(q.errs, newFieldError("/"+name, typ, msg, value))
}

func (q *query) has(name string) bool { return len(q.v[name]) > 0 }

// prefixed reads an optional id such as "PN…" or "US…".
func (q *query) prefixed(name, prefix string, required bool) string {
	if !q.has(name) {
		if required {
			q.fail(name, "string", "Expected required property", nil)
		}
		return ""
	}
	s := q.v.Get(name)
	if !strings.HasPrefix(s, prefix) {
		q.fail(name, "string", "Expected string to match '^"+prefix+"(.*)$'", s)
	}
	return s
}

func (q *query) time(name string) time.Time {
	if !q.has(name) {
		return time.Time{}
	}
	s := q.v.Get(name)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.fail(name, "string", "Expected string to match 'date-time' format", s)
		return time.Time{}
	}
	return t
}

func (q *query) maxResults() int {
	if !q.has("maxResults") {
		return defaultMaxResults // documented as required with a default of 10
	}
	s := q.v.Get("maxResults")
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		q.fail("maxResults", "integer", "Expected integer", s)
	case n < 1:
		q.fail("maxResults", "integer", "Expected integer to be greater or equal to 1", n)
	case n > maxMaxResults:
		q.fail("maxResults", "integer", "Expected integer to be less or equal to 100", n)
	default:
		return n
	}
	return defaultMaxResults
}

func (q *query) boolean(name string) *bool {
	if !q.has(name) {
		return nil
	}
	s := q.v.Get(name)
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(name, "boolean", "Expected boolean", s)
		return nil
	}
	return &b
}

// Page tokens are opaque: base64url of a 4-byte offset and a CRC-32 of the
// offset and the query it belongs to, so a token from another query or a
// made-up one is rejected with a 400.
func pageToken(offset int, fingerprint string) string {
	var b [8]byte
	binary.BigEndian.PutUint32(b[:4], uint32(offset))
	binary.BigEndian.PutUint32(b[4:], tokenSum(b[:4], fingerprint))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenSum(off []byte, fingerprint string) uint32 {
	h := crc32.NewIEEE()
	h.Write([]byte("openphone-sandbox:"))
	h.Write(off)
	h.Write([]byte(fingerprint))
	return h.Sum32()
}

// offset decodes pageToken; "" is offset 0.
func (q *query) offset(fingerprint string) int {
	if !q.has("pageToken") {
		return 0
	}
	s := q.v.Get("pageToken")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 8 || binary.BigEndian.Uint32(b[4:]) != tokenSum(b[:4], fingerprint) {
		q.fail("pageToken", "string", "Invalid page token: pass the nextPageToken of the previous page of the same query", s)
		return 0
	}
	return int(binary.BigEndian.Uint32(b[:4]))
}

func fingerprint(parts ...string) string { return strings.Join(parts, "\x00") }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
