// render.go: the text that several tools share (a call line, an OpenPhone
// number, a party, a user, the paging line, durations), written one way
// each. Their structured form is render_out.go's.

package tools

import (
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// --- Shared text -----------------------------------------------------------

// writeNumber names an OpenPhone number, the one way every result and
// error does: `"Sales" (+14155550100, PN123)`, the name quoted because
// it is the workspace's text, not the server's; just the id when the
// workspace's list does not hold the number.
func writeNumber(b *strings.Builder, n client.PhoneNumber) {
	if n.Number == "" {
		b.WriteString(apiText(n.ID))
		return
	}
	if name := cleanText(n.Name, nameWidth); name != "" {
		b.WriteString(strconv.Quote(name))
		b.WriteByte(' ')
	}
	b.WriteByte('(')
	b.WriteString(apiText(n.Number))
	b.WriteString(", ")
	b.WriteString(apiText(n.ID))
	b.WriteByte(')')
}

// writePaging ends every paged result the same way, and returns what the
// structured content says of the next page: the paging line without its
// token (pagingNext), and the token.
func writePaging(b *strings.Builder, tool string, token *string) (next, nextToken string) {
	if token != nil && *token != "" {
		line := "More calls: " + tool + " with the same arguments and pageToken " + strconv.Quote(*token) + "."
		b.WriteString(line)
		b.WriteByte('\n')
		return pagingNext(line, *token), *token
	}
	b.WriteString("Last page.\n")
	return "", ""
}

// pagingNext is a paging line as the structured content words it: without
// the token, which is nextPageToken beside it.
func pagingNext(line, token string) string {
	return strings.Replace(line, " "+strconv.Quote(token), "", 1)
}

// stampLayout is how every text writes an instant: the date and clock of
// the answer's zone, to the second, and the offset in effect then. The
// offset keeps the reading unambiguous across a change of daylight saving
// time (01:30 happens twice in a November night) without the model
// converting anything; it is written numerically even where it is zero
// (+00:00, never "Z"), so that a line in Europe/London in winter reads
// like one in summer and every stamp has one shape. The space for RFC
// 3339's "T" (its section 5.6 allows it) reads as a date and a time; the
// window arguments take the form back (args_window.go).
const stampLayout = "2006-01-02 15:04:05-07:00"

// stampExactLayout is stampLayout with the fraction of a second when the
// instant has one: for an instant the model is to pass back as an
// argument, where cutting the fraction would skip calls.
const stampExactLayout = "2006-01-02 15:04:05.999999999-07:00"

// stampArgLayout reads a stamp back, as a window argument: the fraction,
// when there is one, is read too, and "Z" as well as an offset.
const stampArgLayout = "2006-01-02 15:04:05Z07:00"

// stamp is t as the text writes it, in loc (nil: UTC).
func stamp(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format(stampLayout)
}

// stampExact is stamp with t's fraction of a second, for argument values.
func stampExact(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format(stampExactLayout)
}

// timesIn is the header's words for the zone its stamps are in:
// ", times in America/Los_Angeles".
func timesIn(loc *time.Location) string {
	return ", times in " + orUTC(loc).String()
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// writeCallLine renders one call on one line, its time in loc; optional
// fields only when set. With w, user ids get the user's name beside them.
// withParty adds the other party and the OpenPhone number, for results
// that span several.
func writeCallLine(b *strings.Builder, c *client.Call, w *directory, loc *time.Location, withParty bool) {
	writeCallLineNamed(b, c, w, loc, withParty, nil)
}

// writeCallLineNamed is writeCallLine for lists: with a non-nil named, a
// user's name is given beside its id the first time the id appears in the
// result only, which keeps long lists compact.
func writeCallLineNamed(b *strings.Builder, c *client.Call, w *directory, loc *time.Location, withParty bool, named map[string]bool) {
	b.WriteString(lineID(c.ID, "AC"))
	b.WriteByte(' ')
	b.WriteString(stamp(c.CreatedAt, loc))
	b.WriteByte(' ')
	b.WriteString(apiText(c.Direction))
	b.WriteByte(' ')
	b.WriteString(apiText(c.Status))
	b.WriteByte(' ')
	b.WriteString(formatDuration(c.Duration))
	if withParty {
		b.WriteString(" with=")
		writeParticipant(b, w, c.PhoneNumberID, otherParty(c, w))
		b.WriteString(" on=")
		b.WriteString(apiText(c.PhoneNumberID))
	}
	// The user who answered an incoming call or placed an outgoing one: the
	// direction already says which, so one short key does for both.
	if (c.AnsweredBy == nil) != (c.InitiatedBy == nil) {
		optUser(b, w, named, "by", orPtr(c.AnsweredBy, c.InitiatedBy))
	} else {
		optUser(b, w, named, "answeredBy", c.AnsweredBy)
		optUser(b, w, named, "initiatedBy", c.InitiatedBy)
	}
	optUser(b, w, named, "forwardedFrom", c.ForwardedFrom)
	optUser(b, w, named, "forwardedTo", c.ForwardedTo)
	if c.CallRoute != nil && *c.CallRoute != routeDirect {
		optField(b, "callRoute", c.CallRoute)
	}
	optField(b, "aiHandled", c.AIHandled)
	b.WriteByte('\n')
}

// routeDirect is the callRoute of a call that rang the number directly, the
// common case; lines name only the unusual route (a phone menu). The
// structured output keeps every value.
const routeDirect = "phone-number"

// otherParty is the participant that is not the call's OpenPhone number.
// The API lists up to two numbers in no documented order, so the workspace's
// own number is recognised by its phoneNumberId.
func otherParty(c *client.Call, w *directory) string {
	own := ""
	if w != nil {
		own = w.numberByID(c.PhoneNumberID).Number
	}
	for _, p := range c.Participants {
		if p != own {
			return p
		}
	}
	return "unknown"
}

// writeParticipant writes a number and, when known, its conversation name
// quoted (quoting keeps a hostile name from reading as the server's text).
func writeParticipant(b *strings.Builder, w *directory, phoneNumberID, number string) {
	b.WriteString(apiText(number))
	if w == nil {
		return
	}
	if name, ok := w.conversationName(phoneNumberID, number); ok && cleanText(name, nameWidth) != "" {
		b.WriteByte(' ')
		b.WriteString(quoted(name, nameWidth))
	}
}

// optUser writes name=value, and the user's name when value is a US id
// (unless named says the name was given already).
func optUser(b *strings.Builder, w *directory, named map[string]bool, name string, v *string) {
	optField(b, name, v)
	if v == nil || w == nil || !strings.HasPrefix(*v, "US") || named[*v] {
		return
	}
	if named != nil {
		named[*v] = true
	}
	writeName(b, w.userName(*v))
}

// writeName follows an id with its name, quoted, when it has one: a user
// is written `USjordan01 "Jordan Lee"` everywhere.
func writeName(b *strings.Builder, name string) {
	if name = cleanText(name, nameWidth); name != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(name))
	}
}

// writeUser writes a user: the id, then the name quoted when it has one.
func writeUser(b *strings.Builder, id, name string) {
	b.WriteString(apiText(id))
	writeName(b, name)
}

// nameWidth bounds a name (of a number, user or conversation), in runes.
const nameWidth = 60

func optField(b *strings.Builder, name string, v *string) {
	if v == nil || *v == "" {
		return
	}
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(apiText(*v))
}

// formatDuration renders seconds as 0s, 45s, 4m12s, 1h02m03s.
func formatDuration(secs int) string {
	if secs < 60 {
		return strconv.Itoa(secs) + "s"
	}
	if secs < 3600 {
		return strconv.Itoa(secs/60) + "m" + pad2(secs%60) + "s"
	}
	return strconv.Itoa(secs/3600) + "h" + pad2(secs%3600/60) + "m" + pad2(secs%60) + "s"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func orPtr(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
