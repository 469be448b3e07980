// Errors: the sentinels callers match with errors.Is, and *APIError, the
// parsed non-2xx answer, whose text is redacted of the key and clipped.

package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// APIError is any non-2xx answer of the OpenPhone API. It is parsed from the
// documented error body ({message, code, status, title, trace, errors[]}),
// from the older {"error":{message,key,trace}} shape, or, for anything else
// (an HTML page from a proxy, an empty body), from the status line alone.
type APIError struct {
	Method     string // e.g. GET
	Path       string // request path without the query, e.g. /v1/calls
	StatusCode int    // HTTP status code
	Code       string // 7-digit OpenPhone error code, e.g. "0101403"
	Title      string // e.g. "Not Phone Number User"
	Message    string
	Docs       string
	Trace      string
	Key        string // from the {"error":{key}} shape
	Errors     []FieldError
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Attempts is how many requests were made before giving up.
	Attempts int
}

// FieldError is one entry of the documented errors[] array.
type FieldError struct {
	Path    string          `json:"path"`
	Message string          `json:"message"`
	Value   json.RawMessage `json:"value,omitempty"`
	Schema  struct {
		Type string `json:"type"`
	} `json:"schema"`
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openphone: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Title != "" {
		b.WriteString(" " + e.Title)
	} else if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Message != "" && e.Message != e.Title {
		b.WriteString(": " + e.Message)
	}
	for i, fe := range e.Errors {
		if i == maxFieldErrorsShown {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-i)
			break
		}
		fmt.Fprintf(&b, "; %s: %s", fe.Path, fe.Message)
	}
	if e.Code != "" {
		b.WriteString(" (code " + e.Code + ")")
	} else if e.Key != "" {
		b.WriteString(" (" + e.Key + ")")
	}
	if e.Trace != "" {
		b.WriteString(" [trace " + e.Trace + "]")
	}
	return b.String()
}

// IsStatus reports whether err is an *APIError with the given HTTP status.
func IsStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == status
}

// Sentinel errors for failures that carry no HTTP status; test with errors.Is.
var (
	// ErrTimeout: the API did not answer within the per-request timeout.
	ErrTimeout = errors.New("the OpenPhone API did not answer in time")
	// ErrBodyTooLarge: a response body was larger than the client's limit.
	ErrBodyTooLarge = errors.New("the OpenPhone API response is larger than the size limit")
	// ErrMalformedResponse: a 2xx body that is not the documented JSON.
	ErrMalformedResponse = errors.New("the OpenPhone API returned a malformed response")
	// ErrRedirect: the API answered with a redirect to another host, which is
	// never followed so that the API key is never sent anywhere else.
	ErrRedirect = errors.New("the OpenPhone API redirected to another host; not followed")
	// ErrRepeatedPageToken: a page came back with the very token that asked
	// for it, so following it would request the same page forever.
	ErrRepeatedPageToken = errors.New("the OpenPhone API answered a page with the page token it was asked for, so paging would never end")
	// ErrTooManyPages: an iterator read its bound of pages (WithMaxPages)
	// and the list still went on.
	ErrTooManyPages = errors.New("the OpenPhone API kept paging past the client's page limit")
)

