// missed_calls_render.go: missed_calls' answer: the header that says
// which misses of which window, a line a caller (their voicemail under it),
// what was read and the paging line; and the same facts as structured
// content, the names once in the tables beside.

package tools

import (
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

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
	b.WriteString(", from " + stamp(q.after, q.loc) + " to ")
	if q.beforeDefault {
		b.WriteString("now (" + stamp(q.before, q.loc) + ")")
	} else {
		b.WriteString(stamp(q.before, q.loc))
	}
	// "now" is the header's own when the window runs to it; a stamp here
	// would be a fact the structure does not carry.
	b.WriteString(timesIn(q.loc) + "; calls back counted up to now, newest miss first")
}

// MissedCallsOutput is the structured content of missed_calls: the
// header's window, zone, scope and counts, a caller as their line has it,
// the notes (the Read line) and the way to the next page.
type MissedCallsOutput struct {
	CreatedAfter  string `json:"from" jsonschema_description:"UTC"`
	CreatedBefore string `json:"to"`
	Timezone      string `json:"tz"`
	PhoneNumberID string `json:"on,omitempty"`
	UserID        string `json:"user,omitempty"`
	// Missed is every caller missed in the window; Unreturned those nobody
	// got back to.
	Missed         int  `json:"missed" jsonschema_description:"callers"`
	Unreturned     int  `json:"unreturned"`
	OnlyUnreturned bool `json:"onlyUnreturned,omitempty"`
	Names
	Callers       []MissedCaller `json:"callers,omitempty"`
	Notes         []string       `json:"notes,omitempty"`
	Next          string         `json:"next,omitempty"`
	NextPageToken string         `json:"nextPageToken,omitempty"`
}

// MissedCaller is one caller of the worklist as their line has it: in
// JSON [number, missed calls, last miss (UTC), its call id, the OpenPhone
// number it called], then, when the line has more, an object of the rest
// (MissedMore).
type MissedCaller struct {
	Number        string // E.164, or anonymous, blocked, restricted
	Attempts      int
	LastMissedAt  string
	LastCallID    string
	PhoneNumberID string
	MissedMore
}

// MissedMore is what a caller's line (and the voicemail line under it) has
// after its first five fields.
type MissedMore struct {
	// Voicemail is the transcript of the newest voicemail the caller left
	// in the window; VoicemailStatus says why there is none to show.
	Voicemail       string        `json:"voicemail,omitempty"`
	VoicemailStatus string        `json:"voicemailStatus,omitempty" jsonschema_description:"no transcript: in-progress or none"`
	Voicemails      int           `json:"voicemails,omitempty" jsonschema_description:"when more than one"`
	Returned        *MissedReturn `json:"returned,omitempty" jsonschema_description:"absent: not returned"`
	CannotCall      bool          `json:"noCallerId,omitempty"`
}

// MarshalJSON writes the caller as their line: an array.
func (c MissedCaller) MarshalJSON() ([]byte, error) {
	return marshalRow([]any{c.Number, c.Attempts, c.LastMissedAt, c.LastCallID, c.PhoneNumberID}, c.MissedMore)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *MissedCaller) UnmarshalJSON(raw []byte) error {
	return unmarshalRow(raw, []any{&c.Number, &c.Attempts, &c.LastMissedAt, &c.LastCallID, &c.PhoneNumberID}, &c.MissedMore)
}

// JSONSchema describes the array.
func (MissedCaller) JSONSchema() *jsonschema.Schema {
	return rowSchema[MissedMore]("[number, missed calls, last miss (UTC), its call id, on, {rest}]", "integer")
}

// MissedReturn is the first call that got back to a caller after the last
// miss.
type MissedReturn struct {
	At  string `json:"at"`
	By  string `json:"by,omitempty" jsonschema_description:"user id or AI agent"`
	How string `json:"how"`
}

