package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// webhookKeyMarker is a signing key no output may show.
const webhookKeyMarker = "S0VZX01BUktFUl93ZWJob29rXzkxYw=="

func webhookJSON(id string, events ...string) string {
	ev, _ := json.Marshal(events)
	return `{"id":"` + id + `","userId":"US1","orgId":"OR1","label":"openphone-mcp","status":"enabled",` +
		`"url":"https://example.com/hook","key":"` + webhookKeyMarker + `","createdAt":"2026-10-01T10:00:00Z",` +
		`"updatedAt":"2026-10-01T10:00:00Z","deletedAt":null,"events":` + string(ev) + `,"resourceIds":["*"]}`
}

type sentRequest struct {
	method, uri, contentType, auth string
	body                           map[string]any
}

// writeFake records each request and answers with reply.
func writeFake(t *testing.T, reply func(r *http.Request, n int) (int, string)) (*Client, func() []sentRequest) {
	t.Helper()
	c, mux, _ := setup(t)
	var mu sync.Mutex
	var seen []sentRequest
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s := sentRequest{method: r.Method, uri: r.URL.RequestURI(), contentType: r.Header.Get("Content-Type"), auth: r.Header.Get("Authorization")}
		if len(b) > 0 {
			if err := json.Unmarshal(b, &s.body); err != nil {
				t.Errorf("request body %q is not JSON: %v", b, err)
			}
		}
		mu.Lock()
		seen = append(seen, s)
		n := len(seen)
		mu.Unlock()
		status, body := reply(r, n)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		if body == "" {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, body)
	})
	return c, func() []sentRequest { mu.Lock(); defer mu.Unlock(); return append([]sentRequest(nil), seen...) }
}

