// recent_calls.go: the recent_calls tool, every call of the workspace in a
// window, newest first. The calls come from internal/history (today the v1
// conversation walk); this file parses the arguments, turns the number and
// user filters into the numbers to list, words the page token, and renders
// the page.

package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// RecentCallsArgs are the arguments of recent_calls. The names mirror the
// API's query parameters; phoneNumberId also takes the number itself.
type RecentCallsArgs struct {
	CreatedAfter     string   `json:"createdAfter,omitempty" jsonschema_description:"Window start: RFC 3339, a date, today, yesterday, this week, last week, 24h, 7d (default: 24 hours ago)."`
	CreatedBefore    string   `json:"createdBefore,omitempty" jsonschema_description:"Window end, same forms (yesterday: today's midnight; default: now)."`
	PhoneNumberID    string   `json:"phoneNumberId,omitempty" jsonschema_description:"Only this OpenPhone number: PN id, the number or its name (default: all numbers)."`
	UserID           string   `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only calls placed or received by this user (US...)."`
	MaxResults       *int     `json:"maxResults,omitempty" jsonschema:"minimum=1,maximum=100,default=20" jsonschema_description:"Calls per page, 1-100."`
	PageToken        string   `json:"pageToken,omitempty" jsonschema:"maxLength=700" jsonschema_description:"The pageToken of the previous result, to get the next page."`
	Status           []string `json:"status,omitempty" jsonschema_description:"Only these statuses; \"missed\" is missed, no-answer and abandoned."`
	Direction        string   `json:"direction,omitempty" jsonschema:"enum=incoming,enum=outgoing" jsonschema_description:"Only incoming or outgoing calls."`
	Participant      string   `json:"participant,omitempty" jsonschema_description:"Only calls with this other party: a phone number, or a contact or conversation name."`
	IncludeSummaries bool     `json:"includeSummaries,omitempty" jsonschema:"default=false" jsonschema_description:"Add each call's AI summary and voicemail transcript under its line."`
}

const recentCallsDescription = `Every call of the workspace in a window, newest first: "who called today?", "which calls did we miss this week?". Narrow by number, user, status, direction or other party.
Lines: the other party (with=, contact name), the number (on=), who took it (by=).
Paging: call again with the same arguments plus the pageToken a result ends with.`

const (
	recentDefaultWindow = 24 * time.Hour
	recentDefaultPage   = 20
	maxGroupsShown      = 10
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
	cursor        *history.Cursor // where the previous page stopped
	filters       callFilters
	loc           *time.Location // the zone times are written in (recentCalls sets it)
}

