package webhooks

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

const (
	hookSummary    = "ninety velvet umbrellas"
	hookTranscript = "the orchard gate is jammed"
)

// smallWorkspace is one number and 10 calls of the last 10 days, each
// with a summary and a transcript.
func smallWorkspace(now time.Time) *sandbox.Workspace {
	ws := &sandbox.Workspace{Summaries: map[string]client.CallSummary{}, Transcripts: map[string]client.CallTranscript{},
		Recordings: map[string][]client.CallRecording{}}
	ws.PhoneNumbers = []client.PhoneNumber{{ID: "PN1", Number: "+14155550100", Name: "Main",
		Users: []client.PhoneNumberUser{{ID: "USa1", Email: "a@example.com", Role: "owner"}}}}
	created := now.AddDate(-1, 0, 0)
	for i := range 10 {
		at := now.Add(-time.Duration(i+1) * 24 * time.Hour)
		ans := at.Add(5 * time.Second)
		party := fmt.Sprintf("+1212555%04d", i)
		c := client.Call{ID: fmt.Sprintf("ACsmall%026d", i), PhoneNumberID: "PN1", UserID: "USa1", Direction: "incoming",
			Status: "completed", Duration: 30, Participants: []string{party, "+14155550100"}, CreatedAt: at, AnsweredAt: &ans}
		ws.Calls = append(ws.Calls, c)
		ws.Summaries[c.ID] = client.CallSummary{CallID: c.ID, Status: client.StatusCompleted, Summary: []string{"An order."}}
		ws.Transcripts[c.ID] = client.CallTranscript{CallID: c.ID, Status: client.StatusCompleted, Dialogue: []client.DialogueLine{{Content: "Hello", End: 1}}}
		last := at
		ws.Conversations = append(ws.Conversations, client.Conversation{ID: "CN" + c.ID[2:], PhoneNumberID: "PN1",
			Participants: []string{party}, LastActivityAt: &last, CreatedAt: &created})
	}
	return ws
}

// withCall is ws and one more answered call, at at, whose summary is
// done and whose transcript is done when transcribed.
func withCall(ws *sandbox.Workspace, id string, at time.Time, transcribed bool) *sandbox.Workspace {
	cp := *ws
	cp.Calls = slices.Clone(ws.Calls)
	cp.Summaries, cp.Transcripts, cp.Recordings = maps.Clone(ws.Summaries), maps.Clone(ws.Transcripts), maps.Clone(ws.Recordings)
	cp.Conversations = slices.Clone(ws.Conversations)
	ans := at.Add(3 * time.Second)
	cp.Calls = append(cp.Calls, client.Call{ID: id, PhoneNumberID: "PN1", UserID: "USa1", Direction: "incoming", Status: "completed",
		Duration: 50, Participants: []string{"+12125559999", "+14155550100"}, CreatedAt: at, AnsweredAt: &ans})
	cp.Summaries[id] = client.CallSummary{CallID: id, Status: client.StatusCompleted, Summary: []string{"They asked for " + hookSummary + "."}}
	cp.Transcripts[id] = client.CallTranscript{CallID: id, Status: client.StatusInProgress}
	if transcribed {
		cp.Transcripts[id] = client.CallTranscript{CallID: id, Status: client.StatusCompleted,
			Dialogue: []client.DialogueLine{{Content: "Sadly " + hookTranscript + " again.", Start: 1, End: 3}}}
		cp.Recordings[id] = []client.CallRecording{{ID: "CRhook", StartTime: &ans, Duration: new(int)}}
	}
	last := at
	cp.Conversations = append(cp.Conversations, client.Conversation{ID: "CNhook", PhoneNumberID: "PN1",
		Participants: []string{"+12125559999"}, LastActivityAt: &last})
	return &cp
}

// swapAPI serves a client from a sandbox the test can swap, counting the
// requests.
type swapAPI struct {
	mu       sync.Mutex
	sb       *sandbox.Server
	requests atomic.Int64
}

func (s *swapAPI) set(sb *sandbox.Server) { s.mu.Lock(); s.sb = sb; s.mu.Unlock() }

func (s *swapAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	s.requests.Add(1)
	s.mu.Lock()
	sb := s.sb
	s.mu.Unlock()
	return sb.RoundTripper().RoundTrip(req)
}

