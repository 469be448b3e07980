// The API's objects as the client decodes them, shared by every resource
// file; field comments give the API's value sets.

package client

import (
	"encoding/json"
	"time"
)

// Call is the call object of GET /v1/calls and GET /v1/calls/{callId}.
// The API always sends every field; nullable ones are pointers so that
// "null" stays distinguishable from an empty value, and they marshal back
// to the same shape (no omitempty), which lets a fake API reuse the type.
type Call struct {
	ID            string     `json:"id"`
	PhoneNumberID string     `json:"phoneNumberId"`
	UserID        string     `json:"userId"`
	Direction     string     `json:"direction"` // incoming | outgoing
	Status        string     `json:"status"`
	Duration      int        `json:"duration"` // seconds
	Participants  []string   `json:"participants"`
	CreatedAt     time.Time  `json:"createdAt"`
	AnsweredAt    *time.Time `json:"answeredAt"`
	AnsweredBy    *string    `json:"answeredBy"`
	InitiatedBy   *string    `json:"initiatedBy"`
	CompletedAt   *time.Time `json:"completedAt"`
	UpdatedAt     *time.Time `json:"updatedAt"`
	ForwardedFrom *string    `json:"forwardedFrom"` // E.164 number or US user id
	ForwardedTo   *string    `json:"forwardedTo"`   // E.164 number or US user id
	CallRoute     *string    `json:"callRoute"`     // "phone-number" | "phone-menu"
	AIHandled     *string    `json:"aiHandled"`     // "ai-agent"
}

// CallPage is one page of GET /v1/calls.
type CallPage = Page[Call]

// AI content statuses shared by summaries and transcripts.
const (
	StatusAbsent     = "absent"
	StatusInProgress = "in-progress"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
)

// CallSummary is GET /v1/call-summaries/{callId}.
type CallSummary struct {
	CallID    string   `json:"callId"`
	Status    string   `json:"status"` // absent | in-progress | completed | failed
	Summary   []string `json:"summary"`
	NextSteps []string `json:"nextSteps"`
	Jobs      []AIJob  `json:"jobs,omitempty"`
}

// AIJob is one AI job result attached to a call summary.
type AIJob struct {
	Icon   string `json:"icon"`
	Name   string `json:"name"`
	Result struct {
		Data []struct {
			Name  string          `json:"name"`
			Value json.RawMessage `json:"value"` // string, number or boolean
		} `json:"data"`
	} `json:"result"`
}

// CallTranscript is GET /v1/call-transcripts/{id}.
type CallTranscript struct {
	CallID    string         `json:"callId"`
	CreatedAt time.Time      `json:"createdAt"`
	Duration  float64        `json:"duration"`
	Status    string         `json:"status"` // absent | in-progress | completed | failed
	Dialogue  []DialogueLine `json:"dialogue"`
}

// DialogueLine is one utterance of a transcript. Identifier is the speaker's
// phone number; UserID is set when the speaker is a workspace user.
type DialogueLine struct {
	Content    string  `json:"content"`
	Start      float64 `json:"start"` // seconds from the start of the call
	End        float64 `json:"end"`
	Identifier *string `json:"identifier"`
	UserID     *string `json:"userId"`
}

// CallRecording is one item of GET /v1/call-recordings/{callId}.
type CallRecording struct {
	ID        string     `json:"id"`
	Duration  *int       `json:"duration"`
	StartTime *time.Time `json:"startTime"`
	Status    *string    `json:"status"`
	Type      *string    `json:"type"`
	URL       *string    `json:"url"`
}

// PhoneNumber is one item of GET /v1/phone-numbers.
type PhoneNumber struct {
	ID              string            `json:"id"`
	GroupID         string            `json:"groupId"`
	CreatedAt       string            `json:"createdAt"`
	UpdatedAt       string            `json:"updatedAt"`
	Name            string            `json:"name"`
	Number          string            `json:"number"`
	FormattedNumber *string           `json:"formattedNumber"`
	Forward         *string           `json:"forward"`
	PortRequestID   *string           `json:"portRequestId"`
	PortingStatus   *string           `json:"portingStatus"`
	Symbol          *string           `json:"symbol"`
	Users           []PhoneNumberUser `json:"users"`
	Restrictions    json.RawMessage   `json:"restrictions,omitempty"`
}

// PhoneNumberUser is a workspace user who has access to a phone number.
type PhoneNumberUser struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
	GroupID   string  `json:"groupId"`
	Role      string  `json:"role"`
}

// Conversation is one item of GET /v1/conversations.
type Conversation struct {
	ID             string     `json:"id"`
	PhoneNumberID  string     `json:"phoneNumberId"`
	Participants   []string   `json:"participants"`
	Name           *string    `json:"name"`
	AssignedTo     *string    `json:"assignedTo"`
	CreatedAt      *time.Time `json:"createdAt"`
	UpdatedAt      *time.Time `json:"updatedAt"`
	DeletedAt      *time.Time `json:"deletedAt"`
	LastActivityAt *time.Time `json:"lastActivityAt"`
	LastActivityID *string    `json:"lastActivityId"`
	MutedUntil     *time.Time `json:"mutedUntil"`
	SnoozedUntil   *time.Time `json:"snoozedUntil"`
}

// ConversationPage is one page of GET /v1/conversations.
type ConversationPage = Page[Conversation]
