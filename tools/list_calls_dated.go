// list_calls_dated.go: list_calls on Quo's dated API (2026-03-30): the
// same schema, header, lines and paging line as on v1 (GET /v1/calls),
// from GET /calls?phoneNumberId=&participant= through internal/history,
// with the summary and the voicemail inline (no request per call).

package tools

import (
	"context"
	"errors"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// datedList is a list_calls page to ask of the dated surface.
type datedList struct {
	q         history.Query
	scope     history.Scope
	cursor    *history.Cursor // where the previous page stopped; nil: the newest
	n         int
	summaries bool
}

// datedListQuery is the dated listing of p, or nil when v1 answers: the
// surface is pinned to v1 or fell back for c, p's pageToken is v1's (one
// that does not decode as this server's cursor), or the window lies
// outside what a cursor carries. A token of this server that does not fit
// the arguments is the caller's error.
func datedListQuery(d *Deps, c *client.Client, p client.ListCallsParams, phoneID string, summaries bool) (*datedList, error) {
	var cur *history.Cursor
	if p.PageToken != "" {
		dc, err := history.DecodeCursor(p.PageToken)
		if errors.Is(err, history.ErrBadCursor) {
			return nil, nil // the API's own v1 token: v1 goes on with it
		}
		if err != nil {
			return nil, pageTokenError("list_calls", err)
		}
		cur = dc
	}
	if !d.datedOK(c) {
		if cur != nil {
			return nil, badArg("pageToken belongs to a listing from Quo's dated API, which this server no longer uses for this API key: call list_calls again with the same arguments and no pageToken")
		}
		return nil, nil
	}
	// History windows are half-open, [After, Before); v1's createdAfter is
	// exclusive, so the window starts 1ns after it: list_calls keeps its
	// documented meaning on both surfaces. No createdAfter: from 1970.
	after, before := history.MinTime, p.CreatedBefore
	if !p.CreatedAfter.IsZero() && p.CreatedAfter.After(history.MinTime) {
		after = p.CreatedAfter.Add(time.Nanosecond)
	}
	if !after.Before(history.MaxTime) || (!before.IsZero() && (!before.After(after) || !before.Before(history.MaxTime))) {
		if cur != nil {
			return nil, pageTokenError("list_calls", &history.CursorError{Err: history.ErrCursorMismatch, Why: "createdBefore differs", Arg: "createdBefore"})
		}
		return nil, nil // not a window a cursor carries: v1 answers
	}
	participant := p.Participants[0]
	dl := &datedList{
		q: history.Query{After: after, Before: before, PhoneNumberIDs: []string{phoneID}, UserID: p.UserID,
			Participant: participant, Include: []string{client.IncludeVoicemail}},
		scope: history.Scope{Phone: phoneID, User: p.UserID, Filters: "list_calls participant=" + participant},
		n:     p.MaxResults, summaries: summaries, cursor: cur,
	}
	if summaries {
		dl.q.Include = append(dl.q.Include, client.IncludeSummary)
	}
	if cur != nil {
		if err := cur.Matches(dl.scope, after, before); err != nil {
			return nil, pageTokenError("list_calls", err)
		}
	}
	return dl, nil
}

// datedListPage is one page from the dated surface, in v1's shape.
type datedListPage struct {
	page  client.CallPage
	sent  int
	calls []history.Call
	sums  callSummaries
}

// page lists the page: one GET /calls per 50 calls (the summaries and
// voicemails inline), no per-call request.
func (dl *datedList) page(ctx context.Context, d *Deps, c *client.Client) (*datedListPage, error) {
	res, err := history.Page(history.WithProgress(ctx, progressFunc(ctx)), history.NewDatedCalls(c, d.states), dl.q, dl.scope, dl.cursor, dl.n)
	if err != nil {
		return nil, err
	}
	dp := &datedListPage{calls: res.Calls, page: client.CallPage{Data: make([]client.Call, len(res.Calls))}}
	for i := range res.Calls {
		dp.page.Data[i] = res.Calls[i].Call
	}
	dp.sent = len(dp.page.Data)
	if res.Next != nil {
		if tok, err := res.Next.Encode(); err == nil {
			dp.page.NextPageToken = &tok
		} else {
			// A call the cursor cannot carry: one more call exists, and
			// the page says to go on by createdBefore, as when the API
			// sends more than maxResults.
			dp.sent++
		}
	}
	if dl.summaries {
		var missing []client.Call
		dp.sums, missing = inlineSummaries(res.Calls)
		for i := range missing {
			dp.sums[missing[i].ID] = fetchedSummary{} // the API has none: "none"
		}
	}
	return dp, nil
}
