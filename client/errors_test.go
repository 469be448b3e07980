package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// documentedError builds the documented error body of the OpenAPI doc:
// {message, code, status, docs, title, trace?, errors?, description?}.
// parseAPIError is parseAPIErrorRedacted for tests that have no key to hide.
func parseAPIError(method, path string, status int, body []byte) *APIError {
	return parseAPIErrorRedacted(method, path, status, body, "")
}

func documentedError(status int, code, title, message, trace, fieldErrors string) string {
	s := fmt.Sprintf(`{"message":%q,"code":%q,"status":%d,"docs":"https://openphone.com/docs","title":%q,"trace":%q`,
		message, code, status, title, trace)
	if fieldErrors != "" {
		s += `,"errors":` + fieldErrors
	}
	return s + fmt.Sprintf(`,"description":%q}`, title)
}

func TestAPIError_documentedShapes(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		want      *APIError
		wantText  string
		wantParts []string
	}{
		{
			name:   "400 too many participants with field errors",
			status: 400,
			body: documentedError(400, "0101400", "Too Many Participants", "Only 1:1 conversations are supported", "tr-400",
				`[{"path":"/participants","message":"Expected array to contain at most 1 items","value":["+15555550100","+15555550101"],"schema":{"type":"array"}},
				  {"path":"/maxResults","message":"Expected integer to be less or equal to 100","value":500,"schema":{"type":"integer"}}]`),
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 400, Code: "0101400",
				Title: "Too Many Participants", Message: "Only 1:1 conversations are supported",
				Docs: "https://openphone.com/docs", Trace: "tr-400", Attempts: 1,
				Errors: []FieldError{
					{Path: "/participants", Message: "Expected array to contain at most 1 items", Value: json.RawMessage(`["+15555550100","+15555550101"]`), Schema: struct {
						Type string `json:"type"`
					}{"array"}},
					{Path: "/maxResults", Message: "Expected integer to be less or equal to 100", Value: json.RawMessage(`500`), Schema: struct {
						Type string `json:"type"`
					}{"integer"}},
				},
			},
			wantText: "openphone: GET /v1/calls: 400 Too Many Participants: Only 1:1 conversations are supported; " +
				"/participants: Expected array to contain at most 1 items; /maxResults: Expected integer to be less or equal to 100 (code 0101400) [trace tr-400]",
		},
		{
			name:   "401 unauthorized",
			status: 401,
			body:   `{"message":"Invalid API key","code":"0100401","status":401,"docs":"https://openphone.com/docs","title":"Unauthorized"}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 401, Code: "0100401", Title: "Unauthorized",
				Message: "Invalid API key", Docs: "https://openphone.com/docs", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 401 Unauthorized: Invalid API key (code 0100401)",
		},
		{
			name:   "403 not phone number user",
			status: 403,
			body:   documentedError(403, "0101403", "Not Phone Number User", "You are not a member of this phone number", "tr-403", ""),
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 403, Code: "0101403", Title: "Not Phone Number User",
				Message: "You are not a member of this phone number", Docs: "https://openphone.com/docs", Trace: "tr-403", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 403 Not Phone Number User: You are not a member of this phone number (code 0101403) [trace tr-403]",
		},
		{
			name:   "404 not found, message equal to title is not repeated",
			status: 404,
			body:   `{"message":"Not Found","code":"0100404","status":404,"docs":"https://openphone.com/docs","title":"Not Found","trace":"tr-404"}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 404, Code: "0100404", Title: "Not Found",
				Message: "Not Found", Docs: "https://openphone.com/docs", Trace: "tr-404", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 404 Not Found (code 0100404) [trace tr-404]",
		},
		{
			name:   "500 unknown",
			status: 500,
			body:   `{"message":"Something went wrong","code":"0101500","status":500,"docs":"https://openphone.com/docs","title":"Unknown","trace":"tr-500"}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 500, Code: "0101500", Title: "Unknown",
				Message: "Something went wrong", Docs: "https://openphone.com/docs", Trace: "tr-500", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 500 Unknown: Something went wrong (code 0101500) [trace tr-500]",
		},
		{
			name:   "title missing: description is used",
			status: 400,
			body:   `{"message":"bad","code":"0101400","status":400,"description":"Too Many Participants"}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 400, Code: "0101400", Title: "Too Many Participants",
				Message: "bad", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 400 Too Many Participants: bad (code 0101400)",
		},
		{
			name:   "numeric code keeps its 7 digits",
			status: 403,
			body:   `{"message":"no","code":101403,"status":403,"title":"Not Phone Number User"}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 403, Code: "0101403", Title: "Not Phone Number User",
				Message: "no", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 403 Not Phone Number User: no (code 0101403)",
		},
		{
			name:   `{"error":{...}} shape`,
			status: 401,
			body:   `{"error":{"message":"API key is invalid","key":"unauthorized","trace":"tr-err"}}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 401, Message: "API key is invalid",
				Key: "unauthorized", Trace: "tr-err", Attempts: 1,
			},
			wantParts: []string{"401 Unauthorized", "API key is invalid", "tr-err"},
		},
		{
			name:   `{"error":"string"} shape`,
			status: 403,
			body:   `{"error":"Forbidden by policy"}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 403, Message: "Forbidden by policy", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 403 Forbidden: Forbidden by policy",
		},
		{
			name:   "documented fields survive an odd-typed extra field",
			status: 400,
			body:   `{"message":"bad participants","code":"0101400","title":"Too Many Participants","errors":"not an array"}`,
			want: &APIError{
				Method: "GET", Path: "/v1/calls", StatusCode: 400, Code: "0101400", Title: "Too Many Participants",
				Message: "bad participants", Attempts: 1,
			},
			wantText: "openphone: GET /v1/calls: 400 Too Many Participants: bad participants (code 0101400)",
		},
		{
			name:     "HTML from a proxy falls back to the status line",
			status:   400,
			body:     "<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center><hr><center>nginx</center></body></html>",
			want:     &APIError{Method: "GET", Path: "/v1/calls", StatusCode: 400, Attempts: 1},
			wantText: "openphone: GET /v1/calls: 400 Bad Request",
		},
		{
			name:     "empty body falls back to the status line",
			status:   404,
			body:     "",
			want:     &APIError{Method: "GET", Path: "/v1/calls", StatusCode: 404, Attempts: 1},
			wantText: "openphone: GET /v1/calls: 404 Not Found",
		},
		{
			name:     "JSON that is not an object",
			status:   403,
			body:     `["forbidden"]`,
			want:     &APIError{Method: "GET", Path: "/v1/calls", StatusCode: 403, Attempts: 1},
			wantText: "openphone: GET /v1/calls: 403 Forbidden",
		},
		{
			name:     "unknown status code",
			status:   418,
			body:     "no",
			want:     &APIError{Method: "GET", Path: "/v1/calls", StatusCode: 418, Attempts: 1},
			wantText: "openphone: GET /v1/calls: 418 I'm a teapot",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			var n counter
			mux.HandleFunc("GET /v1/calls", n.wrap(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(tt.body, "<") {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(tt.status)
					w.Write([]byte(tt.body))
					return
				}
				writeJSON(w, tt.status, tt.body)
			}))
			page, err := c.ListCalls(context.Background(), ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+15555550100"}})
			checkErr(t, err)
			if page != nil {
				t.Errorf("page = %+v, want nil with an error", page)
			}
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %T %v, want *APIError", err, err)
			}
			if diff := cmp.Diff(tt.want, ae); diff != "" {
				t.Errorf("APIError mismatch (-want +got):\n%s", diff)
			}
			if tt.wantText != "" && err.Error() != tt.wantText {
				t.Errorf("Error() =\n  %q\nwant\n  %q", err.Error(), tt.wantText)
			}
			for _, p := range tt.wantParts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("Error() = %q, want it to contain %q", err.Error(), p)
				}
			}
			if strings.Contains(err.Error(), "+15555550100") {
				t.Errorf("Error() = %q leaks the query", err.Error())
			}
			if !IsStatus(err, tt.status) {
				t.Errorf("IsStatus(err, %d) = false", tt.status)
			}
			if IsStatus(err, tt.status+1) {
				t.Errorf("IsStatus(err, %d) = true", tt.status+1)
			}
			if !IsStatus(fmt.Errorf("wrapped: %w", err), tt.status) {
				t.Error("IsStatus does not see through wrapping")
			}
			if n.get() != 1 {
				t.Errorf("%d requests, want 1: %d is not retried", n.get(), tt.status)
			}
		})
	}
}

func TestIsStatus_nonAPIErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("x"), ErrTimeout, context.Canceled} {
		if IsStatus(err, 404) {
			t.Errorf("IsStatus(%v, 404) = true", err)
		}
	}
}

func TestAPIError_longMessageIsClippedOnARuneBoundary(t *testing.T) {
	long := strings.Repeat("é", 600) // 2 bytes each
	ae := parseAPIError("GET", "/v1/calls", 400, []byte(fmt.Sprintf(`{"message":%q,"title":%q}`, long, strings.Repeat("t", 5000))))
	if len(ae.Message) > 520 || !strings.HasSuffix(ae.Message, "…") {
		t.Errorf("message of %d bytes not clipped", len(ae.Message))
	}
	if !utf8.ValidString(ae.Message) {
		t.Errorf("clipped message is not valid UTF-8")
	}
	if len(ae.Error()) > 2000 {
		t.Errorf("Error() is %d bytes; a huge title should be clipped too", len(ae.Error()))
	}
}

// TestErrors_neverContainTheKey makes a server echo the Authorization header
// into every field of an error body: the client must not carry it into an
// error message.
func TestErrors_neverContainTheKey(t *testing.T) {
	bodies := map[string]func(key string) string{
		"documented": func(key string) string {
			return fmt.Sprintf(`{"message":"bad key %s","code":"0100401","status":401,"title":"Unauthorized %s","docs":"%s","trace":"%s",
				"errors":[{"path":"/authorization","message":"got %s","value":%q,"schema":{"type":"string"}}],"description":"%s"}`,
				key, key, key, key, key, key, key)
		},
		"error shape": func(key string) string {
			return fmt.Sprintf(`{"error":{"message":"key %s rejected","key":"%s","trace":"%s"}}`, key, key, key)
		},
		"html": func(key string) string { return "<html>Authorization: " + key + "</html>" },
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 401, body(r.Header.Get("Authorization")))
			})
			_, err := c.GetCall(context.Background(), "AC1")
			checkErr(t, err)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			fields := []string{ae.Message, ae.Title, ae.Docs, ae.Trace, ae.Key, ae.Path}
			for _, fe := range ae.Errors {
				fields = append(fields, fe.Path, fe.Message, string(fe.Value))
			}
			for _, f := range fields {
				if strings.Contains(f, testKey) {
					t.Errorf("APIError field %q contains the key", f)
				}
			}
		})
	}
}

// TestEveryEndpointReportsErrors: each method turns a failure into an
// *APIError naming its path, and a 200 without data into
// ErrMalformedResponse.
func TestEveryEndpointReportsErrors(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("mode") == "" && strings.HasSuffix(r.URL.Path, "/ACnull") {
			writeJSON(w, 200, `{"data":null}`)
			return
		}
		writeJSON(w, 404, `{"message":"Not Found","code":"0100404","status":404,"title":"Not Found"}`)
	})
	ctx := context.Background()
	tests := []struct {
		path string
		call func(id string) error
		data bool // a 200 with data null is malformed
	}{
		{"/v1/calls/AC1", func(id string) error { _, err := c.GetCall(ctx, id); return err }, true},
		{"/v1/call-summaries/AC1", func(id string) error { _, err := c.GetCallSummary(ctx, id); return err }, true},
		{"/v1/call-transcripts/AC1", func(id string) error { _, err := c.GetCallTranscript(ctx, id); return err }, true},
		{"/v1/call-recordings/AC1", func(id string) error { _, err := c.GetCallRecordings(ctx, id); return err }, false},
		{"/v1/phone-numbers", func(string) error { _, err := c.ListPhoneNumbers(ctx, "US1"); return err }, false},
		{"/v1/conversations", func(string) error { _, err := c.ListConversations(ctx, ListConversationsParams{}); return err }, false},
		{"/v1/calls", func(string) error {
			_, err := c.ListCalls(ctx, ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+15555550100"}})
			return err
		}, false},
	}
	for _, tt := range tests {
		err := tt.call("AC1")
		checkErr(t, err)
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Path != tt.path || ae.Method != "GET" {
			t.Errorf("%s: err = %v, want a 404 *APIError for GET %s", tt.path, err, tt.path)
		}
		if tt.data {
			err := tt.call("ACnull")
			checkErr(t, err)
			if !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("%s with data null: err = %v, want ErrMalformedResponse", tt.path, err)
			}
		}
	}
}

func TestAPIError_manyFieldErrorsAreSummarised(t *testing.T) {
	var items []string
	for i := range 25 {
		items = append(items, fmt.Sprintf(`{"path":"/p%d","message":"bad %d","schema":{"type":"string"}}`, i, i))
	}
	ae := parseAPIError("GET", "/v1/calls", 400, []byte(`{"message":"invalid","title":"Bad Request","errors":[`+strings.Join(items, ",")+`]}`))
	if len(ae.Errors) != 25 {
		t.Fatalf("%d field errors, want all 25 kept", len(ae.Errors))
	}
	msg := ae.Error()
	if !strings.Contains(msg, "/p9: bad 9") || strings.Contains(msg, "/p10:") || !strings.Contains(msg, "and 15 more") {
		t.Errorf("Error() = %q, want the first 10 field errors and a count of the rest", msg)
	}
}