func (q *recentQuery) scope() history.Scope {
	return history.Scope{Phone: q.phone.String(), User: q.user, AfterDefault: q.afterDefault, Filters: q.filters.canonical()}
}

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
		if !t.v.IsZero() && (t.v.Before(history.MinTime) || !t.v.Before(history.MaxTime)) {
			return nil, badArg("%s %s is out of range: give a time between 1970 and 2200, such as %q", t.name, t.v.Format(time.RFC3339), now.UTC().Add(-recentDefaultWindow).Format(time.RFC3339))
		}
	}
	if q.phone, q.user, q.filters, err = parseCallScope(in.PhoneNumberID, in.UserID, in.Status, in.Direction, in.Participant, region); err != nil {
		return nil, err
	}
	if in.PageToken != "" {
		cur, err := history.DecodeCursor(in.PageToken)
		if err == nil {
			q.afterDefault = in.CreatedAfter == ""
			err = cur.Matches(q.scope(), q.after, q.before)
		}
		if err != nil {
			return nil, pageTokenError("recent_calls", err)
		}
		q.after, q.before, q.afterDefault, q.cursor = cur.After, cur.Before, cur.Scope.AfterDefault, cur
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

// recentScope is the OpenPhone numbers a listing covers.
type recentScope struct {
	numbers []client.PhoneNumber // for the header
	ids     []string
}

func recentCalls(ctx context.Context, d *Deps, c *client.Client, q *recentQuery) (RecentCallsOutput, string, error) {
	w := d.directory(c)
	q.loc = d.zone()
	scope, err := resolveScope(ctx, w, q)
	if err != nil {
		return RecentCallsOutput{}, "", err
	}
	if len(scope.ids) == 0 {
		const none = "This workspace has no OpenPhone numbers this API key can see, so it has no calls to list."
		return RecentCallsOutput{CreatedAfter: q.after.UTC().Format(time.RFC3339Nano), Notes: []string{none}}, none + "\n", nil
	}
	hq := history.Query{After: q.after, Before: q.before, PhoneNumberIDs: scope.ids, UserID: q.user,
		Include: []string{client.IncludeVoicemail}}
	q.filters.apply(&hq)
	if q.summaries {
		hq.Include = append(hq.Include, client.IncludeSummary)
	}
	res, err := history.Page(history.WithProgress(ctx, progressFunc(ctx)), d.callsSource(c, w), hq, q.scope(), q.cursor, q.n)
	if err != nil {
		return RecentCallsOutput{}, "", err
	}
	page := make([]client.Call, len(res.Calls))
	for i := range res.Calls {
		page[i] = res.Calls[i].Call
	}
	nameParties(ctx, d, w, page)
	var sums callSummaries
	if q.summaries && len(page) > 0 {
		var missing []client.Call
		sums, missing = inlineSummaries(res.Calls)
		for id, f := range fetchSummaries(ctx, c, missing) {
			sums[id] = f
		}
	}
	out, text := renderRecent(w, q, scope, page, res, sums)
	return out, text, nil
}

// resolveScope turns the phoneNumberId and userId filters into the numbers
// to list.
func resolveScope(ctx context.Context, w *directory, q *recentQuery) (*recentScope, error) {
	numbers, err := w.numbersInScope(ctx, q.phone, q.user)
	if err != nil {
		return nil, err
	}
	s := &recentScope{numbers: numbers}
	for _, n := range numbers {
		s.ids = append(s.ids, n.ID)
	}
	return s, nil
}

// RecentCallsOutput is the structured content of recent_calls: the
// header's window and filters, the numbers it names, the calls as their
// lines have them, the notes (the Source line, the group conversations)
// and the way to the next page.
type RecentCallsOutput struct {
	CreatedAfter  string   `json:"from" jsonschema_description:"UTC"`
	FromDefault   string   `json:"fromDefault,omitempty" jsonschema_description:"why from is what it is"`
	CreatedBefore string   `json:"to,omitempty" jsonschema_description:"absent: now"`
	PhoneNumberID string   `json:"on,omitempty"`
	UserID        string   `json:"user,omitempty"`
	Status        []string `json:"status,omitempty"`
	Direction     string   `json:"dir,omitempty"`
	Participant   string   `json:"with,omitempty"`
	After         []string `json:"after,omitempty" jsonschema_description:"continuing after [call id, createdAt]"`
	Names
	Calls         []CallOut `json:"calls,omitempty"`
	Notes         []string  `json:"notes,omitempty"`
	Next          string    `json:"next,omitempty"`
	NextPageToken string    `json:"nextPageToken,omitempty"`
}

// renderRecent writes one page: a header that says which calls in which
// window, a line a call, the paging line, and the group conversations.
func renderRecent(w *directory, q *recentQuery, scope *recentScope, page []client.Call, res *history.Result, sums callSummaries) (RecentCallsOutput, string) {
	var b strings.Builder
	b.Grow(256 + 160*len(page))
	out := RecentCallsOutput{
		CreatedAfter: q.after.UTC().Format(time.RFC3339Nano), UserID: q.user, Calls: make([]CallOut, 0, len(page)),
		Status: q.filters.statuses, Direction: q.filters.direction, Participant: q.filters.participant,
	}
	if !q.before.IsZero() {
		out.CreatedBefore = q.before.UTC().Format(time.RFC3339Nano)
	}
	nm := namerOf(w, &out.Names)
	for _, n := range scope.numbers {
		nm.number(n)
	}
	if !q.phone.empty() && len(scope.numbers) == 1 {
		out.PhoneNumberID = scope.numbers[0].ID
	}

	// Header: which calls, which window, which order.
	b.WriteString("Calls")
	if q.user != "" {
		nm.user(q.user)
		b.WriteString(" handled by user ")
		writeUser(&b, q.user, w.userName(q.user))
	}
	b.WriteString(" on ")
	writeScope(&b, scope, q)
	b.WriteString(", created from ")
	b.WriteString(stamp(q.after, q.loc))
	if q.afterDefault {
		b.WriteString(" (24 hours before the first page)")
		out.FromDefault = "24 hours before the first page"
	}
	b.WriteString(" to ")
	if q.before.IsZero() {
		b.WriteString("now")
	} else {
		b.WriteString(stamp(q.before, q.loc))
	}
	b.WriteString(q.filters.describe())
	b.WriteString(", newest first" + timesIn(q.loc) + fromLedger(res.Coverage) + ": ")
	b.WriteString(strconv.Itoa(len(page)))
	b.WriteString(" on this page")
	if q.cursor != nil {
		out.After = []string{q.cursor.Last.ID, q.cursor.Last.At.UTC().Format(time.RFC3339)}
		b.WriteString(", continuing after ")
		b.WriteString(apiText(q.cursor.Last.ID))
		b.WriteString(" (")
		b.WriteString(stamp(q.cursor.Last.At, q.loc))
		b.WriteByte(')')
	}
	b.WriteByte('\n')

	for i := range page {
		c, hc := &page[i], &res.Calls[i]
		writeListedCall(&b, hc, w, q.loc, q.summaries)
		sums.write(&b, c.ID)
		o := listedCallOut(hc, w, true, nm, q.summaries)
		o.SummaryOut = sums.summaryOut(c.ID)
		out.Calls = append(out.Calls, o)
	}
	var notes strings.Builder
	if len(page) == 0 {
		if q.cursor != nil {
			notes.WriteString("No more calls in this window.\n")
		} else {
			notes.WriteString("No calls in this window. To look further back, widen createdAfter, such as \"")
			notes.WriteString(stampExact(q.after.Add(-7*24*time.Hour), q.loc))
			notes.WriteString("\" (7 days earlier).\n")
		}
	}
	var token *string
	if res.Next != nil {
		if s, err := res.Next.Encode(); err == nil {
			token = &s
		} else {
			notes.WriteString("The listing cannot continue past this page: " + err.Error() + ". Narrow createdBefore to before the last call above to see older calls.\n")
		}
	}
	notes.WriteString(sourceLine(res.Coverage))
	b.WriteString(notes.String())
	out.Notes = append(out.Notes, lines(notes.String())...)
	out.Next, out.NextPageToken = writePaging(&b, "recent_calls", token)

	if groups := res.Coverage.Groups; len(groups) > 0 {
		var g strings.Builder
		writeGroups(&g, groups)
		b.WriteString(g.String())
		out.Notes = append(out.Notes, lines(g.String())...)
	}
	return out, b.String()
}

// writeScope names the numbers listed.
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
		writeNumber(b, n)
	}
}

// writeGroups names the group conversations whose calls were not listed.
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
		if name := deref(g.Name); cleanText(name, nameWidth) != "" {
			b.WriteByte(' ')
			b.WriteString(quoted(name, nameWidth))
		}
		b.WriteString(" on ")
		b.WriteString(apiText(g.PhoneNumberID))
		b.WriteString(" with ")
		for j, p := range g.Participants {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(apiText(p))
		}
	}
	b.WriteString(".\n")
}
