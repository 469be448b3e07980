package client

// Tests of the query strings the client sends: the exact bytes of every
// list request, and the encoder that builds them.

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestClient_requestURIsAreExact pins the request URI, byte for byte, of
// every list method with no parameters and with all of them: a change of
// key, order, escaping or time format shows here.
func TestClient_requestURIsAreExact(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	no := false
	tests := []struct {
		name string
		call func(context.Context, *Client) error
		want string
	}{
		{
			name: "ListCalls, zero params: phoneNumberId is sent empty, maxResults defaults to 10",
			call: func(ctx context.Context, c *Client) error { _, err := c.ListCalls(ctx, ListCallsParams{}); return err },
			want: "/v1/calls?maxResults=10&phoneNumberId=",
		},
		{
			name: "ListCalls, every param",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListCalls(ctx, ListCallsParams{
					PhoneNumberID: "PN1",
					Participants:  []string{"+15555550100", "+15555550101"},
					UserID:        "US1",
					CreatedAfter:  time.Date(2026, 3, 1, 0, 0, 0, 500, est),
					CreatedBefore: time.Date(2026, 3, 2, 12, 30, 15, 0, time.UTC),
					MaxResults:    100,
					PageToken:     "tok/+=?& é",
				})
				return err
			},
			want: "/v1/calls?createdAfter=2026-03-01T05%3A00%3A00.0000005Z&createdBefore=2026-03-02T12%3A30%3A15Z" +
				"&maxResults=100&pageToken=tok%2F%2B%3D%3F%26+%C3%A9" +
				"&participants=%2B15555550100&participants=%2B15555550101&phoneNumberId=PN1&userId=US1",
		},
		{
			name: "ListConversations, zero params",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversations(ctx, ListConversationsParams{})
				return err
			},
			want: "/v1/conversations?maxResults=10",
		},
		{
			name: "ListConversations, every param (excludeInactive false is sent)",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListConversations(ctx, ListConversationsParams{
					PhoneNumbers:    []string{"PN1", "+15555550100"},
					UserID:          "US1",
					CreatedAfter:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
					CreatedBefore:   time.Date(2026, 1, 2, 0, 0, 0, 1, est),
					UpdatedAfter:    time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC),
					UpdatedBefore:   time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC),
					ExcludeInactive: &no,
					MaxResults:      7,
					PageToken:       "n+1",
				})
				return err
			},
			want: "/v1/conversations?createdAfter=2026-01-01T00%3A00%3A00Z&createdBefore=2026-01-02T05%3A00%3A00.000000001Z" +
				"&excludeInactive=false&maxResults=7&pageToken=n%2B1&phoneNumbers=PN1&phoneNumbers=%2B15555550100" +
				"&updatedAfter=2026-01-03T00%3A00%3A00Z&updatedBefore=2026-01-04T00%3A00%3A00Z&userId=US1",
		},
		{
			name: "ListPhoneNumbers, no user: no query at all",
			call: func(ctx context.Context, c *Client) error { _, err := c.ListPhoneNumbers(ctx, ""); return err },
			want: "/v1/phone-numbers",
		},
		{
			name: "ListPhoneNumbers, a user",
			call: func(ctx context.Context, c *Client) error { _, err := c.ListPhoneNumbers(ctx, "US 4+2"); return err },
			want: "/v1/phone-numbers?userId=US+4%2B2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			var got string
			mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.RequestURI()
				writeJSON(w, 200, `{"data":[],"totalItems":0,"nextPageToken":null}`)
			})
			if err := tt.call(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("request URI\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
