// render_out.go: the structured content of results, which clients such as
// Claude Code and VS Code hand the model instead of the text: the text's
// facts and nothing more, compactly. A call is its call line, an array of
// the line's first five fields and an object of the rest (CallOut); the
// users, OpenPhone numbers and contacts that records refer to are named
// once, in tables (Names), and what a header names alone is named where it
// stands (NumberRef, PartyRef); durations are written as the text writes
// them (4m12s); the text's notes and paging line are there as the text
// words them.
//
// The fencing rule of text.go, applied to the structure: what people wrote
// or said (names, summaries, next steps, speech, voicemails, passages) lives
// only in fields that hold nothing else (the tables' names, summary, text,
// transcript, passage...), never in the server's own fields (notes, next,
// the status codes); the server's sentences quote it as the text does (they
// are the text's own lines); and every string is cleaned as the text's are
// (cleanStructured). A JSON string cannot start a line, so a caller's words
// can pass for the server's only by landing in a server field, which the
// builders here never do.

package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/invopop/jsonschema"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// Names are the tables that name, once each, what a result's records refer
// to by id: users (US id -> name), OpenPhone numbers (PN id -> [number,
// name]) and contacts (phone number -> contact or conversation name). Only
// what the text names is there; a result whose records name fewer kinds
// embeds only those tables (UserNames, NumberNames, ContactNames).
type Names struct {
	UserNames
	NumberNames
	ContactNames
}

// UserNames is the table of users.
type UserNames struct {
	Users map[string]string `json:"users,omitempty" jsonschema_description:"id: name"`
}

// NumberNames is the table of OpenPhone numbers.
type NumberNames struct {
	Numbers map[string][]string `json:"numbers,omitempty" jsonschema_description:"PN id: [number, name]"`
}

// ContactNames is the table of contacts.
type ContactNames struct {
	Contacts map[string]string `json:"contacts,omitempty" jsonschema_description:"number: name"`
}

// NumberRef is an OpenPhone number named where it stands: [PN id, number,
// name], as writeNumber writes it (the id alone when the workspace's list
// does not hold it, no name when it has none).
type NumberRef []string

func (NumberRef) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string"}, Description: "[PN id, number, name]"}
}

// numberRef is n as writeNumber names it.
func numberRef(n client.PhoneNumber) NumberRef {
	if n.Number == "" {
		return NumberRef{n.ID}
	}
	if name := cleanText(n.Name, nameWidth); name != "" {
		return NumberRef{n.ID, n.Number, name}
	}
	return NumberRef{n.ID, n.Number}
}

// PartyRef is the other party of a conversation named where it stands:
// [phone number, contact name], as writeParticipant writes it.
type PartyRef []string

func (PartyRef) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string"}, Description: "[number, name]"}
}

// partyRef is party as writeParticipant names it.
func partyRef(w *directory, phoneNumberID, party string) PartyRef {
	if w != nil {
		if name, _ := w.conversationName(phoneNumberID, party); cleanText(name, nameWidth) != "" {
			return PartyRef{party, cleanText(name, nameWidth)}
		}
	}
	return PartyRef{party}
}

// namer fills a result's tables from the directory as its records are
// written, each name once; a table it has none of is never needed.
type namer struct {
	w        *directory
	users    *map[string]string
	numbers  *map[string][]string
	contacts *map[string]string
}

// namerOf fills all three tables of n.
func namerOf(w *directory, n *Names) namer {
	return namer{w, &n.Users, &n.Numbers, &n.Contacts}
}

// user names a user id, when the directory has a name for it.
func (nm namer) user(id string) {
	if id == "" || nm.w == nil || nm.users == nil {
		return
	}
	if name := cleanText(nm.w.userName(id), nameWidth); name != "" {
		if *nm.users == nil {
			*nm.users = map[string]string{}
		}
		(*nm.users)[id] = name
	}
}

// userRef is v, naming it when it is a user id (as optUser does).
func (nm namer) userRef(v *string) string {
	if v == nil {
		return ""
	}
	if strings.HasPrefix(*v, "US") {
		nm.user(*v)
	}
	return *v
}

// number names an OpenPhone number the way writeNumber does: not at all
// when the workspace's list does not hold it.
func (nm namer) number(n client.PhoneNumber) {
	if n.Number == "" || nm.numbers == nil {
		return
	}
	if *nm.numbers == nil {
		*nm.numbers = map[string][]string{}
	}
	(*nm.numbers)[n.ID] = numberRef(n)[1:]
}

