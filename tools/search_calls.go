// search_calls.go: the search_calls tool, full-text search over what was
// said and written about the workspace's calls (AI summaries, next steps,
// voicemail transcripts, call transcripts, party names), from the local
// ledger (internal/ledger), best match first, each hit the call's line and
// the passage that matched. The API has no search: without a ledger this
// tool says so.

package tools

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
)

// SearchCallsArgs are the arguments of search_calls.
type SearchCallsArgs struct {
	Query         string   `json:"query" jsonschema:"minLength=1,maxLength=500" jsonschema_description:"Words to find; \"a phrase\"; OR between two terms; -word to leave out."`
	CreatedAfter  string   `json:"createdAfter,omitempty" jsonschema_description:"Window start: RFC 3339, a date, today, yesterday, this week, last week, 24h, 7d (default: all the ledger holds)."`
	CreatedBefore string   `json:"createdBefore,omitempty" jsonschema_description:"Window end, exclusive, same forms (yesterday: today's midnight; default: now)."`
	PhoneNumberID string   `json:"phoneNumberId,omitempty" jsonschema_description:"Only this number: PN id, the number or its name."`
	UserID        string   `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only calls this user placed or took."`
	Participant   string   `json:"participant,omitempty" jsonschema_description:"Only calls with this other party: a number, or a contact or conversation name."`
	Direction     string   `json:"direction,omitempty" jsonschema:"enum=incoming,enum=outgoing" jsonschema_description:"Only incoming or outgoing calls."`
	Status        []string `json:"status,omitempty" jsonschema_description:"Only these statuses (\"missed\": missed, no-answer, abandoned)."`
	MaxResults    *int     `json:"maxResults,omitempty" jsonschema:"minimum=1,maximum=50,default=10" jsonschema_description:"Hits per page, 1-50."`
	PageToken     string   `json:"pageToken,omitempty" jsonschema:"maxLength=100" jsonschema_description:"The pageToken of the previous result, for the next hits."`
}

const searchCallsDescription = `Finds calls by what was said or written (AI summaries, next steps, voicemail and call transcripts, party names): "the call about the refund", "what did we promise Maple Dental?". Best first; each hit is the call's line and the passage, «matches» marked. The Searched line tells "not found" from "not synced yet".
Paging: call again with the same arguments plus the pageToken a result ends with.`

const searchDefaultPage = 10

func init() { registerTool(searchCallsTool) }

func searchCallsTool(d *Deps) server.ServerTool {
	return typedTool[SearchCallsArgs, SearchCallsOutput]("search_calls", searchCallsDescription,
		readOnlyAPI("Search the calls"), d,
		func(ctx context.Context, c *client.Client, in *SearchCallsArgs) (SearchCallsOutput, string, error) {
			q, err := in.query(d.zone(), d.region())
			if err != nil {
				return SearchCallsOutput{}, "", err
			}
			l := d.ledgerOf(c)
			if l == nil {
				return SearchCallsOutput{}, "", badArg("search_calls needs the local ledger, which this server does not have (turned off with --ledger off, or its file could not be opened: the server's log says why); without it, read a window's summaries with recent_calls and includeSummaries")
			}
			return searchCalls(ctx, d, c, l, q)
		})
}

// searchQuery is the validated request.
type searchQuery struct {
	text          string
	after, before time.Time
	phone         numberArg
	user          string
	filters       callFilters
	n, offset     int
	canonical     string         // the arguments but the page, which a token is bound to
	loc           *time.Location // the zone times are written in
}

