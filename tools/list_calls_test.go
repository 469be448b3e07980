package tools

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// fixtureCalls covers every optional field of the call object.
func fixtureCalls() []client.Call {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 7, 0, time.UTC) }
	return []client.Call{
		{ID: "AC0000000000000000000000000000a1", PhoneNumberID: "PNsales0001", UserID: "USjordan01", Direction: "incoming", Status: "completed",
			Duration: 252, Participants: []string{"+12125550103", "+14155550100"}, CreatedAt: at(16, 5),
			AnsweredAt: ptr(at(16, 5)), AnsweredBy: ptr("USjordan01"), CompletedAt: ptr(at(16, 9)), UpdatedAt: ptr(at(16, 9)), CallRoute: ptr("phone-number")},
		{ID: "AC0000000000000000000000000000a2", PhoneNumberID: "PNsales0001", UserID: "USjordan01", Direction: "incoming", Status: "missed",
			Duration: 0, Participants: []string{"+12125550103", "+14155550100"}, CreatedAt: at(12, 40), CallRoute: ptr("phone-menu")},
		{ID: "AC0000000000000000000000000000a3", PhoneNumberID: "PNsales0001", UserID: "USjordan01", Direction: "incoming", Status: "forwarded",
			Duration: 31, Participants: []string{"+12125550103", "+14155550100"}, CreatedAt: at(9, 2), ForwardedTo: ptr("+13105550142")},
		{ID: "AC0000000000000000000000000000a4", PhoneNumberID: "PNsales0001", UserID: "USalex00002", Direction: "outgoing", Status: "completed",
			Duration: 3723, Participants: []string{"+14155550100", "+12125550103"}, CreatedAt: at(8, 15), InitiatedBy: ptr("USalex00002")},
		{ID: "AC0000000000000000000000000000a5", PhoneNumberID: "PNsales0001", UserID: "USjordan01", Direction: "incoming", Status: "completed",
			Duration: 95, Participants: []string{"+12125550103", "+14155550100"}, CreatedAt: at(7, 1), AIHandled: ptr("ai-agent"), ForwardedFrom: ptr("USalex00002")},
	}
}

// fakeWorkspace answers GET /v1/phone-numbers and /v1/conversations from the
// fixture workspace and GET /v1/calls with calls, counting those in n.
func fakeWorkspace(n *atomic.Int64, calls http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/phone-numbers":
			writeJSON(w, 200, map[string]any{"data": fxNumbers()})
		case "/v1/conversations":
			writeJSON(w, 200, client.ConversationPage{Data: fxWorkspace().Conversations, TotalItems: 3})
		case "/v1/calls":
			if n != nil {
				n.Add(1)
			}
			calls(w, r)
		default:
			http.NotFound(w, r)
		}
	}
}

func servePage(calls []client.Call, next *string) http.HandlerFunc {
	return fakeWorkspace(nil, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, client.CallPage{Data: calls, TotalItems: 9999, NextPageToken: next})
	})
}

var validArgs = map[string]any{"phoneNumberId": "PNsales0001", "participants": []string{"+12125550103"}}

func withArgs(extra map[string]any) map[string]any {
	m := map[string]any{}
	for k, v := range validArgs {
		m[k] = v
	}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func TestListCallsGolden(t *testing.T) {
	for _, protocol := range []string{testutil.ProtocolDefault, testutil.ProtocolLegacy} {
		t.Run("protocol="+protocol, func(t *testing.T) {
			e, f := newFakeEnvV1(t, protocol)
			f.set(servePage(fixtureCalls(), ptr("tok_page2")))
			res := e.call(t, "list_calls", validArgs)
			if res.IsError {
				t.Fatalf("isError: %s", res.Text)
			}
			testutil.Golden(t, "list_calls/page.txt", res.Text)
			testutil.Golden(t, "list_calls/page.structured.json", testutil.JSON(t, res.Structured))
			if strings.Contains(res.Text, "9999") {
				t.Error("totalItems is documented as inaccurate and must not be shown")
			}

			f.set(servePage(fixtureCalls()[:2], nil))
			res = e.call(t, "list_calls", withArgs(map[string]any{"pageToken": "tok_page2", "userId": "USjordan01"}))
			testutil.Golden(t, "list_calls/last_page.txt", res.Text)
			testutil.Golden(t, "list_calls/last_page.structured.json", testutil.JSON(t, res.Structured))

			f.set(servePage([]client.Call{}, nil))
			res = e.call(t, "list_calls", withArgs(map[string]any{"createdAfter": "2026-11-01T00:00:00Z"}))
			testutil.Golden(t, "list_calls/empty_window.txt", res.Text)
			testutil.Golden(t, "list_calls/empty_window.structured.json", testutil.JSON(t, res.Structured))
		})
	}
}

func TestListCallsQuery(t *testing.T) {
	e, f := newFakeEnvV1(t, testutil.ProtocolLegacy)
	var got string
	f.set(fakeWorkspace(nil, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawQuery
		writeJSON(w, 200, client.CallPage{Data: []client.Call{}})
	}))
	res := e.call(t, "list_calls", map[string]any{
		"phoneNumberId": "(415) 555-0100", "participants": []string{"212.555.0103"}, "userId": "USjordan01",
		"createdAfter": "2026-11-20T09:00:00-05:00", "createdBefore": "2026-11-27", "maxResults": 25, "pageToken": "abc",
	})
	if res.IsError {
		t.Fatal(res.Text)
	}
	want := "createdAfter=2026-11-20T14%3A00%3A00Z&createdBefore=2026-11-27T00%3A00%3A00Z&maxResults=25&pageToken=abc&participants=%2B12125550103&phoneNumberId=PNsales0001&userId=USjordan01"
	if got != want {
		t.Errorf("query\n got %s\nwant %s", got, want)
	}
	if auth, _ := f.lastAuth.Load().(string); auth != markerKey {
		t.Errorf("Authorization = %q, want the raw key", auth)
	}
}

