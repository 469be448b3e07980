// render_legacy.go: the output types of the tools not yet moved to the
// structured content of render_out.go; removed when the last one moves.

package tools

// --- Output types -----------------------------------------------------------

// VoicemailOutput is a call's voicemail; its transcript with includeSummaries.
type VoicemailOutput struct {
	Status     string `json:"status"`
	Duration   int    `json:"duration,omitempty"`
	Transcript string `json:"transcript,omitempty"`
}
