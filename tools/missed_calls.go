// missed_calls.go: the missed_calls tool, the callback worklist: who called
// in the window and was missed, grouped by caller, newest first, with how
// often they tried, their voicemail, and whether someone got back to them.
// The calls come from internal/history.Read; the worklist is callbacks.go's.

package tools

import (
	"context"
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
