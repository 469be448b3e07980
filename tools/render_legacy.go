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