func renderMissed(w *directory, q *missedQuery, numbers []client.PhoneNumber, page []*caller, n missedCounts, span history.Span, next *history.Cursor, now time.Time) (MissedCallsOutput, string) {
	var b strings.Builder
	out := MissedCallsOutput{
		CreatedAfter: q.after.UTC().Format(time.RFC3339Nano), CreatedBefore: q.before.UTC().Format(time.RFC3339Nano),
		Timezone: q.loc.String(), UserID: q.user, Missed: n.missed, Unreturned: n.unreturned, OnlyUnreturned: q.onlyUnreturned,
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
	writeMissedHeader(&b, w, q, numbers, now)
	b.WriteString(fromLedger(span.Coverage) + ": " + strconv.Itoa(n.missed) + " callers missed, " + strconv.Itoa(n.unreturned) + " not returned")
	if q.onlyUnreturned {
		b.WriteString("; listing those not returned")
	}
	b.WriteString(".\n")
	for _, k := range page {
		out.Callers = append(out.Callers, writeCaller(&b, w, q, k, now, nm))
	}
	var notes strings.Builder
	if len(page) == 0 {
		if q.cursor != nil {
			notes.WriteString("No more callers.\n")
		} else if q.onlyUnreturned && n.missed > 0 {
			notes.WriteString("Everyone missed in this window was returned.\n")
		} else {
			notes.WriteString("No missed calls in this window.\n")
		}
	}
	var token *string
	if next != nil {
		if s, err := next.Encode(); err == nil {
			token = &s
		}
	}
	notes.WriteString("Read: ")
	if span.Complete || len(numbers) == 0 {
		notes.WriteString("every call from the window's start to now, " + strconv.Itoa(span.Calls))
	} else {
		notes.WriteString(strconv.Itoa(span.Calls) + " calls, those from " + stamp(span.From, q.loc) +
			" on; the walk budget (--max-walk-requests) stopped it, so misses before then are NOT listed; narrow the window to see them")
	}
	if span.Coverage.Source != "" {
		notes.WriteString(" (" + span.Coverage.Source)
		if span.Coverage.FellBack != "" {
			notes.WriteString("; " + span.Coverage.FellBack)
		}
		notes.WriteString(", " + plural(span.Coverage.Requests+n.asked, "API request") + ")")
	}
	notes.WriteString(".\n")
	b.WriteString(notes.String())
	out.Notes = lines(notes.String())
	if token != nil {
		line := "More callers: missed_calls with the same arguments and pageToken " + strconv.Quote(*token) + "."
		out.Next, out.NextPageToken = pagingNext(line, *token), *token
		b.WriteString(line + "\n")
	} else {
		b.WriteString("Last page.\n")
	}
	return out, b.String()
}

// writeCaller writes one caller's line, and their voicemail under it.
func writeCaller(b *strings.Builder, w *directory, q *missedQuery, k *caller, now time.Time, nm namer) MissedCaller {
	last := k.last()
	mc := MissedCaller{Number: k.number, Attempts: len(k.misses), LastMissedAt: last.CreatedAt.UTC().Format(time.RFC3339),
		LastCallID: last.ID, PhoneNumberID: last.PhoneNumberID}
	mc.CannotCall = !k.reachable()
	b.WriteString(apiText(k.number))
	if name, _ := w.conversationName(last.PhoneNumberID, k.number); cleanText(name, nameWidth) != "" {
		b.WriteString(" " + quoted(name, nameWidth))
		nm.party(last.PhoneNumberID, k.number)
	}
	b.WriteString(": " + plural(len(k.misses), "missed call") + ", last " + stamp(last.CreatedAt, q.loc) + " " + lineID(last.ID, "AC"))
	if n := w.numberByID(last.PhoneNumberID); n.Name != "" {
		b.WriteString(" on " + quoted(n.Name, nameWidth))
		nm.number(n)
	}
	var vm *client.Voicemail
	voicemails := 0
	for _, m := range k.misses {
		if m.Voicemail != nil {
			voicemails++
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
		mc.Returned = &MissedReturn{At: r.CreatedAt.UTC().Format(time.RFC3339), How: how}
		b.WriteString("; returned " + stamp(r.CreatedAt, q.loc))
		if by != ownerNone {
			mc.Returned.By = by
			b.WriteString(" by ")
			if w.userName(by) != "" {
				nm.user(by)
			}
			writeUser(b, by, w.userName(by)) // the id, the name quoted: the API's text, fenced

		}
		b.WriteString(", " + how)
	case !k.reachable():
		b.WriteString("; no caller ID, cannot be called back")
	default:
		b.WriteString("; not returned")
	}
	b.WriteByte('\n')
	if vm != nil {
		if t := deref(vm.Transcript); t != "" {
			mc.Voicemail = cleanText(t, voicemailWidth)
		} else {
			mc.VoicemailStatus = orStr(vm.Status, "none")
		}
		b.WriteString("  voicemail")
		if voicemails > 1 {
			mc.Voicemails = voicemails
			b.WriteString(" (newest of " + strconv.Itoa(voicemails) + ")")
		}
		b.WriteString(": " + voicemailTranscript(vm) + "\n")
	}
	return mc
}
