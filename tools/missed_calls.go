// missed_calls.go: the missed_calls tool, the callback worklist: who called
// in the window and was missed, grouped by caller, newest first, with how
// often they tried, their voicemail, and whether someone got back to them.
// The calls come from internal/history.Read; the worklist is callbacks.go's.

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

// MissedCallsArgs are the arguments of missed_calls.
type MissedCallsArgs struct {
	CreatedAfter   string `json:"createdAfter,omitempty" jsonschema_description:"Window start: RFC 3339, a date, today, yesterday, this week, last week, 24h, 7d (default: 24 hours ago)."`
	CreatedBefore  string `json:"createdBefore,omitempty" jsonschema_description:"Window end, exclusive, same forms (yesterday: today's midnight; default: now)."`
	PhoneNumberID  string `json:"phoneNumberId,omitempty" jsonschema_description:"Only misses on this number: PN id, the number or its name."`
	UserID         string `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only misses on this user's numbers."`
	OnlyUnreturned *bool  `json:"onlyUnreturned,omitempty" jsonschema:"default=true" jsonschema_description:"Leave out callers someone got back to."`
	MaxResults     *int   `json:"maxResults,omitempty" jsonschema:"minimum=1,maximum=100,default=20" jsonschema_description:"Callers per page, 1-100."`
	PageToken      string `json:"pageToken,omitempty" jsonschema:"maxLength=400" jsonschema_description:"The pageToken of the previous result, for the next callers."`
}

const missedCallsDescription = `The callback worklist: incoming calls of a window that were missed, not answered or abandoned, grouped by caller, newest first: "who still needs a call back?". Each caller: attempts, last miss, voicemail transcript, and "returned" (a later call to them, or a later answered call from them) or "not returned".
Paging: call again with the same arguments plus the pageToken a result ends with.`

const missedDefaultPage = 20

func init() { registerTool(missedCallsTool) }

func missedCallsTool(d *Deps) server.ServerTool {
	return typedTool[MissedCallsArgs, MissedCallsOutput]("missed_calls", missedCallsDescription,
		readOnlyAPI("Missed calls to return"), d,
		func(ctx context.Context, c *client.Client, in *MissedCallsArgs) (MissedCallsOutput, string, error) {
			q, err := in.query(d.now(), d.zone(), d.region())
			if err != nil {
				return MissedCallsOutput{}, "", err
			}
			return missedCalls(ctx, d, c, q)
		})
}

// missedQuery is the validated request.
type missedQuery struct {
	after, before  time.Time // before zero: up to now
	afterDefault   bool
	beforeDefault  bool // before was fixed by the first page
	loc            *time.Location
	phone          numberArg
	user           string
	onlyUnreturned bool
	n              int
	cursor         *history.Cursor
}

func (q *missedQuery) scope() history.Scope {
	f := "missed_calls;returned"
	if q.onlyUnreturned {
		f = "missed_calls;unreturned"
	}
	return history.Scope{Phone: q.phone.String(), User: q.user, AfterDefault: q.afterDefault, BeforeDefault: q.beforeDefault, Filters: f}
}

// query validates and normalises the arguments; it makes no request.
func (in *MissedCallsArgs) query(now time.Time, loc *time.Location, region string) (*missedQuery, error) {
	q := &missedQuery{loc: loc, onlyUnreturned: in.OnlyUnreturned == nil || *in.OnlyUnreturned}
	var err error
	if q.n, err = pageSize(in.MaxResults, missedDefaultPage); err != nil {
		return nil, err
	}
	if q.after, q.before, err = localWindow(in.CreatedAfter, in.CreatedBefore, loc); err != nil {
		return nil, err
	}
	if q.phone, err = parseNumberArg(in.PhoneNumberID, region); err != nil {
		return nil, err
	}
	if q.user, err = parseUserID(in.UserID); err != nil {
		return nil, err
	}
	// A window without an end, or whose end is still to come, is fixed at
	// the first page's now, so that later pages list the same misses.
	open := q.before.IsZero() || q.before.After(now)
	if in.PageToken != "" {
		q.afterDefault, q.beforeDefault = in.CreatedAfter == "", open
		if open {
			q.before = time.Time{}
		}
		cur, err := history.DecodeCursor(in.PageToken)
		if err == nil {
			err = cur.Matches(q.scope(), q.after, q.before)
		}
		if err != nil {
			return nil, pageTokenError("missed_calls", err)
		}
		q.after, q.before, q.cursor = cur.After, cur.Before, cur
		return q, nil
	}
	if q.after.IsZero() {
		q.after, q.afterDefault = now.UTC().Add(-recentDefaultWindow), true
		if !q.before.IsZero() && !q.after.Before(q.before) {
			return nil, badArg("createdBefore (%s) is earlier than the default createdAfter (24 hours ago, %s): give createdAfter too", q.before.Format(time.RFC3339), q.after.Format(time.RFC3339))
		}
	}
	if !q.after.Before(now) {
		return nil, badArg("createdAfter (%s) is in the future: give a window that has started", q.after.Format(time.RFC3339))
	}
	if open {
		q.before, q.beforeDefault = now.UTC(), true
	}
	return q, nil
}

