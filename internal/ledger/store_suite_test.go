// The Store's conformance suite: one set of tests of the contract in
// ledger.go that every backend passes with the same results, run on
// SQLite always (TestStoreSQLite) and on Postgres when the tests have a
// database (TestStorePostgres). This file: the runner, the calls the
// tests put, upserts, ranges and filters, and the meta; search and
// content are in store_suite_search_test.go and store_suite_content_test.go.

package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// opener opens a new, empty Store for one test, closed when it ends.
type opener func(t *testing.T) Store

func runStoreSuite(t *testing.T, open opener) {
	for _, g := range []struct {
		name  string
		tests map[string]func(*testing.T, opener)
	}{
		{"upserts", map[string]func(*testing.T, opener){
			"round trip": suiteRoundTrip, "content kept": suiteKeepsContent, "never duplicates": suiteNeverDuplicates}},
		{"ranges and filters", map[string]func(*testing.T, opener){"range": suiteRange}},
		{"counts", map[string]func(*testing.T, opener){"count": suiteCount}},
		{"search", suiteSearchTests},
		{"content, unsettled and transcripts", map[string]func(*testing.T, opener){
			"transcript": suiteTranscript, "unsettled and wanted": suiteUnsettled, "status": suiteStatus,
			"hostile content": suiteHostileContent}},
		{"retention", map[string]func(*testing.T, opener){"prune": suitePrune}},
		{"meta", map[string]func(*testing.T, opener){"meta": suiteMeta}},
		{"concurrent writers and readers", map[string]func(*testing.T, opener){"concurrent": suiteConcurrent}},
	} {
		t.Run(g.name, func(t *testing.T) {
			if g.name == "search" {
				suiteShared = searchStore(t, open)
				defer func() { suiteShared = nil }()
			}
			for _, name := range sortedKeys(g.tests) {
				t.Run(name, func(t *testing.T) { g.tests[name](t, open) })
			}
		})
	}
}

func TestStoreSQLite(t *testing.T) {
	runStoreSuite(t, func(t *testing.T) Store { return fileStore(t, filepath.Join(t.TempDir(), "l.db")) })
}

func TestStorePostgres(t *testing.T) {
	testPool(t) // skips without a database
	runStoreSuite(t, func(t *testing.T) Store { return pgStore(t) })
}

func bg() context.Context { return context.Background() }

var t0 = time.Date(2026, 3, 2, 15, 4, 5, 123456789, time.UTC)

// call is a plain answered 1:1 call at t0 plus minutes.
func call(id string, minutes int) history.Call {
	at := t0.Add(time.Duration(minutes) * time.Minute)
	return history.Call{Call: client.Call{
		ID: id, PhoneNumberID: "PN1", UserID: "US1", Direction: "incoming", Status: "completed",
		Duration: 60, Participants: []string{"+15550001", "+15559999"}, CreatedAt: at,
		AnsweredAt: ptr(at.Add(3 * time.Second)), AnsweredBy: ptr("US1"),
	}, Participant: "+15550001"}
}

// v1Call is shaped as the v1 walk gives a call: the conversation, a user,
// no actor, no content; its times in another zone.
func v1Call() history.Call {
	zone := time.FixedZone("EST", -5*3600)
	at := time.Date(2026, 3, 1, 9, 30, 0, 987654321, zone)
	return history.Call{Call: client.Call{
		ID: "ACv1", PhoneNumberID: "PNa", UserID: "USa", Direction: "outgoing", Status: "completed",
		Duration: 125, Participants: []string{"+15551112222", "+15553334444"}, CreatedAt: at,
		AnsweredAt: ptr(at.Add(7 * time.Second)), AnsweredBy: ptr("USa"), InitiatedBy: ptr("USa"),
		CompletedAt: ptr(at.Add(132 * time.Second)), UpdatedAt: ptr(at.Add(time.Hour)),
		ForwardedFrom: ptr("+15550000000"), ForwardedTo: ptr("USb"), CallRoute: ptr("phone-menu"),
	}, Participant: "+15551112222", ConversationID: "CNa", ConversationName: "Acme <Sales> & Co"}
}

