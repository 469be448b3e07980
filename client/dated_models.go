// The dated API's objects (version 2026-03-30). Unknown keys are ignored:
// the API adds optional fields without a new version. Nullable fields are
// pointers and marshal back to the same shape, so a fake API can reuse
// the types.

package client

import "time"

// DatedCall is the call object of GET /calls and GET /calls/{callId}.
type DatedCall struct {
	ID            string  `json:"id"`            // "AC…"
	PhoneNumberID *string `json:"phoneNumberId"` // "PN…"; nullable
	// ActorID is who handled the call: a user ("US…") or a system actor
	// such as the AI agent ("SYU…"). It replaces v1's userId.
	ActorID   string `json:"actorId"`
	Direction string `json:"direction"` // incoming | outgoing
	Status    string `json:"status"`    // the 13 statuses of v1
	Duration  int    `json:"duration"`  // seconds
	// Participants lists every party, the Quo number included: more than
	// two on a group call, and a number can repeat with another actor.
	Participants  []CallParticipant `json:"participants"`
	CreatedAt     time.Time         `json:"createdAt"`
	AnsweredAt    *time.Time        `json:"answeredAt"`
	AnsweredBy    *string           `json:"answeredBy"`
	InitiatedBy   *string           `json:"initiatedBy"`
	CompletedAt   *time.Time        `json:"completedAt"`
	UpdatedAt     *time.Time        `json:"updatedAt"`
	CallRoute     *string           `json:"callRoute"`     // "phone-number" | "phone-menu"
	ForwardedFrom *string           `json:"forwardedFrom"` // E.164 number or US user id
	ForwardedTo   *string           `json:"forwardedTo"`   // E.164 number or US user id
	AIHandled     *string           `json:"aiHandled"`     // "ai-agent"
	// Summary is the AI summary, sent only with include=summary.
	Summary *DatedCallSummary `json:"summary,omitempty"`
	// Voicemail is sent only with include=voicemail, and only when one was
	// left.
	Voicemail *Voicemail `json:"voicemail,omitempty"`
}

// DatedCallPage is one page of GET /calls.
type DatedCallPage = CursorPage[DatedCall]

// CallParticipant is one party of a dated call.
type CallParticipant struct {
	// PhoneNumber is E.164, or "anonymous", "blocked", "restricted" or a
	// short code.
	PhoneNumber string `json:"phoneNumber"`
	// ActorID is the workspace user or system actor on this side; null for
	// an outside number.
	ActorID *string `json:"actorId"`
}

// AI summary types of a dated call.
const (
	SummaryTypeHuman = "human" // a call a person took: Summary and NextSteps
	SummaryTypeAgent = "agent" // a call the AI agent took: Title, Summary and Jobs
)

// DatedCallSummary is the AI summary inline in a dated call. Check Status
// before reading it: in-progress means not yet, absent and failed mean
// never.
type DatedCallSummary struct {
	Status    string   `json:"status"` // absent | in-progress | completed | failed
	Type      *string  `json:"type"`   // SummaryTypeHuman | SummaryTypeAgent | null
	Summary   []string `json:"summary"`
	NextSteps []string `json:"nextSteps"` // human calls
	Jobs      []AIJob  `json:"jobs"`      // agent calls
	Title     *string  `json:"title"`     // agent calls
}

// Voicemail statuses.
const (
	VoicemailCompleted  = "completed"
	VoicemailInProgress = "in-progress"
)

// Voicemail is a call's voicemail: inline in a dated call, or
// GET /v1/call-voicemails/{callId}. Its fields are null while it is
// processed.
type Voicemail struct {
	ID     string `json:"id"`     // "VM…"
	Status string `json:"status"` // VoicemailCompleted | VoicemailInProgress
	// Duration is in seconds; a float so that a fractional value cannot
	// fail the decoding of a whole page of calls.
	Duration     *float64 `json:"duration"`
	RecordingURL *string  `json:"recordingUrl"`
	Transcript   *string  `json:"transcript"`
}

// DatedCallRecordingPage is one page of GET /calls/{callId}/recordings,
// oldest first. Its items have the v1 recording's shape; a URL is signed
// and expires.
type DatedCallRecordingPage = CursorPage[CallRecording]

// DatedTranscript is the transcript of one recorded segment of a call
// (GET /calls/{callId}/transcripts has one per segment, oldest first).
type DatedTranscript struct {
	RecordingID string              `json:"recordingId"` // "CR…"
	Status      string              `json:"status"`      // absent | in-progress | completed | failed
	StartTime   *time.Time          `json:"startTime"`   // when the segment started
	CreatedAt   *time.Time          `json:"createdAt"`
	Duration    float64             `json:"duration"` // seconds
	Dialogue    []DatedDialogueLine `json:"dialogue"`
}

// DatedTranscriptPage is one page of GET /calls/{callId}/transcripts.
type DatedTranscriptPage = CursorPage[DatedTranscript]

// DatedDialogueLine is one utterance of a dated transcript. Start and End
// count seconds from the start of its segment (v1 counts from the call's
// start). Identifier is the speaker's phone number; ActorID is set when
// the speaker is a workspace user or system actor.
type DatedDialogueLine struct {
	Content    string  `json:"content"`
	Start      float64 `json:"start"`
	End        float64 `json:"end"`
	Identifier *string `json:"identifier"`
	ActorID    *string `json:"actorId"`
}

// User is a workspace user, of GET /v1/users and GET /users.
type User struct {
	ID         string     `json:"id"` // "US…"
	Email      string     `json:"email"`
	FirstName  *string    `json:"firstName"`
	LastName   *string    `json:"lastName"`
	PictureURL *string    `json:"pictureUrl"`
	Role       string     `json:"role"` // e.g. "owner", "admin", "member"
	GroupID    string     `json:"groupId,omitempty"`
	CreatedAt  *time.Time `json:"createdAt"`
	UpdatedAt  *time.Time `json:"updatedAt"`
}

// UserPage is one page of GET /v1/users; DatedUserPage of GET /users.
type (
	UserPage      = Page[User]
	DatedUserPage = CursorPage[User]
)