func missedCalls(ctx context.Context, d *Deps, c *client.Client, q *missedQuery) (MissedCallsOutput, string, error) {
	w := d.directory(c)
	numbers, err := w.numbersInScope(ctx, q.phone, q.user)
	if err != nil {
		return MissedCallsOutput{}, "", err
	}
	all, err := w.phoneNumbers(ctx)
	if err != nil {
		return MissedCallsOutput{}, "", err
	}
	ids := make([]string, 0, len(numbers))
	for _, n := range numbers {
		ids = append(ids, n.ID)
	}
	// The whole workspace is read, up to now: a call back from any number,
	// even after the window, returns a miss.
	hq := history.Query{After: q.after, Include: []string{client.IncludeVoicemail}}
	for _, n := range all {
		hq.PhoneNumberIDs = append(hq.PhoneNumberIDs, n.ID)
	}
	wl := newWorklist(ids, q.before)
	var span history.Span
	if len(numbers) > 0 {
		ctx := history.WithProgress(ctx, progressFunc(ctx))
		span, err = history.Read(ctx, d.callsSource(c, w), hq, d.walkBudget(), func(hc *history.Call) error {
			party := hc.Participant
			if party == "" {
				party = otherParty(&hc.Call, w)
			}
			wl.add(hc, party)
			return nil
		})
		if err != nil {
			return MissedCallsOutput{}, "", err
		}
	}
	wl.settle()
	list, missed := wl.sorted(q.onlyUnreturned)
	unreturned := 0
	for _, k := range wl.callers {
		if k.returned == nil {
			unreturned++
		}
	}
	start := 0
	if q.cursor != nil {
		for start < len(list) && !q.cursor.Last.Before(list[start].key()) {
			start++
		}
	}
	page := list[start:min(len(list), start+q.n)]
	var next *history.Cursor
	if start+q.n < len(list) && len(page) > 0 {
		next = &history.Cursor{Scope: q.scope(), After: q.after, Before: q.before, Last: page[len(page)-1].key()}
	}
	var u unnamed
	for _, k := range page {
		u.add(w, k.last().PhoneNumberID, k.number)
	}
	u.fetch(ctx, d, w)
	asked := lookUpMissedVoicemails(ctx, c, page, d.walkBudget()-span.Coverage.Requests)
	out, text := renderMissed(w, q, numbers, page, missedCounts{missed: missed, unreturned: unreturned, asked: asked}, span, next, d.now())
	return out, text, nil
}

// lookUpMissedVoicemails fills, for the calls of the v1 walk (which does
// not bring voicemails inline), the voicemails of the page's misses, the
// newest 3 a caller, within budget requests. It returns the requests made.
func lookUpMissedVoicemails(ctx context.Context, c *client.Client, page []*caller, budget int) int {
	var want []*history.Call
	for _, k := range page {
		for i, m := range k.misses {
			if i == 3 || len(want) >= budget {
				break
			}
			if m.Voicemail == nil && m.FromV1() && history.CanHaveVoicemail(&m.Call) {
				want = append(want, m)
			}
		}
	}
	ids := make([]string, len(want))
	for i, m := range want {
		ids[i] = m.ID
	}
	vms, _ := fetchVoicemails(ctx, c, ids)
	for i, vm := range vms {
		want[i].Voicemail = vm
	}
	return len(want)
}

// missedCounts are the worklist's totals.
type missedCounts struct{ missed, unreturned, asked int }

