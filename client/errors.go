package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
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
	for _, fe := range e.Errors {
		fmt.Fprintf(&b, "; %s: %s", fe.Path, fe.Message)
	}
	if e.Code != "" {
		b.WriteString(" (code " + e.Code + ")")
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
)

// parseAPIError builds an *APIError from a non-2xx response body.
func parseAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	var doc struct {
		Message     string          `json:"message"`
		Code        json.RawMessage `json:"code"`
		Title       string          `json:"title"`
		Docs        string          `json:"docs"`
		Trace       string          `json:"trace"`
		Description string          `json:"description"`
		Errors      []FieldError    `json:"errors"`
		Error       *struct {
			Message string `json:"message"`
			Key     string `json:"key"`
			Trace   string `json:"trace"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.Message, e.Title, e.Docs, e.Trace, e.Errors = doc.Message, doc.Title, doc.Docs, doc.Trace, doc.Errors
		e.Code = codeString(doc.Code)
		if e.Title == "" {
			e.Title = doc.Description
		}
		if doc.Error != nil {
			if e.Message == "" {
				e.Message = doc.Error.Message
			}
			e.Key = doc.Error.Key
			if e.Trace == "" {
				e.Trace = doc.Error.Trace
			}
		}
	}
	e.Message = clip(e.Message, 500)
	return e
}

// codeString accepts the code as the documented string or as a number.
func codeString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