func TestListCallsBadArguments(t *testing.T) {
	e, f := newFakeEnvV1(t, testutil.ProtocolLegacy)
	f.set(servePage(nil, nil))
	cases := []struct {
		name string
		args map[string]any
		want []string // fragments of the message
	}{
		{"phoneNumberId neither id nor number", withArgs(map[string]any{"phoneNumberId": "(000) 000"}), []string{`phoneNumberId "(000) 000" is neither`, "PN123abc", "+14155550100", "list_phone_numbers"}},
		{"phoneNumberId too short a number", withArgs(map[string]any{"phoneNumberId": "555-01"}), []string{`phoneNumberId "555-01" is neither`}},
		{"phoneNumberId bare prefix", withArgs(map[string]any{"phoneNumberId": "PN"}), []string{`phoneNumberId "PN" is not valid: it is "PN" followed by letters and digits`, "PN123abc"}},
		{"missing participants", withArgs(map[string]any{"participants": nil}), []string{"participants is required", "+12125550103"}},
		{"empty participants", withArgs(map[string]any{"participants": []string{}}), []string{"participants is required"}},
		{"not a phone number", withArgs(map[string]any{"participants": []string{"+999 555 0103"}}), []string{`"+999 555 0103" is not a valid phone number`, "E.164"}},
		{"two participants", withArgs(map[string]any{"participants": []string{"+12125550103", "+13105550142"}}), []string{"exactly one", "once per participant"}},
		{"participants not an array", withArgs(map[string]any{"participants": 2125550103}), []string{"participants must be an array of strings"}},
		{"maxResults 0", withArgs(map[string]any{"maxResults": 0}), []string{"maxResults 0 is out of range", "1 to 100"}},
		{"maxResults 101", withArgs(map[string]any{"maxResults": 101}), []string{"maxResults 101 is out of range"}},
		{"maxResults string", withArgs(map[string]any{"maxResults": "ten"}), []string{"maxResults must be an integer"}},
		{"malformed createdAfter", withArgs(map[string]any{"createdAfter": "last tuesday"}), []string{`createdAfter "last tuesday" is not a date-time`, "2026-11-20T09:00:00Z"}},
		{"malformed createdBefore", withArgs(map[string]any{"createdBefore": "2026-13-01"}), []string{"createdBefore", "RFC 3339"}},
		{"after later than before", withArgs(map[string]any{"createdAfter": "2026-11-20T00:00:00Z", "createdBefore": "2026-11-19T00:00:00Z"}), []string{"must be earlier than createdBefore"}},
		{"bad userId", withArgs(map[string]any{"userId": "jordan"}), []string{"userId", `"US"`}},
		{"unknown argument", withArgs(map[string]any{"since": "2026-11-01T00:00:00Z"}), []string{`unknown argument "since"`, "createdAfter", "pageToken"}},
		{"includeSummaries not a boolean", withArgs(map[string]any{"includeSummaries": "yes"}), []string{"includeSummaries must be true or false"}},
		{"bad participant with omitted number", map[string]any{"participants": []string{"12"}}, []string{`"12" is not a valid phone number`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.requests.Load()
			res := e.call(t, "list_calls", tc.args)
			if !res.IsError {
				t.Fatalf("want isError, got %s", res.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("message %q lacks %q", res.Text, w)
				}
			}
			if n := f.requests.Load() - before; n != 0 {
				t.Errorf("bad input made %d API requests, want 0", n)
			}
		})
	}
}

