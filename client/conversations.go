// The conversations resource: the threads between one OpenPhone number and
// its other parties, which is how a caller finds whom to list calls with.

package client

import (
	"context"
	"iter"
	"time"
)

// ListConversationsParams are the query parameters of GET /v1/conversations.
// The deprecated "phoneNumber" parameter is left out for PhoneNumbers.
type ListConversationsParams struct {
	PhoneNumbers    []string  `url:"phoneNumbers"` // "PN…" ids or E.164 numbers, 1-100
	UserID          string    `url:"userId,omitempty"`
	CreatedAfter    time.Time `url:"createdAfter,omitempty"`
	CreatedBefore   time.Time `url:"createdBefore,omitempty"`
	UpdatedAfter    time.Time `url:"updatedAfter,omitempty"`
	UpdatedBefore   time.Time `url:"updatedBefore,omitempty"`
	ExcludeInactive *bool     `url:"excludeInactive"`       // nil: not sent; false is sent
	MaxResults      int       `url:"maxResults,default=10"` // 1-100; 0 sends 10
	PageToken       string    `url:"pageToken,omitempty"`
}

// ListConversations lists one page of conversations, most recent activity
// first.
//
// API: GET /v1/conversations (operationId listConversations_v1)
func (c *Client) ListConversations(ctx context.Context, p ListConversationsParams) (*ConversationPage, error) {
	var page ConversationPage
	if err := c.get(ctx, "/v1/conversations", encodeQuery(p), &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// Conversations lists every conversation that matches p, most recent
// activity first, reading page after page of ListConversations from
// p.PageToken on, with p.MaxResults per page (100 takes the fewest
// requests). It stops at the first error, which it yields with a zero
// Conversation, after the conversations already read: an error of
// ListConversations, ErrRepeatedPageToken, or ErrTooManyPages (see
// WithMaxPages). Breaking out of the loop stops the requests.
//
// API: GET /v1/conversations (operationId listConversations_v1), once per page
func (c *Client) Conversations(ctx context.Context, p ListConversationsParams) iter.Seq2[Conversation, error] {
	return walk(c, "/v1/conversations", p.PageToken, func(token string) (*ConversationPage, error) {
		p := p
		p.PageToken = token
		return c.ListConversations(ctx, p)
	})
}
