// zones.go: the time zone answers are counted in (days, hours, weekdays)
// and written in: the server's --timezone, or a tool's timezone argument;
// and a window whose plain dates mean midnight in that zone.

package tools

import (
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// zone is the server's time zone: Deps.TimeZone, else UTC.
func (d *Deps) zone() *time.Location {
	if d.TimeZone != nil {
		return d.TimeZone
	}
	return time.UTC
}

// parseZone reads a timezone argument: an IANA name such as
// "America/New_York", or "" for def.
func parseZone(raw string, def *time.Location) (*time.Location, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def, nil
	}
	if strings.EqualFold(raw, "utc") {
		return time.UTC, nil
	}
	if len(raw) <= 64 && !strings.EqualFold(raw, "local") {
		if loc, err := time.LoadLocation(raw); err == nil {
			return loc, nil
		}
	}
	return nil, badArg("timezone %q is not an IANA time zone name: give one such as \"America/New_York\", \"Europe/London\" or \"UTC\"", echo(raw))
}

// localTime reads an RFC 3339 date-time, or a plain date as midnight in
// loc.
func localTime(arg, raw string, loc *time.Location) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, strings.TrimSpace(raw)); err == nil {
		return dayStart(d.Year(), d.Month(), d.Day(), loc), nil
	}
	return parseTime(arg, raw)
}

// localWindow is timeWindow with plain dates at midnight in loc.
func localWindow(after, before string, loc *time.Location) (time.Time, time.Time, error) {
	a, err := localTime("createdAfter", after, loc)
	if err != nil {
		return a, a, err
	}
	b, err := localTime("createdBefore", before, loc)
	if err != nil {
		return a, b, err
	}
	if err := windowOrder(a, b); err != nil {
		return a, b, err
	}
	for _, t := range []struct {
		name string
		v    time.Time
	}{{"createdAfter", a}, {"createdBefore", b}} {
		if !t.v.IsZero() && (t.v.Before(history.MinTime) || !t.v.Before(history.MaxTime)) {
			return a, b, badArg("%s %s is out of range: give a time between 1970 and 2200, such as \"2026-11-20\"", t.name, t.v.Format(time.RFC3339))
		}
	}
	return a, b, nil
}

// startOfDay is the first instant of t's day in loc: midnight, or where
// the clocks jump over midnight (America/Santiago, America/Havana), the
// jump, 01:00. time.Date puts a midnight that does not exist an hour early,
// on the day before.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return dayStart(y, m, d, loc)
}

// dayStart is the first instant of the day y-m-d in loc (time.Date's
// normalisation of d applies).
func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	s := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if noon := time.Date(y, m, d, 12, 0, 0, 0, loc); s.Day() != noon.Day() {
		// Midnight fell in a gap and s on the day before, in the zone that
		// the jump ends: the day starts where that zone does.
		if _, end := s.ZoneBounds(); end.After(s) {
			return end
		}
	}
	return s
}