func errorBody(status int, code, title, message string) map[string]any {
	return map[string]any{"message": message, "code": code, "status": status, "docs": "https://openphone.com/docs", "title": title, "trace": "trace-123"}
}

func TestListCallsAPIErrors(t *testing.T) {
	e, f := newFakeEnvV1(t, testutil.ProtocolLegacy)
	cases := []struct {
		name     string
		handler  http.HandlerFunc
		requests int64
		want     []string
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 401, errorBody(401, "0100401", "Unauthorized", "Invalid API key"))
		}, 1, []string{"OPENPHONE_API_KEY", "401"}},
		{"403 not phone number user", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 403, errorBody(403, "0101403", "Not Phone Number User", "User is not a member of the phone number"))
		}, 1, []string{"not a member of that OpenPhone number", "list_phone_numbers", "0101403"}},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 404, errorBody(404, "0100404", "Not Found", "Phone number not found"))
		}, 1, []string{"Not found", "PN"}},
		{"400 field errors", func(w http.ResponseWriter, r *http.Request) {
			b := errorBody(400, "0101400", "Too Many Participants", "Too many participants")
			b["errors"] = []map[string]any{{"path": "/participants", "message": "Expected at most 1 items", "schema": map[string]any{"type": "array"}}}
			writeJSON(w, 400, b)
		}, 1, []string{"Too Many Participants", "/participants: Expected at most 1 items"}},
		{"429 after retries", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, map[string]any{"error": map[string]any{"message": "Too many requests", "key": "rate_limited"}})
		}, 3, []string{"rate limiting", "after 3 attempts", "10 requests per second"}},
		{"500 persistent", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 500, errorBody(500, "0101500", "Unknown", "Something went wrong"))
		}, 1, []string{"OpenPhone API failed", "500"}},
		{"503 persistent", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(503)
			fmt.Fprint(w, "<html><body><h1>503 Service Unavailable</h1></body></html>")
		}, 3, []string{"OpenPhone API failed", "503 Service Unavailable", "after 3 attempts"}},
		{"malformed body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"data":[{"id":"AC1","createdAt":`)
		}, 1, []string{"could not be read"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			f.set(fakeWorkspace(&calls, tc.handler))
			res := e.call(t, "list_calls", validArgs)
			if !res.IsError {
				t.Fatalf("want isError, got %s", res.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("message %q lacks %q", res.Text, w)
				}
			}
			if n := calls.Load(); n != tc.requests {
				t.Errorf("made %d calls requests, want %d", n, tc.requests)
			}
			// The server keeps answering afterwards.
			f.set(servePage(fixtureCalls()[:1], nil))
			if res := e.call(t, "list_calls", validArgs); res.IsError {
				t.Fatalf("after %s the next call failed: %s", tc.name, res.Text)
			}
		})
	}
}

func TestListCallsAbsorbsTransientFailures(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter){
		"two 429s with Retry-After": func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0.01")
			writeJSON(w, 429, errorBody(429, "0100429", "Too Many Requests", "Rate limit exceeded"))
		},
		"502 HTML page": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
		},
	}
	for name, fail := range cases {
		t.Run(name, func(t *testing.T) {
			e, f := newFakeEnvV1(t, testutil.ProtocolLegacy)
			failures := 2
			if strings.HasPrefix(name, "502") {
				failures = 1
			}
			var calls atomic.Int64
			f.set(fakeWorkspace(&calls, func(w http.ResponseWriter, r *http.Request) {
				if calls.Load() <= int64(failures) {
					fail(w)
					return
				}
				writeJSON(w, 200, client.CallPage{Data: fixtureCalls()[:2]})
			}))
			res := e.call(t, "list_calls", validArgs)
			if res.IsError {
				t.Fatalf("transient failure not absorbed: %s", res.Text)
			}
			if !strings.Contains(res.Text, "AC0000000000000000000000000000a2") {
				t.Errorf("result lacks the calls: %s", res.Text)
			}
			if got := calls.Load(); got != int64(failures+1) {
				t.Errorf("made %d calls requests, want %d", got, failures+1)
			}
			if got := f.requests.Load(); got != int64(failures+3) {
				t.Errorf("made %d requests, want %d: the calls, the phone numbers and one page of conversations", got, failures+3)
			}
		})
	}
}

