// filters.go: the call filters every window tool shares (status, direction,
// the other party), parsed once into callFilters, with one sentence per
// mistake; and the wording of a page token the engine refused.

package tools

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// callStatuses are the 13 statuses of a call (the API's enum).
var callStatuses = []string{"queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed",
	"no-answer", "canceled", "missed", "answered", "forwarded", "abandoned"}

// missedStatuses is what the word "missed" stands for: every incoming call
// nobody took.
var missedStatuses = []string{"abandoned", "missed", "no-answer"}

// callFilters are the parsed status, direction and participant arguments.
type callFilters struct {
	statuses    []string // sorted, without duplicates; empty: all
	direction   string
	participant string // E.164
}

// parseCallFilters checks and normalises the filters; it makes no request.
func parseCallFilters(statuses []string, direction, participant, region string) (callFilters, error) {
	var f callFilters
	for _, s := range statuses {
		s = strings.ToLower(strings.TrimSpace(s))
		switch {
		case s == "missed":
			f.statuses = append(f.statuses, missedStatuses...)
		case slices.Contains(callStatuses, s):
			f.statuses = append(f.statuses, s)
		default:
			return f, badArg("status %q is not a call status: give one or more of %s, or \"missed\" (missed, no-answer and abandoned)", echo(s), strings.Join(callStatuses, ", "))
		}
	}
	slices.Sort(f.statuses)
	f.statuses = slices.Compact(f.statuses)
	switch d := strings.ToLower(strings.TrimSpace(direction)); d {
	case "", "incoming", "outgoing":
		f.direction = d
	default:
		return f, badArg("direction %q is neither \"incoming\" nor \"outgoing\"", echo(direction))
	}
	if participant = strings.TrimSpace(participant); participant != "" {
		e164, err := normalizePhone("participant", participant, region)
		if err != nil {
			return f, err
		}
		f.participant = e164
	}
	return f, nil
}

// parseCallScope reads the arguments that narrow a window tool's calls:
// the number, the user and the filters, in that order, each mistake its
// own sentence.
func parseCallScope(phone, user string, statuses []string, direction, participant, region string) (numberArg, string, callFilters, error) {
	n, err := parseNumberArg(phone, region)
	if err != nil {
		return n, "", callFilters{}, err
	}
	u, err := parseUserID(user)
	if err != nil {
		return n, u, callFilters{}, err
	}
	f, err := parseCallFilters(statuses, direction, participant, region)
	return n, u, f, err
}

// canonical is the filters as one string, which a cursor carries as a hash.
func (f callFilters) canonical() string {
	if len(f.statuses) == 0 && f.direction == "" && f.participant == "" {
		return ""
	}
	return "s=" + strings.Join(f.statuses, ",") + ";d=" + f.direction + ";p=" + f.participant
}

// apply narrows a query.
func (f callFilters) apply(q *history.Query) {
	q.Statuses, q.Direction, q.Participant = f.statuses, f.direction, f.participant
}

// describe is the filters in a header: ", only missed, no-answer, abandoned,
// incoming, with +12125550103".
func (f callFilters) describe() string {
	var parts []string
	if len(f.statuses) > 0 {
		parts = append(parts, strings.Join(f.statuses, "/"))
	}
	if f.direction != "" {
		parts = append(parts, f.direction)
	}
	if f.participant != "" {
		parts = append(parts, "with "+apiText(f.participant))
	}
	if len(parts) == 0 {
		return ""
	}
	return ", only " + strings.Join(parts, ", ")
}

// pageTokenError words a cursor the engine refused, for tool.
func pageTokenError(tool string, err error) error {
	var ce *history.CursorError
	if !errors.As(err, &ce) {
		return err
	}
	if !errors.Is(err, history.ErrCursorMismatch) {
		return badArg("pageToken is not valid (%s): pass the pageToken exactly as the previous %s result gave it, or leave pageToken out to start again from the newest call", ce.Why, tool)
	}
	if ce.Arg == "filters" {
		return badArg("pageToken belongs to a %s listing with another status, direction or participant: repeat the arguments of the call that gave the token, or leave pageToken out to start again from the newest call", tool)
	}
	show := func(s string) string {
		if s == "" {
			return "not given"
		}
		if ce.Arg == "createdAfter" || ce.Arg == "createdBefore" {
			return s
		}
		return strconv.Quote(s)
	}
	return badArg("pageToken belongs to a %s listing with other arguments (%s was %s, now %s): repeat the arguments of the call that gave the token, or leave pageToken out to start again from the newest call", tool, ce.Arg, show(ce.Was), show(ce.Now))
}
