package tools

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// RecentCallsArgs are the arguments of recent_calls. The names mirror the
// API's query parameters; phoneNumberId also takes the number itself.
type RecentCallsArgs struct {
	CreatedAfter     string `json:"createdAfter,omitempty" jsonschema:"format=date-time" jsonschema_description:"Window start, RFC 3339 such as 2026-11-20T00:00:00Z (default: 24 hours ago)."`
	CreatedBefore    string `json:"createdBefore,omitempty" jsonschema:"format=date-time" jsonschema_description:"Window end, RFC 3339 (default: now)."`
	PhoneNumberID    string `json:"phoneNumberId,omitempty" jsonschema_description:"Only this OpenPhone number: PN id or the number itself (default: all numbers)."`
	UserID           string `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only calls placed or received by this user (US...)."`
	MaxResults       *int   `json:"maxResults,omitempty" jsonschema:"minimum=1,maximum=100,default=20" jsonschema_description:"Calls per page, 1-100."`
	PageToken        string `json:"pageToken,omitempty" jsonschema:"maxLength=700" jsonschema_description:"The pageToken of the previous result, to get the next page."`
	IncludeSummaries bool   `json:"includeSummaries,omitempty" jsonschema:"default=false" jsonschema_description:"Add each completed call's AI summary under its line (one extra request per call)."`
}

// RecentCallsOutput is the structured content of recent_calls.
type RecentCallsOutput struct {
	CreatedAfter       string                    `json:"createdAfter" jsonschema_description:"Start of the window (UTC); fixed by the first page."`
	CreatedBefore      string                    `json:"createdBefore,omitempty" jsonschema_description:"End of the window (UTC); absent when the window runs up to now."`
	PhoneNumberIDs     []string                  `json:"phoneNumberIds" jsonschema_description:"The OpenPhone numbers whose calls were listed."`
	UserID             string                    `json:"userId,omitempty"`
	Calls              []RecentCall              `json:"calls" jsonschema_description:"Newest first; ties on createdAt by id, descending."`
	GroupConversations []GroupConversationOutput `json:"groupConversations,omitempty" jsonschema_description:"Group conversations active in the window, whose calls the OpenPhone API cannot list."`
	NextPageToken      string                    `json:"nextPageToken,omitempty" jsonschema_description:"Pass as pageToken to get the next page; absent on the last page."`
}

// RecentCall is one call of recent_calls: the call and the conversation it
// belongs to.
type RecentCall struct {
	CallRow
	PhoneNumberID    string         `json:"phoneNumberId"`
	Participant      string         `json:"participant" jsonschema_description:"The other party, E.164."`
	ConversationName string         `json:"conversationName,omitempty"`
	Summary          *SummaryOutput `json:"summary,omitempty" jsonschema_description:"The call's AI summary, with includeSummaries, for completed calls and voicemails."`
}

// GroupConversationOutput is a group conversation recent_calls could not
// list the calls of.
type GroupConversationOutput struct {
	ID             string   `json:"id"`
	PhoneNumberID  string   `json:"phoneNumberId"`
	Participants   []string `json:"participants"`
	Name           string   `json:"name,omitempty"`
	LastActivityAt string   `json:"lastActivityAt"`
}

const recentCallsDescription = `Every call of the workspace in a time window, newest first, without naming anyone: "who called today?", "which calls did we miss this week?". Narrow to one number (phoneNumberId) or one user (userId). Knowing the other party, list_calls is cheaper.
Each line adds the other party (with=, and its contact name) and the OpenPhone number (on=). Group conversations, whose calls the API cannot list, are named at the end.
Paging: a result with more calls ends with a pageToken; call again with the same arguments plus pageToken.`

// Tuning of the walk.
const (
	recentDefaultWindow = 24 * time.Hour
	recentDefaultPage   = 20
	// recentWorkers bounds the calls requests in flight for one result; the
	// client's shared limiter still paces them all to the API's rate.
	recentWorkers = 4
	// clockSlack widens the API's time filters outward and pads comparisons
	// against conversation times, so that a different precision on the
	// API's side (seconds rather than milliseconds) can never hide a call.
	// Calls are then filtered exactly here.
	clockSlack = time.Second
	// maxConversationPages and maxCallPages bound the walk against an API
	// that keeps handing out page tokens.
	maxConversationPages = 1000
	maxCallPages         = 50
	conversationsPerPage = 100
	// zoneMargin is how far short of the newest activity it saw a page's
	// knowledge stops (see zone).
	zoneMargin = time.Minute
)

func init() { registerTool(recentCallsTool) }

func recentCallsTool(d *Deps) server.ServerTool {
	return typedTool[RecentCallsArgs, RecentCallsOutput]("recent_calls", recentCallsDescription,
		readOnlyAPI("Recent calls of the workspace"), d,
		func(ctx context.Context, c *client.Client, in *RecentCallsArgs) (RecentCallsOutput, string, error) {
			q, err := in.query(d.now(), d.region())
			if err != nil {
				return RecentCallsOutput{}, "", err
			}
			return recentCalls(ctx, d, c, q)
		})
}

// recentQuery is the validated request: the window, the filters and where
// the page starts.
type recentQuery struct {
	after, before time.Time // before zero: open, up to now
	afterDefault  bool
	phone         numberArg // empty: every number
	user          string
	n             int
	summaries     bool
	cursor        *callKey    // the last call of the previous page
	zone          *recentZone // what the previous page learnt
}

// callKey orders calls: newest first, then by id, descending.
type callKey struct {
	at time.Time
	id string
}

