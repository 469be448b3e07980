// The calls resource, as the API groups it: calls, and the summaries,
// transcripts and recordings that hang off one call by its id.

package client

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"time"
)

// ListCallsParams are the query parameters of GET /v1/calls. The deprecated
// "since" parameter is deliberately absent: the API documents that it
// behaves like createdBefore.
type ListCallsParams struct {
	PhoneNumberID string    `url:"phoneNumberId"`    // required, "PN…"
	Participants  []string  `url:"participants"`     // required, exactly one E.164 number today
	UserID        string    `url:"userId,omitempty"` // optional, "US…"
	CreatedAfter  time.Time `url:"createdAfter,omitempty"`
	CreatedBefore time.Time `url:"createdBefore,omitempty"`
	MaxResults    int       `url:"maxResults,default=10"` // 1-100; 0 sends the API default of 10
	PageToken     string    `url:"pageToken,omitempty"`
}

// ListCalls lists the calls between one OpenPhone number and one participant,
// newest first, one page at a time. Calls walks every page.
//
// API: GET /v1/calls (operationId listCalls_v1)
func (c *Client) ListCalls(ctx context.Context, p ListCallsParams) (*CallPage, error) {
	var page CallPage
	if err := c.get(ctx, "/v1/calls", encodeQuery(p), &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// Calls lists every call that matches p, newest first, reading page after
// page of ListCalls from p.PageToken on, with p.MaxResults calls per page
// (100 takes the fewest requests). It stops at the first error, which it
// yields with a zero Call, after the calls already read: an error of
// ListCalls, ErrRepeatedPageToken, or ErrTooManyPages (see WithMaxPages).
// Breaking out of the loop stops the requests.
//
// API: GET /v1/calls (operationId listCalls_v1), once per page
func (c *Client) Calls(ctx context.Context, p ListCallsParams) iter.Seq2[Call, error] {
	return walk(c, "/v1/calls", p.PageToken, func(token string) (*CallPage, error) {
		p := p
		p.PageToken = token
		return c.ListCalls(ctx, p)
	})
}

// GetCall fetches one call by its "AC…" id.
//
// API: GET /v1/calls/{callId} (operationId getCallById_v1)
func (c *Client) GetCall(ctx context.Context, callID string) (*Call, error) {
	return getData[Call](ctx, c, "calls", callID)
}

// GetCallSummary fetches the AI summary of a call. Check Status before
// reading Summary: it may be absent, in progress or failed.
//
// API: GET /v1/call-summaries/{callId} (operationId getCallSummary_v1)
func (c *Client) GetCallSummary(ctx context.Context, callID string) (*CallSummary, error) {
	return getData[CallSummary](ctx, c, "call-summaries", callID)
}

// GetCallTranscript fetches the transcript of a call. Check Status first.
//
// API: GET /v1/call-transcripts/{id} (operationId getCallTranscript_v1)
func (c *Client) GetCallTranscript(ctx context.Context, callID string) (*CallTranscript, error) {
	return getData[CallTranscript](ctx, c, "call-transcripts", callID)
}

// getData fetches GET /v1/<resource>/{callID}, whose body is {"data": T};
// a body without data is ErrMalformedResponse.
func getData[T any](ctx context.Context, c *Client, resource, callID string) (*T, error) {
	seg, err := pathID(callID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data *T `json:"data"`
	}
	if err = c.get(ctx, "/v1/"+resource+"/"+seg, nil, &out); err != nil {
		return nil, err
	}
	if out.Data == nil {
		return nil, fmt.Errorf("%w to GET /v1/%s/{id}: no data", ErrMalformedResponse, resource)
	}
	return out.Data, nil
}

// GetCallRecordings lists the recordings of a call, oldest first.
//
// API: GET /v1/call-recordings/{callId} (operationId getCallRecordings_v1)
func (c *Client) GetCallRecordings(ctx context.Context, callID string) ([]CallRecording, error) {
	seg, err := pathID(callID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data []CallRecording `json:"data"`
	}
	if err = c.get(ctx, "/v1/call-recordings/"+seg, nil, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// pathID validates a call id and escapes it as one path segment. An empty,
// "." or ".." id would address another endpoint.
func pathID(id string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("openphone: call id %q is not valid: call ids look like AC123abc", id)
	}
	return url.PathEscape(id), nil
}
