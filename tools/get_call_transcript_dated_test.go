// get_call_transcript on Quo's dated API: one transcript per recorded
// segment joined into one timeline from the call's answer, the absence
// logic unchanged, and the fallback to v1.

package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

func TestGetCallTranscriptDatedGolden(t *testing.T) {
	e, sb := newDatedEnv(t, datedCallWorkspace(), sandbox.Options{})
	for _, tc := range []struct{ id, golden string }{
		{fxCompleted, "get_call_transcript/dated_completed"}, // two segments
		{fxMissed, "get_call_transcript/dated_missed"},       // none: a normal answer
		{fxLong, "get_call_transcript/dated_in_progress"},
	} {
		res := e.call(t, "get_call_transcript", map[string]any{"callId": tc.id})
		if res.IsError {
			t.Fatalf("%s: %s", tc.id, res.Text)
		}
		testutil.Golden(t, tc.golden+".txt", res.Text)
		testutil.Golden(t, tc.golden+".structured.json", testutil.JSON(t, res.Structured))
		assertNoForgedLines(t, res.Text)
	}
	// Each: the transcripts and the call, alongside; no v1 content request.
	assertRequests(t, sb, requestCounts{"/v1/phone-numbers": 1, "/v1/conversations": 1, "/calls/": 6})
}

// TestJoinSegments: the second segment's lines are offset by its start
// minus the call's answer, not left counting from their own segment.
func TestJoinSegments(t *testing.T) {
	ans := time.Date(2026, 11, 26, 16, 5, 0, 0, time.UTC)
	call := &client.Call{CreatedAt: ans.Add(-20 * time.Second), AnsweredAt: &ans}
	seg := func(after time.Duration, status string, starts ...float64) client.DatedTranscript {
		s := client.DatedTranscript{Status: status, StartTime: ptr(ans.Add(after)), Duration: 10}
		for _, st := range starts {
			s.Dialogue = append(s.Dialogue, client.DatedDialogueLine{Content: "x", Start: st, End: st + 1})
		}
		return s
	}
	tr := joinSegments(call, []client.DatedTranscript{seg(2*time.Second, client.StatusCompleted, 0.5, 4), seg(100*time.Second, client.StatusCompleted, 1)})
	var got []float64
	for _, l := range tr.Dialogue {
		got = append(got, l.Start)
	}
	if tr.Status != client.StatusCompleted || len(got) != 3 || got[0] != 2.5 || got[1] != 6 || got[2] != 101 || tr.Duration != 20 {
		t.Errorf("status %s, starts %v, duration %v; want completed, [2.5 6 101], 20", tr.Status, got, tr.Duration)
	}
	if tr := joinSegments(call, nil); tr.Status != client.StatusAbsent {
		t.Errorf("no segment: status %s, want absent", tr.Status)
	}
	if tr := joinSegments(call, []client.DatedTranscript{seg(0, client.StatusCompleted, 1), seg(60*time.Second, client.StatusInProgress)}); tr.Status != client.StatusInProgress {
		t.Errorf("a segment in progress: status %s, want in-progress", tr.Status)
	}
	// Without the call, the first segment's start is the origin.
	if tr := joinSegments(nil, []client.DatedTranscript{seg(30*time.Second, client.StatusCompleted, 1)}); tr.Dialogue[0].Start != 1 {
		t.Errorf("without the call: start %v, want 1", tr.Dialogue[0].Start)
	}
}

// TestGetCallTranscriptFallsBackToV1: answered as v1 does; the dated
// requests (transcripts and call, sent together) are paid once.
func TestGetCallTranscriptFallsBackToV1(t *testing.T) {
	e, sb := newDatedEnv(t, fxWorkspace(), sandbox.Options{DatedOff: true})
	v1, _ := newSandboxEnv(t, fxWorkspace(), testutil.ProtocolLegacy)
	for _, id := range []string{fxCompleted, fxMissed} {
		res := e.call(t, "get_call_transcript", map[string]any{"callId": id})
		if want := v1.call(t, "get_call_transcript", map[string]any{"callId": id}); res.IsError || res.Text != want.Text {
			t.Errorf("%s through the fallback:\n%s\nwant v1's:\n%s", id, res.Text, want.Text)
		}
		if got := sb.RequestsTo("/calls/"); got < 1 || got > 2 {
			t.Errorf("%d dated requests, want 1 or 2, the first time only", got)
		}
	}
	if got := sb.RequestsTo("/v1/call-transcripts/"); got != 2 {
		t.Errorf("%d v1 transcript requests, want 2", got)
	}
	if res := e.call(t, "get_call_transcript", map[string]any{"callId": fxUnknownCall}); !res.IsError || !strings.HasPrefix(res.Text, "Not found: call "+fxUnknownCall) {
		t.Errorf("unknown call: %v %q", res.IsError, res.Text)
	}
}