// party names the other party of a conversation on phoneNumberID, as
// writeParticipant does. The table holds one name a party; a party that
// another number's conversation names otherwise gets that name back, for
// its record to carry (withName).
func (nm namer) party(phoneNumberID, party string) (other string) {
	if nm.w == nil || nm.contacts == nil {
		return ""
	}
	name, _ := nm.w.conversationName(phoneNumberID, party)
	if name = cleanText(name, nameWidth); name == "" {
		return ""
	}
	if *nm.contacts == nil {
		*nm.contacts = map[string]string{}
	}
	if have, ok := (*nm.contacts)[party]; ok && have != name {
		return name
	}
	(*nm.contacts)[party] = name
	return ""
}

// CallOut is one call as its line has it: in JSON an array of the line's
// first five fields, [id, createdAt (UTC), direction, status, duration],
// then, when the line has more, an object of the rest (CallMore).
type CallOut struct {
	ID        string
	CreatedAt string
	Direction string
	Status    string
	Duration  int // seconds; written as the text writes it
	CallMore
}

// CallMore is what a call line has after its first five fields, under the
// line's own names.
type CallMore struct {
	Participant      string        `json:"with,omitempty"`
	ConversationName string        `json:"withName,omitempty" jsonschema_description:"where contacts names it otherwise"`
	PhoneNumberID    string        `json:"on,omitempty"`
	By               string        `json:"by,omitempty" jsonschema_description:"user id or AI agent"`
	AnsweredBy       string        `json:"answeredBy,omitempty"`
	InitiatedBy      string        `json:"initiatedBy,omitempty"`
	ForwardedFrom    string        `json:"forwardedFrom,omitempty"`
	ForwardedTo      string        `json:"forwardedTo,omitempty"`
	CallRoute        string        `json:"callRoute,omitempty"`
	AIHandled        string        `json:"aiHandled,omitempty"`
	Also             []string      `json:"also,omitempty" jsonschema_description:"a group call's other parties"`
	Voicemail        *VoicemailOut `json:"voicemail,omitempty"`
	SummaryOut
}

// MarshalJSON writes the call as its line: an array.
func (c CallOut) MarshalJSON() ([]byte, error) { return marshalRow(c.fields(), c.CallMore) }

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *CallOut) UnmarshalJSON(raw []byte) error { return c.unmarshal(raw, &c.CallMore) }

// fields are the line's first five, as MarshalJSON writes them.
func (c CallOut) fields() []any {
	return []any{c.ID, c.CreatedAt, c.Direction, c.Status, formatDuration(c.Duration)}
}

// unmarshal reads a call written as its line, the rest into rest.
func (c *CallOut) unmarshal(raw []byte, rest any) error {
	var dur string
	if err := unmarshalRow(raw, []any{&c.ID, &c.CreatedAt, &c.Direction, &c.Status, &dur}, rest); err != nil {
		return err
	}
	d, err := time.ParseDuration(dur)
	c.Duration = int(d.Seconds())
	return err
}

// JSONSchema describes the array.
func (CallOut) JSONSchema() *jsonschema.Schema {
	return rowSchema[CallMore]("[id, createdAt (UTC), direction, status, duration, {rest}]")
}

// marshalRow writes a record as its line: the line's first fields in an
// array, then, when the line has more, the object of the rest.
func marshalRow(fields []any, rest any) ([]byte, error) {
	more, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(more, []byte("{}")) {
		fields = append(fields, json.RawMessage(more))
	}
	return json.Marshal(fields)
}

// unmarshalRow reads what marshalRow wrote into fields (pointers) and rest.
func unmarshalRow(raw []byte, fields []any, rest any) error {
	var row []json.RawMessage
	if err := json.Unmarshal(raw, &row); err != nil {
		return err
	}
	if len(row) < len(fields) || len(row) > len(fields)+1 {
		return fmt.Errorf("a record has %d or %d fields, not %d", len(fields), len(fields)+1, len(row))
	}
	for i, dst := range fields {
		if err := json.Unmarshal(row[i], dst); err != nil {
			return err
		}
	}
	if len(row) > len(fields) {
		return json.Unmarshal(row[len(fields)], rest)
	}
	return nil
}

// rowSchema describes a record written by marshalRow: its fields (strings,
// or of the other types given), then an object of Rest's.
func rowSchema[Rest any](desc string, types ...string) *jsonschema.Schema {
	r := jsonschema.Reflector{ExpandedStruct: true, DoNotReference: true, Anonymous: true, AllowAdditionalProperties: true}
	more := r.Reflect(new(Rest))
	more.Version = ""
	kinds := []*jsonschema.Schema{{Type: "string"}, more}
	for _, t := range types {
		kinds = append(kinds, &jsonschema.Schema{Type: t})
	}
	return &jsonschema.Schema{Type: "array", Description: desc, Items: &jsonschema.Schema{AnyOf: kinds}}
}

