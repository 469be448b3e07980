// Package sandbox is an in-process fake of the OpenPhone (Quo) public REST
// API v1, limited to the read endpoints the MCP tools use:
//
//	GET /v1/calls                     (phoneNumberId + exactly one participant)
//	GET /v1/calls/{callId}
//	GET /v1/call-summaries/{callId}
//	GET /v1/call-transcripts/{id}
//	GET /v1/call-recordings/{callId}
//	GET /v1/call-voicemails/{callId}
//	GET /v1/phone-numbers
//	GET /v1/conversations
//	GET /v1/users, /v1/users/{userId}
//
// and of Quo's dated calls surface (version 2026-03-30, dated.go), unless
// Options.DatedOff:
//
//	GET /calls                        (the whole workspace, every filter optional)
//	GET /calls/{callId}
//	GET /calls/{callId}/recordings, /calls/{callId}/transcripts
//	GET /users, /users/{userId}
//
// It follows the OpenAPI document (openphone-public-api-v1.json): the same
// query parameters, limits and patterns, the same {"data": ...} envelopes,
// the documented error bodies and 7-digit codes (resource, then status), an
// opaque checksummed page token, a deliberately inaccurate totalItems, and
// nullable fields sent as null. Responses reuse the client package's model
// types, which marshal to exactly the API's shape.
//
// Calls list their participants caller first: an incoming call is [other
// party, OpenPhone number], an outgoing one the reverse. The participants
// query of /v1/calls matches the party that is not the call's OpenPhone
// number, so a call is listed under exactly one (phoneNumberId, participant)
// pair; calls with two other parties are reachable by id only.
//
// Where the document is silent the sandbox chooses: a /v1/calls request
// for a phoneNumberId the workspace lacks, or with a userId who is not a
// user of that number, gets the documented 403 Not Phone Number User; a
// participant that is not E.164 (such as an unencoded "+" that arrived as a
// space) is a 400, not an empty page; a missing maxResults means 10;
// userId filters only when given (the document's "defaults to the
// workspace owner" is not applied); totalItems is the number of calls of the
// whole phone number, or of all conversations, whatever the filters; 429 and
// 405 answers use the same error body with codes such as 0100429.
//
// A Server serves a Workspace. Demo builds the deterministic demo workspace
// used by --demo mode, tests and benchmarks. A Server is an http.Handler (use
// it with httptest.NewServer or any listener) and also serves requests in
// process, without a port, through RoundTripper. Options add an API key check
// (401), a per-key rate limit (429 with Retry-After: a token bucket, or a
// rolling window with RateWindow) and a fixed latency.
//
// The Workspace given to New must not be modified afterwards.
package sandbox

