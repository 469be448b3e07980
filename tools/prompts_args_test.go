package tools

import (
	"errors"
	"strings"
	"testing"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/testutil"
)

// TestPromptBadArguments: each wrong argument is one sentence saying what
// is wrong and what a good value looks like; those the prompt can tell
// without the workspace cost no API request.
func TestPromptBadArguments(t *testing.T) {
	for _, c := range []struct {
		prompt     string
		args       map[string]string
		want       string
		noRequests bool
	}{
		{"daily_digest", map[string]string{"day": "tomorrowish"}, `day "tomorrowish" is not a day: give yesterday, today or a date such as 2026-11-25`, true},
		{"daily_digest", map[string]string{"day": "2026-12-25"}, `day 2026-12-25 has not begun yet in America/Los_Angeles: give yesterday, today or an earlier date`, true},
		{"daily_digest", map[string]string{"days": "today"}, `daily_digest has no argument "days"; its arguments are: day, phoneNumber, user`, true},
		{"daily_digest", map[string]string{"phoneNumber": "Marketing"}, `phoneNumber "Marketing" is not the name, number or PN id of one of this workspace's OpenPhone numbers; give one of: …Sales…+14155550100…PNsa7Lq0Xe`, false},
		{"daily_digest", map[string]string{"phoneNumber": "+1 212 555 0100"}, `+12125550100 is not one of this workspace's OpenPhone numbers; give one of: "Sales"`, false},
		{"daily_digest", map[string]string{"user": "Nobody"}, `user "Nobody" is not a user of this workspace; the users are: …USjL4kW9Pz…Jordan Lee`, false},
		{"missed_call_triage", map[string]string{"since": "soon"}, `since "soon" is not a date-time: give RFC 3339`, true},
		{"missed_call_triage", map[string]string{"since": "2099-01-01"}, `since "2099-01-01" is not in the past`, true},
		{"missed_call_triage", map[string]string{"phoneNumber": "Sales", "user": "Maria Garcia"}, `user "Maria Garcia" is not a user of "Sales" (+14155550100); its users are: …Jordan Lee…Leave out phoneNumber`, false},
		{"prepare_for_call", nil, `prepare_for_call needs contact: The contact's name as saved in OpenPhone`, true},
		{"prepare_for_call", map[string]string{"contact": "  "}, `prepare_for_call needs contact`, true},
		{"prepare_for_call", map[string]string{"contact": "555"}, `contact "555" is not a valid phone number`, true},
	} {
		e := newPromptEnv(t, testutil.ProtocolLegacy)
		_, err := e.get(t, c.prompt, c.args)
		if err == nil || !containsInOrder(err.Error(), c.want) {
			t.Errorf("%s %v: err = %v, want one containing %q", c.prompt, c.args, err, c.want)
		}
		if c.noRequests && e.sb.Requests() != 0 {
			t.Errorf("%s %v: %d API requests for a mistake the prompt can tell alone", c.prompt, c.args, e.sb.Requests())
		}
	}
}

// TestPromptResolveNumber: a number's name resolves in full or by the
// start of the only name it starts; two numbers of one name ask for the
// number; without the list an id or a number passes as given.
func TestPromptResolveNumber(t *testing.T) {
	p := NewPrompts(Deps{})
	numbers := []client.PhoneNumber{
		{ID: "PNa1", Number: "+14155550100", Name: "Sales"},
		{ID: "PNb2", Number: "+14155550101", Name: "Support"},
		{ID: "PNc3", Number: "+14155550102", Name: "Front desk"},
		{ID: "PNd4", Number: "+14155550103", Name: "Front desk"},
	}
	for _, c := range []struct {
		raw, wantID, wantErr string
		listErr              error
	}{
		{raw: "sales", wantID: "PNa1"},
		{raw: "Supp", wantID: "PNb2"},
		{raw: "S", wantErr: `phoneNumber "S" is not the name`},   // one letter is no prefix
		{raw: "Su", wantID: "PNb2"},                              // only Support starts so
		{raw: "(415) 555-0100", wantID: "PNa1"},                  // by number
		{raw: "PNzz", wantID: "PNzz"},                            // an id of another user's number: the API decides
		{raw: "front desk", wantErr: `is the name of 2 numbers`}, // ambiguous
		{raw: "Sales", wantErr: "could not list the workspace's OpenPhone numbers", listErr: errors.New("down")},
		{raw: "+1 415 555 0199", wantID: "", listErr: errors.New("down")}, // a number passes
		{raw: "PNa1", wantID: "PNa1", listErr: errors.New("down")},
	} {
		list := numbers
		if c.listErr != nil {
			list = nil
		}
		n, err := p.resolveNumber(c.raw, list, c.listErr)
		switch {
		case c.wantErr != "":
			if err == nil || !containsInOrder(explain(err), c.wantErr) {
				t.Errorf("%q: err = %v, want %q", c.raw, err, c.wantErr)
			}
		case err != nil:
			t.Errorf("%q: %v", c.raw, err)
		case n.ID != c.wantID:
			t.Errorf("%q resolved to %+v, want %s", c.raw, n, c.wantID)
		}
	}
}

// TestPromptResolveUser: a user by id, email, full name, first name or the
// start of the only name; several matches are listed, never guessed.
func TestPromptResolveUser(t *testing.T) {
	users := []client.PhoneNumberUser{
		{ID: "USa", Email: "sam.lee@example.com", FirstName: ptr("Sam"), LastName: ptr("Lee")},
		{ID: "USb", Email: "sam.ortiz@example.com", FirstName: ptr("Sam"), LastName: ptr("Ortiz")},
		{ID: "USc", Email: "ana@example.com", FirstName: ptr("Ana"), LastName: ptr("Ruiz")},
	}
	numbers := []client.PhoneNumber{{ID: "PN1", Users: users[:2]}, {ID: "PN2", Users: users[1:]}}
	for _, c := range []struct{ raw, wantID, wantErr string }{
		{raw: "USb", wantID: "USb"},
		{raw: "ANA@example.com", wantID: "USc"},
		{raw: "sam ortiz", wantID: "USb"},
		{raw: "ana", wantID: "USc"},
		{raw: "Sam L", wantID: "USa"},
		{raw: "sam", wantErr: `user "sam" matches several users: …Sam Lee…Sam Ortiz…; give the full name, the email or the US id`},
		{raw: "Bo", wantErr: `user "Bo" is not a user of this workspace; the users are: …Sam Lee…Sam Ortiz…Ana Ruiz`},
	} {
		id, _, err := resolvePromptUser(c.raw, numbers, nil)
		switch {
		case c.wantErr != "":
			if err == nil || !containsInOrder(explain(err), c.wantErr) {
				t.Errorf("%q: err = %v, want %q", c.raw, err, c.wantErr)
			}
		case err != nil || id != c.wantID:
			t.Errorf("%q = %q, %v; want %s", c.raw, id, err, c.wantID)
		}
	}
	if id, _, err := resolvePromptUser("USzz9", nil, errors.New("down")); id != "USzz9" || err != nil {
		t.Errorf("a US id without the list = %q, %v; want it as given", id, err)
	}
}

// containsInOrder reports whether s holds the parts of want (split at "…")
// in order: a sentence checked without the exact rendering of the numbers
// and users it lists.
func containsInOrder(s, want string) bool {
	for _, part := range strings.Split(want, "…") {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return true
}
