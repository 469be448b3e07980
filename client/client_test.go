package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testKey is a marker API key: no error message may ever contain it.
const testKey = "opk_MARKER_3f9c2a7e5d"

// setup starts a fake API behind an httptest mux and returns a client that
// talks to it: no pacing, tiny backoff, a short timeout. opts are applied
// after the defaults, so a test can override any of them.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := []Option{
		WithBaseURL(srv.URL),
		// The test server's own transport: srv.Close closes its idle
		// connections, so goleak sees no leftover connection goroutines.
		WithTransport(srv.Client().Transport),
		WithRateLimit(0),
		WithRetries(4, time.Millisecond, 2*time.Millisecond),
		WithTimeout(5 * time.Second),
	}
	c, err := New(testKey, append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, mux, srv
}

// hangUntilCleanup returns a channel that is closed when the test ends,
// before the servers are closed, so that a hung handler waiting on it lets
// httptest.Server.Close return.
func hangUntilCleanup(t *testing.T) <-chan struct{} {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return release
}

// counter counts requests to a handler.
type counter struct{ n atomic.Int64 }

func (c *counter) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		h(w, r)
	}
}
func (c *counter) get() int { return int(c.n.Load()) }

// checkErr fails unless err is non-nil and free of the API key.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("got nil error, want one")
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error message contains the API key: %q", err.Error())
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func ptr[T any](v T) *T { return &v }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestNew_rejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opts []Option
	}{
		{"empty key", "", nil},
		{"blank key", "  \t", nil},
		{"relative base URL", testKey, []Option{WithBaseURL("api.openphone.com")}},
		{"ftp base URL", testKey, []Option{WithBaseURL("ftp://api.openphone.com")}},
		{"base URL without host", testKey, []Option{WithBaseURL("https://")}},
		{"zero timeout", testKey, []Option{WithTimeout(0)}},
		{"negative timeout", testKey, []Option{WithTimeout(-time.Second)}},
		{"zero attempts", testKey, []Option{WithRetries(0, time.Millisecond, time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.key, tt.opts...)
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error", c.BaseURL())
			}
			if tt.key != "" && strings.Contains(err.Error(), tt.key) {
				t.Errorf("error %q contains the key", err)
			}
		})
	}
}

func TestNew_defaults(t *testing.T) {
	c, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.BaseURL(); got != DefaultBaseURL {
		t.Errorf("BaseURL = %q, want %q", got, DefaultBaseURL)
	}
	if c.limiter == nil {
		t.Fatal("default client has no pacing")
	}
	if got, want := float64(c.limiter.Limit()), float64(DefaultRateLimit); got != want {
		t.Errorf("default rate = %v/s, want %v/s", got, want)
	}
	if got := c.limiter.Burst(); got != 1 {
		t.Errorf("default burst = %d, want 1 (evenly spaced)", got)
	}
	if c.timeout != DefaultTimeout || c.maxAttempts != DefaultMaxAttempts || c.maxBodyBytes != DefaultMaxBodyBytes || c.maxPages != DefaultMaxPages {
		t.Errorf("defaults = timeout %v, attempts %d, body %d, pages %d", c.timeout, c.maxAttempts, c.maxBodyBytes, c.maxPages)
	}
	if DefaultRateLimit != 10 {
		t.Errorf("DefaultRateLimit = %v, the API documents 10 requests per second", DefaultRateLimit)
	}
}

func TestWithRateLimit_zeroDisablesPacing(t *testing.T) {
	for _, r := range []float64{0, -1} {
		c, err := New(testKey, WithRateLimit(r))
		if err != nil {
			t.Fatal(err)
		}
		if c.limiter != nil {
			t.Errorf("WithRateLimit(%v): limiter = %v, want none", r, c.limiter.Limit())
		}
	}
	c, err := New(testKey, WithRateLimit(20))
	if err != nil {
		t.Fatal(err)
	}
	if c.limiter == nil || c.limiter.Limit() != 20 || c.limiter.Burst() != 1 {
		t.Errorf("WithRateLimit(20) did not install a 20/s burst-1 limiter")
	}
}

