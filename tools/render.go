// render.go: the text that several tools share (a call line, an OpenPhone
// number, a party, a user, the paging line, durations), written one way
// each; and the output types of the tools, named after their tools.

package tools

import (
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// --- Output types -----------------------------------------------------------

// ListCallsOutput is the structured content of list_calls, the one output
// whose schema is published (see outputSchemaPublisher).
type ListCallsOutput struct {
	PhoneNumberID   string    `json:"phoneNumberId"`
	PhoneNumber     string    `json:"phoneNumber,omitempty" jsonschema_description:"The OpenPhone number in E.164 form."`
	PhoneNumberName string    `json:"phoneNumberName,omitempty"`
	Participant     string    `json:"participant"`
	ParticipantName string    `json:"participantName,omitempty" jsonschema_description:"The name of the conversation with the participant, when it has one."`
	Calls           []CallRow `json:"calls"`
	NextPageToken   string    `json:"nextPageToken,omitempty" jsonschema_description:"Pass as pageToken to get the next page; absent on the last page."`
}

func (ListCallsOutput) publishOutputSchema() {}

// CallRow is one call in structured output: the fields of the API's call
// object that carry information, nulls left out. (Summary is the call's AI
// summary; a row is not a summary.)
type CallRow struct {
	ID            string         `json:"id"`
	CreatedAt     string         `json:"createdAt"`
	Direction     string         `json:"direction"`
	Status        string         `json:"status"`
	Duration      int            `json:"duration" jsonschema_description:"Seconds."`
	UserID        string         `json:"userId,omitempty"`
	AnsweredBy    string         `json:"answeredBy,omitempty"`
	InitiatedBy   string         `json:"initiatedBy,omitempty"`
	ForwardedFrom string         `json:"forwardedFrom,omitempty"`
	ForwardedTo   string         `json:"forwardedTo,omitempty"`
	CallRoute     string         `json:"callRoute,omitempty"`
	AIHandled     string         `json:"aiHandled,omitempty"`
	Summary       *SummaryOutput `json:"summary,omitempty" jsonschema_description:"The AI summary, with includeSummaries, for completed calls and voicemails."`
}

// SummaryOutput is a call's AI summary in structured output.
type SummaryOutput struct {
	Status    string   `json:"status" jsonschema_description:"absent, in-progress, completed or failed; unavailable when it could not be fetched."`
	Summary   []string `json:"summary,omitempty"`
	NextSteps []string `json:"nextSteps,omitempty"`
}

// GetCallOutput is the structured content of get_call.
type GetCallOutput struct {
	Call            CallRow  `json:"call"`
	PhoneNumberID   string   `json:"phoneNumberId"`
	PhoneNumber     string   `json:"phoneNumber,omitempty" jsonschema_description:"The OpenPhone number in E.164 form."`
	PhoneNumberName string   `json:"phoneNumberName,omitempty"`
	Participants    []string `json:"participants"`
	Participant     string   `json:"participant,omitempty" jsonschema_description:"The other party: the participant that is not the OpenPhone number."`
	ParticipantName string   `json:"participantName,omitempty" jsonschema_description:"The name of the conversation with the other party, when it has one."`
	UserName        string   `json:"userName,omitempty"`
	AnsweredAt      string   `json:"answeredAt,omitempty"`
	CompletedAt     string   `json:"completedAt,omitempty"`
}

// GetCallSummaryOutput is the structured content of get_call_summary.
type GetCallSummaryOutput struct {
	CallID    string        `json:"callId"`
	Status    string        `json:"status" jsonschema_description:"absent, in-progress, completed or failed."`
	Reason    string        `json:"reason,omitempty" jsonschema_description:"Why there is no summary: missed, no-answer, in-progress, not-recorded, ..."`
	Call      *CallFacts    `json:"call,omitempty" jsonschema_description:"The call, when it says why there is no summary."`
	Summary   []string      `json:"summary,omitempty"`
	NextSteps []string      `json:"nextSteps,omitempty"`
	Jobs      []AIJobOutput `json:"jobs,omitempty" jsonschema_description:"Results of the workspace's AI jobs on the call."`
}

// AIJobOutput is one AI job's results.
type AIJobOutput struct {
	Name    string          `json:"name"`
	Results []AIFieldOutput `json:"results"`
}

// AIFieldOutput is one named result of an AI job.
type AIFieldOutput struct {
	Name  string `json:"name"`
	Value any    `json:"value" jsonschema_description:"A string, number or boolean."`
}

// GetCallTranscriptOutput is the structured content of get_call_transcript.
type GetCallTranscriptOutput struct {
	CallID   string            `json:"callId"`
	Status   string            `json:"status" jsonschema_description:"absent, in-progress, completed or failed."`
	Reason   string            `json:"reason,omitempty" jsonschema_description:"Why there is no transcript: missed, no-answer, in-progress, not-recorded, ..."`
	Call     *CallFacts        `json:"call,omitempty" jsonschema_description:"The call, when it says why there is no transcript."`
	Duration float64           `json:"duration,omitempty" jsonschema_description:"Seconds of transcribed call."`
	Dialogue []UtteranceOutput `json:"dialogue,omitempty"`
}

// UtteranceOutput is one line of a transcript.
type UtteranceOutput struct {
	Start      float64 `json:"start" jsonschema_description:"Seconds from the start of the call."`
	End        float64 `json:"end"`
	Speaker    string  `json:"speaker" jsonschema_description:"The user's name, the conversation name or the phone number of who spoke."`
	Identifier string  `json:"identifier,omitempty" jsonschema_description:"The speaker's phone number."`
	UserID     string  `json:"userId,omitempty"`
	Content    string  `json:"content"`
}

// GetCallRecordingsOutput is the structured content of get_call_recordings.
type GetCallRecordingsOutput struct {
	CallID     string            `json:"callId"`
	Recordings []RecordingOutput `json:"recordings"`
	Reason     string            `json:"reason,omitempty" jsonschema_description:"Why there are none: missed, no-answer, not-recorded, ..."`
	Call       *CallFacts        `json:"call,omitempty" jsonschema_description:"The call, when it says why there are none."`
}

// RecordingOutput is one recording, nulls left out.
type RecordingOutput struct {
	ID        string `json:"id"`
	StartTime string `json:"startTime,omitempty"`
	Duration  *int   `json:"duration,omitempty" jsonschema_description:"Seconds."`
	Status    string `json:"status,omitempty"`
	Type      string `json:"type,omitempty" jsonschema_description:"The file's media type, such as audio/mpeg."`
	URL       string `json:"url,omitempty"`
}

// ListPhoneNumbersOutput is the structured content of list_phone_numbers.
type ListPhoneNumbersOutput struct {
	UserID       string              `json:"userId,omitempty"`
	PhoneNumbers []PhoneNumberOutput `json:"phoneNumbers"`
}

// PhoneNumberOutput is one OpenPhone number in structured output.
type PhoneNumberOutput struct {
	ID     string       `json:"id" jsonschema_description:"The phoneNumberId for other tools, such as PN123abc."`
	Number string       `json:"number" jsonschema_description:"E.164."`
	Name   string       `json:"name,omitempty"`
	Users  []UserOutput `json:"users"`
}

// UserOutput is a workspace user in structured output.
type UserOutput struct {
	ID   string `json:"id"`
	Name string `json:"name" jsonschema_description:"First and last name, or the email address when the user has no name."`
	Role string `json:"role,omitempty"`
}

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

// writePaging ends every paged result the same way.
func writePaging(b *strings.Builder, tool string, token *string) {
	if token != nil && *token != "" {
		b.WriteString("More calls: ")
		b.WriteString(tool)
		b.WriteString(" with the same arguments and pageToken ")
		b.WriteString(strconv.Quote(*token))
		b.WriteString(".\n")
		return
	}
	b.WriteString("Last page.\n")
}

// writeCallLine renders one call on one line; optional fields only when
// set. With w, user ids get the user's name beside them. withParty adds the
// other party and the OpenPhone number, for results that span several.
func writeCallLine(b *strings.Builder, c *client.Call, w *directory, withParty bool) {
	writeCallLineNamed(b, c, w, withParty, nil)
}

// writeCallLineNamed is writeCallLine for lists: with a non-nil named, a
// user's name is given beside its id the first time the id appears in the
// result only, which keeps long lists compact.
func writeCallLineNamed(b *strings.Builder, c *client.Call, w *directory, withParty bool, named map[string]bool) {
	b.WriteString(lineID(c.ID, "AC"))
	b.WriteByte(' ')
	b.WriteString(c.CreatedAt.UTC().Format(time.RFC3339))
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

func callRow(c *client.Call) CallRow {
	return CallRow{
		ID:            c.ID,
		CreatedAt:     c.CreatedAt.UTC().Format(time.RFC3339),
		Direction:     c.Direction,
		Status:        c.Status,
		Duration:      c.Duration,
		UserID:        c.UserID,
		AnsweredBy:    deref(c.AnsweredBy),
		InitiatedBy:   deref(c.InitiatedBy),
		ForwardedFrom: deref(c.ForwardedFrom),
		ForwardedTo:   deref(c.ForwardedTo),
		CallRoute:     deref(c.CallRoute),
		AIHandled:     deref(c.AIHandled),
	}
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

// RecentCallsOutput is the structured content of recent_calls.
type RecentCallsOutput struct {
	CreatedAfter       string                    `json:"createdAfter" jsonschema_description:"Start of the window (UTC); fixed by the first page."`
	CreatedBefore      string                    `json:"createdBefore,omitempty" jsonschema_description:"End of the window (UTC); absent when the window runs up to now."`
	PhoneNumberIDs     []string                  `json:"phoneNumberIds" jsonschema_description:"The OpenPhone numbers whose calls were listed."`
	UserID             string                    `json:"userId,omitempty"`
	Status             []string                  `json:"status,omitempty" jsonschema_description:"The statuses listed (missed stands for missed, no-answer, abandoned)."`
	Direction          string                    `json:"direction,omitempty"`
	Participant        string                    `json:"participant,omitempty"`
	Calls              []RecentCall              `json:"calls" jsonschema_description:"Newest first; ties on createdAt by id, descending."`
	GroupConversations []GroupConversationOutput `json:"groupConversations,omitempty" jsonschema_description:"Group conversations active in the window, whose calls the OpenPhone API cannot list."`
	NextPageToken      string                    `json:"nextPageToken,omitempty" jsonschema_description:"Pass as pageToken to get the next page; absent on the last page."`
	Source             string                    `json:"source" jsonschema_description:"The API surface that answered, and what it cannot list."`
	Requests           int                       `json:"requests"`
}

// RecentCall is one call of recent_calls: the call and the conversation it
// belongs to.
type RecentCall struct {
	CallRow
	PhoneNumberID    string         `json:"phoneNumberId"`
	Participant      string         `json:"participant" jsonschema_description:"The other party, E.164."`
	ConversationName string         `json:"conversationName,omitempty"`
	Summary          *SummaryOutput `json:"summary,omitempty" jsonschema_description:"The call's AI summary, with includeSummaries, for completed calls and voicemails."`
	// Also and Voicemail come from the dated surface.
	Also      []string         `json:"also,omitempty" jsonschema_description:"The other parties of a group call."`
	Voicemail *VoicemailOutput `json:"voicemail,omitempty"`
}

// VoicemailOutput is a call's voicemail; its transcript with includeSummaries.
type VoicemailOutput struct {
	Status     string `json:"status"`
	Duration   int    `json:"duration,omitempty"`
	Transcript string `json:"transcript,omitempty"`
}

// GroupConversationOutput is a group conversation recent_calls could not
// list the calls of.
type GroupConversationOutput struct {
	ID             string   `json:"id"`
	PhoneNumberID  string   `json:"phoneNumberId"`
	Participants   []string `json:"participants"`
	Name           string   `json:"name,omitempty"`
	LastActivityAt string   `json:"lastActivityAt"`
}