// datedCall is shaped as the dated API gives a group call taken by the AI
// agent, with its summary (a job with raw values) and a voicemail.
func datedCall() history.Call {
	at := time.Date(2026, 3, 1, 10, 0, 0, 1, time.UTC)
	job := client.AIJob{Icon: "📋", Name: "Intake"}
	job.Result.Data = append(job.Result.Data, struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	}{"urgent", json.RawMessage(`"<yes> & now"`)}, struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	}{"count", json.RawMessage(`3.50`)})
	return history.Call{Call: client.Call{
		ID: "ACdated", PhoneNumberID: "PNb", Direction: "incoming", Status: "completed", Duration: 42,
		Participants: []string{"+15550100", "+15550200", "+15550300"}, CreatedAt: at,
		AnsweredAt: ptr(at.Add(time.Second)), AnsweredBy: ptr("SYUagent"), AIHandled: ptr("ai-agent"),
	}, Participant: "+15550200", Parties: []string{"+15550200", "+15550300"}, ActorID: "SYUagent",
		Summary: &client.DatedCallSummary{Status: client.StatusCompleted, Type: ptr(client.SummaryTypeAgent),
			Summary: []string{"Caller booked a boiler inspection."}, Jobs: []client.AIJob{job},
			Title: ptr("Boiler inspection")},
		Voicemail: &client.Voicemail{ID: "VM1", Status: client.VoicemailCompleted, Duration: ptr(12.5),
			RecordingURL: ptr("https://example.invalid/vm1"), Transcript: ptr("Please call me back")}}
}

var withContent = []string{client.IncludeSummary, client.IncludeVoicemail}

func all(include ...string) history.Query { return history.Query{Include: include} }

func mustRange(t *testing.T, s Store, q history.Query, from *history.Key, limit int) []history.Call {
	t.Helper()
	calls, err := s.Range(bg(), q, from, limit)
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

func ids(calls []history.Call) []string {
	out := []string{}
	for _, c := range calls {
		out = append(out, c.ID)
	}
	return out
}

func mustPut(t *testing.T, s Store, calls ...history.Call) {
	t.Helper()
	if err := s.PutCalls(bg(), calls); err != nil {
		t.Fatal(err)
	}
}

func mustStatus(t *testing.T, s Store) Status {
	t.Helper()
	st, err := s.Status(bg())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// roundTripCalls are calls of every shape: dated, v1, and one whose
// participants are empty (not nil).
func roundTripCalls() []history.Call {
	empty := call("ACempty", 0)
	empty.Participants = []string{}
	return []history.Call{datedCall(), v1Call(), empty}
}

// checkRoundTrip wants s to give want back as put, with content only
// when asked for.
func checkRoundTrip(t *testing.T, s Store, want []history.Call, when string) {
	t.Helper()
	got := mustRange(t, s, all(withContent...), nil, 0)
	byID := map[string]history.Call{}
	for _, c := range got {
		byID[c.ID] = c
	}
	for _, w := range want {
		if d := cmp.Diff(w, byID[w.ID]); d != "" {
			t.Errorf("%s: %s round trip (-put +got):\n%s", when, w.ID, d)
		}
	}
	if c, ok := byID["ACempty"]; ok && c.Participants == nil {
		t.Errorf("%s: empty participants came back nil", when)
	}
	for _, c := range mustRange(t, s, all(), nil, 0) {
		if c.Summary != nil || c.Voicemail != nil {
			t.Errorf("%s: %s has content without Include", when, c.ID)
		}
	}
	got1, err := s.Get(bg(), "ACdated")
	if err != nil || got1 == nil {
		t.Fatalf("%s: Get: %v %v", when, got1, err)
	}
	if d := cmp.Diff(datedCall(), *got1); d != "" {
		t.Errorf("%s: Get (-put +got):\n%s", when, d)
	}
}

func suiteRoundTrip(t *testing.T, open opener) {
	s := open(t)
	want := roundTripCalls()
	mustPut(t, s, want...)
	checkRoundTrip(t, s, want, "stored")
}

func suiteKeepsContent(t *testing.T, open opener) {
	s := open(t)
	full := datedCall()
	mustPut(t, s, full)
	listing := datedCall()
	listing.Summary, listing.Voicemail, listing.Status = nil, nil, "answered"
	mustPut(t, s, listing)
	got, _ := s.Get(bg(), full.ID)
	if got.Status != "answered" {
		t.Errorf("status %q, want the new one", got.Status)
	}
	if d := cmp.Diff(full.Summary, got.Summary); d != "" {
		t.Errorf("summary not kept by a put without one:\n%s", d)
	}
	if d := cmp.Diff(full.Voicemail, got.Voicemail); d != "" {
		t.Errorf("voicemail not kept by a put without one:\n%s", d)
	}
	newer := datedCall()
	newer.Summary = &client.DatedCallSummary{Status: client.StatusInProgress}
	mustPut(t, s, newer)
	got, _ = s.Get(bg(), full.ID)
	if d := cmp.Diff(newer.Summary, got.Summary); d != "" {
		t.Errorf("summary not replaced by a put with one:\n%s", d)
	}
	// in one batch: a call with content, then without: the content stays
	again := datedCall()
	again.Summary, again.Voicemail = nil, nil
	mustPut(t, s, full, again)
	if got, _ = s.Get(bg(), full.ID); cmp.Diff(full.Summary, got.Summary) != "" || cmp.Diff(full.Voicemail, got.Voicemail) != "" {
		t.Errorf("content of the batch's first version lost: %+v %+v", got.Summary, got.Voicemail)
	}
	if c, err := s.Get(bg(), "ACnone"); c != nil || err != nil {
		t.Errorf("Get of an unknown call: %v %v", c, err)
	}
	if err := s.PutCalls(bg(), []history.Call{call("ACok", 0), {}}); err == nil {
		t.Error("a call without an id was stored")
	}
	if c, _ := s.Get(bg(), "ACok"); c != nil {
		t.Error("a batch with a call without an id was stored in part")
	}
}

func suiteNeverDuplicates(t *testing.T, open opener) {
	s := open(t)
	var calls []history.Call
	for i := range 1000 {
		calls = append(calls, call(fmt.Sprintf("AC%04d", i), i%300)) // instants shared
	}
	for range 3 {
		mustPut(t, s, calls...)
	}
	// and a batch holding a call twice: the later wins
	twice := []history.Call{call("AC0001", 5), call("AC0001", 5)}
	twice[1].Status = "answered"
	mustPut(t, s, twice...)
	got := mustRange(t, s, all(), nil, 0)
	if len(got) != 1000 {
		t.Fatalf("Range: %d calls, want 1000", len(got))
	}
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c.ID] {
			t.Fatalf("%s listed twice", c.ID)
		}
		seen[c.ID] = true
	}
	if c, _ := s.Get(bg(), "AC0001"); c.Status != "answered" || !c.CreatedAt.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("AC0001: %s at %s, want the batch's last version", c.Status, c.CreatedAt)
	}
	if st := mustStatus(t, s); st.Calls != 1000 {
		t.Errorf("Status: %d calls, want 1000", st.Calls)
	}
}

