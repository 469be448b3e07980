// recent_calls while it walks: cancellation, progress, golden pages,
// summaries and upstream failures.

package tools

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestRecentCallsCancel: cancelling the tool call mid-walk stops it: the
// call returns, its workers end (goleak checks in TestMain), and it makes
// no more requests.
func TestRecentCallsCancel(t *testing.T) {
	ws := recentWorkspace()
	e, sb := newRecentEnv(t, ws, sandbox.Options{RateLimit: 10, Latency: 20 * time.Millisecond}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		var req mcp.CallToolRequest
		req.Params.Name = "recent_calls"
		req.Params.Arguments = map[string]any{"createdAfter": testNow.Add(-10 * 24 * time.Hour).Format(time.RFC3339), "maxResults": 100}
		_, err := e.mcp.CallTool(ctx, req)
		done <- err
	}()
	for sb.RequestsTo("/v1/calls") < 3 {
		select {
		case err := <-done:
			t.Fatalf("the walk ended before it could be cancelled: %v", err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	cancelled := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("recent_calls did not return after cancellation")
	}
	after := sb.Requests()
	t.Logf("returned %v after cancellation, %d requests made", time.Since(cancelled).Round(time.Microsecond), after)
	// The session still works, and the cancelled walk sends nothing more.
	res := e.call(t, "recent_calls", map[string]any{"maxResults": 1, "phoneNumberId": rcFront})
	if res.IsError {
		t.Fatalf("session broken after cancellation: %s", res.Text)
	}
}

// TestRecentCallsProgress: a client that sends a progress token gets
// progress notifications while the walk runs, with that token and
// increasing progress; a client that does not gets none.
func TestRecentCallsProgress(t *testing.T) {
	for _, protocol := range []string{testutil.ProtocolLegacy, testutil.ProtocolDefault} {
		name := protocol
		if name == testutil.ProtocolDefault {
			name = "default"
		}
		t.Run(name, func(t *testing.T) { testRecentCallsProgress(t, protocol) })
	}
}

func testRecentCallsProgress(t *testing.T, protocol string) {
	ws := recentWorkspace()
	sb := sandbox.New(ws, sandbox.Options{APIKey: markerKey})
	// The v1 walk: many requests, so several notifications.
	e := newEnv(t, []client.Option{client.WithTransport(sb.RoundTripper())}, protocol, func(d *Deps) { d.APIVersion = APIV1 })
	var mu sync.Mutex
	var got []mcp.JSONRPCNotification
	e.mcp.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/progress" {
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
		}
	})
	call := func(meta *mcp.Meta) {
		var req mcp.CallToolRequest
		req.Params.Name = "recent_calls"
		req.Params.Arguments = map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 25}
		req.Params.Meta = meta
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		res, err := e.mcp.CallTool(ctx, req)
		if err != nil || res.IsError {
			t.Fatalf("call failed: %v %+v", err, res)
		}
	}
	call(nil)
	call(&mcp.Meta{ProgressToken: "p1"})
	// Notifications are delivered asynchronously: wait for them (a hang
	// guard, not a timing assertion).
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 3 {
		t.Fatalf("got %d progress notifications, want several", len(got))
	}
	last := 0.0
	for _, n := range got {
		var f struct {
			ProgressToken any     `json:"progressToken"`
			Progress      float64 `json:"progress"`
			Message       string  `json:"message"`
		}
		raw, _ := json.Marshal(n.Params.AdditionalFields)
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		if f.ProgressToken != "p1" {
			t.Errorf("progress notification with token %v, want p1 (and none for the call without a token)", f.ProgressToken)
		}
		if f.Progress <= last {
			t.Errorf("progress %v after %v: must increase", f.Progress, last)
		}
		last = f.Progress
		if f.Message == "" {
			t.Error("progress without a message")
		}
	}
	t.Logf("%d progress notifications; last: %v", len(got), got[len(got)-1].Params.AdditionalFields["message"])
}

// TestRecentCallsGolden pins the text and structured content of one page
// (tokens masked: they carry what the walk learnt, which depends on the
// order concurrent requests finish in) and of an empty window.
func TestRecentCallsGolden(t *testing.T) {
	ws := recentWorkspace()
	e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0)
	mask := regexp.MustCompile(`pageToken "[^"]+"`)
	res := e.call(t, "recent_calls", map[string]any{"maxResults": 8})
	if res.IsError {
		t.Fatal(res.Text)
	}
	testutil.Golden(t, "recent_calls/page.txt", mask.ReplaceAllString(res.Text, `pageToken "<token>"`))
	out := rcOutput(t, res)
	if out.NextPageToken == "" {
		t.Fatal("want a token on this page")
	}
	out.NextPageToken = "<token>"
	testutil.Golden(t, "recent_calls/page.structured.json", testutil.JSON(t, out))

	res = e.call(t, "recent_calls", map[string]any{"createdAfter": "2026-11-27T07:00:00Z", "maxResults": 8, "includeSummaries": true})
	if res.IsError {
		t.Fatal(res.Text)
	}
	testutil.Golden(t, "recent_calls/summaries.txt", res.Text)
	testutil.Golden(t, "recent_calls/summaries.structured.json", testutil.JSON(t, res.Structured))

	res = e.call(t, "recent_calls", map[string]any{"createdAfter": "2026-10-01", "createdBefore": "2026-10-02"})
	if res.IsError {
		t.Fatal(res.Text)
	}
	testutil.Golden(t, "recent_calls/empty_window.txt", res.Text)
	testutil.Golden(t, "recent_calls/empty_window.structured.json", testutil.JSON(t, res.Structured))
}

