// args_window.go: the window arguments, createdAfter and createdBefore,
// resolved once in the kit before the strict decode. A relative word
// (today, yesterday, this week, last week, 24h, 7d, 2w) or a plain date
// becomes an RFC 3339 instant in the tool's time zone, so every tool's own
// parser sees instants only and the header shows what the words meant.
// With a page token, a word that has moved on since the first page (24h a
// minute later, today past midnight) keeps the instant the token fixed.

package tools

import (
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// windowForms is what a window argument takes, for its error.
const windowForms = `give RFC 3339 such as "2026-11-20T09:00:00Z" or "2026-11-20T09:00:00-05:00", a date such as "2026-11-20" (midnight in the server's time zone), today, yesterday, this week, last week (weeks start on Monday), or a span back from now such as 24h, 7d or 2w`

// The longest span back a word may name: ten years, as 87600h, 3650d or
// 521w. A window starts after 1970 anyway; this keeps the words sane.
const maxSpanBack = 3650 * 24 * time.Hour

// relSpan is a relative word: a calendar day or week in the zone (ago 0:
// this one, 1: the one before), or a span back from now.
type relSpan struct {
	back time.Duration // 24h, 7d, 2w; zero for a calendar word
	week bool
	ago  int
}

// relWords are the calendar words, their spaces folded.
var relWords = map[string]relSpan{
	"today":     {},
	"yesterday": {ago: 1},
	"this week": {week: true},
	"last week": {week: true, ago: 1},
}

// parseRelative reads a relative word; ok is false for anything else
// (which may still be a date or a time). A span out of range is an error.
func parseRelative(arg, raw string) (s relSpan, ok bool, err error) {
	w := strings.ToLower(strings.Join(strings.Fields(raw), " "))
	if s, ok := relWords[w]; ok {
		return s, true, nil
	}
	if w == "" {
		return relSpan{}, false, nil
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[w[len(w)-1]]
	digits := strings.TrimSpace(w[:len(w)-1])
	if unit == 0 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return relSpan{}, false, nil
	}
	count, cerr := strconv.Atoi(digits)
	if cerr != nil || count < 1 || time.Duration(count) > maxSpanBack/unit {
		return relSpan{}, false, badArg("%s %q is not a span this server reads: give from 1h to 87600h, 1d to 3650d or 1w to 521w (ten years), such as 24h or 7d", arg, echo(raw))
	}
	return relSpan{back: time.Duration(count) * unit}, true, nil
}

// at is where the word lies at now in loc: [from, to).
func (s relSpan) at(now time.Time, loc *time.Location) (from, to time.Time) {
	if s.back > 0 {
		return now.Add(-s.back).In(loc), now.In(loc)
	}
	lt := now.In(loc)
	y, m, d := lt.Date()
	if s.week {
		d -= (int(lt.Weekday()) + 6) % 7 // back to Monday
		return dayStart(y, m, d-7*s.ago, loc), dayStart(y, m, d+7-7*s.ago, loc)
	}
	return dayStart(y, m, d-s.ago, loc), dayStart(y, m, d+1-s.ago, loc)
}

// edge is the instant the word means as arg: the start of its span for
// createdAfter, the end for createdBefore.
func (s relSpan) edge(arg string, now time.Time, loc *time.Location) time.Time {
	from, to := s.at(now, loc)
	if arg == "createdBefore" {
		return to
	}
	return from
}

// named reports whether the word, asked at some moment of the last day,
// meant c as arg: whether a page token made then is the same listing.
func (s relSpan) named(arg string, c, now time.Time, loc *time.Location) bool {
	if s.back > 0 {
		return !c.Before(s.edge(arg, now.Add(-24*time.Hour), loc)) && !c.After(s.edge(arg, now, loc))
	}
	if c.Equal(s.edge(arg, now, loc)) {
		return true
	}
	// A calendar word last changed where the current day or week began:
	// before that, and less than a day ago, it meant what it meant then.
	began, _ := relSpan{week: s.week}.at(now, loc)
	return now.Sub(began) < 24*time.Hour && c.Equal(s.edge(arg, began.Add(-time.Nanosecond), loc))
}

// windowArg is one window argument as the kit resolved it.
type windowArg struct {
	value string   // what the tool gets: "", or an RFC 3339 instant
	word  *relSpan // the relative word it came from, if any
}

// resolveWindowArg turns a createdAfter or createdBefore into what the
// tool parses: "" stays "", RFC 3339 stays as given, a date becomes
// midnight in loc, a word its instant at now. createdBefore of a span back
// from now (24h) is now itself, which the tools read as leaving it out.
// Anything else is refused with the forms it takes.
func resolveWindowArg(arg, raw string, now time.Time, loc *time.Location) (windowArg, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return windowArg{value: raw}, nil
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return windowArg{value: raw}, nil
	}
	if t, err := time.Parse(stampArgLayout, s); err == nil {
		// A time copied from an answer's line (render.go's stamp).
		return windowArg{value: t.Format(time.RFC3339Nano)}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return windowArg{value: dayStart(d.Year(), d.Month(), d.Day(), loc).Format(time.RFC3339Nano)}, nil
	}
	w, ok, err := parseRelative(arg, s)
	switch {
	case err != nil:
		return windowArg{}, err
	case !ok:
		return windowArg{}, windowFormsError(arg, raw)
	case w.back > 0 && arg == "createdBefore":
		return windowArg{value: "", word: &w}, nil
	}
	return windowArg{value: w.edge(arg, now, loc).Format(time.RFC3339Nano), word: &w}, nil
}

// windowFormsError is the one sentence for a window argument that is none
// of the forms.
func windowFormsError(arg, raw string) error {
	return badArg("%s %q is not a date-time: %s", arg, echo(raw), windowForms)
}

// tokenWindower is the arguments of a tool whose page token fixes its
// window in a form of its own: the window a token fixed, as the tool's
// createdAfter and createdBefore would say it. Without it, a page token is
// read as a history.Cursor.
type tokenWindower interface {
	tokenWindow(token string) (after, before time.Time, ok bool)
}

// cursorWindow is the window of a history.Cursor page token.
func cursorWindow(token string) (after, before time.Time, ok bool) {
	cur, err := history.DecodeCursor(token)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return cur.After, cur.Before, true
}

// settleWindow keeps, for each side given as a word, the instant the page
// token fixed when the word named it within the last day; sides maps an
// argument name to its resolved value, changed in place.
func settleWindow(sides map[string]*windowArg, fixed func(string) (time.Time, time.Time, bool), token string, now time.Time, loc *time.Location) {
	after, before, ok := fixed(token)
	if !ok {
		return
	}
	for arg, c := range map[string]time.Time{"createdAfter": after, "createdBefore": before} {
		w := sides[arg]
		if w == nil || w.word == nil || w.value == "" || c.IsZero() {
			continue
		}
		if w.word.named(arg, c, now, loc) {
			w.value = c.In(loc).Format(time.RFC3339Nano)
		}
	}
}