import (
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// Workspace is the data a sandbox serves.
type Workspace struct {
	PhoneNumbers  []client.PhoneNumber
	Conversations []client.Conversation
	Calls         []client.Call                    // any order; served newest first
	Summaries     map[string]client.CallSummary    // by call id; missing => status "absent"
	Transcripts   map[string]client.CallTranscript // by call id; missing => status "absent"
	Recordings    map[string][]client.CallRecording

	// What only the dated surface shows; v1 answers never read these.

	// DatedCalls are calls GET /v1/calls cannot list, served by the dated
	// routes only (v1 answers 404 for them): group calls of three or more
	// parties, and calls a system actor ("SYU…") handled, which have no
	// v1 userId. The Calls above are served on the dated surface too,
	// converted (datedFromV1).
	DatedCalls       []client.DatedCall
	DatedSummaries   map[string]client.DatedCallSummary  // by call id; else derived from Summaries
	DatedRecordings  map[string][]client.CallRecording   // of DatedCalls, by call id
	DatedTranscripts map[string][]client.DatedTranscript // of DatedCalls, one per recording; Calls' are derived
	Voicemails       map[string]client.Voicemail         // by call id: the calls that have one
	Users            []client.User                       // GET /v1/users and GET /users, in this order
}

// Options tune a Server.
type Options struct {
	// APIKey, if non-empty, is the only Authorization header value accepted;
	// any other request gets the documented 401.
	APIKey string
	// RateLimit is requests per second per API key (per Authorization
	// value), enforced with a token bucket of burst ceil(RateLimit); requests
	// over it get 429 with a Retry-After header in seconds. 0 = unlimited.
	RateLimit float64
	// RateWindow enforces RateLimit as a rolling window instead of the
	// token bucket (ratewindow.go): at most ceil(RateLimit) requests per
	// key in any span of one second, as a gateway that counts a rolling
	// second does; the others get the same 429.
	RateWindow bool
	// LogArrivals keeps when each request arrived, per key, for Arrivals
	// (tests of what clients send together). It grows without bound.
	LogArrivals bool
	// Latency is added to every response (0 = none). It ends early when the
	// request's context is done.
	Latency time.Duration
	// DatedOff turns the dated surface off: its routes answer the 404 of
	// an API that does not know them (v1's error body), for tests of a
	// client's fallback to v1.
	DatedOff bool
	// CursorTTL is how long a dated cursor stays valid (0 = 5 minutes);
	// an older one gets a 400 that says it expired.
	CursorTTL time.Duration
	// Now is the clock cursors are issued and expired by (nil = time.Now).
	Now func() time.Time
}

// Server is the fake API. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	opts Options

	calls       []client.Call     // newest first
	callIndex   map[string]int    // call id -> index in calls
	pairs       map[pairKey][]int // (phone number id, other party) -> indexes into calls, newest first
	numberCalls map[string]int    // phone number id -> number of calls (the inaccurate totalItems)
	numbers     []client.PhoneNumber
	numberByID  map[string]*client.PhoneNumber
	idByNumber  map[string]string     // E.164 -> phone number id
	convs       []client.Conversation // most recent activity first
	summaries   map[string]client.CallSummary
	transcripts map[string]client.CallTranscript
	recordings  map[string][]client.CallRecording
	users       []client.User
	voicemails  map[string]client.Voicemail
	hooks       webhookStore // the one state that requests change (webhooks.go)

	// The dated surface, built on its first request so that v1-only use
	// (the demo's start, the v1 benchmarks) does not pay for it.
	datedWS   *Workspace
	datedOnce sync.Once
	dated     *datedIndex

	requests  atomic.Int64
	throttled atomic.Int64
	perPath   sync.Map // path -> *atomic.Int64

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	rolling  rollingLimits // RateWindow's windows and LogArrivals' log (ratewindow.go)
}

type pairKey struct{ phoneNumberID, participant string }

// New returns a Server over ws (nil serves an empty workspace).
func New(ws *Workspace, opts Options) *Server {
	if ws == nil {
		ws = &Workspace{}
	}
	s := &Server{
		opts:        opts,
		callIndex:   make(map[string]int, len(ws.Calls)),
		pairs:       make(map[pairKey][]int),
		numberCalls: make(map[string]int),
		numbers:     ws.PhoneNumbers,
		numberByID:  make(map[string]*client.PhoneNumber, len(ws.PhoneNumbers)),
		idByNumber:  make(map[string]string, len(ws.PhoneNumbers)),
		summaries:   ws.Summaries,
		transcripts: ws.Transcripts,
		recordings:  ws.Recordings,
		users:       ws.Users,
		voicemails:  ws.Voicemails,
		datedWS:     ws,
		limiters:    make(map[string]*rate.Limiter),
	}
	for i := range s.numbers {
		n := &s.numbers[i]
		s.numberByID[n.ID] = n
		s.idByNumber[n.Number] = n.ID
	}

	// Sort indexes, not the calls: moving 3,000 call structs around in a
	// stable sort was a third of building the demo server.
	order := make([]int, len(ws.Calls))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &ws.Calls[i], &ws.Calls[j]
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c // newest first
		}
		return strings.Compare(b.ID, a.ID)
	})
	s.calls = make([]client.Call, len(ws.Calls))
	for k, i := range order {
		s.calls[k] = ws.Calls[i]
	}
	for i := range s.calls {
		c := &s.calls[i]
		s.callIndex[c.ID] = i
		s.numberCalls[c.PhoneNumberID]++
		own := ""
		if n := s.numberByID[c.PhoneNumberID]; n != nil {
			own = n.Number
		}
		if other, ok := otherParty(c, own); ok {
			k := pairKey{c.PhoneNumberID, other}
			s.pairs[k] = append(s.pairs[k], i)
		}
	}

	s.convs = make([]client.Conversation, len(ws.Conversations))
	copy(s.convs, ws.Conversations)
	sort.SliceStable(s.convs, func(i, j int) bool {
		a, b := s.convs[i].LastActivityAt, s.convs[j].LastActivityAt
		switch {
		case a == nil && b == nil:
			return s.convs[i].ID > s.convs[j].ID
		case a == nil:
			return false
		case b == nil:
			return true
		case !a.Equal(*b):
			return a.After(*b)
		}
		return s.convs[i].ID > s.convs[j].ID
	})
	return s
}

