// call_stats_table.go: call_stats' answer, written as a table: a header
// that says which calls of which window in which zone, a row a group, the
// total, and what was counted; and the same facts as structured content, a
// row an array under named columns, names once in the tables beside.

package tools

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// CallStatsOutput is the structured content of call_stats: the header's
// window, zone and filters, the table as the text has it (a row an array
// under named columns: counts, the answer rate as a percentage, talk times
// as durations, "-" where the text has one), the names of its groups, and
// the notes (what was counted, what the metrics mean).
type CallStatsOutput struct {
	CreatedAfter  string   `json:"from" jsonschema_description:"UTC"`
	CreatedBefore string   `json:"to"`
	Timezone      string   `json:"tz"`
	PhoneNumberID string   `json:"on,omitempty"`
	UserID        string   `json:"user,omitempty"`
	Status        []string `json:"status,omitempty"`
	Direction     string   `json:"dir,omitempty"`
	Participant   string   `json:"with,omitempty"`
	Names
	// Columns name the values of each row: the groupBy values, then the
	// metrics (statsColumns).
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows,omitempty"`
	Total   []any    `json:"total" jsonschema_description:"in the columns after the groups"`
	Notes   []string `json:"notes"`
}

// statsColumns are the metric columns, in the text and in the structured
// rows; talk times in seconds there.
var statsColumns = []string{"calls", "in", "out", "answered", "missed", "voicemail", "AI", "answer rate", "talk", "median talk"}

// Rows a table holds at most, beyond which the smallest groups are one
// "other" row; the groups of one time dimension are always all there.
const (
	maxStatsRows = 100
	otherGroup   = "other"
)

type statsRow struct {
	key [2]string
	m   *metrics
}

func renderStats(w *directory, q *statsQuery, numbers []client.PhoneNumber, t *statsTally, span history.Span, now time.Time) (CallStatsOutput, string) {
	end := q.before
	if end.IsZero() {
		end = now
	}
	out := CallStatsOutput{
		CreatedAfter: q.after.UTC().Format(time.RFC3339Nano), CreatedBefore: end.UTC().Format(time.RFC3339Nano),
		Timezone: q.loc.String(), UserID: q.user, Status: q.filters.statuses, Direction: q.filters.direction,
		Participant: q.filters.participant,
	}
	nm := namerOf(w, &out.Names)
	for _, n := range numbers {
		nm.number(n) // the header's "all 3 OpenPhone numbers", named
	}
	if !q.phone.empty() && len(numbers) == 1 {
		out.PhoneNumberID = numbers[0].ID
	}
	if q.user != "" {
		nm.user(q.user)
	}
	var b strings.Builder
	b.WriteString("Call counts of ")
	writeStatsScope(&b, w, q, numbers)
	b.WriteString(", from ")
	b.WriteString(stamp(q.after, q.loc))
	b.WriteString(" to ")
	if q.before.IsZero() {
		b.WriteString("now (" + stamp(now, q.loc) + ")")
	} else {
		b.WriteString(stamp(q.before, q.loc))
	}
	b.WriteString(timesIn(q.loc))
	if len(q.groupBy) > 0 {
		b.WriteString(", by " + strings.Join(q.groupBy, " and "))
	}
	b.WriteString(q.filters.describe())
	b.WriteString(fromLedger(span.Coverage) + ":\n")

	out.Columns = append(slices.Clone(q.groupBy), statsColumns...)
	b.WriteString(strings.Join(out.Columns, " | "))
	b.WriteByte('\n')
	for _, r := range statsRows(q, t, end) {
		var label strings.Builder
		cells := make([]any, 0, len(out.Columns))
		for i, g := range q.groupBy {
			if i > 0 {
				label.WriteString(" | ")
			}
			label.WriteString(groupLabel(g, r.key[i], w, t, nm))
			cells = append(cells, r.key[i])
		}
		writeStatsRow(&b, label.String(), r.m)
		out.Rows = append(out.Rows, append(cells, metricCells(r.m)...))
	}
	// The total: the last row, or with no groups the only one.
	label := "total"
	if len(q.groupBy) == 0 {
		label = ""
	}
	writeStatsRow(&b, label, &t.total)
	out.Total = metricCells(&t.total)
	counted := countedLine(q, t, span, len(numbers) == 0)
	b.WriteString(counted)
	out.Notes = append(out.Notes, strings.TrimSuffix(counted, "\n"))
	notes := []string{"Metrics: " + metricsFootnote}
	if q.user != "" || slices.Contains(q.groupBy, byUser) {
		notes = append(notes, "User: "+ownerRule)
	}
	for _, n := range notes {
		b.WriteString(n)
		b.WriteByte('\n')
	}
	out.Notes = append(out.Notes, notes...)
	return out, b.String()
}