// storeState is what a store holds: every call with its summary and
// voicemail, and its counts (transcripts among them).
func storeState(t *testing.T, s ledger.Store) (ledger.Status, []history.Call) {
	t.Helper()
	ctx := context.Background()
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := s.Range(ctx, history.Query{After: history.MinTime, Include: []string{client.IncludeSummary, client.IncludeVoicemail}}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return st, calls
}

func searchIDs(t *testing.T, s ledger.Store, text string) []string {
	t.Helper()
	res, err := s.Search(context.Background(), ledger.SearchQuery{Text: text, Filter: history.Query{After: history.MinTime}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Call.ID)
	}
	return ids
}

// TestLedgerSink_ThroughTheSandbox is issue 14's measure: a call made
// after the last sync is in the ledger, found by its summary, as soon as
// its signed call.completed is answered; its transcript as soon as the
// transcript's event is; a bad signature, an old timestamp or a replay
// changes nothing and costs no API request. On both surfaces.
func TestLedgerSink_ThroughTheSandbox(t *testing.T) {
	for _, surface := range []string{"auto", "v1"} {
		t.Run(surface, func(t *testing.T) {
			ctx := context.Background()
			now := testNow
			clock := func() time.Time { return now }
			ws := smallWorkspace(now)
			api := &swapAPI{}
			api.set(sandbox.New(ws, sandbox.Options{Now: clock}))
			c, err := client.New("test-key", client.WithTransport(api), client.WithRateLimit(0), client.WithRetries(1, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			store, err := ledger.OpenSQLiteMemory(ctx, ledger.WorkspaceID("test-key"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			l := ledger.New(store, c, ledger.Config{Days: 30, Surface: surface})
			l.Syncer.Now = clock
			if _, err := l.Syncer.Sync(ctx, ledger.Options{Backfill: true, Settle: 100, Transcripts: 100}); err != nil {
				t.Fatal(err)
			}

			// A minute later a call ends: Quo pushes call.completed.
			now = now.Add(time.Minute)
			const id = "AChookcall00000000000000000000001"
			api.set(sandbox.New(withCall(ws, id, now.Add(-30*time.Second), false), sandbox.Options{Now: clock}))
			h := New(Config{Secrets: []string{datedSecret, v1Secret}, Sink: LedgerSink{Syncer: l.Syncer}, Now: clock})
			post := func(hdr http.Header, body string) int {
				req := httptest.NewRequest(http.MethodPost, "/webhooks/quo", strings.NewReader(body))
				for k, v := range hdr {
					req.Header[k] = v
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			if got := searchIDs(t, store, hookSummary); len(got) != 0 {
				t.Fatalf("before the event the summary's phrase finds %v", got)
			}
			completed := datedEvent("EVhook1", "call.completed", `{"id":"`+id+`","status":"completed"}`)
			if status := post(dated(t, datedSecret, "msg_hook1", now, completed), completed); status != http.StatusOK {
				t.Fatalf("call.completed: %d", status)
			}
			if got := searchIDs(t, store, hookSummary); !cmp.Equal(got, []string{id}) {
				t.Errorf("after call.completed the summary's phrase finds %v, want %s", got, id)
			}

			// Its transcript is ready: a v1 webhook's event.
			now = now.Add(2 * time.Minute)
			api.set(sandbox.New(withCall(ws, id, now.Add(-150*time.Second), true), sandbox.Options{Now: clock}))
			transcribed := legacyEvent("EVhook2", "call.transcript.completed", `{"object":"callTranscript","callId":"`+id+`"}`)
			transcriptHeader := legacySigned(t, v1Secret, now, transcribed)
			if status := post(transcriptHeader, transcribed); status != http.StatusOK {
				t.Fatalf("call.transcript.completed: %d", status)
			}
			if got := searchIDs(t, store, `"`+hookTranscript+`"`); !cmp.Equal(got, []string{id}) {
				t.Errorf("after call.transcript.completed the transcript's phrase finds %v, want %s", got, id)
			}

			// What is refused changes nothing and asks the API nothing.
			wantStatus, wantCalls := storeState(t, store)
			requests := api.requests.Load()
			summarized := datedEvent("EVhook3", "call.summary.completed", `{"callId":"`+id+`"}`)
			for _, tc := range []struct {
				name   string
				hdr    http.Header
				body   string
				status int
			}{
				{"a bad signature", dated(t, datedSecret, "msg_hook3", now, summarized), summarized[:len(summarized)-1] + " }", 401},
				{"another workspace's key", dated(t, "whsec_"+b64("not this workspace's key"), "msg_hook3", now, summarized), summarized, 401},
				{"an old timestamp", dated(t, datedSecret, "msg_hook3", now.Add(-10*time.Minute), summarized), summarized, 400},
				{"a replay", transcriptHeader, transcribed, 409},
			} {
				if status := post(tc.hdr, tc.body); status != tc.status {
					t.Errorf("%s: %d, want %d", tc.name, status, tc.status)
				}
			}
			gotStatus, gotCalls := storeState(t, store)
			if diff := cmp.Diff(wantCalls, gotCalls); diff != "" || gotStatus != wantStatus {
				t.Errorf("refused deliveries changed the store: %+v -> %+v (-want +got):\n%s", wantStatus, gotStatus, diff)
			}
			if n := api.requests.Load() - requests; n != 0 {
				t.Errorf("refused deliveries made %d API requests", n)
			}
		})
	}
}