// otherParty is the one participant of a call that is not own, its
// OpenPhone number; ok is false for calls with several other parties.
func otherParty(c *client.Call, own string) (string, bool) {
	other, count := "", 0
	for _, p := range c.Participants {
		if p != own {
			other = p
			count++
		}
	}
	return other, count == 1
}

// Pair is an OpenPhone number and the other party of calls on it: what one
// GET /v1/calls query names (phoneNumberId and its one participant).
type Pair struct {
	PhoneNumberID string
	Participant   string
	Calls         int // how many calls /v1/calls lists for the pair
}

// Pairs lists the pairs of ws's calls as a Server lists them, busiest first,
// then by phone number id and participant. A call with several other
// parties belongs to no pair.
func (ws *Workspace) Pairs() []Pair {
	own := make(map[string]string, len(ws.PhoneNumbers)) // id -> number
	for _, n := range ws.PhoneNumbers {
		own[n.ID] = n.Number
	}
	count := map[Pair]int{}
	for i := range ws.Calls {
		c := &ws.Calls[i]
		if other, ok := otherParty(c, own[c.PhoneNumberID]); ok {
			count[Pair{PhoneNumberID: c.PhoneNumberID, Participant: other}]++
		}
	}
	out := make([]Pair, 0, len(count))
	for p, n := range count {
		p.Calls = n
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Pair) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), strings.Compare(a.PhoneNumberID, b.PhoneNumberID),
			strings.Compare(a.Participant, b.Participant))
	})
	return out
}

// Requests is the number of requests served so far, whatever their answer.
func (s *Server) Requests() int64 { return s.requests.Load() }

// RequestsTo is the number of requests served so far whose path starts with
// prefix, e.g. "/v1/calls" (which also counts "/v1/calls/AC…").
func (s *Server) RequestsTo(prefix string) int64 {
	var n int64
	s.perPath.Range(func(k, v any) bool {
		if strings.HasPrefix(k.(string), prefix) {
			n += v.(*atomic.Int64).Load()
		}
		return true
	})
	return n
}

// Throttled is the number of requests answered with 429.
func (s *Server) Throttled() int64 { return s.throttled.Load() }

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	path := r.URL.Path
	if v, ok := s.perPath.Load(path); ok {
		v.(*atomic.Int64).Add(1)
	} else {
		c := new(atomic.Int64)
		c.Add(1)
		if v, loaded := s.perPath.LoadOrStore(path, c); loaded {
			v.(*atomic.Int64).Add(1)
		}
	}

	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return // nobody is listening any more
		case <-t.C:
		}
	}

	rt := route(path, !s.opts.DatedOff)
	writeError := writeError
	if rt.dated {
		writeError = writeDatedError
	}
	if s.opts.APIKey != "" && r.Header.Get("Authorization") != s.opts.APIKey {
		writeError(w, &apiError{
			status: http.StatusUnauthorized, code: rt.res + "00401", title: "Unauthorized",
			message: "Unauthorized: the Authorization header must be a valid API key",
		})
		return
	}
	if wait, ok := s.allow(r.Header.Get("Authorization")); !ok {
		s.throttled.Add(1)
		secs := int(math.Ceil(wait.Seconds()))
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, &apiError{
			status: http.StatusTooManyRequests, code: rt.res + "00429", title: "Too Many Requests",
			message: "Rate limit exceeded: at most " + strconv.FormatFloat(s.opts.RateLimit, 'g', -1, 64) +
				" requests per second per API key",
		})
		return
	}
	if s.serveWebhooks(w, r) {
		return
	}
	if rt.handler == nil {
		writeError(w, &apiError{
			status: http.StatusNotFound, code: rt.res + "00404", title: "Not Found",
			message: "Route GET " + path + " not found",
		})
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, &apiError{
			status: http.StatusMethodNotAllowed, code: rt.res + "00405", title: "Method Not Allowed",
			message: "The sandbox serves GET only, not " + r.Method,
		})
		return
	}
	if rt.dated && !checkVersion(w, r) {
		return
	}
	rt.handler(s, w, r, rt.id)
}

