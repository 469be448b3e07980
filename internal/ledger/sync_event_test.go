package ledger_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

const (
	eventSummary    = "eleven lighthouse keepers"
	eventTranscript = "seventeen copper kettles"
	eventVoicemail  = "please bring the ladder"
)

// withEventCalls is ws and, a minute before at, an answered call whose
// summary and transcript are still in progress and a missed call with a
// voicemail; it returns their ids.
func withEventCalls(ws *sandbox.Workspace, at time.Time) (*sandbox.Workspace, string, string) {
	cp := *ws
	cp.Calls = slices.Clone(ws.Calls)
	cp.Summaries, cp.Transcripts, cp.Voicemails = cloneMap(ws.Summaries), cloneMap(ws.Transcripts), cloneMap(ws.Voicemails)
	created := at.Add(-time.Minute)
	answered := created.Add(4 * time.Second)
	talk := client.Call{ID: "ACevent0000000000000000000000answered", PhoneNumberID: "PN1", UserID: "USa1", Direction: "incoming",
		Status: "completed", Duration: 45, Participants: []string{"+12125559001", "+14155550100"}, CreatedAt: created,
		AnsweredAt: &answered, AnsweredBy: ptr("USa1")}
	missed := client.Call{ID: "ACevent000000000000000000000000missed", PhoneNumberID: "PN2", UserID: "USa1", Direction: "incoming",
		Status: "missed", Duration: 12, Participants: []string{"+12125559002", "+14155550101"}, CreatedAt: created.Add(time.Second)}
	cp.Calls = append(cp.Calls, talk, missed)
	cp.Summaries[talk.ID] = client.CallSummary{CallID: talk.ID, Status: client.StatusInProgress}
	cp.Transcripts[talk.ID] = client.CallTranscript{CallID: talk.ID, Status: client.StatusInProgress}
	cp.Voicemails[missed.ID] = client.Voicemail{ID: "VMevent1", Status: client.StatusCompleted, Transcript: ptr("Hi, " + eventVoicemail + ".")}
	return &cp, talk.ID, missed.ID
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestSyncer_Refresh is the webhook's path into the ledger: a call that
// appeared after a sync is stored by its event alone, its summary and
// transcript when their events come, a voicemail with its call; a missed
// call's transcript is read only for a transcript's event; on both
// surfaces, with no listing request.
func TestSyncer_Refresh(t *testing.T) {
	for _, surface := range []string{"auto", "v1"} {
		t.Run(surface, func(t *testing.T) {
			ws := syncWorkspace(syncNow)
			r := newRig(t, ws, surface)
			r.sync(t, all)
			r.advance(3 * time.Minute)
			ws2, talk, missed := withEventCalls(ws, r.clock())
			sb := sandbox.New(ws2, sandbox.Options{Now: r.clock})
			r.api.set(sb)
			ctx := context.Background()

			// call.completed for both calls.
			for _, id := range []string{talk, missed} {
				if err := r.l.Syncer.Refresh(ctx, id, false); err != nil {
					t.Fatal(err)
				}
			}
			if c, _ := r.store.Get(ctx, talk); c == nil || c.Summary == nil || c.Summary.Status != client.StatusInProgress || c.Participant != "+12125559001" {
				t.Fatalf("after call.completed the call is stored as %+v", c)
			}
			if got := r.search(t, `"`+eventVoicemail+`"`); !cmp.Equal(got, []string{missed}) {
				t.Errorf("the voicemail's phrase finds %v, want %s", got, missed)
			}
			if n := transcriptRequests(sb, talk, missed); n != 1 {
				t.Errorf("%d transcript requests, want 1 (the answered call's, none for the missed one)", n)
			}

			// call.summary.completed, then call.transcript.completed.
			ws3 := *ws2
			ws3.Summaries = cloneMap(ws2.Summaries)
			ws3.Summaries[talk] = client.CallSummary{CallID: talk, Status: client.StatusCompleted, Summary: []string{"About " + eventSummary + "."}}
			r.api.set(sandbox.New(&ws3, sandbox.Options{Now: r.clock}))
			if err := r.l.Syncer.Refresh(ctx, talk, false); err != nil {
				t.Fatal(err)
			}
			if got := r.search(t, eventSummary); !cmp.Equal(got, []string{talk}) {
				t.Errorf("after call.summary.completed the summary's phrase finds %v, want %s", got, talk)
			}
			ws4 := ws3
			ws4.Transcripts = cloneMap(ws3.Transcripts)
			ws4.Transcripts[talk] = client.CallTranscript{CallID: talk, Status: client.StatusCompleted,
				Dialogue: []client.DialogueLine{{Content: "We ordered " + eventTranscript + ".", Start: 2, End: 5}}}
			ws4.Recordings = cloneMap(ws3.Recordings)
			ws4.Recordings[talk] = []client.CallRecording{{ID: "CRevent1", Duration: ptr(45), StartTime: ptr(r.clock().Add(-time.Minute)), Status: ptr("completed")}}
			sb = sandbox.New(&ws4, sandbox.Options{Now: r.clock})
			r.api.set(sb)
			if err := r.l.Syncer.Refresh(ctx, talk, true); err != nil {
				t.Fatal(err)
			}
			if got := r.search(t, `"`+eventTranscript+`"`); !cmp.Equal(got, []string{talk}) {
				t.Errorf("after call.transcript.completed the transcript's phrase finds %v, want %s", got, talk)
			}
			if err := r.l.Syncer.Refresh(ctx, missed, true); err != nil {
				t.Fatal(err)
			}
			if n := transcriptRequests(sb, talk, missed); n != 2 {
				t.Errorf("%d transcript requests, want 2: a transcript's event reads it even for a missed call", n)
			}
			if n := sb.RequestsTo("/v1/conversations") + sb.RequestsTo("/v1/phone-numbers") + listings(sb); n != 0 {
				t.Errorf("%d listing requests, want none", n)
			}
		})
	}
}

// transcriptRequests counts the transcript requests of the calls ids on
// either surface.
func transcriptRequests(sb *sandbox.Server, ids ...string) int64 {
	var n int64
	for _, id := range ids {
		n += sb.RequestsTo("/v1/call-transcripts/"+id) + sb.RequestsTo("/calls/"+id+"/transcripts")
	}
	return n
}

// listings counts the requests to the call lists (GET /v1/calls and GET
// /calls), not to one call.
func listings(sb *sandbox.Server) int64 {
	return sb.RequestsTo("/v1/calls") - sb.RequestsTo("/v1/calls/") + sb.RequestsTo("/calls") - sb.RequestsTo("/calls/")
}

// TestSyncer_RefreshUnknownAndOld: a call the API does not know is an
// error that stores nothing; a call past the horizon is not stored.
func TestSyncer_RefreshUnknownAndOld(t *testing.T) {
	ws := syncWorkspace(syncNow)
	r := newRig(t, ws, "auto")
	ctx := context.Background()
	if err := r.l.Syncer.Refresh(ctx, "ACnowhere", false); !client.IsStatus(err, 404) {
		t.Errorf("an unknown call: %v, want the API's 404", err)
	}
	old := ws.Calls[len(ws.Calls)-1] // 40 days old, past the 30-day horizon
	if err := r.l.Syncer.Refresh(ctx, old.ID, false); err != nil {
		t.Fatal(err)
	}
	if n := len(r.ids(t)); n != 0 {
		t.Errorf("%d calls stored, want none", n)
	}
}
