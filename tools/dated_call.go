// dated_call.go: one call by id from Quo's dated API, for the single-call
// tools, and the choice of surface they share with recent_calls: the
// dated surface unless pinned to v1 or remembered as unknown for this
// client, v1 when the dated surface turns out unknown.

package tools

import (
	"context"
	"strings"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// datedOK reports whether a tool should ask the dated surface first for c.
func (d *Deps) datedOK(c *client.Client) bool {
	switch d.APIVersion {
	case APIV1:
		return false
	case APIDated:
		return true
	}
	return d.fallbacks == nil || !d.fallbacks.FallenBack(c)
}

// fellBack reports whether a dated request that failed with err is to be
// answered through v1 instead, and remembers the fallback for c when err
// says the API does not know the dated surface (history.DatedUnknown).
// Only under "auto". A dated 404 of an unknown call is answered through v1
// too, without remembering: a wrong guess costs one request, never a
// wrong "not found".
func (d *Deps) fellBack(c *client.Client, err error) bool {
	if d.APIVersion != APIAuto && d.APIVersion != "" {
		return false
	}
	if history.DatedUnknown(err) {
		if d.fallbacks != nil {
			d.fallbacks.FallBack(c, err)
		}
		return true
	}
	return isNotFound(err)
}

// getDatedCallNamed is getCallNamed on the dated surface: the call with
// include inline, and alongside it the workspace's numbers; then the names
// of every outside party (one conversations page on a cold cache).
func getDatedCallNamed(ctx context.Context, d *Deps, c *client.Client, w *directory, id string, include ...string) (*history.Call, error) {
	numbers := make(chan struct{})
	go func() {
		defer close(numbers)
		if _, err := w.phoneNumbers(ctx); err != nil && ctx.Err() == nil {
			d.logger().Info("phone numbers unavailable", "error", err)
		}
	}()
	dc, err := c.GetDatedCall(ctx, id, include...)
	<-numbers
	if err != nil {
		return nil, err
	}
	hc := history.FromDated(dc)
	parties := hc.Parties
	if len(parties) == 0 {
		parties = []string{hc.Participant}
	}
	var u unnamed
	for _, p := range parties {
		u.add(w, hc.PhoneNumberID, p)
	}
	u.fetch(ctx, d, w)
	return &hc, nil
}

// aiAgentActor reports whether actor is a system actor such as the AI
// agent ("SYU…"), not a user.
func aiAgentActor(actor string) bool { return strings.HasPrefix(actor, "SYU") }

// datedSummaries is the summary a dated call brought inline, in the shape
// the listings write (nil: the call brought none).
func datedSummaries(hc *history.Call) callSummaries {
	s := hc.Summary
	if s == nil {
		return nil
	}
	return callSummaries{hc.ID: fetchedSummary{sum: &client.CallSummary{
		CallID: hc.ID, Status: s.Status, Summary: s.Summary, NextSteps: s.NextSteps, Jobs: s.Jobs,
	}}}
}