func suiteRange(t *testing.T, open opener) {
	s := open(t)
	var calls []history.Call
	for i := range 40 {
		c := call(fmt.Sprintf("AC%02d", i), i/2) // two calls an instant
		c.PhoneNumberID = []string{"PN1", "PN2"}[i%2]
		c.Direction = []string{"incoming", "outgoing", "incoming", "incoming"}[i%4]
		if i%5 == 0 {
			c.Status, c.UserID, c.AnsweredBy = "missed", "", nil
		}
		if i == 7 {
			c.UserID, c.ActorID, c.InitiatedBy = "", "US9", ptr("US9")
		}
		if i%10 == 3 {
			c.Participant, c.Participants = "+15550003", []string{"+15550003", "+15559999"}
		}
		if i == 20 {
			c.Parties = []string{"+15550001", "+15550003"}
		}
		calls = append(calls, c)
	}
	mustPut(t, s, calls...)
	got := mustRange(t, s, all(), nil, 0)
	for i := 1; i < len(got); i++ {
		if !history.KeyOf(&got[i-1].Call).Before(history.KeyOf(&got[i].Call)) {
			t.Fatalf("not newest first at %d: %s then %s", i, got[i-1].ID, got[i].ID)
		}
	}
	if got[0].ID != "AC39" || got[1].ID != "AC38" {
		t.Errorf("first %v, want AC39 AC38 (ties by id, descending)", ids(got[:2]))
	}
	w := func(a, b int) history.Query {
		return history.Query{After: t0.Add(time.Duration(a) * time.Minute), Before: t0.Add(time.Duration(b) * time.Minute)}
	}
	cases := []struct {
		name  string
		q     history.Query
		from  *history.Key
		limit int
		want  []string
	}{
		{"window", w(3, 5), nil, 0, []string{"AC09", "AC08", "AC07", "AC06"}},
		{"open end", history.Query{After: t0.Add(19 * time.Minute)}, nil, 0, []string{"AC39", "AC38"}},
		{"from inside an instant", w(3, 5), &history.Key{At: t0.Add(4 * time.Minute), ID: "AC09"}, 0,
			[]string{"AC08", "AC07", "AC06"}},
		{"from not stored", w(0, 20), &history.Key{At: t0.Add(4 * time.Minute), ID: "AC085"}, 2,
			[]string{"AC08", "AC07"}},
		{"limit", w(0, 20), nil, 3, []string{"AC39", "AC38", "AC37"}},
		{"number", history.Query{PhoneNumberIDs: []string{"PN2"}, Before: t0.Add(3 * time.Minute)}, nil, 0,
			[]string{"AC05", "AC03", "AC01"}},
		{"numbers", history.Query{PhoneNumberIDs: []string{"PN1", "PNx"}, Before: t0.Add(2 * time.Minute)}, nil, 0,
			[]string{"AC02", "AC00"}},
		{"unknown number", history.Query{PhoneNumberIDs: []string{"PNx"}}, nil, 0, []string{}},
		{"status", history.Query{Statuses: []string{"missed"}, Before: t0.Add(8 * time.Minute)}, nil, 0,
			[]string{"AC15", "AC10", "AC05", "AC00"}},
		{"direction", history.Query{Direction: "outgoing", Before: t0.Add(5 * time.Minute)}, nil, 0,
			[]string{"AC09", "AC05", "AC01"}},
		{"user by actor or initiator", history.Query{UserID: "US9"}, nil, 0, []string{"AC07"}},
		{"participant, and a group's party", history.Query{Participant: "+15550003"}, nil, 0,
			[]string{"AC33", "AC23", "AC20", "AC13", "AC03"}},
		{"unknown user", history.Query{UserID: "USnone"}, nil, 0, []string{}},
	}
	for _, c := range cases {
		got := ids(mustRange(t, s, c.q, c.from, c.limit))
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
	// a lean read: the same calls, with what a count reads
	vm := call("ACvm", 30)
	vm.Voicemail = &client.Voicemail{ID: "VMx", Status: client.VoicemailCompleted, Transcript: ptr("hi")}
	mustPut(t, s, vm)
	full := mustRange(t, s, history.Query{Include: []string{client.IncludeVoicemail}}, nil, 0)
	lean := mustRange(t, s, history.Query{Include: []string{client.IncludeVoicemail}, Lean: true}, nil, 0)
	if len(lean) != len(full) {
		t.Fatalf("lean read: %d calls, full %d", len(lean), len(full))
	}
	for i := range full {
		f, l := &full[i], &lean[i]
		if f.ID != l.ID || !f.CreatedAt.Equal(l.CreatedAt) || f.Status != l.Status || f.Duration != l.Duration ||
			f.Direction != l.Direction || f.PhoneNumberID != l.PhoneNumberID || f.Participant != l.Participant ||
			f.UserID != l.UserID || f.ActorID != l.ActorID || !cmp.Equal(f.AnsweredAt, l.AnsweredAt) ||
			!cmp.Equal(f.AnsweredBy, l.AnsweredBy) || !cmp.Equal(f.InitiatedBy, l.InitiatedBy) ||
			!cmp.Equal(f.AIHandled, l.AIHandled) || (f.Voicemail == nil) != (l.Voicemail == nil) ||
			!cmp.Equal(f.Participants, l.Participants) {
			t.Fatalf("lean call %d differs:\nfull %+v\nlean %+v", i, f.Call, l.Call)
		}
	}
	if lean[0].ID != "ACvm" || lean[0].Voicemail == nil {
		t.Errorf("lean read without the voicemail left: %+v", lean[0])
	}
}

func suiteMeta(t *testing.T, open opener) {
	s := open(t)
	m, err := s.Meta(bg())
	if err != nil {
		t.Fatal(err)
	}
	ws := m.Workspace
	if d := cmp.Diff(Meta{Workspace: ws}, m); d != "" || ws == "" {
		t.Errorf("a new ledger's meta (-want +got):\n%s", d)
	}
	want := Meta{Workspace: ws, From: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC),
		SyncedAt: time.Date(2026, 3, 2, 8, 0, 1, 999, time.FixedZone("X", 3600)), Source: history.SourceDated}
	if err := s.SetMeta(bg(), want); err != nil {
		t.Fatal(err)
	}
	if m, _ = s.Meta(bg()); cmp.Diff(want, m) != "" {
		t.Errorf("meta (-want +got):\n%s", cmp.Diff(want, m))
	}
	if err := s.SetMeta(bg(), Meta{Workspace: ws + "-other"}); !errors.Is(err, ErrForeign) {
		t.Errorf("SetMeta of another workspace: %v, want ErrForeign", err)
	}
	keep := want
	keep.Workspace, keep.Source = "", history.SourceV1
	if err := s.SetMeta(bg(), keep); err != nil {
		t.Fatal(err)
	}
	if m, _ = s.Meta(bg()); m.Workspace != ws || m.Source != history.SourceV1 {
		t.Errorf("SetMeta without a workspace: %+v", m)
	}
	if st := mustStatus(t, s); st.Meta != m || st.Path == "" {
		t.Errorf("Status: %+v", st)
	}
}
