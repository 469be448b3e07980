// The dated surface: Quo's API of version 2026-03-30 beside v1, on the same
// host, key and pacing. Its paths have no /v1 prefix, every request carries
// Quo-Api-Version, lists page by cursor ({data, nextCursor}), and errors
// have no numeric code (they parse into the same *APIError). The calls of
// the whole workspace come in one list (dated_calls.go).

package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// DatedAPIVersion is the version of Quo's dated API this client speaks.
const DatedAPIVersion = "2026-03-30"

// datedHeader goes on every dated request: without it the API answers 400.
// Never modified: once copies its values into each request.
var datedHeader = http.Header{"Quo-Api-Version": {DatedAPIVersion}}

// CursorPage is one page of a dated list. There is no total.
type CursorPage[T any] struct {
	Data []T `json:"data"`
	// NextCursor asks for the next page (CursorParams.After); null on the
	// last one. Cursors are short-lived: resume a list later from a
	// createdAt bound, never from a stored cursor.
	NextCursor *string `json:"nextCursor"`
}

// NextToken returns the cursor of the next page, or "" when this is the
// last page (a null cursor, or an empty one). A nil page has no next page.
func (p *CursorPage[T]) NextToken() string {
	if p == nil || p.NextCursor == nil {
		return ""
	}
	return *p.NextCursor
}

// CursorParams page a dated list that has no other parameters.
type CursorParams struct {
	Limit int    `url:"limit,omitempty"` // 1-50; 0 leaves the API default of 10
	After string `url:"after,omitempty"` // the previous page's NextCursor
}

// getDated is get on the dated surface.
func (c *Client) getDated(ctx context.Context, path string, query url.Values, out any) error {
	return c.getWithHeader(ctx, datedHeader, path, query, out)
}

// getDatedData fetches a dated path whose body is {"data": T}; a body
// without data is ErrMalformedResponse. route names the endpoint in that
// error without the id.
func getDatedData[T any](ctx context.Context, c *Client, path, route string, query url.Values) (*T, error) {
	var out struct {
		Data *T `json:"data"`
	}
	if err := c.getDated(ctx, path, query, &out); err != nil {
		return nil, err
	}
	if out.Data == nil {
		return nil, fmt.Errorf("%w to GET %s: no data", ErrMalformedResponse, route)
	}
	return out.Data, nil
}

// walkCursor is walk over a cursor-paged list: each CursorPage is handed
// to walk as a Page, so the repeated-cursor guard and the page bound are
// the v1 iterators' own.
func walkCursor[T any](c *Client, path, after string, list func(after string) (*CursorPage[T], error)) iter.Seq2[T, error] {
	return walk(c, path, after, func(token string) (*Page[T], error) {
		page, err := list(token)
		if err != nil {
			return nil, err
		}
		return &Page[T]{Data: page.Data, NextPageToken: page.NextCursor}, nil
	})
}