// writeStatsScope names the calls counted: the number, the user's calls or
// every number.
func writeStatsScope(b *strings.Builder, w *directory, q *statsQuery, numbers []client.PhoneNumber) {
	switch {
	case q.user != "":
		b.WriteString("calls that count under ")
		writeUser(b, q.user, w.userName(q.user))
		if !q.phone.empty() && len(numbers) == 1 {
			b.WriteString(" on ")
			writeNumber(b, numbers[0])
		}
	case !q.phone.empty() && len(numbers) == 1:
		b.WriteString("OpenPhone number ")
		writeNumber(b, numbers[0])
	default:
		b.WriteString("all ")
		b.WriteString(strconv.Itoa(len(numbers)))
		b.WriteString(" OpenPhone numbers")
	}
}

// statsRows are the table's rows in order: time groups in time order (all
// of them, for one time dimension), other groups by calls, most first; the
// smallest folded into one "other" row beyond maxStatsRows.
func statsRows(q *statsQuery, t *statsTally, end time.Time) []statsRow {
	if len(q.groupBy) == 0 {
		return nil
	}
	rows := make([]statsRow, 0, len(t.groups))
	for k, m := range t.groups {
		rows = append(rows, statsRow{k, m})
	}
	if len(q.groupBy) == 1 && timeDimension(q.groupBy[0]) {
		for _, k := range timeKeys(q.groupBy[0], q.after, end, q.loc) {
			if t.groups[[2]string{k}] == nil {
				rows = append(rows, statsRow{[2]string{k}, &metrics{}})
			}
		}
	}
	firstTotals := map[string]int{}
	for _, r := range rows {
		firstTotals[r.key[0]] += r.m.calls
	}
	if len(rows) > maxStatsRows && !(len(q.groupBy) == 1 && timeDimension(q.groupBy[0])) {
		slices.SortFunc(rows, func(a, b statsRow) int {
			return cmp.Or(b.m.calls-a.m.calls, strings.Compare(a.key[0]+a.key[1], b.key[0]+b.key[1]))
		})
		other := statsRow{[2]string{otherGroup}, &metrics{}}
		if len(q.groupBy) == 2 {
			other.key[1] = otherGroup
		}
		for _, r := range rows[maxStatsRows-1:] {
			other.m.merge(r.m)
		}
		rows = append(rows[:maxStatsRows-1], other)
	}
	order := func(d string, a, b string, totals map[string]int) int {
		switch {
		case a == otherGroup || b == otherGroup:
			return boolInt(a == otherGroup) - boolInt(b == otherGroup)
		case timeDimension(d):
			return timeOrder(d, a) - timeOrder(d, b)
		}
		return cmp.Or(totals[b]-totals[a], strings.Compare(a, b))
	}
	slices.SortFunc(rows, func(a, b statsRow) int {
		if c := order(q.groupBy[0], a.key[0], b.key[0], firstTotals); c != 0 || len(q.groupBy) == 1 {
			return c
		}
		return order(q.groupBy[1], a.key[1], b.key[1], map[string]int{a.key[1]: a.m.calls, b.key[1]: b.m.calls})
	})
	return rows
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// timeOrder is a time group's place: days and hours sort as written,
// weekdays from Monday.
func timeOrder(d, key string) int {
	if d == byWeekday {
		return slices.Index(timeKeys(byWeekday, time.Time{}, time.Time{}, nil), key)
	}
	if d == byHour {
		h, _ := strconv.Atoi(key)
		return h
	}
	t, _ := time.Parse(time.DateOnly, key)
	return int(t.Unix() / 86400)
}

// groupLabel is how the text writes a group, and names it in nm as the
// text does.
func groupLabel(d, key string, w *directory, t *statsTally, nm namer) string {
	switch {
	case key == otherGroup:
		return "other groups"
	case d == byDay:
		day, _ := time.Parse(time.DateOnly, key)
		return key + " " + day.Format("Mon")
	case d == byHour:
		return key + ":00"
	case d == byUser:
		if name := w.userName(key); name != "" {
			nm.user(key)
			var b strings.Builder
			writeUser(&b, key, name)
			return b.String()
		}
		return apiText(key)
	case d == byNumber:
		if key == "none" {
			return "no number"
		}
		n := w.numberByID(key)
		nm.number(n)
		var b strings.Builder
		writeNumber(&b, n)
		return b.String()
	case d == byParticipant:
		pair, ok := t.named[key]
		if ok {
			if name, _ := w.conversationName(pair[0], pair[1]); cleanText(name, nameWidth) != "" {
				nm.party(pair[0], pair[1])
				return apiText(key) + " " + quoted(name, nameWidth)
			}
		}
	}
	return apiText(key)
}

// writeStatsRow writes one row of the table: its label (none for the
// total of a table without groups), then its metrics as metricCells has
// them.
func writeStatsRow(b *strings.Builder, label string, m *metrics) {
	cells := make([]string, 0, len(statsColumns)+1)
	if label != "" {
		cells = append(cells, label)
	}
	for _, c := range metricCells(m) {
		if n, ok := c.(int); ok {
			cells = append(cells, strconv.Itoa(n))
		} else {
			cells = append(cells, c.(string))
		}
	}
	b.WriteString(strings.Join(cells, " | "))
	b.WriteByte('\n')
}

// metricCells are a row's metrics as the text writes them: counts, the
// answer rate as a percentage, total and median talk as durations, "-"
// where there is none (no incoming calls; no connected calls).
func metricCells(m *metrics) []any {
	cells := []any{m.calls, m.incoming, m.outgoing, m.answered, m.missed, m.voicemails, m.aiHandled, "-", "-", "-"}
	if r, ok := m.answerRate(); ok {
		cells[7] = strconv.Itoa(int(math.Round(r*100))) + "%"
	}
	if total, median, ok := m.talkTime(); ok {
		cells[8], cells[9] = formatDuration(total), formatDuration(median)
	}
	return cells
}

// countedLine says what was counted, from where, at what cost, and, when
// the walk budget stopped early, exactly which part of the window was not
// counted and how to count it.
func countedLine(q *statsQuery, t *statsTally, span history.Span, noNumbers bool) string {
	if noNumbers {
		return "Counted: nothing; this API key sees no OpenPhone numbers.\n"
	}
	var b strings.Builder
	if span.Complete {
		b.WriteString("Counted: every call of the window, " + strconv.Itoa(t.total.calls))
	} else {
		b.WriteString("Counted: " + strconv.Itoa(t.total.calls) + " calls, those created from " + stamp(span.From, q.loc))
	}
	b.WriteString(" (" + span.Coverage.Source)
	if span.Coverage.FellBack != "" {
		b.WriteString("; " + span.Coverage.FellBack)
	}
	b.WriteString(", " + plural(span.Coverage.Requests+t.asked, "API request") + ").")
	if !span.Complete {
		b.WriteString(" The walk budget (--max-walk-requests) stopped it: calls created from " + stamp(q.after, q.loc) +
			" to " + stamp(span.From, q.loc) + " are NOT counted; to count them, call again with createdBefore \"" +
			stampExact(span.From, q.loc) + "\".")
	}
	if span.Coverage.Source == history.SourceV1 {
		b.WriteString(" v1 lists no group calls")
		if n := len(span.Coverage.Groups); n > 0 {
			b.WriteString(" (" + strconv.Itoa(n) + " group conversations were active)")
		}
		b.WriteString(".")
	}
	if len(t.lookups) > 0 {
		b.WriteString(" Voicemails looked up one request each (v1): " + strconv.Itoa(t.asked-t.failed) + " of " + strconv.Itoa(len(t.lookups)) + " missed calls")
		if t.failed > 0 {
			b.WriteString(", " + strconv.Itoa(t.failed) + " lookups failed")
		}
		b.WriteString(".")
	}
	b.WriteByte('\n')
	return b.String()
}