func TestWithBaseURL_pathPrefix(t *testing.T) {
	var gotPath string
	_, mux, srv := setup(t)
	mux.HandleFunc("/proxy/openphone/v1/phone-numbers", func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		writeJSON(w, 200, `{"data":[]}`)
	})
	c2, err := New(testKey, WithBaseURL(srv.URL+"/proxy/openphone/"), WithTransport(srv.Client().Transport), WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c2.BaseURL(), srv.URL+"/proxy/openphone"; got != want {
		t.Errorf("BaseURL = %q, want %q", got, want)
	}
	if _, err := c2.ListPhoneNumbers(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if gotPath != "/proxy/openphone/v1/phone-numbers" {
		t.Errorf("path = %q", gotPath)
	}
}

func TestHeaders(t *testing.T) {
	c, mux, _ := setup(t)
	var got http.Header
	mux.HandleFunc("GET /v1/phone-numbers", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		writeJSON(w, 200, `{"data":[]}`)
	})
	if _, err := c.ListPhoneNumbers(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if v := got.Get("Authorization"); v != testKey {
		t.Errorf("Authorization = %q, want the raw key %q (no Bearer prefix)", v, testKey)
	}
	if v := got.Values("Authorization"); len(v) != 1 {
		t.Errorf("Authorization sent %d times", len(v))
	}
	if v := got.Get("Accept"); v != "application/json" {
		t.Errorf("Accept = %q, want application/json", v)
	}
	ua := got.Get("User-Agent")
	if !strings.Contains(ua, "openphone-mcp") || !strings.Contains(ua, Version) {
		t.Errorf("User-Agent = %q, want it to name openphone-mcp and version %s", ua, Version)
	}

	c2, mux2, _ := setup(t, WithUserAgent("my-agent/9"))
	mux2.HandleFunc("GET /v1/phone-numbers", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		writeJSON(w, 200, `{"data":[]}`)
	})
	if _, err := c2.ListPhoneNumbers(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if v := got.Get("User-Agent"); v != "my-agent/9" {
		t.Errorf("User-Agent = %q after WithUserAgent", v)
	}
}

// queryKeys returns the sorted distinct keys of a query.
func queryKeys(q url.Values) []string {
	var ks []string
	for k := range q {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestClient_ListCalls_query(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	tests := []struct {
		name    string
		params  ListCallsParams
		want    url.Values
		wantRaw []string // substrings of the raw query
	}{
		{
			name: "every parameter",
			params: ListCallsParams{
				PhoneNumberID: "PN123abc",
				Participants:  []string{"+15555550100"},
				UserID:        "US123abc",
				CreatedAfter:  time.Date(2026, 3, 1, 0, 0, 0, 0, est),
				CreatedBefore: time.Date(2026, 3, 2, 12, 30, 15, 0, time.UTC),
				MaxResults:    50,
				PageToken:     "tok/+=?&",
			},
			want: url.Values{
				"phoneNumberId": {"PN123abc"},
				"participants":  {"+15555550100"},
				"userId":        {"US123abc"},
				"createdAfter":  {"2026-03-01T05:00:00Z"},
				"createdBefore": {"2026-03-02T12:30:15Z"},
				"maxResults":    {"50"},
				"pageToken":     {"tok/+=?&"},
			},
			wantRaw: []string{"participants=%2B15555550100", "createdAfter=2026-03-01T05%3A00%3A00Z"},
		},
		{
			name:   "required only: maxResults defaults to 10",
			params: ListCallsParams{PhoneNumberID: "PNx", Participants: []string{"+447700900123"}},
			want: url.Values{
				"phoneNumberId": {"PNx"},
				"participants":  {"+447700900123"},
				"maxResults":    {"10"},
			},
			wantRaw: []string{"participants=%2B447700900123", "maxResults=10"},
		},
		{
			name:    "participants repeat the key",
			params:  ListCallsParams{PhoneNumberID: "PNx", Participants: []string{"+15555550100", "+15555550101"}, MaxResults: 100},
			want:    url.Values{"phoneNumberId": {"PNx"}, "participants": {"+15555550100", "+15555550101"}, "maxResults": {"100"}},
			wantRaw: []string{"participants=%2B15555550100&participants=%2B15555550101"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			var raw string
			var q url.Values
			mux.HandleFunc("GET /v1/calls", func(w http.ResponseWriter, r *http.Request) {
				raw, q = r.URL.RawQuery, r.URL.Query()
				writeJSON(w, 200, `{"data":[],"totalItems":0,"nextPageToken":null}`)
			})
			if _, err := c.ListCalls(context.Background(), tt.params); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, q); diff != "" {
				t.Errorf("query mismatch (-want +got):\n%s\nraw: %s", diff, raw)
			}
			if q.Has("since") {
				t.Errorf("deprecated since was sent: %s", raw)
			}
			for _, s := range tt.wantRaw {
				if !strings.Contains(raw, s) {
					t.Errorf("raw query %q lacks %q", raw, s)
				}
			}
			if strings.Contains(raw, "+") {
				t.Errorf("raw query %q has a bare +, which the API reads as a space", raw)
			}
		})
	}
}

func TestClient_ListCalls_subSecondTimesStayRFC3339UTC(t *testing.T) {
	c, mux, _ := setup(t)
	var q url.Values
	mux.HandleFunc("GET /v1/calls", func(w http.ResponseWriter, r *http.Request) {
		q = r.URL.Query()
		writeJSON(w, 200, `{"data":[],"totalItems":0,"nextPageToken":null}`)
	})
	in := time.Date(2026, 3, 1, 10, 0, 0, 500_000_000, time.FixedZone("CET", 3600))
	if _, err := c.ListCalls(context.Background(), ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+15555550100"}, CreatedAfter: in}); err != nil {
		t.Fatal(err)
	}
	v := q.Get("createdAfter")
	got, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !got.Equal(in) || !strings.HasSuffix(v, "Z") {
		t.Errorf("createdAfter = %q, want RFC 3339 UTC of %v", v, in)
	}
}

// TestPaths checks every endpoint's path, and that ids are escaped exactly
// once.
func TestPaths(t *testing.T) {
	c, mux, _ := setup(t)
	var gotEscaped, gotID string
	record := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			gotEscaped, gotID = r.URL.EscapedPath(), r.PathValue("id")
			writeJSON(w, 200, body)
		}
	}
	mux.HandleFunc("GET /v1/calls/{id}", record(`{"data":{"id":"AC1"}}`))
	mux.HandleFunc("GET /v1/call-summaries/{id}", record(`{"data":{"callId":"AC1","status":"absent"}}`))
	mux.HandleFunc("GET /v1/call-transcripts/{id}", record(`{"data":{"callId":"AC1","status":"absent"}}`))
	mux.HandleFunc("GET /v1/call-recordings/{id}", record(`{"data":[]}`))
	ctx := context.Background()
	calls := []struct {
		prefix string
		do     func(id string) error
	}{
		{"/v1/calls/", func(id string) error { _, err := c.GetCall(ctx, id); return err }},
		{"/v1/call-summaries/", func(id string) error { _, err := c.GetCallSummary(ctx, id); return err }},
		{"/v1/call-transcripts/", func(id string) error { _, err := c.GetCallTranscript(ctx, id); return err }},
		{"/v1/call-recordings/", func(id string) error { _, err := c.GetCallRecordings(ctx, id); return err }},
	}
	for _, call := range calls {
		for _, tc := range []struct{ id, escaped string }{
			{"AC123abc", "AC123abc"},
			{"AC 1/x?y#z%", "AC%201%2Fx%3Fy%23z%25"},
		} {
			gotEscaped, gotID = "", ""
			if err := call.do(tc.id); err != nil {
				t.Errorf("%s%q: %v", call.prefix, tc.id, err)
				continue
			}
			if want := call.prefix + tc.escaped; gotEscaped != want {
				t.Errorf("path = %q, want %q", gotEscaped, want)
			}
			if gotID != tc.id {
				t.Errorf("server saw id %q, want %q", gotID, tc.id)
			}
		}
	}
}