// TestRecentCallsSummaries: includeSummaries fetches the summary of each
// completed call on the page, and only those.
func TestRecentCallsSummaries(t *testing.T) {
	ws := recentWorkspace()
	e, sb := newRecentEnv(t, ws, sandbox.Options{}, 0)
	res := e.call(t, "recent_calls", map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 20, "includeSummaries": true})
	if res.IsError {
		t.Fatal(res.Text)
	}
	out := rcOutput(t, res)
	completed, withText := 0, 0 // calls that can have a summary, and those that have one
	for _, c := range out.Calls {
		if history.CanHaveSummary(&client.Call{Status: c.Status, Duration: c.Duration}) {
			completed++
			if c.SummaryOut == (SummaryOut{}) {
				t.Errorf("completed call %s has no summary entry", c.ID)
			} else if c.Summary != "" {
				withText++
			}
		} else if c.SummaryOut != (SummaryOut{}) {
			t.Errorf("call %s (%s) got a summary entry", c.ID, c.Status)
		}
	}
	if completed == 0 || withText == 0 {
		t.Fatalf("fixture page has %d completed calls, %d with summaries", completed, withText)
	}
	if got := sb.RequestsTo("/v1/call-summaries/"); got != int64(completed) {
		t.Errorf("made %d summary requests for %d calls that can have one", got, completed)
	}
	if n := strings.Count(res.Text, "\n  summary: "); n != completed {
		t.Errorf("%d summary lines for %d calls that can have one:\n%s", n, completed, res.Text)
	}
	// Without includeSummaries: no summary requests.
	before := sb.RequestsTo("/v1/call-summaries/")
	res = e.call(t, "recent_calls", map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 20})
	if strings.Contains(res.Text, "summary:") || sb.RequestsTo("/v1/call-summaries/") != before {
		t.Error("summaries fetched without includeSummaries")
	}
}

// TestRecentCallsUpstreamFailures: failures of the API become clear tool
// errors, never a panic or a hang.
func TestRecentCallsUpstreamFailures(t *testing.T) {
	numbers := map[string]any{"data": rcNumbers()}
	convs := map[string]any{"data": []client.Conversation{
		{ID: "CNa", PhoneNumberID: rcFront, Participants: []string{"+12125550103"}, LastActivityAt: ptr(testNow.Add(-time.Hour))},
	}, "totalItems": 1, "nextPageToken": nil}
	for _, tc := range []struct {
		name          string
		convs, calls  func(w http.ResponseWriter)
		want          string
		wantCallsReqs int64
	}{
		{"calls 503, retried", func(w http.ResponseWriter) { writeJSON(w, 200, convs) },
			func(w http.ResponseWriter) {
				writeJSON(w, 503, map[string]any{"message": "down", "code": "0100503", "status": 503, "title": "Service Unavailable"})
			},
			"The OpenPhone API failed (503 Service Unavailable: down (code 0100503)) after 3 attempts", 3},
		{"calls 500", func(w http.ResponseWriter) { writeJSON(w, 200, convs) },
			func(w http.ResponseWriter) {
				writeJSON(w, 500, map[string]any{"message": "boom", "code": "0100500", "status": 500, "title": "Internal Server Error"})
			},
			"The OpenPhone API failed (500 Internal Server Error: boom (code 0100500)). This is on OpenPhone's side", 1},
		{"conversations 403", func(w http.ResponseWriter) {
			writeJSON(w, 403, map[string]any{"message": "no", "code": "1000403", "status": 403, "title": "Forbidden"})
		}, nil, "OpenPhone refused the request (403 Forbidden: no (code 1000403))", 0},
		{"calls page token repeats", func(w http.ResponseWriter) { writeJSON(w, 200, convs) },
			func(w http.ResponseWriter) {
				writeJSON(w, 200, map[string]any{"data": []client.Call{}, "totalItems": 9, "nextPageToken": "same"})
			},
			"answered a page with the page token it was asked for", 2},
		{"conversations page token repeats", func(w http.ResponseWriter) {
			writeJSON(w, 200, map[string]any{"data": []client.Conversation{}, "totalItems": 9, "nextPageToken": "again"})
		}, nil, "answered a page with the page token it was asked for", 0},
		{"calls malformed", func(w http.ResponseWriter) { writeJSON(w, 200, convs) },
			func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"data": [`))
			},
			"could not be read", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, f := newFakeEnv(t, testutil.ProtocolLegacy)
			var callsReqs atomic.Int64
			f.set(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/v1/phone-numbers":
					writeJSON(w, 200, numbers)
				case "/v1/conversations":
					tc.convs(w)
				case "/v1/calls":
					callsReqs.Add(1)
					tc.calls(w)
				default:
					http.NotFound(w, r)
				}
			})
			res := e.call(t, "recent_calls", map[string]any{})
			if !res.IsError || !strings.Contains(res.Text, tc.want) {
				t.Errorf("want an error containing %q, got:\n%s", tc.want, res.Text)
			}
			if got := callsReqs.Load(); got != tc.wantCallsReqs {
				t.Errorf("%d calls requests, want %d", got, tc.wantCallsReqs)
			}
		})
	}
}
