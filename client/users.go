// The users resource, on both surfaces: the workspace's people, whose
// "US…" ids appear as a call's userId (v1) or actorId (dated).

package client

import (
	"context"
	"iter"
)

// ListUsersParams are the query parameters of GET /v1/users.
type ListUsersParams struct {
	MaxResults int    `url:"maxResults,default=10"` // 1-50; 0 sends 10
	PageToken  string `url:"pageToken,omitempty"`
}

// ListUsers lists one page of the workspace's users.
//
// API: GET /v1/users (documented, absent from the v1 JSON)
func (c *Client) ListUsers(ctx context.Context, p ListUsersParams) (*UserPage, error) {
	var page UserPage
	if err := c.get(ctx, "/v1/users", encodeQuery(p), &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// Users lists every user, page after page of ListUsers from p.PageToken
// on; it ends like Calls.
//
// API: GET /v1/users, once per page
func (c *Client) Users(ctx context.Context, p ListUsersParams) iter.Seq2[User, error] {
	return walk(c, "/v1/users", p.PageToken, func(token string) (*UserPage, error) {
		p := p
		p.PageToken = token
		return c.ListUsers(ctx, p)
	})
}

// ListDatedUsers lists one page of the workspace's users on the dated
// surface.
//
// API: GET /users (2026-03-30)
func (c *Client) ListDatedUsers(ctx context.Context, p CursorParams) (*DatedUserPage, error) {
	var page DatedUserPage
	if err := c.getDated(ctx, "/users", encodeQuery(p), &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// DatedUsers lists every user, page after page of ListDatedUsers from
// p.After on; it ends like DatedCalls.
//
// API: GET /users (2026-03-30), once per page
func (c *Client) DatedUsers(ctx context.Context, p CursorParams) iter.Seq2[User, error] {
	return walkCursor(c, "/users", p.After, func(after string) (*DatedUserPage, error) {
		p := p
		p.After = after
		return c.ListDatedUsers(ctx, p)
	})
}
