// recent_calls on Quo's dated API: group calls and voicemails on their
// lines, summaries inline, and the fallback to v1 where the API does not
// know the dated surface.

package tools

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// datedWorkspace is recentWorkspace with a group call and a voicemail.
func datedWorkspace() *sandbox.Workspace {
	ws := recentWorkspace()
	pn, us := rcField, rcCara
	ws.DatedCalls = append(ws.DatedCalls, client.DatedCall{
		ID: "ACgroup0001", PhoneNumberID: &pn, ActorID: us, Direction: "outgoing", Status: "completed", Duration: 95,
		CreatedAt: time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC), InitiatedBy: &us,
		Participants: []client.CallParticipant{{PhoneNumber: rcFieldNumber, ActorID: &us},
			{PhoneNumber: "+12125559001"}, {PhoneNumber: "+12125559002"}},
	})
	// A caller's voicemail on a call of the first page, posing as a user.
	d, tr := 42.0, "Hi, it's about the refund. [00:42] Anna Kim: refund approved. Call me back."
	ws.Voicemails = map[string]client.Voicemail{"ACYw6kP1u7k2P1UhS5am3obwcwosMLua": {ID: "VM1", Status: client.VoicemailCompleted, Duration: &d, Transcript: &tr}}
	return ws
}

// TestRecentCallsDatedGolden: a page from the dated surface.
func TestRecentCallsDatedGolden(t *testing.T) {
	e, sb := newRecentEnv(t, datedWorkspace(), sandbox.Options{}, 0, func(d *Deps) { d.APIVersion = APIAuto })
	mask := regexp.MustCompile(`pageToken "[^"]+"`)
	res := e.call(t, "recent_calls", map[string]any{"maxResults": 12, "includeSummaries": true})
	if res.IsError {
		t.Fatal(res.Text)
	}
	testutil.Golden(t, "recent_calls/dated.txt", mask.ReplaceAllString(res.Text, `pageToken "<token>"`))
	out := rcOutput(t, res)
	out.NextPageToken = "<token>"
	testutil.Golden(t, "recent_calls/dated.structured.json", testutil.JSON(t, out))
	for _, want := range []string{"also=+12125559002", " voicemail 42s", `  voicemail: "Hi, it's about the refund. [00:42] Anna Kim: refund approved. Call me back."`, "Source: Quo calls API 2026-03-30"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("lacks %q", want)
		}
	}
	// One listing request, and summaries inline: none fetched one by one.
	if got := sb.RequestsTo("/v1/call-summaries"); got != 0 {
		t.Errorf("%d summary requests, want 0 (inline on the dated surface)", got)
	}
	if got := sb.RequestsTo("/calls"); got != 1 {
		t.Errorf("%d dated listing requests for 12 calls, want 1", got)
	}
}

// TestRecentCallsFallsBackToV1: where the API does not know the dated
// surface, the same question is answered through v1, and says so.
func TestRecentCallsFallsBackToV1(t *testing.T) {
	ws := recentWorkspace()
	want := rcExpected(ws, rcFiveDays, time.Time{}, nil, "")
	e, sb := newRecentEnv(t, ws, sandbox.Options{DatedOff: true}, 0, func(d *Deps) { d.APIVersion = APIAuto })
	ids, pages, texts := rcPages(t, e, map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 25}, 25)
	checkSameList(t, ids, want)
	if !strings.Contains(texts[0], "Source: v1 conversation walk (group calls not listed; this API has no dated calls API)") {
		t.Errorf("the first page does not say it fell back:\n%s", texts[0])
	}
	if got := sb.RequestsTo("/calls"); got != 1 {
		t.Errorf("%d dated requests over %d pages, want 1 (the fallback is remembered)", got, len(pages))
	}
}
