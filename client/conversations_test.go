package client

// Tests of the conversations resource: decoding and query.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClient_ListConversations_decode(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/conversations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[
			{"id":"CN1","phoneNumberId":"PN1","participants":["+15555550100"],"name":"Ada","assignedTo":"US9",
			 "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","deletedAt":null,
			 "lastActivityAt":"2026-01-02T00:00:00Z","lastActivityId":"AC77","mutedUntil":null,"snoozedUntil":"2026-01-05T00:00:00Z"},
			{"id":"CN2","phoneNumberId":"PN1","participants":[],"name":null,"assignedTo":null,
			 "createdAt":null,"updatedAt":null,"deletedAt":null,"lastActivityAt":null,"lastActivityId":null,"mutedUntil":null,"snoozedUntil":null}
		],"totalItems":2,"nextPageToken":"cn-next"}`)
	})
	got, err := c.ListConversations(context.Background(), ListConversationsParams{})
	if err != nil {
		t.Fatal(err)
	}
	want := &ConversationPage{
		Data: []Conversation{
			{
				ID: "CN1", PhoneNumberID: "PN1", Participants: []string{"+15555550100"}, Name: ptr("Ada"), AssignedTo: ptr("US9"),
				CreatedAt: ptr(mustTime(t, "2026-01-01T00:00:00Z")), UpdatedAt: ptr(mustTime(t, "2026-01-02T00:00:00Z")),
				LastActivityAt: ptr(mustTime(t, "2026-01-02T00:00:00Z")), LastActivityID: ptr("AC77"),
				SnoozedUntil: ptr(mustTime(t, "2026-01-05T00:00:00Z")),
			},
			{ID: "CN2", PhoneNumberID: "PN1", Participants: []string{}},
		},
		TotalItems:    2,
		NextPageToken: ptr("cn-next"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestClient_ListConversations_query(t *testing.T) {
	c, mux, _ := setup(t)
	var raw string
	var q url.Values
	mux.HandleFunc("GET /v1/conversations", func(w http.ResponseWriter, r *http.Request) {
		raw, q = r.URL.RawQuery, r.URL.Query()
		writeJSON(w, 200, `{"data":[],"totalItems":0,"nextPageToken":null}`)
	})
	ctx := context.Background()
	pst := time.FixedZone("PST", -8*3600)
	_, err := c.ListConversations(ctx, ListConversationsParams{
		PhoneNumbers:    []string{"PN123abc", "+15555550100"},
		UserID:          "US1",
		CreatedAfter:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		CreatedBefore:   time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		UpdatedAfter:    time.Date(2026, 1, 3, 16, 0, 0, 0, pst),
		UpdatedBefore:   time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC),
		ExcludeInactive: ptr(true),
		MaxResults:      25,
		PageToken:       "next+1",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"phoneNumbers":    {"PN123abc", "+15555550100"},
		"userId":          {"US1"},
		"createdAfter":    {"2026-01-01T00:00:00Z"},
		"createdBefore":   {"2026-01-02T00:00:00Z"},
		"updatedAfter":    {"2026-01-04T00:00:00Z"},
		"updatedBefore":   {"2026-01-04T00:00:00Z"},
		"excludeInactive": {"true"},
		"maxResults":      {"25"},
		"pageToken":       {"next+1"},
	}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("query mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(raw, "phoneNumbers=PN123abc&phoneNumbers=%2B15555550100") {
		t.Errorf("raw query %q: phoneNumbers must repeat the key with + as %%2B", raw)
	}
	if strings.Contains(raw, "+") {
		t.Errorf("raw query %q has a bare +", raw)
	}

	// Defaults: only maxResults=10; excludeInactive false is still sent when set.
	if _, err := c.ListConversations(ctx, ListConversationsParams{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(url.Values{"maxResults": {"10"}}, q); diff != "" {
		t.Errorf("default query mismatch (-want +got):\n%s", diff)
	}
	if _, err := c.ListConversations(ctx, ListConversationsParams{ExcludeInactive: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"excludeInactive", "maxResults"}, queryKeys(q)); diff != "" || q.Get("excludeInactive") != "false" {
		t.Errorf("excludeInactive=false: query %v", q)
	}
}
