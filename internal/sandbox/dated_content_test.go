// The dated surface's content: group and AI-agent calls, include,
// recordings and transcripts, users and voicemails, the demo's dated data,
// and a round trip through the real dated client.

package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

func TestDatedGroupAndAgentCalls(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	groups, agents := 0, 0
	for _, c := range ws.DatedCalls {
		switch {
		case len(c.Participants) >= 3:
			groups++
		case strings.HasPrefix(c.ActorID, "SYU") && c.AIHandled != nil:
			agents++
		default:
			t.Errorf("dated call %s is neither a group call nor the AI agent's", c.ID)
		}
		// On the dated surface, by id and in the list of its party.
		if status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+c.ID); status != 200 {
			t.Errorf("GET /calls/%s: %d %s", c.ID, status, b)
		}
		// Never on v1: not by id, not in the calls of its parties.
		if status, _, _ := get(t, srv, "k", "/v1/calls/"+c.ID); status != 404 {
			t.Errorf("GET /v1/calls/%s: %d", c.ID, status)
		}
		for _, p := range c.Participants {
			if p.ActorID != nil {
				continue
			}
			_, _, b := get(t, srv, "k", "/v1/calls?maxResults=100&phoneNumberId="+*c.PhoneNumberID+"&participants="+url.QueryEscape(p.PhoneNumber))
			if strings.Contains(string(b), c.ID) {
				t.Errorf("v1 lists dated-only call %s", c.ID)
			}
		}
	}
	if groups < 5 || agents < 5 {
		t.Errorf("%d group calls, %d AI agent calls", groups, agents)
	}
	// participant= matches a group call's own other party, not one added.
	var g client.DatedCall
	for _, c := range ws.DatedCalls {
		if len(c.Participants) >= 3 {
			g = c
			break
		}
	}
	var outside []string
	for _, p := range g.Participants {
		if p.ActorID == nil {
			outside = append(outside, p.PhoneNumber)
		}
	}
	first, _ := listAll(t, srv, "participant="+url.QueryEscape(outside[0]))
	added, _ := listAll(t, srv, "participant="+url.QueryEscape(outside[1]))
	if !slices.Contains(ids(first), g.ID) || slices.Contains(ids(added), g.ID) {
		t.Errorf("group call %s: participant matches %v", g.ID, outside)
	}
}

func TestDatedInclude(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	// Without include: no summary and no voicemail key at all.
	_, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls?limit=50")
	if strings.Contains(string(b), `"summary"`) || strings.Contains(string(b), `"voicemail"`) {
		t.Errorf("a page without include has content: %.300s", b)
	}
	all, _ := listAll(t, srv, "include=summary,voicemail")
	voicemails := 0
	for _, c := range all {
		if c.Summary == nil {
			t.Fatalf("call %s has no summary with include=summary", c.ID)
		}
		_, has := ws.Voicemails[c.ID]
		if (c.Voicemail != nil) != has {
			t.Fatalf("call %s: voicemail %v, workspace has one: %v", c.ID, c.Voicemail, has)
		}
		if c.Voicemail != nil {
			voicemails++
			if c.Status != "missed" || !strings.HasPrefix(c.Voicemail.ID, "VM") {
				t.Errorf("call %s: voicemail %+v on a %s call", c.ID, c.Voicemail, c.Status)
			}
		}
		s := c.Summary
		switch {
		case s.Status != client.StatusCompleted:
			if s.Type != nil || s.Summary != nil {
				t.Errorf("call %s: a %s summary with content", c.ID, s.Status)
			}
		case c.AIHandled != nil:
			if *s.Type != client.SummaryTypeAgent || s.NextSteps != nil {
				t.Errorf("AI call %s: summary %+v", c.ID, s)
			}
		default:
			if *s.Type != client.SummaryTypeHuman || len(s.Summary) == 0 || s.Jobs != nil || s.Title != nil {
				t.Errorf("call %s: summary %+v", c.ID, s)
			}
		}
	}
	if voicemails < 50 {
		t.Errorf("%d voicemails", voicemails)
	}
	onlyVM, _ := listAll(t, srv, "include=voicemail&status=missed")
	for _, c := range onlyVM {
		if c.Summary != nil {
			t.Fatalf("include=voicemail sent a summary on %s", c.ID)
		}
	}
	// By id, with the agent's title.
	agent := ws.DatedCalls[len(ws.DatedCalls)-1]
	status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+agent.ID+"?include=summary")
	var one struct{ Data client.DatedCall }
	if err := json.Unmarshal(b, &one); status != 200 || err != nil || one.Data.Summary == nil || one.Data.Summary.Title == nil ||
		*one.Data.Summary.Type != client.SummaryTypeAgent || one.Data.Voicemail != nil {
		t.Errorf("agent call by id: %d %s", status, b)
	}
}

