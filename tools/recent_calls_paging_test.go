// recent_calls paged through whole windows: every call once, in order,
// across filters, ties, the default window, replicas and regions.

package tools

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestRecentCallsFiveDaysPaged is the "done when": against the
// sandbox enforcing 10 requests/second with 429s, a 5-day window comes
// back in pages of 25 holding exactly the calls created in it, each once,
// newest first; the API never answers 429; each group conversation active
// in the window is reported once.
func TestRecentCallsFiveDaysPaged(t *testing.T) {
	ws := recentWorkspace()
	want := rcExpected(ws, rcFiveDays, time.Time{}, nil, "")
	if len(want) < 60 {
		t.Fatalf("fixture has only %d calls in the window", len(want))
	}
	e, sb := newRecentEnv(t, ws, sandbox.Options{RateLimit: 10}, 10)
	start := time.Now()
	got, pages, texts := rcPages(t, e, map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339Nano), "maxResults": 25}, 25)
	wall := time.Since(start)
	checkSameList(t, got, want)
	if th := sb.Throttled(); th != 0 {
		t.Errorf("the sandbox answered 429 to %d requests", th)
	}
	groups := map[string]int{}
	groupNote := regexp.MustCompile(`(?:: |; )(CN\w+) `)
	for _, p := range pages {
		for _, n := range p.Notes {
			if strings.Contains(n, " active in this window; ") {
				for _, m := range groupNote.FindAllStringSubmatch(n, -1) {
					groups[m[1]]++
				}
			}
		}
	}
	for _, i := range rcGroupIdx[:2] {
		if groups[rcConvID(i)] != 1 {
			t.Errorf("group conversation %s reported %d times, want once", rcConvID(i), groups[rcConvID(i)])
		}
	}
	if groups[rcConvID(39)] != 0 {
		t.Errorf("group conversation %s was last active before the window but is reported", rcConvID(39))
	}
	all := strings.Join(texts, "")
	if !strings.Contains(all, `with=+12125551008 "Eve More calls: none" on=PNrcFront01`) {
		t.Errorf("the conversation with a hostile name is not shown on its line:\n%s", all)
	}
	if !strings.Contains(all, "the OpenPhone API cannot list the calls of group conversations") {
		t.Errorf("no group note in:\n%s", all)
	}
	t.Logf("5-day window, pages of %d: %d calls in %d pages; %d API requests (%d conversations, %d calls, %d phone numbers), %d throttled; wall time %v",
		25, len(got), len(pages), sb.Requests(), sb.RequestsTo("/v1/conversations"), sb.RequestsTo("/v1/calls"),
		sb.RequestsTo("/v1/phone-numbers"), sb.Throttled(), wall.Round(time.Millisecond))
}

