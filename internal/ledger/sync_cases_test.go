package ledger_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

var all = ledger.Options{Backfill: true, Settle: 1000, Transcripts: 1000}

// TestSyncer_Sync is issue 13's measure: after a sync, the ledger holds
// every call of the horizon once and nothing older; search finds the one
// call whose summary has a unique phrase and the one whose transcript has
// another, and nothing else; calls added after the sync, and while a sync
// runs, come with the next sync with no duplicate and no loss; a summary
// that finishes later is read again until it is final. On both surfaces.
func TestSyncer_Sync(t *testing.T) {
	for _, surface := range []string{"auto", "v1"} {
		t.Run(surface, func(t *testing.T) {
			ws := syncWorkspace(syncNow)
			r := newRig(t, ws, surface)
			rep := r.sync(t, all)
			horizon := syncNow.Add(-30 * 24 * time.Hour)
			want := truthIDs(ws, horizon, syncNow)
			if diff := cmp.Diff(want, r.ids(t)); diff != "" {
				t.Fatalf("after the backfill (-want +got):\n%s", diff)
			}
			m, _ := r.store.Meta(context.Background())
			if !rep.Complete || !m.From.Equal(horizon) || !m.SyncedAt.Equal(syncNow) {
				t.Errorf("report %+v, meta %+v: want complete, from the horizon, synced at now", rep, m)
			}
			if got := r.search(t, uniqueSummary); !cmp.Equal(got, []string{ws.Calls[10].ID}) {
				t.Errorf("the summary's phrase finds %v, want only %s", got, ws.Calls[10].ID)
			}
			if got := r.search(t, `"`+uniqueTranscript+`"`); !cmp.Equal(got, []string{ws.Calls[20].ID}) {
				t.Errorf("the transcript's phrase finds %v, want only %s", got, ws.Calls[20].ID)
			}
			if c, _ := r.store.Get(context.Background(), ws.Calls[5].ID); c == nil || c.Summary == nil || c.Summary.Status != client.StatusInProgress {
				t.Fatalf("the summary in progress is stored as %+v", c)
			}
			t.Logf("%s backfill: %d calls, %d listing + %d content requests", surface, rep.Calls, rep.Requests, rep.ContentRequests)

			// Ten minutes later: 5 new calls; the summary in progress is
			// done; and 3 more calls land while the next sync runs.
			r.advance(10 * time.Minute)
			ws2 := withNewCalls(ws, syncNow, 5, "ACnew")
			ws2.Summaries[ws.Calls[5].ID] = client.CallSummary{CallID: ws.Calls[5].ID, Status: client.StatusCompleted, Summary: []string{"Finished later: " + uniqueSummary + " again."}}
			ws3 := withNewCalls(ws2, r.clock(), 3, "ACwhile")
			r.api.set(sandbox.New(ws2, sandbox.Options{Now: r.clock}))
			r.api.onReq = func(n int64) {
				if n == r.api.requests.Load() && n > 0 {
					r.api.onReq = nil
					r.advance(time.Minute)
					r.api.set(sandbox.New(ws3, sandbox.Options{Now: r.clock}))
				}
			}
			secondStart := r.clock()
			rep = r.sync(t, all)
			if rep.Settled == 0 {
				t.Errorf("nothing settled: %+v", rep)
			}
			if diff := cmp.Diff(truthIDs(ws2, secondStart.Add(-30*24*time.Hour), secondStart), r.ids(t)); diff != "" {
				t.Errorf("after the incremental sync (-want +got):\n%s", diff)
			}
			if got := r.search(t, uniqueSummary); !cmp.Equal(sorted(got), sorted([]string{ws.Calls[10].ID, ws.Calls[5].ID})) {
				t.Errorf("after the summary finished, the phrase finds %v", got)
			}
			r.advance(2 * time.Minute)
			third := r.clock()
			r.sync(t, ledger.Options{})
			if diff := cmp.Diff(truthIDs(ws3, third.Add(-30*24*time.Hour), third), r.ids(t)); diff != "" {
				t.Errorf("the calls added during a sync, after the next (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSyncer_SyncResumesBackfill: a backfill cut short (the context ends)
// keeps what it wrote and where it got to; the next sync goes on from
// there, and the result is the same as in one go.
func TestSyncer_SyncResumesBackfill(t *testing.T) {
	ws := syncWorkspace(syncNow)
	r := newRig(t, ws, "auto")
	ctx, cancel := context.WithCancel(context.Background())
	r.api.onReq = func(n int64) {
		if n == 6 { // the phone numbers, then 4 pages of 50 calls
			cancel()
		}
	}
	if _, err := r.l.Syncer.Sync(ctx, all); err == nil {
		t.Fatal("the cut sync reported no error")
	}
	m, _ := r.store.Meta(context.Background())
	partial := len(r.ids(t))
	if m.From.IsZero() || partial == 0 {
		t.Fatalf("after the cut: meta %+v, %d calls; want the progress kept", m, partial)
	}
	r.api.onReq = nil
	rep := r.sync(t, ledger.Options{Backfill: true})
	if diff := cmp.Diff(truthIDs(ws, syncNow.Add(-30*24*time.Hour), syncNow), r.ids(t)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// It went on from where it got to: the top (one page) and the rest of
	// the bottom (2 pages), not the 6 pages of the whole 300 calls.
	if rep.Requests > 4 {
		t.Errorf("the resumed backfill made %d listing requests; the rest of it takes 3", rep.Requests)
	}
	t.Logf("cut after %d calls; resumed with %d listing requests", partial, rep.Requests)
}

// TestSyncer_SyncPrunes: calls past the horizon are deleted.
func TestSyncer_SyncPrunes(t *testing.T) {
	ws := syncWorkspace(syncNow)
	r := newRig(t, ws, "auto")
	r.sync(t, all)
	r.advance(5 * 24 * time.Hour)
	r.sync(t, all)
	for _, id := range r.ids(t) {
		c, _ := r.store.Get(context.Background(), id)
		if c.CreatedAt.Before(r.clock().Add(-30 * 24 * time.Hour)) {
			t.Fatalf("%s of %s is past the horizon but kept", id, c.CreatedAt)
		}
	}
}

// TestLedger_Ready: a ledger answers for a window it covers when fresh,
// syncs the top first (1-2 requests) when stale, and never for a window
// older than its backfill.
func TestLedger_Ready(t *testing.T) {
	ws := syncWorkspace(syncNow)
	r := newRig(t, ws, "auto")
	ctx := context.Background()
	if _, ok := r.l.Ready(ctx, syncNow.Add(-time.Hour), time.Time{}); ok {
		t.Fatal("ready before any sync")
	}
	r.sync(t, all)
	if age, ok := r.l.Ready(ctx, syncNow.Add(-7*24*time.Hour), time.Time{}); !ok || age != 0 {
		t.Errorf("fresh: %v %v", age, ok)
	}
	if _, ok := r.l.Ready(ctx, syncNow.Add(-31*24*time.Hour), time.Time{}); ok {
		t.Error("ready for a window older than the backfill")
	}
	r.advance(5 * time.Minute)
	before := r.api.requests.Load()
	age, ok := r.l.Ready(ctx, syncNow.Add(-24*time.Hour), time.Time{})
	if spent := r.api.requests.Load() - before; !ok || age != 0 || spent < 1 || spent > 2 {
		t.Errorf("stale: ready %v, age %v after %d requests; want a top sync of 1-2 requests", ok, age, spent)
	}
}

func withNewCalls(ws *sandbox.Workspace, after time.Time, n int, prefix string) *sandbox.Workspace {
	cp := *ws
	cp.Calls = slices.Clone(ws.Calls)
	cp.Summaries = map[string]client.CallSummary{}
	for k, v := range ws.Summaries {
		cp.Summaries[k] = v
	}
	cp.Conversations = slices.Clone(ws.Conversations)
	for i := 0; i < n; i++ {
		at := after.Add(time.Duration(i+1) * time.Second)
		c := client.Call{ID: fmt.Sprintf("%s%028d", prefix, i), PhoneNumberID: "PN1", UserID: "USa1", Direction: "outgoing",
			Status: "no-answer", Participants: []string{"+14155550100", "+12125550001"}, CreatedAt: at}
		cp.Calls = append(cp.Calls, c)
		for j := range cp.Conversations {
			if cp.Conversations[j].PhoneNumberID == "PN1" && cp.Conversations[j].Participants[0] == "+12125550001" {
				cp.Conversations[j].LastActivityAt = &at
			}
		}
	}
	return &cp
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

var _ = history.MinTime

// TestSQLite_RangeLean: a lean read gives the same calls in the same order
// with what a count reads equal, and a voicemail exactly where one was left.
func TestSQLite_RangeLean(t *testing.T) {
	ws := syncWorkspace(syncNow)
	for i := 0; i < len(ws.Calls); i += 7 {
		ws.Calls[i].Status, ws.Calls[i].AnsweredAt, ws.Calls[i].AnsweredBy = "missed", nil, nil
		ws.Voicemails[ws.Calls[i].ID] = client.Voicemail{ID: "VM" + ws.Calls[i].ID[2:], Status: client.VoicemailCompleted, Transcript: ptr("call me")}
	}
	r := newRig(t, ws, "auto")
	r.sync(t, ledger.Options{Backfill: true})
	q := history.Query{After: history.MinTime, Include: []string{client.IncludeVoicemail}}
	full, err := r.store.Range(context.Background(), q, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	q.Lean = true
	lean, err := r.store.Range(context.Background(), q, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(lean) != len(full) || len(full) == 0 {
		t.Fatalf("%d lean calls, %d full", len(lean), len(full))
	}
	vms := 0
	for i := range full {
		f, l := &full[i], &lean[i]
		same := f.ID == l.ID && f.CreatedAt.Equal(l.CreatedAt) && f.Direction == l.Direction && f.Status == l.Status &&
			f.Duration == l.Duration && f.PhoneNumberID == l.PhoneNumberID && f.Participant == l.Participant &&
			f.UserID == l.UserID && f.ActorID == l.ActorID && (f.AnsweredAt == nil) == (l.AnsweredAt == nil) &&
			cmp.Equal(f.AnsweredBy, l.AnsweredBy) && cmp.Equal(f.InitiatedBy, l.InitiatedBy) && cmp.Equal(f.AIHandled, l.AIHandled) &&
			(f.Voicemail == nil) == (l.Voicemail == nil)
		if !same {
			t.Fatalf("call %d differs:\nfull %+v\nlean %+v", i, f.Call, l.Call)
		}
		if l.Voicemail != nil {
			vms++
		}
	}
	if vms == 0 {
		t.Error("no voicemail in the lean read")
	}
}
