package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openphone-mcp/openphone-mcp/client"
)

func TestDemoDeterministic(t *testing.T) {
	t.Parallel()
	a, b := Demo(testNow), Demo(testNow)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two Demo(now) differ:\n%s", cmp.Diff(a, b))
	}
	// Another clock: the same numbers, users and conversations.
	c := Demo(testNow.Add(-61*time.Hour - 17*time.Minute))
	if diff := cmp.Diff(a.PhoneNumbers[0].Users, c.PhoneNumbers[0].Users); diff != "" {
		t.Errorf("users differ:\n%s", diff)
	}
	for i := range a.PhoneNumbers {
		if a.PhoneNumbers[i].ID != c.PhoneNumbers[i].ID || a.PhoneNumbers[i].Number != c.PhoneNumbers[i].Number {
			t.Errorf("number %d differs", i)
		}
	}
	if len(a.Conversations) != len(c.Conversations) {
		t.Fatalf("%d and %d conversations", len(a.Conversations), len(c.Conversations))
	}
	for i := range a.Conversations {
		x, y := a.Conversations[i], c.Conversations[i]
		if x.ID != y.ID || !slices.Equal(x.Participants, y.Participants) || x.PhoneNumberID != y.PhoneNumberID ||
			!cmp.Equal(x.Name, y.Name) {
			t.Errorf("conversation %d differs: %+v vs %+v", i, x, y)
		}
	}
}

func TestDemoShape(t *testing.T) {
	ws := demo(t)
	if len(ws.PhoneNumbers) != 3 {
		t.Errorf("%d numbers", len(ws.PhoneNumbers))
	}
	users := map[string]bool{}
	for _, n := range ws.PhoneNumbers {
		for _, u := range n.Users {
			users[u.ID] = true
			if !strings.HasSuffix(u.Email, "@example.com") {
				t.Errorf("email %s", u.Email)
			}
		}
	}
	if len(users) != 6 {
		t.Errorf("%d users", len(users))
	}
	if n := len(ws.Calls); n < 2500 || n > 3500 {
		t.Errorf("%d calls", n)
	}
	if n := len(ws.Conversations); n < 140 || n > 170 {
		t.Errorf("%d conversations", n)
	}
	count := func(f func(client.Call) bool) int {
		n := 0
		for _, c := range ws.Calls {
			if f(c) {
				n++
			}
		}
		return n
	}
	for name, n := range map[string]int{
		"completed":      count(func(c client.Call) bool { return c.Status == "completed" }),
		"missed":         count(func(c client.Call) bool { return c.Status == "missed" }),
		"voicemail":      count(func(c client.Call) bool { return c.Status == "missed" && c.Duration > 0 }),
		"no-answer":      count(func(c client.Call) bool { return c.Status == "no-answer" }),
		"forwarded":      count(func(c client.Call) bool { return c.Status == "forwarded" && c.ForwardedTo != nil }),
		"phone-menu":     count(func(c client.Call) bool { return c.CallRoute != nil && *c.CallRoute == "phone-menu" }),
		"ai-agent":       count(func(c client.Call) bool { return c.AIHandled != nil && *c.AIHandled == "ai-agent" }),
		"outgoing":       count(func(c client.Call) bool { return c.Direction == "outgoing" }),
		"in-progress":    count(func(c client.Call) bool { return c.Status == "in-progress" }),
		"weekend":        count(func(c client.Call) bool { wd := c.CreatedAt.In(demoZone).Weekday(); return wd == 0 || wd == 6 }),
		"business hours": count(func(c client.Call) bool { return !afterHours(c.CreatedAt) }),
	} {
		if n == 0 {
			t.Errorf("no %s calls", name)
		}
	}
	if bh := count(func(c client.Call) bool { return !afterHours(c.CreatedAt) }); bh < len(ws.Calls)*3/4 {
		t.Errorf("only %d of %d calls in business hours", bh, len(ws.Calls))
	}
	statuses := map[string]int{}
	for _, s := range ws.Summaries {
		statuses["summary "+s.Status]++
	}
	for _, s := range ws.Transcripts {
		statuses["transcript "+s.Status]++
	}
	for _, k := range []string{"summary completed", "summary failed", "transcript completed", "transcript failed", "summary in-progress"} {
		if statuses[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	unnamed, groups := 0, 0
	for _, c := range ws.Conversations {
		if c.Name == nil {
			unnamed++
		}
		if len(c.Participants) > 1 {
			groups++
		}
	}
	if unnamed == 0 || groups < 2 {
		t.Errorf("%d unnamed, %d group conversations", unnamed, groups)
	}
}

// TestDemoLast24Hours: whatever the clock, a few calls are recent and none
// is in the future.
func TestDemoLast24Hours(t *testing.T) {
	t.Parallel()
	pt := time.FixedZone("PT", -8*3600)
	for _, now := range []time.Time{
		time.Date(2026, 11, 29, 3, 0, 0, 0, pt),   // Sunday 3am
		time.Date(2026, 11, 30, 10, 0, 0, 0, pt),  // Monday 10am
		time.Date(2026, 11, 30, 0, 5, 0, 0, pt),   // Monday just after midnight
		time.Date(2026, 11, 28, 23, 59, 0, 0, pt), // Saturday night
		time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 4, 8, 59, 59, 0, time.UTC),
		testNow,
	} {
		ws := Demo(now)
		recent := 0
		for _, c := range ws.Calls {
			if c.CreatedAt.After(now) || (c.CompletedAt != nil && c.CompletedAt.After(now)) ||
				(c.UpdatedAt != nil && c.UpdatedAt.After(now)) {
				t.Fatalf("%v: call %s is in the future", now, c.ID)
			}
			if now.Sub(c.CreatedAt) < 24*time.Hour {
				recent++
			}
			if now.Sub(c.CreatedAt) > (demoDays+1)*24*time.Hour {
				t.Fatalf("%v: call %s is older than 90 days", now, c.ID)
			}
		}
		if recent < 5 {
			t.Errorf("%v (%v): %d calls in the last 24 hours", now, now.Weekday(), recent)
		}
	}
}

var (
	reE164 = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)
	enums  = map[string]bool{"queued": true, "initiated": true, "ringing": true, "in-progress": true,
		"completed": true, "busy": true, "failed": true, "no-answer": true, "canceled": true, "missed": true,
		"answered": true, "forwarded": true, "abandoned": true}
)