// writeMissedHeader says which misses of which window.
func writeMissedHeader(b *strings.Builder, w *directory, q *missedQuery, numbers []client.PhoneNumber, now time.Time) {
	b.WriteString("Missed calls (incoming calls missed, not answered or abandoned) on ")
	switch {
	case !q.phone.empty() && len(numbers) == 1:
		b.WriteString("OpenPhone number ")
		writeNumber(b, numbers[0])
	case q.user != "":
		b.WriteString("the " + strconv.Itoa(len(numbers)) + " OpenPhone numbers of ")
		writeUser(b, q.user, w.userName(q.user))
	default:
		b.WriteString("all " + strconv.Itoa(len(numbers)) + " OpenPhone numbers")
	}
	b.WriteString(", from " + q.after.In(q.loc).Format("Mon 2006-01-02 15:04") + " to ")
	if q.beforeDefault {
		b.WriteString("now (" + q.before.In(q.loc).Format("Mon 2006-01-02 15:04") + ")")
	} else {
		b.WriteString(q.before.In(q.loc).Format("Mon 2006-01-02 15:04"))
	}
	b.WriteString(", " + zoneName(q.loc, q.before) + "; calls back counted up to " + now.In(q.loc).Format("15:04") + ", newest miss first")
}

// MissedCallsOutput is the structured content of missed_calls.
type MissedCallsOutput struct {
	CreatedAfter  string `json:"createdAfter"`
	CreatedBefore string `json:"createdBefore"`
	Timezone      string `json:"timezone"`
	PhoneNumberID string `json:"phoneNumberId,omitempty"`
	UserID        string `json:"userId,omitempty"`
	// Missed is every caller missed in the window; Unreturned those nobody
	// got back to.
	Missed        int            `json:"missed"`
	Unreturned    int            `json:"unreturned"`
	Callers       []MissedCaller `json:"callers"`
	NextPageToken string         `json:"nextPageToken,omitempty"`
	Counted       StatsCounted   `json:"counted"`
}

// MissedCaller is one caller of the worklist.
type MissedCaller struct {
	Number        string `json:"number" jsonschema_description:"E.164, or anonymous, blocked, restricted."`
	Name          string `json:"name,omitempty"`
	Attempts      int    `json:"attempts"`
	LastMissedAt  string `json:"lastMissedAt"`
	LastCallID    string `json:"lastCallId"`
	PhoneNumberID string `json:"phoneNumberId,omitempty"`
	// Voicemail is the newest voicemail the caller left in the window.
	Voicemail  *VoicemailOutput `json:"voicemail,omitempty"`
	Voicemails int              `json:"voicemails,omitempty"`
	Returned   *MissedReturn    `json:"returned,omitempty" jsonschema_description:"Absent: not returned."`
	CannotCall bool             `json:"cannotCallBack,omitempty" jsonschema_description:"No caller ID to call back."`
}

// MissedReturn is the first call that got back to a caller after the last
// miss.
type MissedReturn struct {
	At     string `json:"at"`
	CallID string `json:"callId"`
	How    string `json:"how" jsonschema_description:"called back (status) or answered their call."`
	By     string `json:"by,omitempty"`
	ByName string `json:"byName,omitempty"`
}

