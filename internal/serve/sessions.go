package serve

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// sessions is the streamable HTTP transport's session table. mcp-go alone
// accepts any Mcp-Session-Id, keeps state for it past the connection and
// lets anyone holding an id use it; here only ids this table issued are
// let through (404 otherwise, before mcp-go keeps anything), each id works
// only with the credential that created it, the table is capped and idle
// sessions expire. It is also mcp-go's SessionIdManagerResolver (so
// initialize gets the id issued here) and its EventStore (so a session's
// stored events are bounded and go with it).
type sessions struct {
	max    int
	idle   time.Duration
	limits eventLimits
	authOn bool // the bearer token is part of the credential
	now    func() time.Time
	log    *slog.Logger

	// expire drops mcp-go's state of a session this table has removed.
	expire func(id string)

	mu     sync.Mutex
	byID   map[string]*session
	timer  *time.Timer // the next sweep, while sessions exist
	closed bool
}

type session struct {
	cred       [sha256.Size]byte
	busy       int // requests in progress (an open GET stream counts)
	lastActive time.Time
	events     eventLog
}

// Session defaults; see Config.MaxSessions and Config.SessionIdle.
const (
	defaultSessionIdle       = 10 * time.Minute
	defaultSessionEventBytes = 1 << 20
	defaultSessionEvents     = 512
	// sessionCostEstimate is what a session costs besides its events:
	// mcp-go's per-session channels and maps, measured at about 14 kB.
	sessionCostEstimate = 32 << 10
	minDefaultSessions  = 16
	maxDefaultSessions  = 1024
	// sessionIDPrefix marks the ids issued here; the rest is 128 random bits.
	sessionIDPrefix = "mcp-session-"
	sessionIDLength = len(sessionIDPrefix) + 32
)

func newSessions(cfg Config) *sessions {
	return &sessions{
		max:    cfg.MaxSessions,
		idle:   cfg.SessionIdle,
		limits: eventLimits{maxEvents: cfg.sessionEvents, maxBytes: cfg.sessionEventBytes},
		authOn: cfg.AuthToken != "",
		now:    cfg.sessionClock,
		log:    cfg.Logger,
		byID:   map[string]*session{},
	}
}

// streamableSessions returns the table and the mcp-go options that make it
// the source of session ids and the event store; nil and none when
// stateless, where mcp-go keeps no sessions.
func streamableSessions(cfg Config) (*sessions, []server.StreamableHTTPOption) {
	if cfg.Stateless {
		return nil, nil
	}
	ss := newSessions(cfg)
	if cfg.sessionsCreated != nil {
		cfg.sessionsCreated(ss)
	}
	return ss, []server.StreamableHTTPOption{
		// Lets 2025-06-18 clients resume a broken stream; without it
		// progress notifications were observed to go missing.
		server.WithEventStore(ss),
		server.WithSessionIdManagerResolver(ss),
	}
}

// attach lets the table drop a session's state in st when it expires: a
// DELETE straight into mcp-go, which is its only way to clean one session.
func (ss *sessions) attach(st *server.StreamableHTTPServer) {
	if ss == nil {
		return
	}
	ss.expire = func(id string) {
		h := http.Header{}
		h.Set(server.HeaderKeySessionID, id)
		st.Handle(discardWriter{http.Header{}}, &server.HTTPRequest{Method: http.MethodDelete, Header: h, Context: context.Background()})
	}
}

// close stops the sweeps and forgets every session; mcp-go's own state goes
// with its Shutdown.
func (ss *sessions) close() {
	if ss == nil {
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.closed = true
	if ss.timer != nil {
		ss.timer.Stop()
	}
	clear(ss.byID)
}

func (ss *sessions) count() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.byID)
}

// issue creates a session bound to cred, or reports how long until a slot
// may free up when the table is full (after dropping the expired ones).
func (ss *sessions) issue(cred [sha256.Size]byte) (string, time.Duration, bool) {
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // never fails (crypto/rand)
	id := sessionIDPrefix + hex.EncodeToString(raw[:])

	ss.mu.Lock()
	now := ss.now()
	var expired []string
	if len(ss.byID) >= ss.max {
		expired = ss.removeExpiredLocked(now)
	}
	if len(ss.byID) >= ss.max || ss.closed {
		wait := ss.nextExpiryLocked(now)
		ss.mu.Unlock()
		ss.expireAll(expired)
		return "", wait, false
	}
	ss.byID[id] = &session{cred: cred, busy: 1, lastActive: now}
	ss.armLocked()
	ss.mu.Unlock()
	ss.expireAll(expired)
	return id, 0, true
}