// TestRecentCallsFilters: phoneNumberId (as a PN id or as people write the
// number) and userId narrow the listing to exactly their calls.
func TestRecentCallsFilters(t *testing.T) {
	ws := recentWorkspace()
	after := testNow.Add(-10 * 24 * time.Hour)
	for _, tc := range []struct {
		name    string
		args    map[string]any
		numbers []string
		user    string
		header  string
	}{
		{"phoneNumberId", map[string]any{"phoneNumberId": rcField}, []string{rcField}, "", "Calls on OpenPhone number \"Field team\" (+14155550171, PNrcField02), created from"},
		{"number as written", map[string]any{"phoneNumberId": "(415) 555-0170"}, []string{rcFront}, "", "Calls on OpenPhone number \"Front desk\" (+14155550170, PNrcFront01)"},
		{"userId on both numbers", map[string]any{"userId": rcBen}, nil, rcBen, "Calls handled by user USrcBen0002 \"Ben Ode\" on their 2 OpenPhone numbers: \"Front desk\" (+14155550170, PNrcFront01)"},
		{"userId on one number", map[string]any{"userId": rcCara}, []string{rcField}, rcCara, "Calls handled by user USrcCara003 \"Cara Diaz\" on their 1 OpenPhone number: \"Field team\" (+14155550171, PNrcField02)"},
		{"both", map[string]any{"userId": rcAnna, "phoneNumberId": rcFront}, []string{rcFront}, rcAnna, "Calls handled by user USrcAnna001 \"Anna Kim\" on OpenPhone number \"Front desk\" (+14155550170, PNrcFront01)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0)
			args := maps(tc.args)
			args["createdAfter"] = after.Format(time.RFC3339)
			args["maxResults"] = 30
			got, _, texts := rcPages(t, e, args, 30)
			want := rcExpected(ws, after, time.Time{}, tc.numbers, tc.user)
			if len(want) == 0 {
				t.Fatal("the fixture has no calls for this filter")
			}
			checkSameList(t, got, want)
			if !strings.Contains(texts[0], tc.header) {
				t.Errorf("header lacks %q:\n%s", tc.header, texts[0])
			}
		})
	}
	t.Run("user not on the number", func(t *testing.T) {
		e, sb := newRecentEnv(t, ws, sandbox.Options{}, 0)
		res := e.call(t, "recent_calls", map[string]any{"userId": rcCara, "phoneNumberId": rcFront})
		if !res.IsError || !strings.Contains(res.Text, "USrcCara003 is not a user of PNrcFront01") || !strings.Contains(res.Text, `USrcAnna001 "Anna Kim"`) {
			t.Errorf("want a clear error naming the number's users, got:\n%s", res.Text)
		}
		if got := sb.RequestsTo("/v1/calls") + sb.RequestsTo("/v1/conversations"); got != 0 {
			t.Errorf("made %d conversations/calls requests for an impossible filter", got)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0)
		res := e.call(t, "recent_calls", map[string]any{"userId": "USnobody99"})
		if !res.IsError || !strings.Contains(res.Text, "USnobody99 is not a user of any OpenPhone number") {
			t.Errorf("want a clear error, got:\n%s", res.Text)
		}
	})
	t.Run("number not in the workspace", func(t *testing.T) {
		e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0)
		res := e.call(t, "recent_calls", map[string]any{"phoneNumberId": "+1 212 555 0100"})
		if !res.IsError || !strings.Contains(res.Text, "+12125550100 is not one of this workspace's OpenPhone numbers") || !strings.Contains(res.Text, rcFront) {
			t.Errorf("want an error listing the numbers, got:\n%s", res.Text)
		}
	})
}

// TestRecentCallsTiesAcrossPages: calls sharing a createdAt, across and
// within conversations, are cut by small pages and still come back each
// once, ordered by id (descending) within the tie.
func TestRecentCallsTiesAcrossPages(t *testing.T) {
	ws := recentWorkspace()
	after, before := rcTieTime.Add(-2*time.Hour), rcTieTime.Add(2*time.Hour)
	want := rcExpected(ws, after, before, nil, "")
	tied := 0
	ties := map[string]bool{}
	for _, c := range ws.Calls {
		if c.CreatedAt.Equal(rcTieTime) {
			tied++
			ties[c.ID] = true
		}
	}
	if tied < 6 {
		t.Fatalf("fixture has %d tied calls", tied)
	}
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("maxResults ", n), func(t *testing.T) {
			e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0)
			got, _, _ := rcPages(t, e, map[string]any{"createdAfter": after.Format(time.RFC3339Nano), "createdBefore": before.Format(time.RFC3339Nano), "maxResults": n}, n)
			checkSameList(t, got, want)
		})
	}
}

// TestRecentCallsDefaultWindow: without createdAfter the window is the 24
// hours before Deps.Now at the first page, and it stays so on later pages
// even when the clock moves on.
func TestRecentCallsDefaultWindow(t *testing.T) {
	ws := recentWorkspace()
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0, func(d *Deps) {
		d.Now = func() time.Time { return time.Unix(0, now.Load()).UTC() }
	})
	start := testNow.Add(-24 * time.Hour)
	want := rcExpected(ws, start, time.Time{}, nil, "")
	if len(want) < 6 {
		t.Fatalf("fixture has %d calls in the last 24 hours", len(want))
	}
	args := map[string]any{"maxResults": 5}
	var got []string
	for page := 1; ; page++ {
		res := e.call(t, "recent_calls", args)
		if res.IsError {
			t.Fatal(res.Text)
		}
		if page == 1 && !strings.Contains(res.Text, "created from 2026-11-26 15:00:00+00:00 (24 hours before the first page) to now") {
			t.Errorf("header does not give the default window:\n%s", res.Text)
		}
		out := rcOutput(t, res)
		if out.CreatedAfter != "2026-11-26T15:00:00Z" {
			t.Errorf("page %d: createdAfter %s", page, out.CreatedAfter)
		}
		for _, c := range out.Calls {
			got = append(got, c.ID)
		}
		if out.NextPageToken == "" {
			break
		}
		args["pageToken"] = out.NextPageToken
		now.Add(int64(3 * time.Hour)) // the clock moves on between pages
	}
	checkSameList(t, got, want)
}

