package app

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/webhooks"
)

// webhookAPI is a sandbox over loopback that counts requests and can
// fail the creations under one path with a 500.
type webhookAPI struct {
	sb       *sandbox.Server
	cfg      Config
	requests atomic.Int64
	failPath atomic.Pointer[string]
}

func newWebhookAPI(t *testing.T) *webhookAPI {
	t.Helper()
	api := &webhookAPI{sb: sandbox.New(nil, sandbox.Options{APIKey: ownMarkerKey})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.requests.Add(1)
		if p := api.failPath.Load(); p != nil && r.URL.Path == *p && r.Method == http.MethodPost {
			http.Error(w, `{"message":"An unknown error occurred","code":"0301500","status":500,"title":"Unknown"}`, 500)
			return
		}
		api.sb.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	api.cfg = Config{Version: "test", APIKey: ownMarkerKey, BaseURL: srv.URL, Timeout: 10 * time.Second}
	return api
}

const hookURL = "https://mcp.example.com/webhooks/quo"

// TestRegisterWebhooks: the three subscriptions the ledger needs, each id
// printed, then the QUO_WEBHOOK_SECRET line of their keys (which the
// server reads back), and the note that this is the one write; run again,
// nothing is created twice.
func TestRegisterWebhooks(t *testing.T) {
	api := newWebhookAPI(t)
	var out bytes.Buffer
	if err := RegisterWebhooks(context.Background(), api.cfg, hookURL, &out); err != nil {
		t.Fatal(err)
	}
	made := api.sb.Webhooks()
	wantEvents := [][]string{
		{client.EventCallCompleted, client.EventCallRecordingCompleted},
		{client.EventCallSummaryCompleted},
		{client.EventCallTranscriptCompleted},
	}
	if len(made) != 3 {
		t.Fatalf("%d webhooks made, want 3: %+v", len(made), made)
	}
	var keys []string
	for i, wh := range made {
		if wh.URL != hookURL || !slices.Equal(wh.Events, wantEvents[i]) || !slices.Equal(wh.ResourceIDs, []string{"*"}) || wh.Label == nil {
			t.Errorf("webhook %d: %+v", i, wh)
		}
		if !strings.Contains(out.String(), wh.ID) {
			t.Errorf("the output does not name %s:\n%s", wh.ID, out.String())
		}
		keys = append(keys, string(wh.Key))
	}
	line := "QUO_WEBHOOK_SECRET=" + strings.Join(keys, ",") + "\n"
	if !strings.Contains(out.String(), "\n"+line) || !strings.Contains(out.String(), "one write") {
		t.Errorf("the output lacks the secret line or the note:\n%s", out.String())
	}
	if strings.Index(out.String(), made[2].ID) > strings.Index(out.String(), "QUO_WEBHOOK_SECRET") {
		t.Error("the ids come after the secret line")
	}
	secrets, err := webhooks.ParseSecrets(strings.TrimSuffix(strings.TrimPrefix(line, "QUO_WEBHOOK_SECRET="), "\n"))
	if err != nil || len(secrets) != 3 {
		t.Errorf("the printed secrets read back as %d: %v", len(secrets), err)
	}

	var again bytes.Buffer
	if err := RegisterWebhooks(context.Background(), api.cfg, hookURL, &again); err != nil {
		t.Fatal(err)
	}
	if n := len(api.sb.Webhooks()); n != 3 {
		t.Errorf("run twice: %d webhooks, want still 3", n)
	}
	if !strings.Contains(again.String(), line) || strings.Count(again.String(), "Kept") != 3 {
		t.Errorf("run twice, the output:\n%s", again.String())
	}
}

// TestRegisterWebhooks_RefusesURLs: a URL that is not https (but for
// loopback http), or not absolute, is a sentence before any request.
func TestRegisterWebhooks_RefusesURLs(t *testing.T) {
	api := newWebhookAPI(t)
	for _, tc := range []struct{ url, says string }{
		{"http://mcp.example.com/webhooks/quo", "https://mcp.example.com/webhooks/quo"},
		{"ftp://mcp.example.com/x", "absolute URL"},
		{"mcp.example.com/webhooks/quo", "absolute URL"},
		{"https://user:pw@mcp.example.com/x", "password"},
		{"", "absolute URL"},
	} {
		err := RegisterWebhooks(context.Background(), api.cfg, tc.url, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: %v, want a sentence with %q", tc.url, err, tc.says)
		}
	}
	if n := api.requests.Load(); n != 0 {
		t.Errorf("refused URLs made %d requests", n)
	}
	if err := RegisterWebhooks(context.Background(), Config{Demo: true}, hookURL, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "demo") {
		t.Errorf("--demo: %v, want a sentence about the demo", err)
	}
	for _, local := range []string{"http://127.0.0.1:8080/webhooks/quo", "http://[::1]:8080/hook", "http://localhost/hook"} {
		if err := RegisterWebhooks(context.Background(), api.cfg, local, &bytes.Buffer{}); err != nil {
			t.Errorf("%s: %v, want loopback http accepted", local, err)
		}
	}
}

// TestRegisterWebhooks_UndoesOnFailure: when a creation fails, the
// subscriptions made before it are deleted, and the error says so.
func TestRegisterWebhooks_UndoesOnFailure(t *testing.T) {
	api := newWebhookAPI(t)
	fail := "/v1/webhooks/call-transcripts"
	api.failPath.Store(&fail)
	var out bytes.Buffer
	err := RegisterWebhooks(context.Background(), api.cfg, hookURL, &out)
	if err == nil || !strings.Contains(err.Error(), "call transcripts") || !strings.Contains(err.Error(), "2 created before it were deleted") {
		t.Errorf("error %v, want the failed kind and the undo named", err)
	}
	if n := len(api.sb.Webhooks()); n != 0 {
		t.Errorf("%d webhooks left after the undo", n)
	}
	if strings.Contains(out.String(), "QUO_WEBHOOK_SECRET") || strings.Contains(err.Error(), ownMarkerKey) {
		t.Errorf("a failed run printed a secret line or the key: %q / %v", out.String(), err)
	}
}
