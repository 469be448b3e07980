package client

// Tests of the phone-numbers resource: decoding and query.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClient_ListPhoneNumbers_decode(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/phone-numbers", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[{
			"id":"PN123abc","groupId":"1234","createdAt":"2022-01-01T00:00:00Z","updatedAt":"2022-01-02T00:00:00Z",
			"name":"Main line","number":"+15555555555","formattedNumber":"(555) 555-5555",
			"forward":null,"portRequestId":null,"portingStatus":"completed","symbol":"🏡",
			"users":[{"id":"US1","email":"a@example.com","firstName":"Ada","lastName":null,"groupId":"g1","role":"owner"}],
			"restrictions":{"messaging":{"CA":"restricted","US":"unrestricted","Intl":"restricted"},"calling":{"CA":"unrestricted","US":"unrestricted","Intl":"restricted"}}
		}]}`)
	})
	got, err := c.ListPhoneNumbers(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d numbers", len(got))
	}
	var restr map[string]map[string]string
	if err := json.Unmarshal(got[0].Restrictions, &restr); err != nil || restr["calling"]["Intl"] != "restricted" {
		t.Errorf("restrictions = %s (%v)", got[0].Restrictions, err)
	}
	got[0].Restrictions = nil
	want := []PhoneNumber{{
		ID: "PN123abc", GroupID: "1234", CreatedAt: "2022-01-01T00:00:00Z", UpdatedAt: "2022-01-02T00:00:00Z",
		Name: "Main line", Number: "+15555555555", FormattedNumber: ptr("(555) 555-5555"),
		PortingStatus: ptr("completed"), Symbol: ptr("🏡"),
		Users: []PhoneNumberUser{{ID: "US1", Email: "a@example.com", FirstName: ptr("Ada"), GroupID: "g1", Role: "owner"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestClient_ListPhoneNumbers_query(t *testing.T) {
	c, mux, _ := setup(t)
	var q url.Values
	mux.HandleFunc("GET /v1/phone-numbers", func(w http.ResponseWriter, r *http.Request) {
		q = r.URL.Query()
		writeJSON(w, 200, `{"data":[]}`)
	})
	if _, err := c.ListPhoneNumbers(context.Background(), "US42"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(url.Values{"userId": {"US42"}}, q); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	if _, err := c.ListPhoneNumbers(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if len(q) != 0 {
		t.Errorf("query = %v, want none (not paginated, no maxResults)", q)
	}
}