// SummaryOut is a call's AI summary under its line: the text in summary
// and nextSteps (cut as the line cuts them), or, when there is none to
// show, why in summaryStatus.
type SummaryOut struct {
	Summary       string `json:"summary,omitempty"`
	NextSteps     string `json:"nextSteps,omitempty"`
	SummaryStatus string `json:"summaryStatus,omitempty" jsonschema_description:"why none"`
	SummaryError  string `json:"summaryError,omitempty"`
}

// VoicemailOut is a call's voicemail; its transcript where the text shows it.
type VoicemailOut struct {
	Status     string `json:"status,omitempty"`
	Duration   string `json:"dur,omitempty"`
	Transcript string `json:"transcript,omitempty"`
}

// callOut is c as writeCallLineNamed writes it, naming what the line names.
func callOut(c *client.Call, w *directory, withParty bool, nm namer) CallOut {
	o := CallOut{ID: c.ID, CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339), Direction: c.Direction, Status: c.Status, Duration: c.Duration}
	if withParty {
		o.Participant = otherParty(c, w)
		o.ConversationName = nm.party(c.PhoneNumberID, o.Participant)
		o.PhoneNumberID = c.PhoneNumberID
	}
	if (c.AnsweredBy == nil) != (c.InitiatedBy == nil) {
		o.By = nm.userRef(orPtr(c.AnsweredBy, c.InitiatedBy))
	} else {
		o.AnsweredBy, o.InitiatedBy = nm.userRef(c.AnsweredBy), nm.userRef(c.InitiatedBy)
	}
	o.ForwardedFrom, o.ForwardedTo = nm.userRef(c.ForwardedFrom), nm.userRef(c.ForwardedTo)
	if r := deref(c.CallRoute); r != routeDirect {
		o.CallRoute = r
	}
	o.AIHandled = deref(c.AIHandled)
	return o
}

// listedCallOut is c as writeListedCallNamed writes it: the line and what
// the dated surface adds (the AI agent, the other parties, the voicemail
// and, with withTranscript, its transcript).
func listedCallOut(c *history.Call, w *directory, withParty bool, nm namer, withTranscript bool) CallOut {
	o := callOut(&c.Call, w, withParty, nm)
	if aiAgentActor(c.ActorID) && c.AnsweredBy == nil && c.InitiatedBy == nil {
		o.By = "AI agent"
	}
	if len(c.Parties) > 1 {
		o.Also = c.Parties[1:]
	}
	o.Voicemail = voicemailOut(c.Voicemail, withTranscript)
	return o
}

// voicemailOut is vm as the lines show it: its status and duration, and,
// with withTranscript, the transcript cut as the text cuts it.
func voicemailOut(vm *client.Voicemail, withTranscript bool) *VoicemailOut {
	if vm == nil {
		return nil
	}
	o := &VoicemailOut{Status: vm.Status}
	if vm.Duration != nil {
		o.Duration = formatDuration(int(*vm.Duration + 0.5))
	}
	if withTranscript && vm.Transcript != nil {
		o.Transcript = cleanText(*vm.Transcript, voicemailWidth)
	}
	return o
}

// summaryOut is callID's summary as callSummaries.write shows it; zero
// when it was not fetched.
func (s callSummaries) summaryOut(callID string) SummaryOut {
	f, ok := s[callID]
	switch {
	case !ok:
		return SummaryOut{}
	case f.err != nil:
		return SummaryOut{SummaryStatus: "unavailable", SummaryError: cleanText(shortError(f.err), 160)}
	case f.sum == nil:
		return SummaryOut{SummaryStatus: client.StatusAbsent}
	}
	switch st := f.sum.Status; st {
	case client.StatusCompleted:
		if len(f.sum.Summary) == 0 {
			return SummaryOut{SummaryStatus: "empty"}
		}
		o := SummaryOut{Summary: cleanText(strings.Join(f.sum.Summary, " "), summaryWidth)}
		if len(f.sum.NextSteps) > 0 {
			o.NextSteps = cleanText(strings.Join(f.sum.NextSteps, " | "), nextStepsWidth)
		}
		return o
	case "":
		return SummaryOut{SummaryStatus: client.StatusAbsent}
	default:
		return SummaryOut{SummaryStatus: cleanText(st, 40)}
	}
}

// lines splits the text a result wrote into its lines, for Notes.
func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
