package client

// Tests of the query strings the client sends: the exact bytes of every
// list request, and the encoder that builds them.

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// queryRules has one field per rule of encodeQuery.
type queryRules struct {
	Always     string    `url:"always"`
	Omitted    string    `url:"omitted,omitempty"`
	Kept       string    `url:"kept,omitempty"`
	Size       int       `url:"size,default=10"`
	SizeSet    int       `url:"sizeSet,default=10"`
	Count      int       `url:"count"`
	CountOmit  int       `url:"countOmit,omitempty"`
	Flag       bool      `url:"flag"`
	FlagOmit   bool      `url:"flagOmit,omitempty"`
	NilFlag    *bool     `url:"nilFlag"`
	FalseFlag  *bool     `url:"falseFlag,omitempty"`
	List       []string  `url:"list"`
	EmptyList  []string  `url:"emptyList"`
	When       time.Time `url:"when,omitempty"`
	ZeroWhen   time.Time `url:"zeroWhen,omitempty"`
	Skipped    string    `url:"-"`
	unexported string
	NilText    *string  `url:"nilText"`
	EmptyText  *string  `url:"emptyText,omitempty"`
	InList     []string `url:"in[in],comma"`
	EmptyIn    []string `url:"emptyIn[in],comma"`
}

func TestEncodeQuery_rules(t *testing.T) {
	no, empty := false, ""
	got := encodeQuery(queryRules{
		Kept:       "k",
		SizeSet:    50,
		List:       []string{"+2", "+1", "+2"},
		EmptyList:  []string{},
		When:       time.Date(2026, 3, 1, 10, 0, 0, 250_000_000, time.FixedZone("CET", 3600)),
		Skipped:    "never",
		unexported: "never",
		FalseFlag:  &no,
		EmptyText:  &empty,
		InList:     []string{"+2", "b,c", "+1"},
		EmptyIn:    []string{},
	})
	want := url.Values{
		"always":    {""},
		"kept":      {"k"},
		"size":      {"10"},
		"sizeSet":   {"50"},
		"count":     {"0"},
		"flag":      {"false"},
		"falseFlag": {"false"},                   // a set pointer is sent even when zero
		"list":      {"+2", "+1", "+2"},          // repeated key, order and duplicates kept
		"when":      {"2026-03-01T09:00:00.25Z"}, // UTC, fraction kept
		"emptyText": {""},
		"in[in]":    {"+2,b,c,+1"}, // comma: one key, items joined in order
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("encodeQuery (-want +got):\n%s", diff)
	}
	// A pointer to the struct encodes the same.
	if diff := cmp.Diff(encodeQuery(queryRules{Kept: "k"}), encodeQuery(&queryRules{Kept: "k"})); diff != "" {
		t.Errorf("pointer and value differ (-value +pointer):\n%s", diff)
	}
	if raw := encodeQuery(queryRules{List: []string{"+15555550100"}}).Encode(); !strings.Contains(raw, "list=%2B15555550100") {
		t.Errorf("raw %q: + must travel as %%2B", raw)
	}
}

func TestEncodeQuery_panicsOnAMistakenStruct(t *testing.T) {
	for name, params := range map[string]any{
		"untagged field": struct{ Name string }{},
		"unsupported type": struct {
			N int64 `url:"n"`
		}{},
		"unknown option": struct {
			N int `url:"n,omitempty,squash"`
		}{},
		"comma on a string": struct {
			S string `url:"s[in],comma"`
		}{},
		"not a struct": "phoneNumberId=PN1",
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			encodeQuery(params)
		})
	}
}

// TestEncodeQuery_everyParamsStruct: each params struct of the package
// encodes with every field set (so no field has a type the encoder lacks),
// and each tagged field reaches the query under its tag name.
func TestEncodeQuery_everyParamsStruct(t *testing.T) {
	yes := true
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, params := range []any{
		ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+1"}, UserID: "US1",
			CreatedAfter: now, CreatedBefore: now, MaxResults: 5, PageToken: "t"},
		ListConversationsParams{PhoneNumbers: []string{"PN1"}, UserID: "US1", CreatedAfter: now, CreatedBefore: now,
			UpdatedAfter: now, UpdatedBefore: now, ExcludeInactive: &yes, MaxResults: 5, PageToken: "t"},
		listPhoneNumbersParams{UserID: "US1"},
		ListDatedCallsParams{PhoneNumberID: "PN1", ActorID: "SYU1", Participant: "+1", ParticipantIn: []string{"+1", "+2"},
			Direction: "incoming", Status: "missed", StatusIn: []string{"missed"}, CreatedAtOrAfter: now, CreatedAtOrBefore: now,
			Include: []string{IncludeSummary}, Limit: 50, After: "c"},
		getDatedCallParams{Include: []string{IncludeVoicemail}},
		CursorParams{Limit: 50, After: "c"},
		ListUsersParams{MaxResults: 50, PageToken: "t"},
	} {
		typ := reflect.TypeOf(params)
		q := encodeQuery(params)
		for i := range typ.NumField() {
			f := typ.Field(i)
			if reflect.ValueOf(params).Field(i).IsZero() {
				t.Fatalf("%s.%s is not set in this test", typ.Name(), f.Name)
			}
			name, _, _ := strings.Cut(f.Tag.Get("url"), ",")
			if !q.Has(name) {
				t.Errorf("%s.%s is not sent as %q: %s", typ.Name(), f.Name, name, q.Encode())
			}
		}
		if len(q) != typ.NumField() {
			t.Errorf("%s: %d query keys for %d fields: %s", typ.Name(), len(q), typ.NumField(), q.Encode())
		}
	}
}