func TestClient_GetCall_rejectsEmptyAndDotIDs(t *testing.T) {
	c, mux, _ := setup(t)
	var n counter
	mux.HandleFunc("/", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{"id":"AC1"}}`)
	}))
	ctx := context.Background()
	for _, id := range []string{"", ".", ".."} {
		_, err := c.GetCall(ctx, id)
		checkErr(t, err)
		_, err = c.GetCallSummary(ctx, id)
		checkErr(t, err)
		_, err = c.GetCallTranscript(ctx, id)
		checkErr(t, err)
		_, err = c.GetCallRecordings(ctx, id)
		checkErr(t, err)
	}
	if n.get() != 0 {
		t.Errorf("%d requests sent for invalid ids, want 0", n.get())
	}
}

func TestClientIsSafeForConcurrentUse(t *testing.T) {
	c, mux, _ := setup(t, WithRateLimit(1000))
	var n counter
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"data":{"id":%q}}`, r.PathValue("id")))
	}))
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			id := fmt.Sprintf("AC%d", i)
			call, err := c.GetCall(context.Background(), id)
			if err == nil && call.ID != id {
				err = fmt.Errorf("got %q, want %q", call.ID, id)
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n.get() != 20 {
		t.Errorf("%d requests, want 20", n.get())
	}
}

func TestNew_keyWhitespaceAndControlCharacters(t *testing.T) {
	_, mux, srv := setup(t)
	var got string
	mux.HandleFunc("GET /v1/phone-numbers", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		writeJSON(w, 200, `{"data":[]}`)
	})
	c2, err := New(" "+testKey+"\n", WithBaseURL(srv.URL), WithTransport(srv.Client().Transport), WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.ListPhoneNumbers(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if got != testKey {
		t.Errorf("Authorization = %q, want the trimmed key", got)
	}
	for _, bad := range []string{testKey + "\nX-Injected: 1", "opk\x00" + testKey, testKey + "\x7f"} {
		_, err := New(bad)
		checkErr(t, err)
	}
}