// TestClient_CreateWebhooks_requestsAndModel: each kind posts its path
// with the JSON body, and the answer decodes into Webhook, key included.
func TestClient_CreateWebhooks_requestsAndModel(t *testing.T) {
	for _, tc := range []struct {
		path   string
		create func(*Client, context.Context, CreateWebhookParams) (*Webhook, error)
		events []string
	}{
		{"/v1/webhooks/calls", (*Client).CreateCallWebhook, []string{EventCallCompleted, EventCallRecordingCompleted}},
		{"/v1/webhooks/call-summaries", (*Client).CreateCallSummaryWebhook, []string{EventCallSummaryCompleted}},
		{"/v1/webhooks/call-transcripts", (*Client).CreateCallTranscriptWebhook, []string{EventCallTranscriptCompleted}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			c, seen := writeFake(t, func(*http.Request, int) (int, string) {
				return http.StatusCreated, `{"data":` + webhookJSON("WH1", tc.events...) + `}`
			})
			wh, err := tc.create(c, context.Background(), CreateWebhookParams{URL: "https://example.com/hook", Events: tc.events,
				ResourceIDs: []string{AllResources}, Label: "openphone-mcp"})
			if err != nil {
				t.Fatal(err)
			}
			if wh.ID != "WH1" || string(wh.Key) != webhookKeyMarker || !cmp.Equal(wh.Events, tc.events) || wh.Label == nil || wh.DeletedAt != nil {
				t.Errorf("webhook %+v", *wh)
			}
			r := seen()
			wantBody := map[string]any{"url": "https://example.com/hook", "events": toAny(tc.events), "resourceIds": []any{"*"}, "label": "openphone-mcp"}
			if len(r) != 1 || r[0].method != http.MethodPost || r[0].uri != tc.path || r[0].contentType != "application/json" || r[0].auth != testKey {
				t.Fatalf("requests %+v, want one POST %s with JSON and the raw key", r, tc.path)
			}
			if diff := cmp.Diff(wantBody, r[0].body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestClient_Webhook_keyNeverPrinted: the signing key marshals to JSON
// (the fake API reuses the type) but no fmt verb and no slog handler
// shows it.
func TestClient_Webhook_keyNeverPrinted(t *testing.T) {
	var wh Webhook
	if err := json.Unmarshal([]byte(webhookJSON("WH1", EventCallCompleted)), &wh); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, verb+"\n", wh)
		fmt.Fprintf(&out, verb+"\n", wh.Key)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("created", "webhook", wh, "key", wh.Key)
	slog.New(slog.NewTextHandler(&out, nil)).Info("created", "webhook", wh, "key", wh.Key)
	if strings.Contains(out.String(), webhookKeyMarker) {
		t.Errorf("the signing key was printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "WH1") {
		t.Errorf("the webhook's id was not printed either:\n%s", out.String())
	}
	b, _ := json.Marshal(wh)
	if !strings.Contains(string(b), `"key":"`+webhookKeyMarker+`"`) {
		t.Errorf("JSON lost the key: %s", b)
	}
}

// TestClient_CreateWebhook_retries: a write is retried on a 429 only; a
// 500 or a 400 is answered after one request, as an *APIError.
func TestClient_CreateWebhook_retries(t *testing.T) {
	for _, tc := range []struct {
		first        int
		wantRequests int
		wantErr      bool
	}{
		{http.StatusTooManyRequests, 2, false},
		{http.StatusInternalServerError, 1, true},
		{http.StatusBadRequest, 1, true},
	} {
		t.Run(http.StatusText(tc.first), func(t *testing.T) {
			c, seen := writeFake(t, func(_ *http.Request, n int) (int, string) {
				if n == 1 {
					return tc.first, `{"message":"url: Expected string to match 'uri' format","code":"0300400","status":400,"title":"Bad Request","docs":"https://openphone.com/docs","errors":[{"path":"/url","message":"Expected string to match 'uri' format","schema":{"type":"string"}}]}`
				}
				return http.StatusCreated, `{"data":` + webhookJSON("WH2", EventCallCompleted) + `}`
			})
			wh, err := c.CreateCallWebhook(context.Background(), CreateWebhookParams{URL: "https://example.com/hook", Events: []string{EventCallCompleted}})
			if got := len(seen()); got != tc.wantRequests {
				t.Errorf("%d requests, want %d", got, tc.wantRequests)
			}
			if !tc.wantErr {
				if err != nil || wh.ID != "WH2" {
					t.Fatalf("after a 429: %v, %+v", err, wh)
				}
				return
			}
			checkErr(t, err)
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tc.first || ae.Method != http.MethodPost || ae.Path != "/v1/webhooks/calls" || ae.Attempts != 1 {
				t.Errorf("error %v (%+v), want the APIError of one POST /v1/webhooks/calls", err, ae)
			}
		})
	}
}

// TestClient_ListGetDeleteWebhook: the list's user filter, one webhook by
// id, a delete's 204 and a 404, and a bad id refused before any request.
func TestClient_ListGetDeleteWebhook(t *testing.T) {
	c, seen := writeFake(t, func(r *http.Request, _ int) (int, string) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/webhooks":
			return 200, `{"data":[` + webhookJSON("WH1", EventCallCompleted) + `,` + webhookJSON("WH2", EventCallSummaryCompleted) + `]}`
		case r.Method == http.MethodGet:
			return 200, `{"data":` + webhookJSON("WH1", EventCallCompleted) + `}`
		case r.URL.Path == "/v1/webhooks/WH1":
			return http.StatusNoContent, ""
		}
		return 404, `{"message":"Webhook not found","code":"0300404","status":404,"title":"Not Found"}`
	})
	ctx := context.Background()
	list, err := c.ListWebhooks(ctx, "US1")
	if err != nil || len(list) != 2 || list[1].Events[0] != EventCallSummaryCompleted {
		t.Fatalf("ListWebhooks: %v, %+v", err, list)
	}
	if _, err := c.ListWebhooks(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if wh, err := c.GetWebhook(ctx, "WH1"); err != nil || wh.ID != "WH1" {
		t.Fatalf("GetWebhook: %v, %+v", err, wh)
	}
	if err := c.DeleteWebhook(ctx, "WH1"); err != nil {
		t.Errorf("DeleteWebhook of a webhook: %v", err)
	}
	err = c.DeleteWebhook(ctx, "WHgone")
	if !IsStatus(err, 404) {
		t.Errorf("DeleteWebhook of an unknown webhook: %v, want a 404", err)
	}
	before := len(seen())
	for _, bad := range []string{"", ".", ".."} {
		if err := c.DeleteWebhook(ctx, bad); err == nil || !strings.Contains(err.Error(), "WHabcd1234") {
			t.Errorf("DeleteWebhook(%q): %v, want a sentence with an example id", bad, err)
		}
	}
	r := seen()
	if len(r) != before {
		t.Errorf("bad ids made %d requests", len(r)-before)
	}
	want := []string{"GET /v1/webhooks?userId=US1", "GET /v1/webhooks", "GET /v1/webhooks/WH1", "DELETE /v1/webhooks/WH1", "DELETE /v1/webhooks/WHgone"}
	var got []string
	for _, s := range r {
		got = append(got, s.method+" "+s.uri)
		if s.method == http.MethodDelete && s.body != nil {
			t.Errorf("a DELETE sent a body: %v", s.body)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
