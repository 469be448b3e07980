package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// webhookClient is a client of s over loopback HTTP (the in-process
// RoundTripper carries no request body).
func webhookClient(t *testing.T, s *Server, key string) *client.Client {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := client.New(key, client.WithBaseURL(srv.URL), client.WithTransport(srv.Client().Transport),
		client.WithRateLimit(0), client.WithRetries(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// send makes one raw request to srv and returns the status and the body.
func send(t *testing.T, srv *httptest.Server, method, path, body string) (int, http.Header, errBody) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e errBody
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("%s %s: %d with a body that is not the error JSON: %q", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, resp.Header, e
}

// TestWebhooks_Lifecycle: each kind is created with its events, listed
// (filtered by user when asked), read by id and deleted, with a fresh
// base64 signing key each.
func TestWebhooks_Lifecycle(t *testing.T) {
	s := New(demo(t), Options{Now: func() time.Time { return testNow }})
	c := webhookClient(t, s, "test-key")
	ctx := context.Background()
	p := client.CreateWebhookParams{URL: "https://example.com/hook", Label: "ledger"}
	p.Events = []string{client.EventCallCompleted, client.EventCallRecordingCompleted}
	calls, err := c.CreateCallWebhook(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	p.Events, p.ResourceIDs, p.UserID, p.Status = []string{client.EventCallSummaryCompleted}, []string{"PN1"}, "USsomeone", "disabled"
	sums, err := c.CreateCallSummaryWebhook(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	p.Events, p.ResourceIDs, p.UserID, p.Status = []string{client.EventCallTranscriptCompleted}, nil, "", ""
	trs, err := c.CreateCallTranscriptWebhook(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, wh := range []*client.Webhook{calls, sums, trs} {
		key, err := base64.StdEncoding.DecodeString(string(wh.Key))
		if !strings.HasPrefix(wh.ID, "WH") || err != nil || len(key) != 32 || keys[string(wh.Key)] {
			t.Errorf("webhook %s: key decodes to %d bytes (%v), seen before %v", wh.ID, len(key), err, keys[string(wh.Key)])
		}
		keys[string(wh.Key)] = true
		if wh.URL != p.URL || wh.Label == nil || *wh.Label != "ledger" || !wh.CreatedAt.Equal(testNow) || wh.DeletedAt != nil {
			t.Errorf("webhook %+v", *wh)
		}
	}
	if calls.Status != "enabled" || calls.ResourceIDs[0] != "*" || sums.Status != "disabled" || sums.ResourceIDs[0] != "PN1" || sums.UserID != "USsomeone" {
		t.Errorf("defaults or given values lost: calls %+v, summaries %+v", *calls, *sums)
	}
	if calls.UserID == "" || calls.UserID != trs.UserID {
		t.Errorf("without userId: %q and %q, want the owner both times", calls.UserID, trs.UserID)
	}

	all, err := c.ListWebhooks(ctx, "")
	if err != nil || len(all) != 3 || all[0].ID != calls.ID || all[2].ID != trs.ID {
		t.Fatalf("list: %v, %d webhooks", err, len(all))
	}
	if mine, err := c.ListWebhooks(ctx, "USsomeone"); err != nil || len(mine) != 1 || mine[0].ID != sums.ID {
		t.Errorf("list of USsomeone: %v, %+v", err, mine)
	}
	if got, err := c.GetWebhook(ctx, sums.ID); err != nil || got.ID != sums.ID || got.Key != sums.Key {
		t.Errorf("get: %v, %+v", err, got)
	}
	if err := c.DeleteWebhook(ctx, sums.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteWebhook(ctx, sums.ID); !client.IsStatus(err, http.StatusNotFound) {
		t.Errorf("deleting twice: %v, want a 404", err)
	}
	if _, err := c.GetWebhook(ctx, sums.ID); !client.IsStatus(err, http.StatusNotFound) {
		t.Errorf("get after delete: %v, want a 404", err)
	}
	if left := s.Webhooks(); len(left) != 2 || left[0].ID != calls.ID || left[1].ID != trs.ID {
		t.Errorf("Webhooks after the delete: %+v", left)
	}
}

// TestWebhooks_Validation: the document's rules on the body, the ids and
// the methods, each answered with its error body and no webhook made.
func TestWebhooks_Validation(t *testing.T) {
	s, srv := startServer(t, nil, Options{})
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		errPath                  string // "" when the error has no errors[]
	}{
		{"no url", "POST", "/v1/webhooks/calls", `{"events":["call.completed"]}`, 400, "/url"},
		{"a relative url", "POST", "/v1/webhooks/calls", `{"url":"/hook","events":["call.completed"]}`, 400, "/url"},
		{"a url not a string", "POST", "/v1/webhooks/calls", `{"url":7,"events":["call.completed"]}`, 400, "/url"},
		{"no events", "POST", "/v1/webhooks/calls", `{"url":"https://example.com/"}`, 400, "/events"},
		{"another kind's event", "POST", "/v1/webhooks/calls", `{"url":"https://example.com/","events":["call.summary.completed"]}`, 400, "/events/0"},
		{"no summary event", "POST", "/v1/webhooks/call-summaries", `{"url":"https://example.com/","events":[]}`, 400, "/events"},
		{"a message event on transcripts", "POST", "/v1/webhooks/call-transcripts", `{"url":"https://example.com/","events":["message.received"]}`, 400, "/events/0"},
		{"numbers and all", "POST", "/v1/webhooks/calls", `{"url":"https://example.com/","events":["call.completed"],"resourceIds":["PN1","*"]}`, 400, "/resourceIds"},
		{"a user id", "POST", "/v1/webhooks/calls", `{"url":"https://example.com/","events":["call.completed"],"userId":"AB1"}`, 400, "/userId"},
		{"a status", "POST", "/v1/webhooks/calls", `{"url":"https://example.com/","events":["call.completed"],"status":"paused"}`, 400, "/status"},
		{"not JSON", "POST", "/v1/webhooks/calls", `{"url":`, 400, ""},
		{"a JSON array", "POST", "/v1/webhooks/calls", `[]`, 400, ""},
		{"GET on a create route", "GET", "/v1/webhooks/calls", "", 405, ""},
		{"POST on the list", "POST", "/v1/webhooks", `{}`, 405, ""},
		{"PUT on one", "PUT", "/v1/webhooks/WH1", `{}`, 405, ""},
		{"a webhook id", "GET", "/v1/webhooks/AC1", "", 400, "/id"},
		{"an unknown webhook", "DELETE", "/v1/webhooks/WHnone", "", 404, ""},
		{"message webhooks", "POST", "/v1/webhooks/messages", `{}`, 404, ""},
		{"a list user id", "GET", "/v1/webhooks?userId=AB1", "", 400, "/userId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, e := send(t, srv, tc.method, tc.path, tc.body)
			if status != tc.status || e.Status != tc.status || !strings.HasPrefix(e.Code, "03") || e.Message == "" {
				t.Errorf("%d %+v, want %d with a 03… code and a message", status, e, tc.status)
			}
			if tc.errPath != "" && (len(e.Errors) != 1 || e.Errors[0].Path != tc.errPath) {
				t.Errorf("errors %+v, want one at %s", e.Errors, tc.errPath)
			}
			if status == 405 && hdr.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	if n := len(s.Webhooks()); n != 0 {
		t.Errorf("%d webhooks made by refused requests", n)
	}
	// v1's calls webhooks have no minItems: an empty list is a webhook.
	if status, _, e := send(t, srv, "POST", "/v1/webhooks/calls", `{"url":"https://example.com/","events":[]}`); status != 201 {
		t.Errorf("calls with no event: %d %+v, want 201", status, e)
	}
}

// TestWebhooks_AuthAndRateLimit: the routes sit behind the key check and
// the rate limit like every other, with the webhooks resource's code.
func TestWebhooks_AuthAndRateLimit(t *testing.T) {
	s := New(nil, Options{APIKey: "right", RateLimit: 0.001}) // one request, then none for 1000 s
	_, err := webhookClient(t, s, "wrong").CreateCallWebhook(context.Background(),
		client.CreateWebhookParams{URL: "https://example.com/", Events: []string{client.EventCallCompleted}})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Code != "0300401" {
		t.Errorf("a wrong key: %v, want the 401 with code 0300401", err)
	}
	c := webhookClient(t, s, "right")
	if _, err := c.ListWebhooks(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListWebhooks(context.Background(), ""); !client.IsStatus(err, http.StatusTooManyRequests) {
		t.Errorf("a second request at one per 1000 s: %v, want a 429", err)
	}
	if len(s.Webhooks()) != 0 {
		t.Error("a refused request made a webhook")
	}
}