func (in *SearchCallsArgs) query(loc *time.Location, region string) (*searchQuery, error) {
	q := &searchQuery{text: strings.TrimSpace(in.Query), loc: loc}
	var err error
	if q.n, err = pageSize(in.MaxResults, searchDefaultPage); err != nil {
		return nil, err
	}
	if q.n > 50 {
		return nil, badArg("maxResults %d is more than 50 hits a page", q.n)
	}
	if q.after, q.before, err = localWindow(in.CreatedAfter, in.CreatedBefore, loc); err != nil {
		return nil, err
	}
	if q.phone, q.user, q.filters, err = parseCallScope(in.PhoneNumberID, in.UserID, in.Status, in.Direction, in.Participant, region); err != nil {
		return nil, err
	}
	if q.text == "" {
		return nil, badArg("query is empty: give words to find, such as \"refund\" or \"\\\"next week\\\" OR tomorrow\"")
	}
	if len(q.text) > 500 {
		return nil, badArg("query is %d characters long: give at most 500", len(q.text))
	}
	q.canonical = strings.Join([]string{q.text, q.after.UTC().Format(time.RFC3339Nano), q.before.UTC().Format(time.RFC3339Nano),
		q.phone.String(), q.user, q.filters.canonical()}, "\x00")
	if in.PageToken != "" {
		if q.offset, err = decodeSearchToken(in.PageToken, q.canonical); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// A search page token: base64url of the offset (4 bytes), the window's
// start and end (8 bytes each, Unix nanoseconds, math.MinInt64 for none),
// and the first 8 bytes of SHA-256 over the arguments and all of that, so
// a token resumes only the search it was made for. The window is there to
// be read back (tokenWindow): a relative createdAfter (7d) asked again with
// the token means the instants of the first page.
func searchToken(offset int, after, before time.Time, canonical string) string {
	var b [28]byte
	binary.BigEndian.PutUint32(b[:4], uint32(offset))
	for i, t := range []time.Time{after, before} {
		n := int64(math.MinInt64)
		if !t.IsZero() {
			n = t.UnixNano()
		}
		binary.BigEndian.PutUint64(b[4+8*i:], uint64(n))
	}
	sum := sha256.Sum256(append([]byte("search_calls\x00"+canonical+"\x00"), b[:20]...))
	copy(b[20:], sum[:8])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// readSearchToken reads a token's offset and window, unchecked.
func readSearchToken(tok string) (offset int, after, before time.Time, ok bool) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(raw) != 28 {
		return 0, after, before, false
	}
	times := [2]time.Time{}
	for i := range times {
		if n := int64(binary.BigEndian.Uint64(raw[4+8*i:])); n != math.MinInt64 {
			times[i] = time.Unix(0, n).UTC()
		}
	}
	return int(binary.BigEndian.Uint32(raw[:4])), times[0], times[1], true
}

// tokenWindow is the window a page token fixed (see args_window.go).
func (SearchCallsArgs) tokenWindow(tok string) (after, before time.Time, ok bool) {
	_, after, before, ok = readSearchToken(tok)
	return after, before, ok
}

func decodeSearchToken(tok, canonical string) (int, error) {
	if offset, after, before, ok := readSearchToken(tok); ok && offset < 100_000 && searchToken(offset, after, before, canonical) == tok {
		return offset, nil
	}
	return 0, badArg("pageToken is not a page token of this search: pass it exactly as the previous search_calls result gave it, with the same arguments, or leave it out to start from the best match")
}

func searchCalls(ctx context.Context, d *Deps, c *client.Client, l *ledger.Ledger, q *searchQuery) (SearchCallsOutput, string, error) {
	w := d.directory(c)
	// The numbers tell a call's own number from its other party (cached).
	if _, err := w.phoneNumbers(ctx); err != nil {
		return SearchCallsOutput{}, "", err
	}
	var ids []string
	if !q.phone.empty() || q.user != "" {
		numbers, err := w.numbersInScope(ctx, q.phone, q.user)
		if err != nil {
			return SearchCallsOutput{}, "", err
		}
		for _, n := range numbers {
			ids = append(ids, n.ID)
		}
	}
	meta, _ := l.Store.Meta(ctx)
	after := q.after
	if after.IsZero() {
		after = l.Syncer.Horizon(d.now())
	}
	age, fresh := l.Ready(ctx, after, q.before)
	filter := history.Query{After: after, Before: q.before, PhoneNumberIDs: ids, UserID: q.user}
	q.filters.apply(&filter)
	res, err := l.Store.Search(ctx, ledger.SearchQuery{Text: q.text, Filter: filter, Offset: q.offset, Limit: q.n})
	if err != nil {
		return SearchCallsOutput{}, "", err
	}
	counts, err := l.Store.Count(ctx, filter)
	if err != nil {
		return SearchCallsOutput{}, "", err
	}
	if m, err := l.Store.Meta(ctx); err == nil {
		meta = m
	}
	calls := make([]client.Call, len(res.Hits))
	for i := range res.Hits {
		calls[i] = res.Hits[i].Call.Call
	}
	nameParties(ctx, d, w, calls)
	var next string
	if q.offset+len(res.Hits) < res.Total && len(res.Hits) == q.n {
		next = searchToken(q.offset+q.n, q.after, q.before, q.canonical)
	}
	out, text := renderSearch(w, q, res, counts, searched{meta: meta, age: age, fresh: fresh, after: after, now: d.now(), days: l.Syncer.Days}, next)
	return out, text, nil
}

// searched is what the coverage line says of the ledger.
type searched struct {
	meta  ledger.Meta
	age   time.Duration
	fresh bool
	after time.Time
	now   time.Time
	days  int
}

// SearchCallsOutput is the structured content of search_calls: the query,
// how many calls match, the hits as their lines have them with where they
// matched, the notes (the Searched line) and the way to the next page.
type SearchCallsOutput struct {
	Query  string `json:"query"`
	Total  int    `json:"total" jsonschema_description:"calls that match"`
	Offset int    `json:"fromHit,omitempty"`
	UserNames
	ContactNames
	Hits          []SearchHit `json:"hits,omitempty"`
	Notes         []string    `json:"notes,omitempty"`
	Next          string      `json:"next,omitempty"`
	NextPageToken string      `json:"nextPageToken,omitempty"`
}

// SearchHit is one call that matched: its line, then where the match is
// and the text around it, in the object of the rest.
type SearchHit struct {
	CallOut
	Field, Passage string
}

// hitMore is the rest of a hit's line.
type hitMore struct {
	CallMore
	Field   string `json:"field"`
	Passage string `json:"passage" jsonschema_description:"matches between « and »"`
}

// MarshalJSON writes the hit as its call's line, the match in the rest.
func (h SearchHit) MarshalJSON() ([]byte, error) {
	return marshalRow(h.fields(), hitMore{h.CallMore, h.Field, h.Passage})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (h *SearchHit) UnmarshalJSON(raw []byte) error {
	var more hitMore
	err := h.unmarshal(raw, &more)
	h.CallMore, h.Field, h.Passage = more.CallMore, more.Field, more.Passage
	return err
}

// JSONSchema describes the array.
func (SearchHit) JSONSchema() *jsonschema.Schema {
	return rowSchema[hitMore]("[id, createdAt (UTC), direction, status, duration, {rest}]")
}

func renderSearch(w *directory, q *searchQuery, res *ledger.SearchResult, n ledger.Counts, s searched, next string) (SearchCallsOutput, string) {
	var b strings.Builder
	out := SearchCallsOutput{Query: cleanText(q.text, 200), Total: res.Total, Hits: make([]SearchHit, 0, len(res.Hits))}
	nm := namer{w: w, users: &out.Users, contacts: &out.Contacts}
	b.WriteString("Calls matching " + quoted(q.text, 200) + q.filters.describe() + ", best first" + timesIn(q.loc))
	if q.offset > 0 {
		out.Offset = q.offset + 1
		b.WriteString(", from hit " + strconv.Itoa(q.offset+1))
	}
	b.WriteString(": " + strconv.Itoa(len(res.Hits)) + " of " + strconv.Itoa(res.Total) + "; from the local ledger")
	if !s.meta.SyncedAt.IsZero() {
		b.WriteString(", synced " + ledger.Age(s.age) + " ago")
	}
	b.WriteString(".\n")
	for i := range res.Hits {
		h := &res.Hits[i]
		writeListedCall(&b, &h.Call, w, q.loc, false)
		b.WriteString("  " + h.Field + ": " + quoted(h.Passage, 400) + "\n")
		out.Hits = append(out.Hits, SearchHit{listedCallOut(&h.Call, w, true, nm, false), h.Field, cleanText(h.Passage, 400)})
	}
	var note strings.Builder
	if len(res.Hits) == 0 {
		note.WriteString("No call matches.\n")
	}
	note.WriteString("Searched: " + strconv.Itoa(n.Calls) + " calls since " + stamp(s.after, q.loc) + "; transcripts for " +
		strconv.Itoa(n.Transcripts) + " of " + strconv.Itoa(n.Answered) + " answered calls")
	switch {
	case s.meta.SyncedAt.IsZero():
		note.WriteString("; the ledger has not synced yet, so nothing is searched: try again in a minute")
	default:
		note.WriteString("; synced " + ledger.Age(s.age) + " ago")
		if !s.fresh {
			note.WriteString(" (the latest calls may be missing)")
		}
	}
	if s.meta.From.IsZero() || s.meta.From.After(s.after) {
		reached := "nothing yet"
		if !s.meta.From.IsZero() {
			reached = stamp(s.meta.From, q.loc)
		}
		note.WriteString("; the backfill of the last " + strconv.Itoa(s.days) + " days is under way (reached " + reached + "), so older calls are not searched yet")
	}
	note.WriteString(".\n")
	b.WriteString(note.String())
	out.Notes = lines(note.String())
	if next != "" {
		line := "More hits: search_calls with the same arguments and pageToken " + strconv.Quote(next) + "."
		out.Next, out.NextPageToken = pagingNext(line, next), next
		b.WriteString(line + "\n")
	} else {
		b.WriteString("Last page.\n")
	}
	return out, b.String()
}
