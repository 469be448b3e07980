// absence.go: why a call has no transcript, summary or recordings. When
// the content's request says there is none, the call itself says why
// (missed, not answered, still going on, not recorded), in one line of a
// normal result; only a call that does not exist is an error.

package tools

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// The reasons a call has no content, as the structured content names
// them. The first group comes from the call's own status: there was no
// conversation to transcribe, summarise or record.
const (
	reasonMissed         = "missed"
	reasonVoicemail      = "voicemail"
	reasonNoAnswer       = "no-answer"
	reasonAbandoned      = "abandoned"
	reasonBusy           = "busy"
	reasonCallFailed     = "call-failed" // the call failed, not its transcription
	reasonCanceled       = "canceled"
	reasonForwarded      = "forwarded"
	reasonCallInProgress = "call-in-progress"
	reasonInProgress     = "in-progress"  // the content is still being made
	reasonNotRecorded    = "not-recorded" // a conversation, but no content was made
	reasonFailed         = "failed"       // OpenPhone failed to make the content
)

// CallFacts is what a result says of a call that has no content: enough
// to see why without a get_call.
type CallFacts struct {
	Direction string `json:"direction"`
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
}

// absence is why a call has no content of one kind.
type absence struct {
	reason string     // one of the reason codes
	call   *CallFacts // nil when the call could not be fetched
	text   string     // one line, ending in a newline
}

// note is the line as the structured content says it.
func (a absence) note() string { return strings.TrimSuffix(a.text, "\n") }

// isNotFound reports whether err is the API's 404.
func isNotFound(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// callForAbsence decides what the call request, made because the content
// request found none, leaves to say. The call fetched: say why from it.
// The call not found: the id is wrong, an error. Else, when the content
// request was a 404 too, nothing can be said but today's not-found error;
// when it was an answer (absent, failed, empty), it is rendered without
// the call (nil, nil).
func callForAbsence(what, id string, contentErr error, call *client.Call, callErr error) (*client.Call, error) {
	switch {
	case callErr == nil:
		return call, nil
	case isNotFound(callErr):
		return nil, callNotFound("", id, callErr)
	case contentErr != nil:
		return nil, callNotFound(what, id, contentErr)
	}
	return nil, nil
}

// liveCall reports whether a call is still going on.
func liveCall(status string) bool {
	switch status {
	case "queued", "initiated", "ringing", "in-progress":
		return true
	}
	return false
}

// callReason is why, from its own status, a call has no content of any
// kind; "" when it had a conversation (completed, answered) or a status
// this server does not know.
func callReason(c *client.Call) string {
	switch c.Status {
	case "missed":
		// A missed call with a duration went to voicemail: the caller
		// spoke to the greeting, not to anyone.
		if c.Duration > 0 {
			return reasonVoicemail
		}
		return reasonMissed
	case "no-answer", "abandoned", "busy", "canceled", "forwarded":
		return c.Status
	case "failed":
		return reasonCallFailed
	}
	if liveCall(c.Status) {
		return reasonCallInProgress
	}
	return ""
}

// explainAbsence says, in one line, why call has no content of kind what
// ("transcript", "summary" or "recordings"), whose request answered
// contentStatus (client.StatusAbsent for a 404 or an empty answer), its
// time in loc. call must not be nil.
func explainAbsence(what, contentStatus string, call *client.Call, loc *time.Location) absence {
	reason := callReason(call)
	switch {
	case reason == reasonCallInProgress:
	case contentStatus == client.StatusInProgress:
		reason = reasonInProgress // the content is on its way, whatever the call
	case reason != "":
	case contentStatus == client.StatusFailed:
		reason = reasonFailed
	default:
		reason = reasonNotRecorded
	}
	facts := &CallFacts{Direction: call.Direction, Status: call.Status, CreatedAt: call.CreatedAt.UTC().Format(time.RFC3339)}
	var b strings.Builder
	b.WriteString("Call ")
	b.WriteString(apiText(call.ID))
	b.WriteString(" (")
	b.WriteString(apiText(facts.Direction))
	b.WriteString(", ")
	b.WriteString(apiText(facts.Status))
	b.WriteString(", ")
	b.WriteString(stamp(call.CreatedAt, loc))
	b.WriteString(") ")
	b.WriteString(absenceClause(what, reason))
	b.WriteByte('\n')
	return absence{reason: reason, call: facts, text: b.String()}
}

// absenceClause ends the line of explainAbsence: what happened, then what
// it means for the content.
func absenceClause(what, reason string) string {
	switch reason {
	case reasonMissed:
		return "was missed: missed calls have no " + what + "."
	case reasonVoicemail:
		return "went to voicemail with no conversation, so it has no " + what + "."
	case reasonNoAnswer:
		return "was not answered: unanswered calls have no " + what + "."
	case reasonAbandoned:
		return "was abandoned before anyone answered: abandoned calls have no " + what + "."
	case reasonBusy:
		return "met a busy line: calls that never connected have no " + what + "."
	case reasonCallFailed:
		return "failed to connect: calls that never connected have no " + what + "."
	case reasonCanceled:
		return "was canceled before anyone answered: canceled calls have no " + what + "."
	case reasonForwarded:
		return "was forwarded, so it has no " + what + "."
	case reasonCallInProgress:
		return "is still going on: its " + what + " can come only after it ends; try again a few minutes after that."
	case reasonInProgress:
		return "has a " + what + " that is not ready yet; try again in a few minutes."
	case reasonFailed:
		if what == "summary" {
			return "has no summary: OpenPhone failed to summarise it; get_call_transcript may still have what was said."
		}
		return "has no transcript: OpenPhone failed to transcribe it; get_call_recordings may still have the audio."
	}
	switch what {
	case "summary":
		return "has no summary: none was made (AI summaries are off for that number, or the plan lacks AI features)."
	case "recordings":
		return "has no recordings: none were made (call recording is off for that number), or they were deleted."
	}
	return "has no transcript: none was recorded (recording or transcription is off for that number, or the plan lacks AI features)."
}
