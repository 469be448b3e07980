package tools

// What looking names up costs: nothing for a number, an id or an empty
// argument; a bounded listing of the conversations, once per key and TTL,
// for a name; nothing from the API's conversations with a ledger that
// holds the name. And the bounds of what is kept.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// namesHarness resolves the names of a tool's arguments directly, with a
// clock the test moves, against sb.
type namesHarness struct {
	d     *Deps
	c     *client.Client
	sb    *sandbox.Server
	clock time.Time
}

func newNamesHarness(t *testing.T, ws *sandbox.Workspace, l *ledger.Ledger, sb *sandbox.Server) *namesHarness {
	t.Helper()
	if sb == nil {
		sb = sandbox.New(ws, sandbox.Options{APIKey: markerKey})
	}
	c, err := client.New(markerKey, client.WithTransport(sb.RoundTripper()), client.WithRateLimit(0), client.WithRetries(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	h := &namesHarness{c: c, sb: sb, clock: testNow}
	h.d = &Deps{Now: func() time.Time { return h.clock }, APIVersion: APIAuto}
	if l != nil {
		h.d.Ledger = func(*client.Client) *ledger.Ledger { return l }
	}
	h.d.dirs = &directories{now: h.d.now}
	return h
}

// resolve resolves args as recent_calls (or list_calls, with participants)
// would, and counts the requests it made.
func (h *namesHarness) resolve(t *testing.T, args map[string]any) (*namedArgs, int64, error) {
	t.Helper()
	fields := jsonFieldNames(reflect.TypeFor[RecentCallsArgs]())
	sh := shapeOf(SchemaFor[RecentCallsArgs](), RecentCallsArgs{})
	tool := "recent_calls"
	if _, ok := args["participants"]; ok {
		fields = jsonFieldNames(reflect.TypeFor[ListCallsArgs]())
		sh = shapeOf(SchemaFor[ListCallsArgs](), ListCallsArgs{})
		tool = "list_calls"
	}
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	before := h.sb.Requests()
	named, err := nameArgsOf(tool, fields).resolve(context.Background(), h.d, h.c, &sh, raw)
	return named, h.sb.Requests() - before, err
}

// TestNameLookupCost: a number, an id or nothing costs no request; a name
// costs the numbers and the conversations (the demo's 154: 2 pages) once,
// then nothing until the listing is directoryTTL old.
func TestNameLookupCost(t *testing.T) {
	h := newNamesHarness(t, sandbox.Demo(testNow), nil, nil)
	for _, args := range []map[string]any{
		{},
		{"participant": demoJuniper},
		{"participant": "(312) 555-0199"},
		{"participant": "+1 312 555 0199", "phoneNumberId": sandbox.DemoSalesID},
		{"phoneNumberId": sandbox.DemoSalesNumber},
		{"participants": []string{demoJuniper}},
		{"participant": "555"}, // not a number: the tool says so
		{"phoneNumberId": "PN 123"},
	} {
		if named, n, err := h.resolve(t, args); named != nil || err != nil || n != 0 {
			t.Errorf("%v: %+v, %v, %d requests; want nothing to resolve and no request", args, named, err, n)
		}
	}
	step := func(what string, args map[string]any, want, wantConversations int64) {
		t.Helper()
		conv := h.sb.RequestsTo("/v1/conversations")
		named, n, err := h.resolve(t, args)
		if err != nil || named == nil {
			t.Fatalf("%s: %v, %v", what, named, err)
		}
		if c := h.sb.RequestsTo("/v1/conversations") - conv; n != want || c != wantConversations {
			t.Errorf("%s: %d requests (%d of conversations), want %d (%d)", what, n, c, want, wantConversations)
		}
	}
	step("a name, cold", map[string]any{"participant": "Juniper Salon"}, 3, 2)
	step("another name, warm", map[string]any{"participant": "Clara Fischer"}, 0, 0)
	step("a number's name, warm", map[string]any{"phoneNumberId": "sales"}, 0, 0)
	h.clock = h.clock.Add(directoryTTL - time.Second)
	step("a name, just before the TTL", map[string]any{"participant": "junip"}, 0, 0)
	h.clock = h.clock.Add(time.Second)
	step("a name, at the TTL", map[string]any{"participant": "junip"}, 3, 2)
}

// TestNameLookupBounded: the listing reads at most maxNamePages pages, the
// most recently active conversations; a name older than those is not
// found, and the sentence says why and what to send instead.
func TestNameLookupBounded(t *testing.T) {
	const n = 2500
	ws := &sandbox.Workspace{PhoneNumbers: []client.PhoneNumber{{ID: "PNbig000001", Name: "Big", Number: "+14155550100"}}}
	for i := range n {
		at := testNow.Add(-time.Duration(i) * time.Hour)
		ws.Conversations = append(ws.Conversations, client.Conversation{ID: fmt.Sprintf("CNbig%05d", i), PhoneNumberID: "PNbig000001",
			Participants: []string{fmt.Sprintf("+1212%07d", 5550000+i)}, Name: ptr(fmt.Sprintf("Client %04d", i)), LastActivityAt: &at})
	}
	h := newNamesHarness(t, ws, nil, nil)
	named, reqs, err := h.resolve(t, map[string]any{"participant": "client 0005"})
	if err != nil || named == nil || !strings.Contains(named.note, `= +12125550005 "Client 0005"`) {
		t.Fatalf("a recent name: %+v, %v", named, err)
	}
	if want := int64(1 + maxNamePages); reqs != want {
		t.Errorf("%d requests, want %d (the numbers and %d pages)", reqs, want, maxNamePages)
	}
	_, reqs, err = h.resolve(t, map[string]any{"participant": "client 2400"})
	if err == nil || !strings.Contains(err.Error(), "(searched: the workspace's 1000 most recently active conversations; an older one is found by its number)") || reqs != 0 {
		t.Errorf("an old name: %v, %d requests", err, reqs)
	}
}

// TestNameListingsBounded: at most maxSnapshots keys hold a listing; the
// oldest is dropped first, the newest always kept.
func TestNameListingsBounded(t *testing.T) {
	clock := testNow
	ws := &directories{now: func() time.Time { return clock }}
	var dirs []*directory
	for i := range 2 * maxSnapshots {
		c, err := client.New(fmt.Sprintf("key-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		w := ws.get(c)
		w.convs = &convSnapshot{at: clock}
		ws.admitSnapshot(w)
		dirs = append(dirs, w)
		clock = clock.Add(time.Second)
	}
	held := 0
	for i, w := range dirs {
		if w.cachedConversations() != nil {
			held++
			if i < maxSnapshots {
				t.Errorf("directory %d of the oldest half still holds its listing", i)
			}
		}
	}
	if held != maxSnapshots {
		t.Errorf("%d listings held, want %d", held, maxSnapshots)
	}
}

// TestNamesFromTheLedger: with a ledger that holds the contact names, a
// contact's name costs no request for conversations, and the candidates'
// last activity comes from its calls, the same as the API's; a group
// conversation's name, which the ledger does not hold, is looked up in
// the API's listing.
func TestNamesFromTheLedger(t *testing.T) {
	_, sb, l := newLedgerEnv(t, sandbox.Demo(testNow), true)
	h := newNamesHarness(t, nil, l, sb)
	conv := sb.RequestsTo("/v1/conversations")
	named, _, err := h.resolve(t, map[string]any{"participant": "Juniper Salon"})
	if err != nil || named == nil || !strings.HasPrefix(named.note, `Participant "Juniper Salon" = +13125550199 "Juniper Salon (Clara)"`) {
		t.Fatalf("%+v, %v", named, err)
	}
	named, _, err = h.resolve(t, map[string]any{"participant": "clara"})
	if err != nil || named == nil || len(named.choice) != 2 {
		t.Fatalf("%+v, %v", named, err)
	}
	for _, want := range []string{`"Juniper Salon (Clara)" of "Sales" (+14155550100, PNsa7Lq0Xe), last active 2026-11-26 18:01:00+00:00`,
		`"Clara Fischer" of "Support" (+14155550101, PNsu3Mw9Rt), last active 2026-11-11 16:10:46+00:00`} {
		if !strings.Contains(named.text, want) {
			t.Errorf("the choice lacks %q:\n%s", want, named.text)
		}
	}
	if n := sb.RequestsTo("/v1/conversations") - conv; n != 0 {
		t.Errorf("%d requests for conversations with the names in the ledger", n)
	}
	named, _, err = h.resolve(t, map[string]any{"participant": "harbor dental front desk"})
	if err != nil || named == nil || !strings.Contains(named.note, "the group conversation") {
		t.Fatalf("%+v, %v", named, err)
	}
	if n := sb.RequestsTo("/v1/conversations") - conv; n != 2 {
		t.Errorf("%d requests for conversations for a group's name, want the listing's 2", n)
	}
}

// TestChoicePicksOne: each candidate's arguments, sent back, stand for
// that candidate alone.
func TestChoicePicksOne(t *testing.T) {
	h := newNamesHarness(t, sandbox.Demo(testNow), nil, nil)
	for _, args := range []map[string]any{{"participant": "pinecrest"}, {"participants": []string{"Hannah Osei"}}} {
		named, _, err := h.resolve(t, args)
		if err != nil || named == nil || len(named.choice) < 2 {
			t.Fatalf("%v: %+v, %v", args, named, err)
		}
		for _, cand := range named.choice {
			picked, _, err := h.resolve(t, cand.Arguments)
			switch {
			case err != nil:
				t.Errorf("%v: %v", cand.Arguments, err)
			case picked == nil:
				// A number: nothing to resolve, it stands for itself.
				if cand.ConversationID != "" {
					t.Errorf("%v: a group's pick resolves to nothing", cand.Arguments)
				}
			case picked.choice != nil || len(picked.notes.Resolved) != 1 || picked.notes.Resolved[0].Number != cand.Number:
				t.Errorf("%v: %+v, want %s alone", cand.Arguments, picked.notes, cand.Number)
			}
		}
	}
}
