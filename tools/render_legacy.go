// render_legacy.go: the output types of the tools not yet moved to the
// structured content of render_out.go; removed when the last one moves.

package tools

import (
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// --- Output types -----------------------------------------------------------

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

// VoicemailOutput is a call's voicemail; its transcript with includeSummaries.
type VoicemailOutput struct {
	Status     string `json:"status"`
	Duration   int    `json:"duration,omitempty"`
	Transcript string `json:"transcript,omitempty"`
}