func TestDemoConsistency(t *testing.T) {
	ws := demo(t)
	numbers := map[string]string{}
	for _, n := range ws.PhoneNumbers {
		numbers[n.ID] = n.Number
		if !strings.HasPrefix(n.ID, "PN") || !reE164.MatchString(n.Number) || !strings.Contains(n.Number, "55501") {
			t.Errorf("number %+v", n)
		}
	}
	convOf := map[[2]string]client.Conversation{}
	for _, c := range ws.Conversations {
		if !strings.HasPrefix(c.ID, "CN") || numbers[c.PhoneNumberID] == "" {
			t.Errorf("conversation %+v", c)
		}
		if len(c.Participants) == 1 {
			convOf[[2]string{c.PhoneNumberID, c.Participants[0]}] = c
		}
		if (c.LastActivityAt == nil) != (c.LastActivityID == nil) {
			t.Errorf("conversation %s: lastActivityAt and lastActivityId disagree", c.ID)
		}
	}
	ids := map[string]bool{}
	newest := map[[2]string]client.Call{}
	for _, c := range ws.Calls {
		if ids[c.ID] || !strings.HasPrefix(c.ID, "AC") || !strings.HasPrefix(c.UserID, "US") || !enums[c.Status] {
			t.Fatalf("call %+v", c)
		}
		ids[c.ID] = true
		own, them := c.Participants[1], c.Participants[0] // caller first
		if c.Direction == "outgoing" {
			own, them = them, own
		}
		if len(c.Participants) != 2 || own != numbers[c.PhoneNumberID] || !reE164.MatchString(them) {
			t.Fatalf("call %s participants %v", c.ID, c.Participants)
		}
		k := [2]string{c.PhoneNumberID, them}
		if _, ok := convOf[k]; !ok {
			t.Fatalf("call %s: no conversation for %v", c.ID, k)
		}
		if n, ok := newest[k]; !ok || c.CreatedAt.After(n.CreatedAt) || (c.CreatedAt.Equal(n.CreatedAt) && c.ID > n.ID) {
			newest[k] = c
		}
		if (c.Direction == "incoming") == (c.InitiatedBy != nil) || (c.Direction == "outgoing" && c.AnsweredBy != nil) {
			t.Errorf("call %s: %s with answeredBy %v initiatedBy %v", c.ID, c.Direction, c.AnsweredBy, c.InitiatedBy)
		}
		if c.Status == "completed" && (c.AnsweredAt == nil || c.CompletedAt == nil || c.CompletedAt.Before(*c.AnsweredAt)) {
			t.Errorf("completed call %s without answer/completion times", c.ID)
		}
		if c.Status != "completed" && c.CompletedAt != nil {
			t.Errorf("%s call %s has completedAt", c.Status, c.ID)
		}
	}
	for k, cv := range convOf {
		n, ok := newest[k]
		switch {
		case !ok && cv.LastActivityID != nil:
			t.Errorf("conversation %s without calls has last activity %s", cv.ID, *cv.LastActivityID)
		case ok && (cv.LastActivityID == nil || *cv.LastActivityID != n.ID || !cv.LastActivityAt.Equal(n.CreatedAt)):
			t.Errorf("conversation %s: last activity %v, newest call %s", cv.ID, cv.LastActivityID, n.ID)
		case ok && cv.CreatedAt.After(n.CreatedAt):
			t.Errorf("conversation %s created after its calls", cv.ID)
		}
	}
	calls := map[string]client.Call{}
	for _, c := range ws.Calls {
		calls[c.ID] = c
	}
	for id, s := range ws.Summaries {
		c, ok := calls[id]
		if !ok || s.CallID != id {
			t.Fatalf("summary of unknown call %s", id)
		}
		if (s.Status == client.StatusCompleted) != (len(s.Summary) > 0) {
			t.Errorf("summary %s: status %s with %d lines", id, s.Status, len(s.Summary))
		}
		for _, l := range append(slices.Clone(s.Summary), s.NextSteps...) {
			if strings.ContainsAny(l, "{}") {
				t.Errorf("summary %s has an unfilled template: %q", id, l)
			}
		}
		_ = c
	}
	for id, tr := range ws.Transcripts {
		c, ok := calls[id]
		if !ok || tr.CallID != id {
			t.Fatalf("transcript of unknown call %s", id)
		}
		if (tr.Status == client.StatusCompleted) != (len(tr.Dialogue) > 0) {
			t.Errorf("transcript %s: status %s with %d lines", id, tr.Status, len(tr.Dialogue))
		}
		prevEnd := 0.0
		for _, d := range tr.Dialogue {
			if d.Identifier == nil || (*d.Identifier != c.Participants[0] && *d.Identifier != c.Participants[1]) {
				t.Fatalf("transcript %s: speaker %v is not on the call", id, d.Identifier)
			}
			if d.UserID != nil && *d.Identifier != numbers[c.PhoneNumberID] {
				t.Errorf("transcript %s: a workspace user speaks from the other party's number", id)
			}
			if d.Start < prevEnd || d.End <= d.Start || d.End > tr.Duration+0.01 || strings.ContainsAny(d.Content, "{}") {
				t.Errorf("transcript %s: line %+v after %.2f (duration %.0f)", id, d, prevEnd, tr.Duration)
			}
			prevEnd = d.End
		}
	}
	for id, recs := range ws.Recordings {
		c, ok := calls[id]
		if !ok || len(recs) == 0 {
			t.Fatalf("recordings of unknown call %s", id)
		}
		for i, r := range recs {
			if !strings.HasPrefix(r.ID, "CR") || r.StartTime == nil || r.StartTime.Before(c.CreatedAt) ||
				(i > 0 && !recs[i-1].StartTime.Before(*r.StartTime)) {
				t.Errorf("call %s recording %d: %+v", id, i, r)
			}
			if r.Status != nil && *r.Status == "completed" && (r.URL == nil || r.Duration == nil ||
				!strings.HasPrefix(*r.URL, "https://example.com/")) {
				t.Errorf("call %s recording %d: %+v", id, i, r)
			}
		}
	}
}