func keyOf(c *client.Call) callKey { return callKey{c.CreatedAt, c.ID} }

// before reports whether k comes before o in the listing order.
func (k callKey) before(o callKey) bool {
	if !k.at.Equal(o.at) {
		return k.at.After(o.at)
	}
	return k.id > o.id
}

// Bounds of the times this tool accepts (and its page tokens carry).
var (
	minRecentTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxRecentTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// query validates and normalises the arguments; it makes no request.
func (in *RecentCallsArgs) query(now time.Time, region string) (*recentQuery, error) {
	q := &recentQuery{summaries: in.IncludeSummaries}
	var err error
	if q.n, err = pageSize(in.MaxResults, recentDefaultPage); err != nil {
		return nil, err
	}
	if q.after, q.before, err = timeWindow(in.CreatedAfter, in.CreatedBefore); err != nil {
		return nil, err
	}
	for _, t := range []struct {
		name string
		v    time.Time
	}{{"createdAfter", q.after}, {"createdBefore", q.before}} {
		if !t.v.IsZero() && (t.v.Before(minRecentTime) || !t.v.Before(maxRecentTime)) {
			return nil, badArg("%s %s is out of range: give a time between 1970 and 2200, such as %q", t.name, t.v.Format(time.RFC3339), now.UTC().Add(-recentDefaultWindow).Format(time.RFC3339))
		}
	}
	if q.phone, err = parseNumberArg(in.PhoneNumberID, region); err != nil {
		return nil, err
	}
	if q.user, err = parseUserID(in.UserID); err != nil {
		return nil, err
	}
	if in.PageToken != "" {
		tok, err := decodeRecentToken(in.PageToken)
		if err != nil {
			return nil, err
		}
		if err := tok.matches(q, in); err != nil {
			return nil, err
		}
		q.after, q.before, q.afterDefault = tok.after, tok.before, tok.afterDefault
		q.cursor, q.zone = &tok.cursor, tok.zone
		return q, nil
	}
	if q.after.IsZero() {
		q.after, q.afterDefault = now.UTC().Add(-recentDefaultWindow), true
		if !q.before.IsZero() && !q.after.Before(q.before) {
			return nil, badArg("createdBefore (%s) is earlier than the default createdAfter (24 hours ago, %s): give createdAfter too, such as %q", q.before.Format(time.RFC3339), q.after.Format(time.RFC3339), q.before.Add(-recentDefaultWindow).Format(time.RFC3339))
		}
	}
	return q, nil
}

// ---------------------------------------------------------------------------
// Page tokens
//
// A recent_calls page token is stateless: any replica of the server can
// continue it. It is base64url (no padding) of
//
//	version (1) | flags (1) | after (8) | [before (8)] | cursor time (8) |
//	cursor id (1+n) | phone filter (1+n) | user (1+n) |
//	[zone low (8) | zone high (8) | count (1) |
//	 count x (conversation hash (4) | seconds before the cursor (4))] |
//	checksum (8)
//
// with times as Unix nanoseconds, big-endian, and the checksum the first 8
// bytes of SHA-256 over a domain string and everything before it. The
// checksum is not a secret: it catches damaged and edited tokens, and strict
// field validation catches the rest. A forged token can only make this tool
// skip or repeat calls the key could list anyway; it cannot reach past the
// API key's own access, nor cause unbounded work (its size and every field
// are bounded).
//
// The zone is what the page learnt for the next one: every conversation
// whose last activity lies strictly between low and high was walked, and
// only those listed can still hold calls older than the cursor, none newer
// than the time given with them (rounded up to the second). The next page
// skips the others and lists a listed one only when its calls can reach the
// page. A conversation with newer activity has left the zone and is walked
// again; a hash collision only costs an extra request.

const (
	recentTokenVersion = 1
	recentTokenMaxLen  = 700 // characters; the largest token has 670
	maxTokenID         = maxIDLen
	maxZoneConvs       = 32
	tokenChecksumLen   = 8
	tokenDomain        = "openphone-mcp/recent_calls/v1\x00"

	flagAfterDefault = 1 << 0
	flagBefore       = 1 << 1
	flagZone         = 1 << 2
	flagsKnown       = flagAfterDefault | flagBefore | flagZone
)

type recentToken struct {
	after, before time.Time
	afterDefault  bool
	phone, user   string
	cursor        callKey
	zone          *recentZone
}

type recentZone struct {
	low, high time.Time
	convs     []zoneConv // the conversations that may still hold calls
}

// zoneConv is a conversation that may still hold calls older than the
// cursor, none of them newer than bound.
type zoneConv struct {
	hash  uint32
	bound time.Time
}

// lookup tells what the zone knows of conv: nothing (known false); that it
// holds no more calls (known, remains false); or that it may, none newer
// than bound.
func (z *recentZone) lookup(conv *client.Conversation) (known, remains bool, bound time.Time) {
	if z == nil || conv.LastActivityAt == nil || !z.covers(*conv.LastActivityAt) {
		return false, false, time.Time{}
	}
	h := convHash(conv.ID)
	for _, c := range z.convs {
		if c.hash == h && (!remains || c.bound.After(bound)) {
			remains, bound = true, c.bound // a collision keeps the later bound
		}
	}
	return true, remains, bound
}

func (z *recentZone) covers(l time.Time) bool {
	return z != nil && l.After(z.low) && l.Before(z.high)
}

func convHash(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}

func (t *recentToken) encode() (string, error) {
	if !tokenID(t.cursor.id, "AC") {
		return "", errors.New("call id " + strconv.Quote(cleanText(t.cursor.id, 80)) + " cannot be carried in a page token")
	}
	b := make([]byte, 0, 256)
	flags := byte(0)
	if t.afterDefault {
		flags |= flagAfterDefault
	}
	if !t.before.IsZero() {
		flags |= flagBefore
	}
	if t.zone != nil {
		flags |= flagZone
	}
	b = append(b, recentTokenVersion, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(t.after.UnixNano()))
	if !t.before.IsZero() {
		b = binary.BigEndian.AppendUint64(b, uint64(t.before.UnixNano()))
	}
	b = binary.BigEndian.AppendUint64(b, uint64(t.cursor.at.UnixNano()))
	for _, s := range []string{t.cursor.id, t.phone, t.user} {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	if z := t.zone; z != nil {
		b = binary.BigEndian.AppendUint64(b, uint64(z.low.UnixNano()))
		b = binary.BigEndian.AppendUint64(b, uint64(z.high.UnixNano()))
		b = append(b, byte(len(z.convs)))
		for _, c := range z.convs {
			b = binary.BigEndian.AppendUint32(b, c.hash)
			// Whole seconds before the cursor, rounded down: the bound
			// read back is never earlier than the true one.
			secs := max(t.cursor.at.Sub(c.bound), 0) / time.Second
			b = binary.BigEndian.AppendUint32(b, uint32(min(secs, 1<<32-1)))
		}
	}
	b = append(b, tokenChecksum(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenChecksum(payload []byte) []byte {
	h := sha256.New()
	h.Write([]byte(tokenDomain))
	h.Write(payload)
	return h.Sum(nil)[:tokenChecksumLen]
}

// badToken is the error for a page token that cannot be used as it is.
func badToken(why string) error {
	return badArg("pageToken is not valid (%s): pass the pageToken exactly as the previous recent_calls result gave it, or leave pageToken out to start again from the newest call", why)
}

// tokenReader reads a token's fields, failing once on the first short read.
type tokenReader struct {
	b   []byte
	bad bool
}

func (r *tokenReader) bytes(n int) []byte {
	if r.bad || n > len(r.b) {
		r.bad = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *tokenReader) byte() byte {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *tokenReader) time() time.Time {
	v := r.bytes(8)
	if v == nil {
		return time.Time{}
	}
	t := time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
	if t.Before(minRecentTime) || !t.Before(maxRecentTime) {
		r.bad = true
	}
	return t
}

func (r *tokenReader) str() string {
	n := int(r.byte())
	if n > maxTokenID {
		r.bad = true
		return ""
	}
	return string(r.bytes(n))
}

// decodeRecentToken checks and decodes a page token. Its work is bounded by
// recentTokenMaxLen whatever the input.
func decodeRecentToken(s string) (*recentToken, error) {
	if len(s) > recentTokenMaxLen {
		return nil, badToken("it is " + strconv.Itoa(len(s)) + " characters long, more than any recent_calls token")
	}
	// Strict, and no line breaks (which the decoder would skip): only the
	// exact string encode gave decodes, never a variant of it.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || strings.ContainsAny(s, "\r\n") || len(raw) < 2+8+8+3+tokenChecksumLen {
		return nil, badToken("it is not a recent_calls page token")
	}
	payload, sum := raw[:len(raw)-tokenChecksumLen], raw[len(raw)-tokenChecksumLen:]
	if !bytes.Equal(sum, tokenChecksum(payload)) {
		return nil, badToken("it was damaged or edited")
	}
	r := &tokenReader{b: payload}
	t := &recentToken{}
	if v := r.byte(); v != recentTokenVersion {
		return nil, badToken("it comes from another version of this server")
	}
	flags := r.byte()
	if flags&^flagsKnown != 0 {
		return nil, badToken("unknown flags")
	}
	t.afterDefault = flags&flagAfterDefault != 0
	t.after = r.time()
	if flags&flagBefore != 0 {
		t.before = r.time()
	}
	t.cursor.at = r.time()
	t.cursor.id, t.phone, t.user = r.str(), r.str(), r.str()
	if flags&flagZone != 0 {
		z := &recentZone{low: r.time(), high: r.time()}
		n := int(r.byte())
		if n > maxZoneConvs {
			r.bad = true
		}
		for i := 0; i < n && !r.bad; i++ {
			if v := r.bytes(8); v != nil {
				secs := time.Duration(binary.BigEndian.Uint32(v[4:]))
				z.convs = append(z.convs, zoneConv{hash: binary.BigEndian.Uint32(v), bound: t.cursor.at.Add(-secs * time.Second)})
			}
		}
		t.zone = z
	}
	switch {
	case r.bad || len(r.b) != 0:
		return nil, badToken("its fields are malformed")
	case !t.before.IsZero() && !t.after.Before(t.before):
		return nil, badToken("its window is empty")
	case !t.cursor.at.After(t.after) || (!t.before.IsZero() && !t.cursor.at.Before(t.before)):
		return nil, badToken("its position lies outside its window")
	case !tokenID(t.cursor.id, "AC"):
		return nil, badToken("its call id is malformed")
	case t.phone != "" && !tokenID(t.phone, "PN") && !e164Re.MatchString(t.phone):
		return nil, badToken("its phone number filter is malformed")
	case t.user != "" && !tokenID(t.user, "US"):
		return nil, badToken("its user filter is malformed")
	case t.zone != nil && !t.zone.low.Before(t.zone.high):
		return nil, badToken("its walk state is malformed")
	}
	return t, nil
}

// matches checks the token against the call's arguments: a token continues
// the listing it came from, not another.
func (t *recentToken) matches(q *recentQuery, in *RecentCallsArgs) error {
	differ := func(arg, then, now string) error {
		return badArg("pageToken belongs to a recent_calls listing with other arguments (%s was %s, now %s): repeat the arguments of the call that gave the token, or leave pageToken out to start again from the newest call", arg, then, now)
	}
	show := func(s string) string {
		if s == "" {
			return "not given"
		}
		return strconv.Quote(s)
	}
	showTime := func(v time.Time, def bool) string {
		if def || v.IsZero() {
			return "not given"
		}
		return v.Format(time.RFC3339Nano)
	}
	switch {
	case t.phone != q.phone.String():
		return differ("phoneNumberId", show(t.phone), show(q.phone.String()))
	case t.user != q.user:
		return differ("userId", show(t.user), show(q.user))
	case in.CreatedAfter == "" && !t.afterDefault, in.CreatedAfter != "" && (t.afterDefault || !t.after.Equal(q.after)):
		return differ("createdAfter", showTime(t.after, t.afterDefault), showTime(q.after, in.CreatedAfter == ""))
	case !t.before.Equal(q.before):
		return differ("createdBefore", showTime(t.before, false), showTime(q.before, false))
	}
	return nil
}

// ---------------------------------------------------------------------------
// The walk

// recentScope is the OpenPhone numbers a listing covers.
type recentScope struct {
	numbers []client.PhoneNumber // for the header
	ids     map[string]bool
}

func recentCalls(ctx context.Context, d *Deps, c *client.Client, q *recentQuery) (RecentCallsOutput, string, error) {
	w := d.workspace(c)
	scope, err := resolveScope(ctx, d, w, q)
	if err != nil {
		return RecentCallsOutput{}, "", err
	}
	if len(scope.ids) == 0 {
		return RecentCallsOutput{
			CreatedAfter: q.after.Format(time.RFC3339Nano), PhoneNumberIDs: []string{}, Calls: []RecentCall{},
		}, "This workspace has no OpenPhone numbers this API key can see, so it has no calls to list.\n", nil
	}
	wk := &walker{c: c, ws: w, q: q, scope: scope, progress: progressFunc(ctx), ordered: true}
	if err := wk.walk(ctx); err != nil {
		return RecentCallsOutput{}, "", err
	}
	res := wk.result()
	var sums callSummaries
	if q.summaries && len(res.page) > 0 {
		sums = fetchSummaries(ctx, c, res.page)
	}
	out, text := renderRecent(w, q, scope, res, sums)
	return out, text, nil
}

// resolveScope turns the phoneNumberId and userId filters into the numbers
// to walk.
func resolveScope(ctx context.Context, d *Deps, w *workspace, q *recentQuery) (*recentScope, error) {
	var numbers []client.PhoneNumber
	if !q.phone.empty() {
		n, err := w.resolveNumber(ctx, q.phone)
		if err != nil {
			return nil, err
		}
		if q.user != "" && n.Number != "" && !numberHasUser(&n, q.user) {
			return nil, badArg("userId %s is not a user of %s (%s); its users are: %s. Leave out phoneNumberId to list the user's calls on all of their numbers", q.user, n.ID, n.Number, listUsers([]client.PhoneNumber{n}))
		}
		numbers = []client.PhoneNumber{n}
	} else {
		all, err := w.phoneNumbers(ctx)
		if err != nil {
			return nil, err
		}
		for i := range all {
			if q.user == "" || numberHasUser(&all[i], q.user) {
				numbers = append(numbers, all[i])
			}
		}
		if q.user != "" && len(numbers) == 0 && len(all) > 0 {
			return nil, badArg("userId %s is not a user of any OpenPhone number this API key can see; the users are: %s", q.user, listUsers(all))
		}
	}
	s := &recentScope{numbers: numbers, ids: make(map[string]bool, len(numbers))}
	for _, n := range numbers {
		s.ids[n.ID] = true
	}
	return s, nil
}

// numberHasUser reports whether user is one of n's users. A number whose
// users the API did not list counts as having them: the calls request
// then decides.
func numberHasUser(n *client.PhoneNumber, user string) bool {
	if len(n.Users) == 0 {
		return true
	}
	for _, u := range n.Users {
		if u.ID == user {
			return true
		}
	}
	return false
}

func listUsers(numbers []client.PhoneNumber) string {
	var parts []string
	seen := map[string]bool{}
	for _, n := range numbers {
		for _, u := range n.Users {
			if !seen[u.ID] {
				seen[u.ID] = true
				parts = append(parts, u.ID+" ("+userDisplayName(u)+")")
			}
		}
	}
	if len(parts) == 0 {
		return "(none listed)"
	}
	return strings.Join(parts, ", ")
}

// progressFunc returns how to report progress for this call: nothing when
// the client sent no progress token.
func progressFunc(ctx context.Context) func(progress int, message string) {
	tok := ctx.Value(progressTokenKey{})
	srv := server.ServerFromContext(ctx)
	if tok == nil || srv == nil {
		return func(int, string) {}
	}
	last := 0
	return func(progress int, message string) {
		if progress <= last {
			return // progress must increase
		}
		last = progress
		// Best effort: a full notification channel drops it, never blocks.
		_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
			"progressToken": tok,
			"progress":      progress,
			"message":       message,
		})
	}
}

// walker lists the calls of one page. One goroutine (walk's) owns all of
// its state; the calls requests run in up to recentWorkers goroutines that
// only talk to the API and hand their results back over a channel.
type walker struct {
	c        *client.Client
	ws       *workspace
	q        *recentQuery
	scope    *recentScope
	progress func(int, string)

	// The conversations list.
	convs      []client.Conversation
	next       int
	convToken  string
	convPages  int
	convsEnded bool

	// The walk: conversations taken from the list, in its order.
	items    []walkItem
	ordered  bool       // lastActivityAt never went up: the documented order held
	frontier *time.Time // last activity of the last conversation taken: no conversation left in the list is newer
	natural  bool       // the list was taken to its end or to the window's start
	tooNew   bool       // a conversation may hold calls for a later page (one was deferred)
	queue    candHeap   // conversations to list the calls of, latest possible call first
	groups   []client.Conversation
	steps    int

	// What the walk found.
	calls   map[string]client.Call // eligible calls by id
	top     []callKey              // the newest q.n eligible calls, in order
	results []convResult
}

type walkItem struct {
	conv *client.Conversation
	// bound is what the previous page left of the conversation: none of
	// its calls still to list is newer. Zero: its last activity bounds it.
	bound    time.Time
	deferred bool // it may hold calls, but none that reach this page
}

// newest is the latest time a call of the item still to list can have.
func (it *walkItem) newest() time.Time {
	l := *it.conv.LastActivityAt
	if !it.bound.IsZero() && it.bound.Before(l) {
		return it.bound
	}
	return l
}

// deferItem leaves an item's calls to a later page: none of them is newer
// than bound, and this page is full without them.
func (w *walker) deferItem(item int, bound time.Time) {
	it := &w.items[item]
	it.deferred, it.bound, w.tooNew = true, bound, true
}

type convJob struct {
	item   int
	conv   *client.Conversation
	newest time.Time
	need   int
	cancel context.CancelFunc
	pruned bool
}

type convResult struct {
	item  int
	conv  *client.Conversation
	calls []client.Call
	more  bool // the API has more calls of this conversation in the window
	err   error
}

// cand is a conversation whose calls may have to be listed; none of them
// is newer than newest.
type cand struct {
	item   int
	newest time.Time
}

// candHeap is a max-heap of candidates by newest (then list order).
type candHeap []cand

func (h candHeap) Len() int { return len(h) }
func (h candHeap) Less(i, j int) bool {
	if !h[i].newest.Equal(h[j].newest) {
		return h[i].newest.After(h[j].newest)
	}
	return h[i].item < h[j].item
}
func (h candHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)   { *h = append(*h, x.(cand)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// eligible reports whether a call belongs on this page or a later one.
func (q *recentQuery) eligible(c *client.Call) bool {
	if !c.CreatedAt.After(q.after) || (!q.before.IsZero() && !c.CreatedAt.Before(q.before)) {
		return false
	}
	return q.cursor == nil || q.cursor.before(keyOf(c))
}

// upper is the exclusive upper bound of this page's calls.
func (q *recentQuery) upper() time.Time {
	if q.cursor != nil {
		return q.cursor.at
	}
	return q.before
}

// apiBefore and apiAfter are the window sent to the API: widened outward
// to whole seconds plus clockSlack; eligible filters exactly.
func (q *recentQuery) apiBefore() time.Time {
	u := q.upper()
	if u.IsZero() {
		return u
	}
	return u.Truncate(time.Second).Add(clockSlack)
}

func (q *recentQuery) apiAfter() time.Time {
	return q.after.Truncate(time.Second).Add(-clockSlack)
}

// need is how many calls a conversation last active at l can still add to
// the page: calls newer than l (plus slack) outrank all of its calls.
func (w *walker) need(l time.Time) int {
	bound := l.Add(clockSlack)
	m := sort.Search(len(w.top), func(i int) bool { return !w.top[i].at.After(bound) })
	return w.q.n - m
}

func (w *walker) add(c client.Call) {
	if _, dup := w.calls[c.ID]; dup {
		return
	}
	w.calls[c.ID] = c
	k := keyOf(&c)
	i := sort.Search(len(w.top), func(i int) bool { return k.before(w.top[i]) })
	if i >= w.q.n {
		return
	}
	w.top = slices.Insert(w.top, i, k)
	if len(w.top) > w.q.n {
		w.top = w.top[:w.q.n]
	}
}

// nextConv returns the next conversation of the walk, fetching a page of
// conversations when needed; nil at the end of the list.
func (w *walker) nextConv(ctx context.Context) (*client.Conversation, error) {
	for w.next >= len(w.convs) {
		if w.convsEnded {
			return nil, nil
		}
		if w.convPages >= maxConversationPages {
			return nil, errors.New("the OpenPhone API kept paging conversations past " + strconv.Itoa(maxConversationPages*conversationsPerPage) + " of them; narrow the window or pick one phoneNumberId")
		}
		p := client.ListConversationsParams{MaxResults: conversationsPerPage, PageToken: w.convToken, CreatedBefore: w.q.apiBefore()}
		if len(w.scope.ids) <= 100 {
			for _, n := range w.scope.numbers {
				p.PhoneNumbers = append(p.PhoneNumbers, n.ID)
			}
		} // else: no filter, and the walk skips other numbers' conversations
		page, err := w.c.ListConversations(ctx, p)
		if err != nil {
			return nil, err
		}
		w.convPages++
		w.ws.rememberConversations(page.Data)
		w.convs, w.next = page.Data, 0
		switch {
		case page.NextPageToken == nil || *page.NextPageToken == "":
			w.convsEnded = true
		case *page.NextPageToken == w.convToken:
			return nil, errRepeatedToken
		default:
			w.convToken = *page.NextPageToken
		}
		w.steps++
		w.progress(w.steps, "Listed "+strconv.Itoa(w.convPages)+" page(s) of conversations")
	}
	c := &w.convs[w.next]
	w.next++
	return c, nil
}

// walk runs the walk. Conversations come off the list in order of last
// activity, newest first, only as far as needed; their calls are listed in
// order of the newest call each can still hold (its last activity, or what
// the previous page learnt), at most recentWorkers at a time. It stops at
// the window's start, or as soon as the page is full with calls newer than
// anything a conversation left can hold.
func (w *walker) walk(ctx context.Context) error {
	w.calls = map[string]client.Call{}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()

	results := make(chan convResult, recentWorkers) // never blocks a worker
	inflight := map[int]*convJob{}
	ended := false

	receive := func(r convResult) error {
		job := inflight[r.item]
		delete(inflight, r.item)
		job.cancel()
		if r.err != nil {
			if job.pruned && ctx.Err() == nil {
				// Cancelled on purpose: this page no longer needs it, a
				// later one may.
				w.deferItem(r.item, job.newest)
				return nil
			}
			return r.err
		}
		for _, c := range r.calls {
			w.add(c)
		}
		w.results = append(w.results, r)
		w.steps++
		w.progress(w.steps, "Listed the calls of "+strconv.Itoa(len(w.results))+" conversation(s); "+strconv.Itoa(len(w.calls))+" call(s) in the window so far")
		// Calls newer than anything a conversation in flight can hold may
		// now fill the page: its request is no longer needed.
		for _, j := range inflight {
			if !j.pruned && w.need(j.newest) <= 0 {
				j.pruned = true
				j.cancel()
			}
		}
		return nil
	}
	wait := func() error {
		select {
		case r := <-results:
			return receive(r)
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	for {
		// Take in whatever has finished.
	drain:
		for {
			select {
			case r := <-results:
				if err := receive(r); err != nil {
					return err
				}
			default:
				break drain
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if ended {
			if len(inflight) == 0 {
				return nil
			}
			if err := wait(); err != nil {
				return err
			}
			continue
		}
		// Take conversations off the list until the first candidate is
		// as new as anything still on it (all of it, if it is out of
		// order).
		for !w.natural && (len(w.queue) == 0 || !w.ordered || (w.frontier != nil && w.queue[0].newest.Before(*w.frontier))) {
			conv, err := w.nextConv(ctx)
			if err != nil {
				return err
			}
			if conv == nil {
				w.natural = true
				break
			}
			item := len(w.items)
			w.items = append(w.items, walkItem{conv: conv})
			if w.examine(item) {
				heap.Push(&w.queue, cand{item, w.items[item].newest()})
			}
		}
		if len(w.queue) == 0 {
			ended = true
			continue
		}
		top := w.queue[0]
		need := w.need(top.newest)
		if need <= 0 {
			// The page is full with calls newer than anything this
			// conversation holds.
			if w.ordered {
				// ... and than anything any other conversation left
				// holds: they wait for a later page.
				for _, c := range w.queue {
					w.deferItem(c.item, c.newest)
				}
				w.queue = w.queue[:0]
				ended = true
				continue
			}
			heap.Pop(&w.queue)
			w.deferItem(top.item, top.newest)
			continue
		}
		if len(inflight) >= recentWorkers {
			if err := wait(); err != nil {
				return err
			}
			continue
		}
		heap.Pop(&w.queue)
		jctx, jcancel := context.WithCancel(ctx)
		job := &convJob{item: top.item, conv: w.items[top.item].conv, newest: top.newest, need: need, cancel: jcancel}
		inflight[top.item] = job
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- w.listConversationCalls(jctx, job)
		}()
	}
}

// examine decides what the walk does with a conversation it has just
// reached: true means its calls must be listed. Everything else is handled
// here (no activity, another number, a group, known to hold nothing more),
// or ends the walk (activity older than the window).
func (w *walker) examine(item int) bool {
	it := &w.items[item]
	conv := it.conv
	if conv.LastActivityAt == nil {
		return false // never active
	}
	l := *conv.LastActivityAt
	if w.frontier != nil && l.After(*w.frontier) {
		w.ordered = false // not the documented order: take it all
	}
	if w.frontier == nil || l.Before(*w.frontier) {
		w.frontier = &l
	}
	if !l.Add(clockSlack).After(w.q.after) {
		if w.ordered {
			// Every conversation from here on was last active before the
			// window: none has a call in it.
			w.convsEnded, w.next = true, len(w.convs)
		}
		return false
	}
	switch {
	case !w.scope.ids[conv.PhoneNumberID], len(conv.Participants) == 0:
		return false
	case len(conv.Participants) > 1:
		if l.After(w.q.after) && !(w.ordered && w.q.zone.covers(l)) {
			w.groups = append(w.groups, *conv)
		}
		return false
	case !w.ordered:
		return true
	}
	known, remains, bound := w.q.zone.lookup(conv)
	switch {
	case !known:
		return true
	case !remains:
		return false // walked by an earlier page: holds nothing older
	}
	it.bound = bound // none of what is left is newer
	return true
}

// listConversationCalls lists the eligible calls of one 1:1 conversation:
// up to job.need of them (one more tells whether more remain).
func (w *walker) listConversationCalls(ctx context.Context, job *convJob) convResult {
	r := convResult{item: job.item, conv: job.conv}
	p := client.ListCallsParams{
		PhoneNumberID: job.conv.PhoneNumberID,
		Participants:  []string{job.conv.Participants[0]},
		UserID:        w.q.user,
		CreatedAfter:  w.q.apiAfter(),
		CreatedBefore: w.q.apiBefore(),
		MaxResults:    min(job.need+1, 100),
	}
	for pages := 1; ; pages++ {
		page, err := w.c.ListCalls(ctx, p)
		if err != nil {
			r.err = err
			return r
		}
		for i := range page.Data {
			if c := &page.Data[i]; w.q.eligible(c) {
				r.calls = append(r.calls, *c)
			}
		}
		token := page.NextPageToken
		if token == nil || *token == "" {
			return r
		}
		if *token == p.PageToken {
			r.err = errRepeatedToken
			return r
		}
		if len(r.calls) >= job.need || pages >= maxCallPages {
			r.more = true
			return r
		}
		// Calls outside the exact window took up the page: read on.
		p.PageToken = *token
	}
}

// errRepeatedToken stops a walk that would go round in circles.
var errRepeatedToken = errors.New("the OpenPhone API answered a page with the page token it was asked for, so paging would never end")

// recentResult is one page, ready to render.
type recentResult struct {
	page   []client.Call
	groups []client.Conversation
	next   *recentToken // nil on the last page
}

func (w *walker) result() recentResult {
	// w.top already holds the page, in order.
	res := recentResult{groups: w.groups, page: make([]client.Call, len(w.top))}
	for i, k := range w.top {
		res.page[i] = w.calls[k.id]
	}
	more := w.tooNew || len(w.calls) > w.q.n
	for _, r := range w.results {
		more = more || r.more
	}
	if !more || len(res.page) == 0 {
		return res
	}
	cursor := keyOf(&res.page[len(res.page)-1])
	res.next = &recentToken{after: w.q.after, before: w.q.before, afterDefault: w.q.afterDefault,
		phone: w.q.phone.String(), user: w.q.user, cursor: cursor, zone: w.zone(cursor)}
	return res
}

// zone is what this page's walk learnt for the next page: the range of
// last activity it took off the list completely, and the conversations in
// it that may still hold calls older than the new cursor, with the newest
// time those can have. nil when it learnt nothing safe to use (the list was
// out of order).
func (w *walker) zone(cursor callKey) *recentZone {
	if !w.ordered {
		return nil
	}
	var high *time.Time
	for i := range w.items {
		if l := w.items[i].conv.LastActivityAt; l != nil {
			high = l
			break
		}
	}
	if high == nil || w.frontier == nil {
		return nil
	}
	// Every conversation last active after low was taken off the list.
	low := *w.frontier
	if w.natural {
		low = w.q.after.Add(-clockSlack)
	}
	// Activity from after this page could carry a slightly earlier time
	// (clock skew between the API's servers): the most recent minute is
	// walked again.
	z := &recentZone{low: low, high: high.Add(-zoneMargin)}
	if !z.low.Before(z.high) {
		return nil
	}
	// The conversations of the zone that still hold calls, with the newest
	// time those can have.
	type left struct {
		l  time.Time
		zc zoneConv
	}
	var lefts []left
	keep := func(conv *client.Conversation, bound time.Time) {
		if l := *conv.LastActivityAt; z.covers(l) {
			lefts = append(lefts, left{l, zoneConv{convHash(conv.ID), minTime(bound, cursor.at)}})
		}
	}
	for _, r := range w.results {
		var bound, oldest time.Time
		remains := false
		for i := range r.calls {
			c := &r.calls[i]
			if oldest.IsZero() || c.CreatedAt.Before(oldest) {
				oldest = c.CreatedAt
			}
			if cursor.before(keyOf(c)) && (!remains || c.CreatedAt.After(bound)) {
				remains, bound = true, c.CreatedAt // not on this page
			}
		}
		if !remains && r.more {
			// The API has more, none newer than what it gave.
			remains, bound = true, oldest
			if bound.IsZero() {
				bound = *r.conv.LastActivityAt
			}
		}
		if remains {
			keep(r.conv, bound)
		}
	}
	for i := range w.items {
		if it := &w.items[i]; it.deferred {
			keep(it.conv, it.bound)
		}
	}
	if len(lefts) > maxZoneConvs {
		// Too many to carry: shrink the zone to the most recently active
		// ones; the next page walks the others again.
		sort.Slice(lefts, func(i, j int) bool { return lefts[i].l.After(lefts[j].l) })
		z.low = lefts[maxZoneConvs].l
		for len(lefts) > 0 && !lefts[len(lefts)-1].l.After(z.low) {
			lefts = lefts[:len(lefts)-1]
		}
	}
	for _, lf := range lefts {
		z.convs = append(z.convs, lf.zc)
	}
	if z.low.Before(minRecentTime) {
		z.low = minRecentTime
	}
	if !z.low.Before(z.high) {
		return nil
	}
	return z
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// ---------------------------------------------------------------------------
// Rendering

const maxGroupsShown = 10

func renderRecent(w *workspace, q *recentQuery, scope *recentScope, res recentResult, sums callSummaries) (RecentCallsOutput, string) {
	var b strings.Builder
	b.Grow(256 + 160*len(res.page))
	out := RecentCallsOutput{
		CreatedAfter:   q.after.UTC().Format(time.RFC3339Nano),
		PhoneNumberIDs: make([]string, 0, len(scope.numbers)),
		UserID:         q.user,
		Calls:          make([]RecentCall, 0, len(res.page)),
	}
	if !q.before.IsZero() {
		out.CreatedBefore = q.before.UTC().Format(time.RFC3339Nano)
	}
	for _, n := range scope.numbers {
		out.PhoneNumberIDs = append(out.PhoneNumberIDs, n.ID)
	}

	// Header: which calls, which window, which order.
	b.WriteString("Calls")
	if q.user != "" {
		b.WriteString(" handled by user ")
		b.WriteString(q.user)
		writeName(&b, w.userName(q.user))
	}
	b.WriteString(" on ")
	writeScope(&b, scope, q)
	b.WriteString(", created from ")
	b.WriteString(q.after.UTC().Format(time.RFC3339))
	if q.afterDefault {
		b.WriteString(" (24 hours before the first page)")
	}
	b.WriteString(" to ")
	if q.before.IsZero() {
		b.WriteString("now")
	} else {
		b.WriteString(q.before.UTC().Format(time.RFC3339))
	}
	b.WriteString(", newest first, UTC: ")
	b.WriteString(strconv.Itoa(len(res.page)))
	b.WriteString(" on this page")
	if q.cursor != nil {
		b.WriteString(", continuing after ")
		b.WriteString(q.cursor.id)
		b.WriteString(" (")
		b.WriteString(q.cursor.at.UTC().Format(time.RFC3339))
		b.WriteByte(')')
	}
	b.WriteByte('\n')

	for i := range res.page {
		c := &res.page[i]
		writeCallLine(&b, c, w, true)
		sums.write(&b, c.ID)
		other := otherParty(c, w)
		rc := RecentCall{CallRow: callRow(c), PhoneNumberID: c.PhoneNumberID, Participant: other, Summary: sums.output(c.ID)}
		if name, ok := w.conversationName(c.PhoneNumberID, other); ok {
			rc.ConversationName = cleanText(name, 60)
		}
		out.Calls = append(out.Calls, rc)
	}
	if len(res.page) == 0 {
		if q.cursor != nil {
			b.WriteString("No more calls in this window.\n")
		} else {
			b.WriteString("No calls in this window. To look further back, widen createdAfter, such as \"")
			b.WriteString(q.after.UTC().Add(-7 * 24 * time.Hour).Format(time.RFC3339))
			b.WriteString("\" (7 days earlier).\n")
		}
	}
	var token *string
	if res.next != nil {
		if s, err := res.next.encode(); err == nil {
			token, out.NextPageToken = &s, s
		} else {
			b.WriteString("The listing cannot continue past this page: " + err.Error() + ". Narrow createdBefore to before the last call above to see older calls.\n")
		}
	}
	writePaging(&b, "recent_calls", token)

	if len(res.groups) > 0 {
		writeGroups(&b, res.groups)
		for _, g := range res.groups {
			out.GroupConversations = append(out.GroupConversations, GroupConversationOutput{
				ID: g.ID, PhoneNumberID: g.PhoneNumberID, Participants: g.Participants,
				Name: cleanText(deref(g.Name), 60), LastActivityAt: g.LastActivityAt.UTC().Format(time.RFC3339Nano),
			})
		}
	}
	return out, b.String()
}

func writeScope(b *strings.Builder, scope *recentScope, q *recentQuery) {
	switch n := len(scope.numbers); {
	case !q.phone.empty():
		b.WriteString("OpenPhone number ")
	case q.user != "":
		b.WriteString("their ")
		b.WriteString(strconv.Itoa(n))
		if n == 1 {
			b.WriteString(" OpenPhone number: ")
		} else {
			b.WriteString(" OpenPhone numbers: ")
		}
	default:
		b.WriteString("all ")
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" OpenPhone numbers: ")
	}
	const shown = 5
	for i, n := range scope.numbers {
		if i == shown {
			b.WriteString(" and ")
			b.WriteString(strconv.Itoa(len(scope.numbers) - shown))
			b.WriteString(" more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(apiText(n.ID))
		if n.Number != "" {
			b.WriteString(" (")
			b.WriteString(apiText(n.Number))
			if name := cleanText(n.Name, 60); name != "" {
				b.WriteByte(' ')
				b.WriteString(strconv.Quote(name))
			}
			b.WriteByte(')')
		}
	}
}

func writeGroups(b *strings.Builder, groups []client.Conversation) {
	b.WriteString(strconv.Itoa(len(groups)))
	if len(groups) == 1 {
		b.WriteString(" group conversation was")
	} else {
		b.WriteString(" group conversations were")
	}
	b.WriteString(" active in this window; the OpenPhone API cannot list the calls of group conversations, so any calls in them are not above: ")
	for i, g := range groups {
		if i == maxGroupsShown {
			b.WriteString("; and ")
			b.WriteString(strconv.Itoa(len(groups) - maxGroupsShown))
			b.WriteString(" more")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(apiText(g.ID))
		if name := cleanText(deref(g.Name), 60); name != "" {
			b.WriteByte(' ')
			b.WriteString(strconv.Quote(name))
		}
		b.WriteString(" on ")
		b.WriteString(apiText(g.PhoneNumberID))
		b.WriteString(" with ")
		for j, p := range g.Participants {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(cleanText(p, 20))
		}
	}
	b.WriteString(".\n")
}
