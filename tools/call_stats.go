// call_stats.go: the call_stats tool, every call of a window counted on the
// server into a small table (by day, hour, weekday, user, number, status,
// direction or other party, one or two of them), so that "how many did we
// miss this week, by user?" costs one answer, not pages of call lines. The
// calls come from internal/history.Read; what they count as is
// call_metrics.go's; the table is call_stats_table.go's.

package tools

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// CallStatsArgs are the arguments of call_stats; the filters mean what they
// mean in recent_calls.
type CallStatsArgs struct {
	CreatedAfter  string   `json:"createdAfter,omitempty" jsonschema_description:"Window start: RFC 3339, a date (midnight in timezone), today, yesterday, this week, last week, 24h, 7d. Default: 6 days before today's midnight."`
	CreatedBefore string   `json:"createdBefore,omitempty" jsonschema_description:"Window end, exclusive, same forms (yesterday: today's midnight; default: now)."`
	GroupBy       []string `json:"groupBy,omitempty" jsonschema:"maxItems=2,enum=day,enum=hour,enum=weekday,enum=user,enum=number,enum=status,enum=direction,enum=participant" jsonschema_description:"One or two (default: no grouping, one total row)."`
	Timezone      string   `json:"timezone,omitempty" jsonschema_description:"IANA zone for days and hours (default: the server's)."`
	PhoneNumberID string   `json:"phoneNumberId,omitempty" jsonschema_description:"Only this number: PN id, the number or its name."`
	UserID        string   `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only calls that count under this user."`
	Status        []string `json:"status,omitempty" jsonschema_description:"Only these statuses (\"missed\": missed, no-answer, abandoned)."`
	Direction     string   `json:"direction,omitempty" jsonschema:"enum=incoming,enum=outgoing" jsonschema_description:"Only incoming or outgoing calls."`
	Participant   string   `json:"participant,omitempty" jsonschema_description:"Only calls with this other party: a number, or a contact or conversation name."`
}

const callStatsDescription = `Counts every call of a window on the server into a small table: "calls each of us took this week", "missed-call rate by day". Use it to count, not recent_calls pages. Says what it counted.
Metrics: ` + metricsFootnote + `
User: ` + ownerRule

func init() { registerTool(callStatsTool) }

func callStatsTool(d *Deps) server.ServerTool {
	return typedTool[CallStatsArgs, CallStatsOutput]("call_stats", callStatsDescription,
		readOnlyAPI("Call counts of a window"), d,
		func(ctx context.Context, c *client.Client, in *CallStatsArgs) (CallStatsOutput, string, error) {
			q, err := in.query(d.now(), d.zone(), d.region())
			if err != nil {
				return CallStatsOutput{}, "", err
			}
			return callStats(ctx, d, c, q)
		})
}

// statsQuery is the validated request.
type statsQuery struct {
	after, before time.Time // before zero: up to now
	afterDefault  bool
	loc           *time.Location
	groupBy       []string
	phone         numberArg
	user          string
	filters       callFilters
}

// query validates and normalises the arguments; it makes no request.
func (in *CallStatsArgs) query(now time.Time, def *time.Location, region string) (*statsQuery, error) {
	q := &statsQuery{}
	var err error
	if q.loc, err = parseZone(in.Timezone, def); err != nil {
		return nil, err
	}
	for _, g := range in.GroupBy {
		g = strings.ToLower(strings.TrimSpace(g))
		switch {
		case !slices.Contains(dimensions, g):
			return nil, badArg("groupBy %q is not a grouping: give one or two of %s, such as [\"day\"] or [\"user\", \"status\"]", echo(g), strings.Join(dimensions, ", "))
		case slices.Contains(q.groupBy, g):
			return nil, badArg("groupBy names %q twice: give two different groupings, such as [\"day\", \"user\"]", g)
		}
		q.groupBy = append(q.groupBy, g)
	}
	if len(q.groupBy) > 2 {
		return nil, badArg("groupBy has %d groupings; a table has at most two, such as [\"day\", \"user\"]", len(q.groupBy))
	}
	if q.after, q.before, err = localWindow(in.CreatedAfter, in.CreatedBefore, q.loc); err != nil {
		return nil, err
	}
	if !q.before.IsZero() && q.before.After(now) {
		q.before = time.Time{} // the future holds no calls yet
	}
	if q.after.IsZero() {
		q.after, q.afterDefault = startOfDay(now.In(q.loc).AddDate(0, 0, -6), q.loc), true
		if !q.before.IsZero() && !q.after.Before(q.before) {
			return nil, badArg("createdBefore (%s) is earlier than the default createdAfter (%s): give createdAfter too", q.before.Format(time.RFC3339), q.after.Format(time.RFC3339))
		}
	}
	end := q.before
	if end.IsZero() {
		end = now
	}
	if end.Sub(q.after) > maxStatsDays*24*time.Hour {
		return nil, badArg("the window from %s to %s is longer than call_stats counts (%d days): split it, such as createdAfter %q", q.after.In(q.loc).Format(time.DateOnly), end.In(q.loc).Format(time.DateOnly), maxStatsDays, startOfDay(end.AddDate(0, 0, -90), q.loc).Format(time.DateOnly))
	}
	if !q.after.Before(end) {
		return nil, badArg("createdAfter (%s) is in the future: give a window that has started", q.after.Format(time.RFC3339))
	}
	if q.phone, q.user, q.filters, err = parseCallScope(in.PhoneNumberID, in.UserID, in.Status, in.Direction, in.Participant, region); err != nil {
		return nil, err
	}
	return q, nil
}

