// recent_calls over unordered and random workspaces, checked against
// the truth computed from the data.

package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestRecentCallsUnorderedConversations: if the API ever lists
// conversations out of order of last activity, the walk notices, walks the
// whole list and still lists every call once, in order.
func TestRecentCallsUnorderedConversations(t *testing.T) {
	ws := recentWorkspace()
	sb := sandbox.New(ws, sandbox.Options{})
	var convs []client.Conversation
	{ // every conversation, in the sandbox's order, then shuffled
		rec := &memResponse{header: http.Header{}}
		req, _ := http.NewRequest("GET", "/v1/conversations?maxResults=100", nil)
		sb.ServeHTTP(rec, req)
		var page client.ConversationPage
		if err := json.Unmarshal(rec.body, &page); err != nil {
			t.Fatal(err)
		}
		convs = page.Data
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(convs), func(i, j int) { convs[i], convs[j] = convs[j], convs[i] })
	}
	e, f := newFakeEnv(t, testutil.ProtocolLegacy)
	f.set(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/conversations" {
			q := r.URL.Query()
			before, _ := time.Parse(time.RFC3339Nano, q.Get("createdBefore"))
			var out []client.Conversation
			for _, c := range convs {
				if before.IsZero() || c.CreatedAt.Before(before) {
					out = append(out, c)
				}
			}
			writeJSON(w, 200, map[string]any{"data": out, "totalItems": len(out), "nextPageToken": nil})
			return
		}
		sb.ServeHTTP(w, r)
	})
	got, _, _ := rcPages(t, e, map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339Nano), "maxResults": 25}, 25)
	checkSameList(t, got, rcExpected(ws, rcFiveDays, time.Time{}, nil, ""))
}

type memResponse struct {
	header http.Header
	status int
	body   []byte
}

func (m *memResponse) Header() http.Header         { return m.header }
func (m *memResponse) WriteHeader(s int)           { m.status = s }
func (m *memResponse) Write(p []byte) (int, error) { m.body = append(m.body, p...); return len(p), nil }

// randomRecentWorkspace is a random workspace over the two numbers of
// rcNumbers: up to 80 conversations, some groups, some without calls or
// activity, calls over up to 15 days with ties.
func randomRecentWorkspace(rng *rand.Rand) *sandbox.Workspace {
	ws := &sandbox.Workspace{PhoneNumbers: rcNumbers()}
	span := time.Duration(1+rng.IntN(15)) * 24 * time.Hour
	ties := []time.Time{testNow.Add(-span / 3), testNow.Add(-span / 2).Truncate(time.Second), testNow.Add(-time.Hour)}
	seq := 0
	id := func(prefix string) string {
		seq++
		return fmt.Sprintf("%s%04d%c%c", prefix, rng.IntN(10000), 'a'+rune(rng.IntN(26)), 'a'+rune(seq%26)) + fmt.Sprint(seq)
	}
	for i := range 1 + rng.IntN(80) {
		num, own, user := rcFront, rcFrontNumber, []string{rcAnna, rcBen}
		if rng.IntN(2) == 1 {
			num, own, user = rcField, rcFieldNumber, []string{rcBen, rcCara}
		}
		conv := client.Conversation{ID: id("CN"), PhoneNumberID: num, Participants: []string{rcParticipant(i)}, Name: ptr(fmt.Sprint("Random ", i))}
		var first, last time.Time
		note := func(t time.Time) {
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
		switch r := rng.IntN(20); {
		case r < 2:
			conv.Participants = append(conv.Participants, rcParticipant(i+100))
			note(testNow.Add(-time.Duration(rng.Int64N(int64(span)))))
		case r < 4:
			note(testNow.Add(-time.Duration(rng.Int64N(int64(span))))) // messages only
		case r < 5:
			// never active
		default:
			for range 1 + rng.IntN(8) {
				at := testNow.Add(-time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
				if rng.IntN(5) == 0 {
					at = ties[rng.IntN(len(ties))]
				}
				u := user[rng.IntN(2)]
				c := client.Call{ID: id("AC"), PhoneNumberID: num, UserID: u, Direction: "incoming", Status: "completed", Duration: 60,
					Participants: []string{rcParticipant(i), own}, CreatedAt: at, AnsweredBy: ptr(u)}
				ws.Calls = append(ws.Calls, c)
				note(at)
			}
		}
		if !last.IsZero() {
			conv.LastActivityAt, conv.CreatedAt = ptr(last), ptr(first.Add(-time.Minute))
		} else {
			conv.CreatedAt = ptr(testNow.Add(-30 * 24 * time.Hour))
		}
		ws.Conversations = append(ws.Conversations, conv)
	}
	return ws
}

// withNewActivity returns a copy of ws where, at testNow+minutes, a few
// conversations (likely some the walk has not reached yet) got a new call
// and a new conversation started: activity that moves conversations to the
// top of the list between two pages.
func withNewActivity(ws *sandbox.Workspace, rng *rand.Rand, minutes int) *sandbox.Workspace {
	out := *ws
	out.Calls = slices.Clone(ws.Calls)
	out.Conversations = slices.Clone(ws.Conversations)
	at := testNow.Add(time.Duration(minutes) * time.Minute)
	add := func(conv *client.Conversation) {
		own := rcFrontNumber
		if conv.PhoneNumberID == rcField {
			own = rcFieldNumber
		}
		out.Calls = append(out.Calls, client.Call{ID: fmt.Sprintf("ACnew%03d%04d", minutes, rng.IntN(10000)), PhoneNumberID: conv.PhoneNumberID, UserID: rcBen,
			Direction: "incoming", Status: "missed", Participants: []string{conv.Participants[0], own}, CreatedAt: at})
		conv.LastActivityAt, conv.UpdatedAt = ptr(at), ptr(at)
	}
	for range 3 {
		conv := &out.Conversations[rng.IntN(len(out.Conversations))]
		if len(conv.Participants) == 1 {
			add(conv)
		}
	}
	out.Conversations = append(out.Conversations, client.Conversation{ID: fmt.Sprintf("CNnew%03d", minutes), PhoneNumberID: rcFront,
		Participants: []string{fmt.Sprintf("+1312555%04d", minutes)}, CreatedAt: ptr(at)})
	add(&out.Conversations[len(out.Conversations)-1])
	return &out
}

// swapTransport sends requests to whichever sandbox is current.
type swapTransport struct {
	mu sync.Mutex
	rt http.RoundTripper
}

func (s *swapTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	return rt.RoundTrip(r)
}

func (s *swapTransport) swap(ws *sandbox.Workspace) {
	sb := sandbox.New(ws, sandbox.Options{APIKey: markerKey})
	s.mu.Lock()
	s.rt = sb.RoundTripper()
	s.mu.Unlock()
}

// TestRecentCallsRandomWorkspaces: over random workspaces, windows, page
// sizes and filters, with new activity landing between pages (which
// reorders the conversations), every call of the window comes back exactly
// once, in order.
func TestRecentCallsRandomWorkspaces(t *testing.T) {
	for seed := range uint64(40) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			ws := randomRecentWorkspace(rng)
			sw := &swapTransport{}
			sw.swap(ws)
			e := newEnv(t, []client.Option{client.WithTransport(sw)}, testutil.ProtocolLegacy)
			after := testNow.Add(-time.Duration(rng.Int64N(int64(16 * 24 * time.Hour))))
			var before time.Time
			args := map[string]any{"createdAfter": after.Format(time.RFC3339Nano), "maxResults": 1 + rng.IntN(30)}
			if rng.IntN(3) == 0 {
				before = after.Add(time.Duration(1+rng.Int64N(int64(10*24*time.Hour))) + time.Duration(rng.IntN(1000))*time.Millisecond)
				args["createdBefore"] = before.Format(time.RFC3339Nano)
			}
			var numbers []string
			user := ""
			switch rng.IntN(5) {
			case 0:
				args["phoneNumberId"], numbers = rcField, []string{rcField}
			case 1:
				args["userId"], user = rcBen, rcBen
			}
			want := rcExpected(ws, after, before, numbers, user)
			var got []string
			cur := ws
			for page := 1; ; page++ {
				if page > 200 {
					t.Fatal("paging does not end")
				}
				res := e.call(t, "recent_calls", args)
				if res.IsError {
					t.Fatalf("page %d: %s", page, res.Text)
				}
				out := rcOutput(t, res)
				for _, c := range out.Calls {
					got = append(got, c.ID)
				}
				if out.NextPageToken == "" {
					break
				}
				args["pageToken"] = out.NextPageToken
				cur = withNewActivity(cur, rng, page)
				sw.swap(cur)
			}
			checkSameList(t, got, want)
		})
	}
}

