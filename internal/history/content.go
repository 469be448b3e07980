// What a call can carry beyond its record, and which calls came without
// it: rules the tools and the ledger's sync share.

package history

import "github.com/openphone-mcp/openphone-mcp/client"

// CanHaveSummary reports whether c can have an AI summary worth fetching:
// completed calls, and voicemails (missed calls with a duration: the
// caller spoke to the voicemail greeting).
func CanHaveSummary(c *client.Call) bool {
	return c.Status == "completed" || (c.Status == "missed" && c.Duration > 0)
}

// CanHaveVoicemail reports whether c can carry a voicemail: an incoming
// call nobody took.
func CanHaveVoicemail(c *client.Call) bool {
	return c.Direction == "incoming" && (c.Status == "missed" || c.Status == "no-answer")
}

// FromV1 reports whether c was listed by the v1 walk, which names the
// conversation and brings no summary or voicemail inline (the dated
// surface brings both and names no conversation): its content is one
// request away.
func (c *Call) FromV1() bool { return c.ConversationID != "" }