// TestListCallsSchema checks that the schema (pinned by TestToolSchemas)
// mirrors the query parameters of GET /v1/calls, as the OpenAPI document
// gives them, parameter by parameter, except for the deliberate relaxations
// listed here: the handler accepts friendlier input and normalises it to
// what the API requires before any request.
func TestListCallsSchema(t *testing.T) {
	tool := listCallsTool(&Deps{}).Tool
	var schema struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(tool.RawInputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	// Facts of the OpenAPI document's GET /v1/calls parameters.
	api := map[string]string{
		"phoneNumberId": `{"type":"string","pattern":"^PN(.*)$"}`,
		"participants":  `{"type":"array","minItems":1,"maxItems":1,"items":{"type":"string","pattern":"^\\+[1-9]\\d{1,14}$"}}`,
		"userId":        `{"type":"string","pattern":"^US(.*)$"}`,
		"createdAfter":  `{"type":"string","format":"date-time"}`,
		"createdBefore": `{"type":"string","format":"date-time"}`,
		"maxResults":    `{"type":"integer","minimum":1,"maximum":100,"default":10}`,
		"pageToken":     `{"type":"string"}`,
	}
	apiRequired := []string{"participants", "phoneNumberId"}
	// The deliberate relaxations, each with a form its description must
	// name so that the model knows it may use it.
	relaxations := map[string]struct {
		relax   func(api map[string]any)
		example string
	}{
		// Also the OpenPhone number itself, resolved to its PN id through the
		// workspace's numbers, and optional when there is one number.
		"phoneNumberId": {func(api map[string]any) { delete(api, "pattern") }, "(415) 555-0100"},
		// Any common way of writing a phone number, normalised to E.164.
		"participants": {func(api map[string]any) { delete(api["items"].(map[string]any), "pattern") }, "(212) 555-0103"},
		// Also dates and relative words (today, 7d), resolved to RFC 3339
		// in the server's time zone (args_window.go).
		"createdAfter":  {func(api map[string]any) { delete(api, "format") }, "today"},
		"createdBefore": {func(api map[string]any) { delete(api, "format") }, "yesterday"},
	}
	wantRequired := []string{"participants"}
	// This server's additions, which are not API parameters.
	additions := map[string]string{
		"includeSummaries": `{"type":"boolean","default":false}`,
	}

	if diff := cmp.Diff(wantRequired, schema.Required); diff != "" {
		t.Errorf("required (-want +got):\n%s", diff)
	}
	for _, name := range apiRequired {
		if _, relaxed := relaxations[name]; !relaxed && !slices.Contains(schema.Required, name) {
			t.Errorf("the API requires %s and no relaxation is documented for it", name)
		}
	}
	if len(schema.Properties) != len(api)+len(additions) {
		t.Errorf("schema has %d properties, the API %d plus %d additions", len(schema.Properties), len(api), len(additions))
	}
	check := func(name, wantRaw string, relax func(map[string]any)) map[string]any {
		gotRaw, ok := schema.Properties[name]
		if !ok {
			t.Errorf("schema lacks parameter %s", name)
			return nil
		}
		var want, got map[string]any
		if err := json.Unmarshal([]byte(wantRaw), &want); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(gotRaw, &got)
		if relax != nil {
			relax(want)
		}
		d, _ := got["description"].(string)
		if len(d) < 20 {
			t.Errorf("%s: description %q does not tell the model what it is for", name, d)
		}
		delete(got, "description")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s differs from the API (-api +schema):\n%s", name, diff)
		}
		return map[string]any{"description": d}
	}
	for name, wantRaw := range api {
		r := relaxations[name]
		got := check(name, wantRaw, r.relax)
		if d, _ := got["description"].(string); r.example != "" && !strings.Contains(d, r.example) {
			t.Errorf("%s is relaxed but its description does not show the accepted form %q: %s", name, r.example, d)
		}
	}
	for name, wantRaw := range additions {
		check(name, wantRaw, nil)
	}
	if !json.Valid(tool.RawOutputSchema) || !strings.Contains(string(tool.RawOutputSchema), `nextPageToken`) {
		t.Errorf("list_calls must publish an output schema for its structured content, got %s", tool.RawOutputSchema)
	}
	if _, ok := schema.Properties["since"]; ok {
		t.Error("the deprecated since parameter must not be offered")
	}
	for _, want := range []string{"pageToken", "get_call", "recent_calls"} {
		if !strings.Contains(tool.Description, want) {
			t.Errorf("description must mention %s (how to page and which tool to use instead)", want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for secs, want := range map[int]string{0: "0s", 59: "59s", 60: "1m00s", 252: "4m12s", 3600: "1h00m00s", 3723: "1h02m03s"} {
		if got := formatDuration(secs); got != want {
			t.Errorf("formatDuration(%d) = %q, want %q", secs, got, want)
		}
	}
}
