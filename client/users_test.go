package client

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const userJSON = `{"id":"US1","email":"ana@example.com","firstName":"Ana","lastName":null,"pictureUrl":null,"role":"owner","createdAt":"2026-01-02T03:04:05Z","updatedAt":null}`

func TestClient_ListUsers_requestURIAndModel(t *testing.T) {
	c, seen := datedFake(t, func(*http.Request) (int, string) {
		return 200, `{"data":[` + userJSON + `],"totalItems":1,"nextPageToken":null}`
	})
	page, err := c.ListUsers(context.Background(), ListUsersParams{})
	if err != nil {
		t.Fatal(err)
	}
	want := User{ID: "US1", Email: "ana@example.com", FirstName: ptr("Ana"), Role: "owner", CreatedAt: ptr(mustTime(t, "2026-01-02T03:04:05Z"))}
	if len(page.Data) != 1 || page.NextToken() != "" {
		t.Fatalf("page = %+v", page)
	}
	if diff := cmp.Diff(want, page.Data[0]); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	if r := seen(); len(r) != 1 || r[0].uri != "/v1/users?maxResults=10" || r[0].version != "" {
		t.Errorf("requests %+v, want one to /v1/users?maxResults=10 without Quo-Api-Version", r)
	}
}

func TestClient_Users_walksEveryPage(t *testing.T) {
	c, seen := datedFake(t, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("pageToken") == "" {
			return 200, `{"data":[{"id":"US1"}],"nextPageToken":"p2"}`
		}
		return 200, `{"data":[{"id":"US2"}],"nextPageToken":null}`
	})
	var ids []string
	for u, err := range c.Users(context.Background(), ListUsersParams{MaxResults: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	if diff := cmp.Diff([]string{"US1", "US2"}, ids); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if r := seen(); len(r) != 2 || r[1].uri != "/v1/users?maxResults=50&pageToken=p2" {
		t.Errorf("requests %+v", r)
	}
}

func TestClient_ListDatedUsers_requestURI(t *testing.T) {
	c, seen := datedFake(t, func(*http.Request) (int, string) {
		return 200, `{"data":[` + userJSON + `],"nextCursor":"c2"}`
	})
	page, err := c.ListDatedUsers(context.Background(), CursorParams{Limit: 50, After: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 || page.Data[0].Email != "ana@example.com" || page.NextToken() != "c2" {
		t.Errorf("page = %+v", page)
	}
	if r := seen(); len(r) != 1 || r[0].uri != "/users?after=c1&limit=50" || r[0].version != DatedAPIVersion {
		t.Errorf("requests %+v, want one to /users?after=c1&limit=50 with the version", r)
	}
}

func TestClient_DatedUsers_walksEveryPage(t *testing.T) {
	c, seen := datedFake(t, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("after") == "" {
			return 200, `{"data":[{"id":"US1"},{"id":"US2"}],"nextCursor":"c2"}`
		}
		return 200, `{"data":[{"id":"US3"}],"nextCursor":null}`
	})
	var ids []string
	for u, err := range c.DatedUsers(context.Background(), CursorParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	if diff := cmp.Diff([]string{"US1", "US2", "US3"}, ids); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if r := seen(); len(r) != 2 || r[0].uri != "/users" || r[1].uri != "/users?after=c2" || r[1].version != DatedAPIVersion {
		t.Errorf("requests %+v", r)
	}
}