// allow takes a token from the bucket of key (or a place in its rolling
// window). When none is left it returns how long until one will be.
func (s *Server) allow(key string) (time.Duration, bool) {
	now := time.Now()
	if s.opts.LogArrivals {
		s.rolling.logArrival(key, now)
	}
	if s.opts.RateLimit <= 0 {
		return 0, true
	}
	if s.opts.RateWindow {
		return s.rolling.allow(key, s.opts.RateLimit, now)
	}
	s.mu.Lock()
	l := s.limiters[key]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(s.opts.RateLimit), int(math.Ceil(s.opts.RateLimit)))
		s.limiters[key] = l
	}
	s.mu.Unlock()
	res := l.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, false
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

type handlerFunc func(s *Server, w http.ResponseWriter, r *http.Request, id string)

type routed struct {
	res     string // two-digit resource prefix of error codes
	handler handlerFunc
	id      string // path parameter
	dated   bool   // a route of the dated surface: its error body, its header
}

// route maps a path to its handler and its error-code resource prefix
// (01 calls, 04 phone numbers, 05 summaries, 06 transcripts, 09
// recordings, 10 conversations, 11 users, 12 voicemails, 00 anything
// else). Without withDated the dated paths are unknown, as on an API that
// predates them.
func route(path string, withDated bool) routed {
	if withDated {
		if rt, ok := datedRoute(path); ok {
			return rt
		}
	}
	switch path {
	case "/v1/calls":
		return routed{"01", (*Server).listCalls, "", false}
	case "/v1/phone-numbers":
		return routed{"04", (*Server).listPhoneNumbers, "", false}
	case "/v1/conversations":
		return routed{"10", (*Server).listConversations, "", false}
	case "/v1/users":
		return routed{"11", (*Server).listUsers, "", false}
	}
	for _, p := range []struct {
		prefix, res string
		h           handlerFunc
	}{
		{"/v1/calls/", "01", (*Server).getCall},
		{"/v1/call-summaries/", "05", (*Server).getSummary},
		{"/v1/call-transcripts/", "06", (*Server).getTranscript},
		{"/v1/call-recordings/", "09", (*Server).getRecordings},
		{"/v1/call-voicemails/", "12", (*Server).getVoicemail},
		{"/v1/users/", "11", (*Server).getUser},
	} {
		if id, ok := strings.CutPrefix(path, p.prefix); ok {
			if id == "" || strings.Contains(id, "/") {
				return routed{p.res, nil, "", false}
			}
			return routed{p.res, p.h, id, false}
		}
	}
	switch {
	case strings.HasPrefix(path, "/v1/calls"):
		return routed{"01", nil, "", false}
	case strings.HasPrefix(path, "/v1/phone-numbers"):
		return routed{"04", nil, "", false}
	case strings.HasPrefix(path, "/v1/conversations"):
		return routed{"10", nil, "", false}
	case strings.HasPrefix(path, "/v1/webhooks"):
		return routed{"03", nil, "", false}
	}
	return routed{"00", nil, "", false}
}

// writeData writes v in the API's {"data": v} envelope as the 200 body.
func writeData[T any](w http.ResponseWriter, v T) {
	writeJSON(w, struct {
		Data T `json:"data"`
	}{v})
}

// writeJSON writes v as the 200 body.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &apiError{status: 500, code: "0001500", title: "Unknown", message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
