package history_test

import (
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// TestJoinTranscript: the second segment's lines are offset by its start
// minus the call's answer, not left counting from their own segment.
func TestJoinTranscript(t *testing.T) {
	ans := time.Date(2026, 11, 26, 16, 5, 0, 0, time.UTC)
	call := &client.Call{CreatedAt: ans.Add(-20 * time.Second), AnsweredAt: &ans}
	seg := func(after time.Duration, status string, starts ...float64) client.DatedTranscript {
		s := client.DatedTranscript{Status: status, StartTime: func() *time.Time { t := ans.Add(after); return &t }(), Duration: 10}
		for _, st := range starts {
			s.Dialogue = append(s.Dialogue, client.DatedDialogueLine{Content: "x", Start: st, End: st + 1})
		}
		return s
	}
	tr := history.JoinTranscript(call, []client.DatedTranscript{seg(2*time.Second, client.StatusCompleted, 0.5, 4), seg(100*time.Second, client.StatusCompleted, 1)})
	var got []float64
	for _, l := range tr.Dialogue {
		got = append(got, l.Start)
	}
	if tr.Status != client.StatusCompleted || len(got) != 3 || got[0] != 2.5 || got[1] != 6 || got[2] != 101 || tr.Duration != 20 {
		t.Errorf("status %s, starts %v, duration %v; want completed, [2.5 6 101], 20", tr.Status, got, tr.Duration)
	}
	if tr := history.JoinTranscript(call, nil); tr.Status != client.StatusAbsent {
		t.Errorf("no segment: status %s, want absent", tr.Status)
	}
	if tr := history.JoinTranscript(call, []client.DatedTranscript{seg(0, client.StatusCompleted, 1), seg(60*time.Second, client.StatusInProgress)}); tr.Status != client.StatusInProgress {
		t.Errorf("a segment in progress: status %s, want in-progress", tr.Status)
	}
	// Without the call, the first segment's start is the origin.
	if tr := history.JoinTranscript(nil, []client.DatedTranscript{seg(30*time.Second, client.StatusCompleted, 1)}); tr.Dialogue[0].Start != 1 {
		t.Errorf("without the call: start %v, want 1", tr.Dialogue[0].Start)
	}
}