// parseAPIErrorRedacted builds an *APIError from a non-2xx response body.
// Each field is decoded on its own, so one odd-typed field does not lose the
// others; text fields are clipped so that a huge body cannot flood a message.
// key is removed from every field before clipping: clipping first could cut
// an echoed key and leave its first characters, which redaction would then
// no longer recognise.
func parseAPIErrorRedacted(method, path string, status int, body []byte, key string) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return e // HTML, an empty body, a JSON array: the status line says it all
	}
	e.Message = jsonString(doc["message"])
	e.Title = jsonString(doc["title"])
	if e.Title == "" {
		e.Title = jsonString(doc["description"])
	}
	e.Docs = jsonString(doc["docs"])
	e.Trace = jsonString(doc["trace"])
	e.Code = codeString(doc["code"])
	var items []json.RawMessage
	if json.Unmarshal(doc["errors"], &items) == nil {
		for _, raw := range items {
			var fe FieldError
			json.Unmarshal(raw, &fe) // keeps what fits even on a type error
			if fe.Path != "" || fe.Message != "" {
				e.Errors = append(e.Errors, fe)
			}
		}
	}
	// The {"error": {message, key, trace}} shape, or {"error": "text"}.
	if raw, ok := doc["error"]; ok {
		if s := jsonString(raw); s != "" {
			if e.Message == "" {
				e.Message = s
			}
		} else {
			var inner map[string]json.RawMessage
			if json.Unmarshal(raw, &inner) == nil {
				if e.Message == "" {
					e.Message = jsonString(inner["message"])
				}
				e.Key = jsonString(inner["key"])
				if e.Trace == "" {
					e.Trace = jsonString(inner["trace"])
				}
			}
		}
	}
	e.redact(key)
	e.clip()
	return e
}

// maxFieldErrorsShown bounds how many field errors Error() lists.
const maxFieldErrorsShown = 10

// maxCodeLen bounds the code: the documented one has 7 digits, and a huge
// number (1 MB of digits) must not become a 1 MB log line per failed call.
const maxCodeLen = 40

func (e *APIError) clip() {
	e.Message = clip(e.Message, 500)
	e.Title = clip(e.Title, 200)
	e.Docs = clip(e.Docs, 200)
	e.Trace = clip(e.Trace, 200)
	e.Key = clip(e.Key, 200)
	e.Code = clip(e.Code, maxCodeLen)
	for i := range e.Errors {
		e.Errors[i].Path = clip(e.Errors[i].Path, 200)
		e.Errors[i].Message = clip(e.Errors[i].Message, 300)
		if len(e.Errors[i].Value) > 500 {
			e.Errors[i].Value = nil // a clipped JSON value would be invalid
		}
	}
}

// redact removes the API key from every text a server could have echoed it
// into, so that no error message ever carries it.
func (e *APIError) redact(key string) {
	if key == "" {
		return
	}
	r := func(s string) string { return strings.ReplaceAll(s, key, "[redacted]") }
	e.Message, e.Title, e.Docs, e.Trace, e.Key, e.Code = r(e.Message), r(e.Title), r(e.Docs), r(e.Trace), r(e.Key), r(e.Code)
	for i := range e.Errors {
		fe := &e.Errors[i]
		fe.Path, fe.Message, fe.Schema.Type = r(fe.Path), r(fe.Message), r(fe.Schema.Type)
		fe.Value = redactJSON(fe.Value, key)
	}
}

// redactJSON removes key from a raw JSON value. The value is first written
// in its canonical form, so that a key spelled with \u escapes (which a
// reader of the decoded value would see) is found too; a value that still
// holds the key after replacement, or no longer parses, is dropped.
func redactJSON(raw json.RawMessage, key string) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil
	}
	canon := strings.TrimSuffix(b.String(), "\n")
	if !strings.Contains(canon, key) {
		return raw
	}
	out := json.RawMessage(strings.ReplaceAll(canon, key, "[redacted]"))
	if !json.Valid(out) || strings.Contains(string(out), key) {
		return nil
	}
	return out
}

// jsonString decodes raw as a JSON string, or gives "".
func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// codeString accepts the code as the documented 7-digit string or as a
// number, which loses its leading zeros: 101403 is "0101403".
func codeString(raw json.RawMessage) string {
	if s := jsonString(raw); s != "" {
		return s
	}
	var n json.Number
	if len(raw) == 0 || json.Unmarshal(raw, &n) != nil {
		return ""
	}
	if i, err := n.Int64(); err == nil && i >= 0 && i < 1e7 {
		return fmt.Sprintf("%07d", i)
	}
	return n.String()
}

// clip cuts s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
