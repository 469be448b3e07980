// get_call_transcript on Quo's dated API: one transcript per recorded
// segment joined into one timeline from the call's answer, the absence
// logic unchanged, and the fallback to v1.

package tools

import (
	"strings"
	"testing"

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