// TestRecentCallsDemoWorkspace: against the --demo workspace (three
// numbers, 154 conversations, about 3,000 calls over 90 days), a 3-day
// window pages to exactly its calls, and the default window is not empty.
func TestRecentCallsDemoWorkspace(t *testing.T) {
	ws := sandbox.Demo(testNow)
	e, sb := newRecentEnv(t, ws, sandbox.Options{}, 0, func(d *Deps) { d.Demo = true })
	after := testNow.Add(-3 * 24 * time.Hour)
	got, _, texts := rcPages(t, e, map[string]any{"createdAfter": after.Format(time.RFC3339), "maxResults": 100}, 100)
	checkSameList(t, got, rcExpected(ws, after, time.Time{}, nil, ""))
	if !strings.HasPrefix(texts[0], demoNote) {
		t.Errorf("demo results must say so:\n%s", texts[0])
	}
	t.Logf("demo, 3 days: %d calls in %d pages, %d requests", len(got), len(texts), sb.Requests())
	res := e.call(t, "recent_calls", map[string]any{})
	if res.IsError || len(rcOutput(t, res).Calls) == 0 {
		t.Errorf("the default window of the demo is empty or fails:\n%s", res.Text)
	}
}

// TestRecentCallsAnyReplica: a page token from one server continues on
// another (its own client, caches and limiter): the token carries all the
// state.
func TestRecentCallsAnyReplica(t *testing.T) {
	ws := recentWorkspace()
	sb := sandbox.New(ws, sandbox.Options{APIKey: markerKey})
	replicas := []*env{
		newEnv(t, []client.Option{client.WithTransport(sb.RoundTripper())}, testutil.ProtocolLegacy),
		newEnv(t, []client.Option{client.WithTransport(sb.RoundTripper())}, testutil.ProtocolDefault),
		newEnv(t, []client.Option{client.WithTransport(sb.RoundTripper())}, testutil.ProtocolLegacy),
	}
	args := map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 10, "userId": rcBen}
	var got []string
	for page := 0; ; page++ {
		res := replicas[page%len(replicas)].call(t, "recent_calls", args)
		if res.IsError {
			t.Fatalf("page %d: %s", page+1, res.Text)
		}
		out := rcOutput(t, res)
		for _, c := range out.Calls {
			got = append(got, c.ID)
		}
		if out.NextPageToken == "" {
			break
		}
		args["pageToken"] = out.NextPageToken
	}
	checkSameList(t, got, rcExpected(ws, rcFiveDays, time.Time{}, nil, rcBen))
}

// TestRecentCallsDefaultRegion: a number written without its country code
// is read in Deps.DefaultRegion, as list_calls reads it.
func TestRecentCallsDefaultRegion(t *testing.T) {
	ws := &sandbox.Workspace{PhoneNumbers: []client.PhoneNumber{{ID: "PNlondon01", Name: "London", Number: "+442079460000"}}}
	e, _ := newSandboxEnv(t, ws, testutil.ProtocolLegacy, func(d *Deps) { d.DefaultRegion = "GB" })
	res := e.call(t, "recent_calls", map[string]any{"phoneNumberId": "020 7946 0000"})
	if res.IsError || !strings.Contains(res.Text, "PNlondon01") {
		t.Errorf("020 7946 0000 in GB is the London number; got %s", res.Text)
	}
}
