// Paging: Page, the shape of every paginated list, and walk, which reads a
// list page after page for the iterators (Calls, Conversations) so that
// their guards against endless paging live in one place.

package client

import (
	"fmt"
	"iter"
)

// Page is one page of a paginated list, as the API sends it.
type Page[T any] struct {
	Data []T `json:"data"`
	// TotalItems is documented by the API as inaccurate: never show it as a
	// total.
	TotalItems int `json:"totalItems"`
	// NextPageToken asks for the next page; the API sends null on the last
	// one. NextToken reads it without the nil check.
	NextPageToken *string `json:"nextPageToken"`
}

// NextToken returns the page token of the next page, or "" when this is
// the last page (a null token, or an empty one, which could only ask for
// the first page again). A nil page has no next page.
func (p *Page[T]) NextToken() string {
	if p == nil || p.NextPageToken == nil {
		return ""
	}
	return *p.NextPageToken
}

// walk yields the items of a list page after page, starting from token
// ("" for the first page), until a page says it is the last. list fetches
// one page; path names the endpoint in errors.
//
// It stops at the first error and yields it with a zero item: an error of
// list; ErrRepeatedPageToken when a page hands back the token that asked
// for it; ErrTooManyPages after c.maxPages pages when the list goes on
// (which also ends a cycle of two or more tokens). The items of that last
// page come first. A page is only requested when the caller asks for an
// item past the previous one, so breaking out of the loop stops the
// requests.
func walk[T any](c *Client, path, token string, list func(token string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		token := token // each range over the iterator starts afresh
		for pages := 1; ; pages++ {
			page, err := list(token)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range page.Data {
				if !yield(item, nil) {
					return
				}
			}
			next := page.NextToken()
			switch {
			case next == "":
				return
			case next == token:
				yield(zero, fmt.Errorf("%w (GET %s, page %d)", ErrRepeatedPageToken, path, pages))
				return
			case pages >= c.maxPages:
				yield(zero, fmt.Errorf("%w of %d pages (GET %s); narrow the query", ErrTooManyPages, c.maxPages, path))
				return
			}
			token = next
		}
	}
}