func TestDatedRecordingsAndTranscripts(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	// A v1 call recorded in two segments, transcribed.
	var id string
	for cid, recs := range ws.Recordings {
		if tr, ok := ws.Transcripts[cid]; ok && len(recs) == 2 && tr.Status == client.StatusCompleted && (id == "" || cid < id) {
			id = cid
		}
	}
	if id == "" {
		t.Fatal("no call with two recordings and a transcript")
	}
	var recs []client.CallRecording
	var trs []client.DatedTranscript
	for _, what := range []string{"recordings", "transcripts"} {
		after := ""
		for pages := 0; ; pages++ {
			q := "/calls/" + id + "/" + what + "?limit=1"
			if after != "" {
				q += "&after=" + url.QueryEscape(after)
			}
			status, _, b := getDated(t, srv, client.DatedAPIVersion, q)
			var p struct {
				Data       json.RawMessage
				NextCursor *string
			}
			if err := json.Unmarshal(b, &p); status != 200 || err != nil || pages > 2 {
				t.Fatalf("%s: %d %s", q, status, b)
			}
			if what == "recordings" {
				var d []client.CallRecording
				_ = json.Unmarshal(p.Data, &d)
				recs = append(recs, d...)
			} else {
				var d []client.DatedTranscript
				_ = json.Unmarshal(p.Data, &d)
				trs = append(trs, d...)
			}
			if p.NextCursor == nil {
				break
			}
			after = *p.NextCursor
		}
	}
	if len(recs) != 2 || len(trs) != 2 || !recs[0].StartTime.Before(*recs[1].StartTime) {
		t.Fatalf("%d recordings, %d transcripts", len(recs), len(trs))
	}
	v1 := ws.Transcripts[id]
	offset := recs[1].StartTime.Sub(*recs[0].StartTime).Seconds()
	var lines []string
	for k, tr := range trs {
		if tr.RecordingID != recs[k].ID || !tr.StartTime.Equal(*recs[k].StartTime) || tr.Status != client.StatusCompleted {
			t.Errorf("transcript %d: %+v, recording %+v", k, tr, recs[k])
		}
		for _, d := range tr.Dialogue {
			lines = append(lines, d.Content)
			if d.Start < 0 {
				t.Errorf("segment %d: a line starts at %.2f", k, d.Start)
			}
		}
	}
	var want []string
	for _, d := range v1.Dialogue {
		want = append(want, d.Content)
	}
	if !slices.Equal(lines, want) || len(trs[1].Dialogue) == 0 {
		t.Fatalf("the segments' lines are not the call's: %d of %d", len(lines), len(want))
	}
	// The second segment counts from its own start.
	firstOf2 := v1.Dialogue[len(trs[0].Dialogue)]
	if got := trs[1].Dialogue[0].Start; got != round2(firstOf2.Start-offset) {
		t.Errorf("second segment's first line starts at %.2f, want %.2f", got, firstOf2.Start-offset)
	}
	// A dated-only call has its own.
	g := ws.DatedCalls[0]
	_, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+g.ID+"/transcripts")
	var p client.DatedTranscriptPage
	if err := json.Unmarshal(b, &p); err != nil || len(p.Data) != 1 || len(p.Data[0].Dialogue) == 0 {
		t.Errorf("group call transcripts: %s", b)
	}
	// A call with no recording has none: an empty page, not an error.
	for _, c := range ws.Calls {
		if len(ws.Recordings[c.ID]) == 0 {
			status, _, b := getDated(t, srv, client.DatedAPIVersion, "/calls/"+c.ID+"/transcripts")
			if status != 200 || string(b) != `{"data":[],"nextCursor":null}` {
				t.Errorf("a call without recordings: %d %s", status, b)
			}
			break
		}
	}
}