// acquire marks the session busy for one request, if id names a session
// that cred created; any other id or credential is the same "no".
func (ss *sessions) acquire(id string, cred [sha256.Size]byte) bool {
	if len(id) != sessionIDLength {
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[id]
	if !ok || subtle.ConstantTimeCompare(s.cred[:], cred[:]) != 1 {
		return false
	}
	s.busy++
	s.lastActive = ss.now()
	return true
}

// release ends one request of the session; idle time counts from here.
func (ss *sessions) release(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.byID[id]; ok {
		s.busy = max(s.busy-1, 0)
		s.lastActive = ss.now()
	}
}

// remove forgets a session (DELETE, shutdown, a failed initialize).
func (ss *sessions) remove(id string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	_, ok := ss.byID[id]
	delete(ss.byID, id)
	return ok
}

// sweep drops the sessions idle for longer than ss.idle, then their state
// in mcp-go, and schedules the next sweep.
func (ss *sessions) sweep() {
	ss.mu.Lock()
	ss.timer = nil
	expired := ss.removeExpiredLocked(ss.now())
	ss.armLocked()
	ss.mu.Unlock()
	ss.expireAll(expired)
}

func (ss *sessions) removeExpiredLocked(now time.Time) []string {
	var expired []string
	for id, s := range ss.byID {
		if s.busy == 0 && now.Sub(s.lastActive) >= ss.idle {
			delete(ss.byID, id)
			expired = append(expired, id)
		}
	}
	return expired
}

func (ss *sessions) expireAll(ids []string) {
	for _, id := range ids {
		if ss.expire != nil {
			ss.expire(id)
		}
	}
}

// nextExpiryLocked is the Retry-After of a refusal: when the idlest session
// expires, or a whole idle period when every session is busy.
func (ss *sessions) nextExpiryLocked(now time.Time) time.Duration {
	wait := ss.idle
	for _, s := range ss.byID {
		if s.busy == 0 {
			wait = min(wait, s.lastActive.Add(ss.idle).Sub(now))
		}
	}
	return max(wait, time.Second)
}

// sweepInterval: often enough that an expired session lingers at most an
// eighth of the idle time, at most 30 s; a full table also sweeps at once.
func (ss *sessions) sweepInterval() time.Duration {
	return min(max(ss.idle/8, 10*time.Millisecond), 30*time.Second)
}

// armLocked schedules a sweep while there are sessions; a timer rather than
// a goroutine, so nothing runs while the table is empty.
func (ss *sessions) armLocked() {
	if ss.timer == nil && !ss.closed && len(ss.byID) > 0 && ss.expire != nil {
		ss.timer = time.AfterFunc(ss.sweepInterval(), ss.sweep)
	}
}

// credential is what a session is bound to: the bearer token (when auth is
// on) and the client's own API key, hashed, never kept in the clear.
func (ss *sessions) credential(r *http.Request) [sha256.Size]byte {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	token := ""
	if ss.authOn {
		if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			token = strings.TrimSpace(t)
		}
	}
	key, _ := APIKeyFromContext(r.Context())
	field("openphone-mcp session")
	field(token)
	field(key)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// gate checks every request to /mcp against the table before mcp-go sees
// it. initialize gets a new session (503 with Retry-After when full); any
// other request naming a session must name one its credential created
// (404 otherwise); GET and DELETE must name one (400), as mcp-go would
// otherwise invent a session for them.
func (ss *sessions) gate(next http.Handler) http.Handler {
	if ss == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(server.HeaderKeySessionID)
		var body []byte
		if r.Method == http.MethodPost {
			body = peekBody(r)
		}
		head := readCallHead(body)
		cred := ss.credential(r)
		switch {
		case head.method == string(mcp.MethodInitialize):
			newID, wait, ok := ss.issue(cred)
			if !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
				http.Error(w, "too many sessions; retry later", http.StatusServiceUnavailable)
				return
			}
			dw := &detachableWriter{w: w}
			next.ServeHTTP(dw, r.WithContext(context.WithValue(r.Context(), issuedSessionKey{}, newID)))
			dw.detach()
			if w.Header().Get(server.HeaderKeySessionID) != newID {
				// mcp-go did not hand the id out (a modern-protocol
				// initialize, a client gone before the answer): drop it
				// and whatever mcp-go may have kept under it.
				ss.remove(newID)
				ss.expireAll([]string{newID})
				return
			}
			ss.release(newID)
			return
		case id == "":
			if (r.Method == http.MethodGet || r.Method == http.MethodDelete) && !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
				http.Error(w, "Mcp-Session-Id header required", http.StatusBadRequest)
				return
			}
			// Modern-protocol requests have no sessions; legacy POSTs
			// without an id are refused by mcp-go (Validate("")).
			next.ServeHTTP(w, r)
			return
		}
		if !ss.acquire(id, cred) {
			http.Error(w, "unknown session", http.StatusNotFound)
			return
		}
		defer ss.release(id)
		if head.progressToken != "" {
			ss.withEvents(id, func(l *eventLog) { l.beginCall(head.progressToken) })
			defer ss.withEvents(id, func(l *eventLog) { l.endCall(head.progressToken) })
		}
		dw := &detachableWriter{w: w}
		defer dw.detach()
		next.ServeHTTP(dw, r)
	})
}

type issuedSessionKey struct{}

type callHead struct {
	method        string
	progressToken string
}

// readCallHead reads what the gate needs of a POST body: mcp-go decodes a
// message the same way (one object; a batch is a parse error there).
func readCallHead(body []byte) callHead {
	var m struct {
		Method string `json:"method"`
		Params struct {
			Meta struct {
				ProgressToken json.RawMessage `json:"progressToken"`
			} `json:"_meta"`
		} `json:"params"`
	}
	if len(body) == 0 || json.Unmarshal(body, &m) != nil {
		return callHead{}
	}
	return callHead{method: m.Method, progressToken: compactToken(m.Params.Meta.ProgressToken)}
}

func (ss *sessions) withEvents(id string, f func(*eventLog)) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.byID[id]; ok {
		f(&s.events)
	}
}