// BenchmarkRecentCallsFiveDays measures the scenario (5-day
// window, pages of 25, sandbox enforcing 10 requests/second, client paced
// at 10/s) with no latency and with 150 ms per API answer, reporting the
// API requests and 429s of a full listing:
//
//	go test ./tools -run '^$' -bench RecentCallsFiveDays -benchtime 1x
func BenchmarkRecentCallsFiveDays(b *testing.B) {
	for _, latency := range []time.Duration{0, 150 * time.Millisecond} {
		b.Run(fmt.Sprint("latency=", latency), func(b *testing.B) {
			ws := recentWorkspace()
			want := len(rcExpected(ws, rcFiveDays, time.Time{}, nil, ""))
			var requests, throttled int64
			for range b.N {
				b.StopTimer()
				sb := sandbox.New(ws, sandbox.Options{APIKey: markerKey, RateLimit: 10, Latency: latency})
				api, err := client.New(markerKey, client.WithTransport(sb.RoundTripper()), client.WithRateLimit(10))
				if err != nil {
					b.Fatal(err)
				}
				s := server.NewMCPServer("bench", "1", server.WithToolCapabilities(false))
				Register(s, Deps{Client: func(context.Context) (*client.Client, error) { return api, nil }, Now: func() time.Time { return testNow }})
				c := testutil.Connect(b, s, testutil.ProtocolLegacy)
				b.StartTimer()
				args := map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339Nano), "maxResults": 25}
				got := 0
				for {
					res := testutil.Call(b, c, "recent_calls", args)
					if res.IsError {
						b.Fatal(res.Text)
					}
					var out RecentCallsOutput
					raw, _ := json.Marshal(res.Structured)
					_ = json.Unmarshal(raw, &out)
					got += len(out.Calls)
					if out.NextPageToken == "" {
						break
					}
					args["pageToken"] = out.NextPageToken
				}
				b.StopTimer()
				if got != want {
					b.Fatalf("listed %d calls, want %d", got, want)
				}
				requests += sb.Requests()
				throttled += sb.Throttled()
				c.Close()
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(throttled)/float64(b.N), "429s/op")
		})
	}
}