func renderMissed(w *directory, q *missedQuery, numbers []client.PhoneNumber, page []*caller, n missedCounts, span history.Span, next *history.Cursor, now time.Time) (MissedCallsOutput, string) {
	var b strings.Builder
	out := MissedCallsOutput{
		CreatedAfter: q.after.UTC().Format(time.RFC3339Nano), CreatedBefore: q.before.UTC().Format(time.RFC3339Nano),
		Timezone: q.loc.String(), UserID: q.user, Missed: n.missed, Unreturned: n.unreturned, Callers: []MissedCaller{},
	}
	if !q.phone.empty() && len(numbers) == 1 {
		out.PhoneNumberID = numbers[0].ID
	}
	writeMissedHeader(&b, w, q, numbers, now)
	b.WriteString(fromLedger(span.Coverage) + ": " + strconv.Itoa(n.missed) + " callers missed, " + strconv.Itoa(n.unreturned) + " not returned")
	if q.onlyUnreturned {
		b.WriteString("; listing those not returned")
	}
	b.WriteString(".\n")
	for _, k := range page {
		mc := writeCaller(&b, w, q, k, now)
		out.Callers = append(out.Callers, mc)
	}
	if len(page) == 0 {
		if q.cursor != nil {
			b.WriteString("No more callers.\n")
		} else if q.onlyUnreturned && n.missed > 0 {
			b.WriteString("Everyone missed in this window was returned.\n")
		} else {
			b.WriteString("No missed calls in this window.\n")
		}
	}
	var token *string
	if next != nil {
		if s, err := next.Encode(); err == nil {
			token, out.NextPageToken = &s, s
		}
	}
	out.Counted = StatsCounted{Calls: span.Calls, Source: span.Coverage.Source, Requests: span.Coverage.Requests + n.asked, Complete: span.Complete || len(numbers) == 0}
	b.WriteString("Read: ")
	if span.Complete || len(numbers) == 0 {
		b.WriteString("every call from the window's start to now, " + strconv.Itoa(span.Calls))
	} else {
		out.Counted.From = span.From.UTC().Format(time.RFC3339Nano)
		b.WriteString(strconv.Itoa(span.Calls) + " calls, those from " + span.From.In(q.loc).Format("2006-01-02 15:04:05") +
			" on; the walk budget (--max-walk-requests) stopped it, so misses before then are NOT listed; narrow the window to see them")
	}
	if span.Coverage.Source != "" {
		b.WriteString(" (" + span.Coverage.Source)
		if span.Coverage.FellBack != "" {
			b.WriteString("; " + span.Coverage.FellBack)
		}
		b.WriteString(", " + plural(span.Coverage.Requests+n.asked, "API request") + ")")
	}
	b.WriteString(".\n")
	if token != nil {
		b.WriteString("More callers: missed_calls with the same arguments and pageToken " + strconv.Quote(*token) + ".\n")
	} else {
		b.WriteString("Last page.\n")
	}
	return out, b.String()
}

// writeCaller writes one caller's line, and their voicemail under it.
func writeCaller(b *strings.Builder, w *directory, q *missedQuery, k *caller, now time.Time) MissedCaller {
	last := k.last()
	mc := MissedCaller{Number: apiText(k.number), Attempts: len(k.misses), LastMissedAt: last.CreatedAt.UTC().Format(time.RFC3339),
		LastCallID: apiText(last.ID), PhoneNumberID: apiText(last.PhoneNumberID), CannotCall: !k.reachable()}
	b.WriteString(apiText(k.number))
	if name, _ := w.conversationName(last.PhoneNumberID, k.number); cleanText(name, nameWidth) != "" {
		b.WriteString(" " + quoted(name, nameWidth))
		mc.Name = cleanText(name, nameWidth)
	}
	b.WriteString(": " + plural(len(k.misses), "missed call") + ", last " + shortTime(last.CreatedAt, now, q.loc) + " " + lineID(last.ID, "AC"))
	if n := w.numberByID(last.PhoneNumberID); n.Name != "" {
		b.WriteString(" on " + quoted(n.Name, nameWidth))
	}
	var vm *client.Voicemail
	for _, m := range k.misses {
		if m.Voicemail != nil {
			mc.Voicemails++
			if vm == nil {
				vm = m.Voicemail
			}
		}
	}
	switch {
	case k.returned != nil:
		r := k.returned
		how := "answered their call"
		if r.Direction == "outgoing" {
			how = "called back (" + apiText(r.Status) + ")"
		}
		by := callOwner(r, w.firstUsers())
		mc.Returned = &MissedReturn{At: r.CreatedAt.UTC().Format(time.RFC3339), CallID: apiText(r.ID), How: how}
		b.WriteString("; returned " + shortTime(r.CreatedAt, now, q.loc))
		if by != ownerNone {
			mc.Returned.By = apiText(by)
			b.WriteString(" by ")
			if name := w.userName(by); name != "" {
				mc.Returned.ByName = name
				b.WriteString(name)
			} else {
				b.WriteString(apiText(by))
			}
		}
		b.WriteString(", " + how)
	case !k.reachable():
		b.WriteString("; no caller ID, cannot be called back")
	default:
		b.WriteString("; not returned")
	}
	b.WriteByte('\n')
	if vm != nil {
		mc.Voicemail = voicemailOutput(vm, true)
		b.WriteString("  voicemail")
		if mc.Voicemails > 1 {
			b.WriteString(" (newest of " + strconv.Itoa(mc.Voicemails) + ")")
		}
		b.WriteString(": " + voicemailTranscript(vm) + "\n")
	}
	return mc
}
