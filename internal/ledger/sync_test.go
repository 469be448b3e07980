package ledger_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// syncNow is the sync tests' clock at the first sync.
var syncNow = time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)

const (
	uniqueSummary    = "zebra-striped invoices"
	uniqueTranscript = "thirteen purple forklifts"
)

// syncWorkspace is 2 numbers and 400 calls over 40 days before now, one
// summary and one transcript with a phrase no other call has, one summary
// still in progress.
func syncWorkspace(now time.Time) *sandbox.Workspace {
	ws := &sandbox.Workspace{
		Summaries: map[string]client.CallSummary{}, Transcripts: map[string]client.CallTranscript{},
		Voicemails: map[string]client.Voicemail{}, Recordings: map[string][]client.CallRecording{},
	}
	users := []client.PhoneNumberUser{{ID: "USa1", Email: "a@example.com", FirstName: ptr("Ana")}}
	ws.PhoneNumbers = []client.PhoneNumber{
		{ID: "PN1", Number: "+14155550100", Name: "Sales", Users: users},
		{ID: "PN2", Number: "+14155550101", Name: "Support", Users: users},
	}
	newest := map[[2]string]time.Time{}
	for i := 0; i < 400; i++ {
		at := now.Add(-time.Duration(i+1) * 40 * 24 * time.Hour / 401).Truncate(time.Millisecond)
		pn, own := "PN1", "+14155550100"
		if i%3 == 0 {
			pn, own = "PN2", "+14155550101"
		}
		party := fmt.Sprintf("+1212555%04d", i%50)
		c := client.Call{ID: fmt.Sprintf("AC%032d", i), PhoneNumberID: pn, UserID: "USa1", Direction: "incoming",
			Status: "completed", Duration: 60, Participants: []string{party, own}, CreatedAt: at}
		ans := at.Add(3 * time.Second)
		c.AnsweredAt, c.AnsweredBy = &ans, ptr("USa1")
		ws.Calls = append(ws.Calls, c)
		ws.Summaries[c.ID] = client.CallSummary{CallID: c.ID, Status: client.StatusCompleted, Summary: []string{fmt.Sprintf("Call %d about the order.", i)}}
		ws.Transcripts[c.ID] = client.CallTranscript{CallID: c.ID, Status: client.StatusCompleted, Dialogue: []client.DialogueLine{{Content: "Hello there", Start: 1, End: 2}}}
		ws.Recordings[c.ID] = []client.CallRecording{{ID: "CR" + c.ID[2:], Duration: ptr(60), StartTime: &ans, Status: ptr("completed"), Type: ptr("audio/mpeg")}}
		if at.After(newest[[2]string{pn, party}]) {
			newest[[2]string{pn, party}] = at
		}
	}
	ws.Summaries[ws.Calls[10].ID] = client.CallSummary{CallID: ws.Calls[10].ID, Status: client.StatusCompleted, Summary: []string{"They asked about " + uniqueSummary + "."}}
	ws.Transcripts[ws.Calls[20].ID] = client.CallTranscript{CallID: ws.Calls[20].ID, Status: client.StatusCompleted,
		Dialogue: []client.DialogueLine{{Content: "We need " + uniqueTranscript + " by Friday.", Start: 1, End: 4}}}
	ws.Summaries[ws.Calls[5].ID] = client.CallSummary{CallID: ws.Calls[5].ID, Status: client.StatusInProgress}
	created := now.AddDate(-1, 0, 0)
	for k, l := range newest {
		l := l
		ws.Conversations = append(ws.Conversations, client.Conversation{ID: "CN" + k[0] + k[1][1:], PhoneNumberID: k[0],
			Participants: []string{k[1]}, Name: ptr("Contact " + k[1][8:]), LastActivityAt: &l, CreatedAt: &created})
	}
	slices.SortFunc(ws.Conversations, func(a, b client.Conversation) int { return b.LastActivityAt.Compare(*a.LastActivityAt) })
	return ws
}

func ptr[T any](v T) *T { return &v }

// swapAPI serves a client from a sandbox the test can swap.
type swapAPI struct {
	mu       sync.Mutex
	sb       *sandbox.Server
	requests atomic.Int64
	onReq    func(n int64)
}

func (s *swapAPI) set(sb *sandbox.Server) { s.mu.Lock(); s.sb = sb; s.mu.Unlock() }

func (s *swapAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	n := s.requests.Add(1)
	if s.onReq != nil {
		s.onReq(n)
	}
	s.mu.Lock()
	sb := s.sb
	s.mu.Unlock()
	return sb.RoundTripper().RoundTrip(req)
}

type rig struct {
	api   *swapAPI
	store *ledger.SQLite
	l     *ledger.Ledger
	now   atomic.Pointer[time.Time]
}

func newRig(t *testing.T, ws *sandbox.Workspace, surface string) *rig {
	t.Helper()
	r := &rig{api: &swapAPI{}}
	now := syncNow
	r.now.Store(&now)
	r.api.set(sandbox.New(ws, sandbox.Options{Now: r.clock}))
	c, err := client.New("test-key", client.WithTransport(r.api), client.WithRateLimit(0), client.WithRetries(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	r.store, err = ledger.OpenSQLiteMemory(context.Background(), ledger.WorkspaceID("test-key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	r.l = ledger.New(r.store, c, ledger.Config{Days: 30, Surface: surface})
	r.l.Syncer.Now = r.clock
	return r
}

func (r *rig) clock() time.Time { return *r.now.Load() }

func (r *rig) advance(d time.Duration) {
	t := r.clock().Add(d)
	r.now.Store(&t)
}

func (r *rig) sync(t *testing.T, o ledger.Options) ledger.Report {
	t.Helper()
	rep, err := r.l.Syncer.Sync(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (r *rig) ids(t *testing.T) []string {
	t.Helper()
	calls, err := r.store.Range(context.Background(), history.Query{After: history.MinTime}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range calls {
		ids = append(ids, c.ID)
	}
	return ids
}

// truthIDs are the ids of ws's calls created in [after, before), newest
// first.
func truthIDs(ws *sandbox.Workspace, after, before time.Time) []string {
	var calls []client.Call
	for _, c := range ws.Calls {
		if !c.CreatedAt.Before(after) && c.CreatedAt.Before(before) {
			calls = append(calls, c)
		}
	}
	slices.SortFunc(calls, func(a, b client.Call) int {
		if history.KeyOf(&a).Before(history.KeyOf(&b)) {
			return -1
		}
		return 1
	})
	ids := make([]string, len(calls))
	for i, c := range calls {
		ids[i] = c.ID
	}
	return ids
}

func (r *rig) search(t *testing.T, text string) []string {
	t.Helper()
	res, err := r.store.Search(context.Background(), ledger.SearchQuery{Text: text, Filter: history.Query{After: history.MinTime}, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Call.ID)
	}
	return ids
}