// statsTally is the counting of one window.
type statsTally struct {
	groups map[[2]string]*metrics
	total  metrics
	// lookups are the calls whose voicemail the source did not say (v1),
	// each with its group.
	lookups []voicemailLookup
	named   map[string][2]string // a participant -> a number and party to name it by
	first   map[string]string    // each number's first user
	// asked and failed are the voicemail lookups made, and those that
	// failed.
	asked, failed int
}

type voicemailLookup struct {
	callID string
	group  [2]string
}

func callStats(ctx context.Context, d *Deps, c *client.Client, q *statsQuery) (CallStatsOutput, string, error) {
	w := d.directory(c)
	numbers, err := w.numbersInScope(ctx, q.phone, q.user)
	if err != nil {
		return CallStatsOutput{}, "", err
	}
	hq := history.Query{After: q.after, Before: q.before, Include: []string{client.IncludeVoicemail}, Lean: true}
	for _, n := range numbers {
		hq.PhoneNumberIDs = append(hq.PhoneNumberIDs, n.ID)
	}
	q.filters.apply(&hq)
	t := &statsTally{groups: map[[2]string]*metrics{}, named: map[string][2]string{}, first: w.firstUsers()}
	var span history.Span
	if len(numbers) > 0 {
		src := d.callsSource(c, w)
		span, err = history.Read(history.WithProgress(ctx, progressFunc(ctx)), src, hq, d.walkBudget(), func(hc *history.Call) error {
			t.add(hc, q, w)
			return nil
		})
		if err != nil {
			return CallStatsOutput{}, "", err
		}
	}
	for _, m := range t.groups {
		t.total.merge(m)
	}
	t.asked, t.failed = t.lookUpVoicemails(ctx, c, d.walkBudget()-span.Coverage.Requests)
	u := unnamed{}
	if slices.Contains(q.groupBy, byParticipant) {
		for _, pair := range t.named {
			u.add(w, pair[0], pair[1])
		}
		u.fetch(ctx, d, w)
	}
	out, text := renderStats(w, q, numbers, t, span, d.now())
	return out, text, nil
}

// add counts one call, if it counts under the user asked for.
func (t *statsTally) add(c *history.Call, q *statsQuery, w *directory) {
	owner := callOwner(c, t.first)
	if q.user != "" && owner != q.user {
		return
	}
	var key [2]string
	for i, g := range q.groupBy {
		key[i] = groupKey(g, c, owner, q.loc, w)
	}
	m := t.groups[key]
	if m == nil {
		m = &metrics{}
		t.groups[key] = m
	}
	vm := c.Voicemail != nil
	m.add(c, vm)
	if !vm && c.FromV1() && history.CanHaveVoicemail(&c.Call) {
		// A call of the v1 walk (it names the conversation; the dated
		// surface does not): its voicemail is one request away.
		t.lookups = append(t.lookups, voicemailLookup{c.ID, key})
	}
	if slices.Contains(q.groupBy, byParticipant) {
		p := groupKey(byParticipant, c, owner, q.loc, w)
		if _, ok := t.named[p]; !ok && len(t.named) < maxStatsRows {
			t.named[p] = [2]string{c.PhoneNumberID, p}
		}
	}
}

// lookUpVoicemails asks v1 for the voicemails of the missed calls, 4 at a
// time, within budget requests, and counts those found. It returns how
// many it asked and how many of those failed (other than with a 404).
func (t *statsTally) lookUpVoicemails(ctx context.Context, c *client.Client, budget int) (asked, failed int) {
	n := min(len(t.lookups), max(budget, 0))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = t.lookups[i].callID
	}
	vms, failed := fetchVoicemails(ctx, c, ids)
	for i, vm := range vms {
		if vm != nil {
			t.groups[t.lookups[i].group].voicemails++
			t.total.voicemails++
		}
	}
	return n, failed
}