// TestDemoThroughAPI walks the demo the way a "who called today" tool does:
// conversations by recent activity, then one calls request per participant.
func TestDemoThroughAPI(t *testing.T) {
	ws := demo(t)
	s := New(ws, Options{})
	c := newClient(t, s, "")
	ctx := context.Background()
	since := testNow.Add(-24 * time.Hour)
	page, err := c.ListConversations(ctx, client.ListConversationsParams{UpdatedAfter: since, MaxResults: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, cv := range page.Data {
		if len(cv.Participants) != 1 {
			continue
		}
		calls, err := c.ListCalls(ctx, client.ListCallsParams{
			PhoneNumberID: cv.PhoneNumberID, Participants: cv.Participants, CreatedAfter: since, MaxResults: 100,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls.Data) == 0 || calls.Data[0].ID != *cv.LastActivityID {
			t.Errorf("conversation %s: newest call is not %s", cv.ID, *cv.LastActivityID)
		}
		found += len(calls.Data)
	}
	if found < 5 {
		t.Errorf("found %d calls in the last 24 hours", found)
	}
}

func BenchmarkDemo(b *testing.B) {
	now := testNow
	b.ReportAllocs()
	for b.Loop() {
		New(Demo(now), Options{})
	}
}

func BenchmarkListCalls(b *testing.B) {
	ws := Demo(testNow)
	s := New(ws, Options{})
	c, err := client.New("k", client.WithTransport(s.RoundTripper()), client.WithRateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	call := ws.Calls[len(ws.Calls)/2]
	p := client.ListCallsParams{PhoneNumberID: call.PhoneNumberID, Participants: []string{other(call)}, MaxResults: 50}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ListCalls(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDemoFingerprint pins the demo workspace of two fixed clocks, byte for
// byte as the API would serve it, so that reorganising the generator cannot
// change the data unnoticed. A deliberate change of the demo data updates
// the want hashes (the failure prints the new ones).
//
// The v1 hashes cover the fields v1 serves, in the Workspace's JSON of
// before the dated surface: adding the dated data left them unchanged,
// which showed that it changed no v1 answer. The callbacks changed them
// on purpose (they add calls, their content and the conversations' last
// activity; TestDemoCallbacks checks that the history's calls stay as
// they were). The dated hashes pin the data only the dated surface serves:
// the callbacks left them unchanged.
func TestDemoFingerprint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		now       time.Time
		v1, dated string
	}{
		{testNow, "9fba32c810cfcadbfc279f0dab65fa5fa205659df1865d9b4d7d3567a87e4813", "b4e08f978b092b7ed4cfec9ea441199ccb1315ca7cf3eb26acf6399bae333d54"},
		{time.Date(2027, 3, 14, 4, 30, 0, 0, time.UTC), "e989427284ce02a2c164772282e161850dded925740a767d57d8580ea09b19e1", "0cf954256f07776b1782ab4ae113b4cf6c9898ec6bcc26bac1b44df902219e73"}, // a Sunday night: the after-hours paths
	} {
		ws := Demo(tc.now)
		v1, err := json.Marshal(struct {
			PhoneNumbers  []client.PhoneNumber
			Conversations []client.Conversation
			Calls         []client.Call
			Summaries     map[string]client.CallSummary
			Transcripts   map[string]client.CallTranscript
			Recordings    map[string][]client.CallRecording
		}{ws.PhoneNumbers, ws.Conversations, ws.Calls, ws.Summaries, ws.Transcripts, ws.Recordings})
		if err != nil {
			t.Fatal(err)
		}
		dated, err := json.Marshal(struct {
			DatedCalls       []client.DatedCall
			DatedSummaries   map[string]client.DatedCallSummary
			DatedRecordings  map[string][]client.CallRecording
			DatedTranscripts map[string][]client.DatedTranscript
			Voicemails       map[string]client.Voicemail
			Users            []client.User
		}{ws.DatedCalls, ws.DatedSummaries, ws.DatedRecordings, ws.DatedTranscripts, ws.Voicemails, ws.Users})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(v1)); got != tc.v1 {
			t.Errorf("Demo(%s): sha256 of its v1 JSON is %s, want %s", tc.now.Format(time.RFC3339), got, tc.v1)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(dated)); got != tc.dated {
			t.Errorf("Demo(%s): sha256 of its dated JSON is %s, want %s", tc.now.Format(time.RFC3339), got, tc.dated)
		}
	}
}
