package client

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// ListPhoneNumbers lists the workspace's OpenPhone numbers (not paginated).
// A non-empty userID limits it to the numbers that user can access.
func (c *Client) ListPhoneNumbers(ctx context.Context, userID string) ([]PhoneNumber, error) {
	q := url.Values{}
	if userID != "" {
		q.Set("userId", userID)
	}
	var out struct {
		Data []PhoneNumber `json:"data"`
	}
	if err := c.get(ctx, "/v1/phone-numbers", q, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// ListConversationsParams are the query parameters of GET /v1/conversations.
type ListConversationsParams struct {
	PhoneNumbers    []string // "PN…" ids or E.164 numbers, 1-100
	UserID          string
	CreatedAfter    time.Time
	CreatedBefore   time.Time
	UpdatedAfter    time.Time
	UpdatedBefore   time.Time
	ExcludeInactive *bool
	MaxResults      int // 1-100; 0 sends 10
	PageToken       string
}

// ListConversations lists conversations, most recent activity first.
func (c *Client) ListConversations(ctx context.Context, p ListConversationsParams) (*ConversationPage, error) {
	q := url.Values{}
	for _, n := range p.PhoneNumbers {
		q.Add("phoneNumbers", n)
	}
	if p.UserID != "" {
		q.Set("userId", p.UserID)
	}
	setTime(q, "createdAfter", p.CreatedAfter)
	setTime(q, "createdBefore", p.CreatedBefore)
	setTime(q, "updatedAfter", p.UpdatedAfter)
	setTime(q, "updatedBefore", p.UpdatedBefore)
	if p.ExcludeInactive != nil {
		q.Set("excludeInactive", strconv.FormatBool(*p.ExcludeInactive))
	}
	q.Set("maxResults", strconv.Itoa(orDefault(p.MaxResults, 10)))
	if p.PageToken != "" {
		q.Set("pageToken", p.PageToken)
	}
	var page ConversationPage
	if err := c.get(ctx, "/v1/conversations", q, &page); err != nil {
		return nil, err
	}
	return &page, nil
}
