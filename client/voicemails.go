// The voicemails resource of v1: the voicemail left on one call. The
// dated surface puts it inline instead (include=voicemail on GET /calls).

package client

import "context"

// GetCallVoicemail fetches the voicemail left on a call. Its fields are
// null while it is processed (Status in-progress).
//
// API: GET /v1/call-voicemails/{callId} (documented, absent from the v1 JSON)
func (c *Client) GetCallVoicemail(ctx context.Context, callID string) (*Voicemail, error) {
	return getData[Voicemail](ctx, c, "call-voicemails", callID)
}