func TestUsersAndVoicemails(t *testing.T) {
	ws := demo(t)
	_, srv := datedServer(t, Options{})
	status, _, b := getDated(t, srv, client.DatedAPIVersion, "/users?limit=4")
	var p client.DatedUserPage
	if err := json.Unmarshal(b, &p); status != 200 || err != nil || len(p.Data) != 4 || p.NextCursor == nil {
		t.Fatalf("GET /users?limit=4: %d %s", status, b)
	}
	_, _, b = getDated(t, srv, client.DatedAPIVersion, "/users?limit=4&after="+url.QueryEscape(*p.NextCursor))
	var p2 client.DatedUserPage
	if err := json.Unmarshal(b, &p2); err != nil || len(p2.Data) != 2 || p2.NextCursor != nil || p2.Data[1].ID != ws.Users[5].ID {
		t.Errorf("second page of users: %s", b)
	}
	if status, _, _ := getDated(t, srv, client.DatedAPIVersion, "/users/"+DemoOwnerID); status != 200 {
		t.Errorf("GET /users/{id}: %d", status)
	}
	for path, want := range map[string]int{
		"/v1/users?maxResults=51": 400, "/v1/users?maxResults=0": 400, "/v1/users?pageToken=zz": 400,
		"/v1/users/" + DemoOwnerID: 200, "/v1/users/USnope": 404, "/v1/users/XX": 400,
	} {
		if status, _, b := get(t, srv, "k", path); status != want {
			t.Errorf("%s: %d %s, want %d", path, status, b, want)
		}
	}
	var vmCall, plain string
	for _, c := range ws.Calls {
		if _, ok := ws.Voicemails[c.ID]; ok && vmCall == "" {
			vmCall = c.ID
		} else if !ok && plain == "" {
			plain = c.ID
		}
	}
	status, _, b = get(t, srv, "k", "/v1/call-voicemails/"+vmCall)
	var vm struct{ Data client.Voicemail }
	if err := json.Unmarshal(b, &vm); status != 200 || err != nil || vm.Data.ID != ws.Voicemails[vmCall].ID {
		t.Errorf("GET /v1/call-voicemails/%s: %d %s", vmCall, status, b)
	}
	for id, code := range map[string]string{plain: "1200404", ws.DatedCalls[0].ID: "1200404", "ACnope": "1200404", "XX": "1200400"} {
		status, _, b := get(t, srv, "k", "/v1/call-voicemails/"+id)
		var e errBody
		_ = json.Unmarshal(b, &e)
		if e.Code != code || status != e.Status {
			t.Errorf("voicemail of %s: %d %s, want code %s", id, status, b, code)
		}
	}
}

func TestDemoDatedData(t *testing.T) {
	ws := demo(t)
	calls := map[string]client.Call{}
	for _, c := range ws.Calls {
		calls[c.ID] = c
		if _, ok := ws.Voicemails[c.ID]; (c.Status == "missed" && c.Duration > 0) != ok {
			t.Errorf("call %s (%s, %ds): voicemail %v", c.ID, c.Status, c.Duration, ok)
		}
	}
	completed := 0
	for id, vm := range ws.Voicemails {
		if _, ok := calls[id]; !ok {
			t.Fatalf("voicemail of unknown call %s", id)
		}
		if vm.Status == client.VoicemailCompleted && (vm.Duration == nil || vm.RecordingURL == nil) {
			t.Errorf("voicemail %s: %+v", id, vm)
		}
		if vm.Status == client.VoicemailCompleted && vm.Transcript != nil {
			completed++
		}
	}
	if completed == 0 {
		t.Error("no voicemail has a transcript")
	}
	if len(ws.Users) != 6 {
		t.Errorf("%d users", len(ws.Users))
	}
	recent := false
	for _, c := range ws.DatedCalls {
		if _, dup := calls[c.ID]; dup || c.CreatedAt.After(testNow) || (c.UpdatedAt != nil && c.UpdatedAt.After(testNow)) {
			t.Errorf("dated call %s: a v1 id or in the future", c.ID)
		}
		recent = recent || (testNow.Sub(c.CreatedAt) < 24*time.Hour && c.ActorID == DemoAIAgentID)
		if c.Status != "completed" {
			continue
		}
		trs, recs := ws.DatedTranscripts[c.ID], ws.DatedRecordings[c.ID]
		if len(trs) != 1 || len(recs) != 1 || trs[0].RecordingID != recs[0].ID || ws.DatedSummaries[c.ID].Status != client.StatusCompleted {
			t.Errorf("dated call %s: content %d %d", c.ID, len(trs), len(recs))
			continue
		}
		for _, d := range trs[0].Dialogue {
			on := false
			for _, p := range c.Participants {
				on = on || (p.PhoneNumber == *d.Identifier && cmpPtr(p.ActorID, d.ActorID))
			}
			if !on || d.End > trs[0].Duration {
				t.Errorf("dated call %s: line %+v", c.ID, d)
			}
		}
	}
	if !recent {
		t.Error("no AI agent call in the last 24 hours")
	}
}

func cmpPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestDatedClientRoundTrip reads the dated surface through the real
// client, so the client and the fake agree on paths, parameters and shapes.
func TestDatedClientRoundTrip(t *testing.T) {
	ws := demo(t)
	s := New(ws, Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	pn, participant, pairCalls := aPair(t, ws)
	var got []client.DatedCall
	for call, err := range c.DatedCalls(ctx, client.ListDatedCallsParams{
		PhoneNumberID: pn, ParticipantIn: []string{participant}, Include: []string{client.IncludeSummary, client.IncludeVoicemail},
		CreatedAtOrAfter: pairCalls[len(pairCalls)-1].CreatedAt, CreatedAtOrBefore: pairCalls[0].CreatedAt, Limit: 7,
	}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, call)
	}
	if len(got) != len(pairCalls) {
		t.Fatalf("%d calls through the client, want %d (the pair's, bounds inclusive)", len(got), len(pairCalls))
	}
	for i, d := range got {
		if d.ID != pairCalls[i].ID || d.Summary == nil || d.ActorID != pairCalls[i].UserID {
			t.Errorf("call %d: %s, want %s", i, d.ID, pairCalls[i].ID)
		}
	}
	n := 0
	for call, err := range c.DatedCalls(ctx, client.ListDatedCallsParams{ActorID: DemoAIAgentID, StatusIn: []string{"completed", "missed"}, Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if call.AIHandled == nil {
			t.Errorf("agent call %s without aiHandled", call.ID)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d AI agent calls through the client", n)
	}
	g := ws.DatedCalls[0]
	one, err := c.GetDatedCall(ctx, g.ID, client.IncludeSummary)
	if err != nil || one.ID != g.ID || one.Summary == nil || len(one.Participants) < 3 {
		t.Fatalf("GetDatedCall: %+v %v", one, err)
	}
	trs := 0
	for tr, err := range c.DatedCallTranscripts(ctx, g.ID, client.CursorParams{Limit: 1}) {
		if err != nil || tr.RecordingID != ws.DatedRecordings[g.ID][0].ID {
			t.Fatalf("DatedCallTranscripts: %+v %v", tr, err)
		}
		trs++
	}
	for rec, err := range c.DatedCallRecordings(ctx, g.ID, client.CursorParams{}) {
		if err != nil || rec.URL == nil {
			t.Fatalf("DatedCallRecordings: %+v %v", rec, err)
		}
	}
	users := 0
	for u, err := range c.DatedUsers(ctx, client.CursorParams{Limit: 5}) {
		if err != nil || !strings.HasPrefix(u.ID, "US") {
			t.Fatalf("DatedUsers: %+v %v", u, err)
		}
		users++
	}
	v1Users := 0
	for _, err := range c.Users(ctx, client.ListUsersParams{MaxResults: 4}) {
		if err != nil {
			t.Fatal(err)
		}
		v1Users++
	}
	if trs != 1 || users != 6 || v1Users != 6 {
		t.Errorf("%d transcripts, %d dated users, %d v1 users", trs, users, v1Users)
	}
	for id := range ws.Voicemails {
		vm, err := c.GetCallVoicemail(ctx, id)
		if err != nil || vm.ID != ws.Voicemails[id].ID {
			t.Errorf("GetCallVoicemail(%s): %+v %v", id, vm, err)
		}
		break
	}
	// The client's errors on the dated surface: a 400 of the fake parses
	// into an *APIError with its message and field errors, and no code.
	_, err = c.ListDatedCalls(ctx, client.ListDatedCallsParams{Direction: "sideways"})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != "" || len(ae.Errors) != 1 || ae.Errors[0].Path != "/direction" {
		t.Errorf("a bad direction through the client: %v", err)
	}
}

// TestDatedTranscriptsOfACallWithoutRecordings: a call with a v1 transcript
// but no recordings has no dated transcript segment (and the fake does not
// fall over it).
func TestDatedTranscriptsOfACallWithoutRecordings(t *testing.T) {
	tr := &client.CallTranscript{CallID: "AC1", Status: client.StatusCompleted,
		Dialogue: []client.DialogueLine{{Content: "hello", Start: 1, End: 2}}}
	if got := segmentTranscripts(tr, nil); len(got) != 0 {
		t.Errorf("%d segments for a call without recordings, want 0", len(got))
	}
}
