// recent_calls' filters: status (and the word "missed"), direction and the
// other party, on both surfaces; bad values refused before any request.

package tools

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// rcFiltered is what recent_calls must list of the five-day window for f.
func rcFiltered(ws *sandbox.Workspace, keep func(c *client.Call) bool) []string {
	var want []string
	for _, id := range rcExpected(ws, rcFiveDays, time.Time{}, nil, "") {
		for i := range ws.Calls {
			if ws.Calls[i].ID == id && keep(&ws.Calls[i]) {
				want = append(want, id)
			}
		}
	}
	return want
}

func TestRecentCallsFilters_StatusDirectionParticipant(t *testing.T) {
	ws := recentWorkspace()
	var party string
	for _, id := range rcExpected(ws, rcFiveDays, time.Time{}, nil, "") {
		for i := range ws.Calls {
			if ws.Calls[i].ID == id {
				for _, p := range ws.Calls[i].Participants {
					if p != rcFrontNumber && p != rcFieldNumber {
						party = p // the other party of the window's oldest call
					}
				}
			}
		}
	}
	written := "(" + party[2:5] + ") " + party[5:8] + "-" + party[8:] // as people write it
	missed := []string{"missed", "no-answer", "abandoned"}
	for _, version := range []string{APIV1, APIDated} {
		for _, tc := range []struct {
			name string
			args map[string]any
			keep func(c *client.Call) bool
		}{
			{"missed", map[string]any{"status": []string{"missed"}}, func(c *client.Call) bool { return slices.Contains(missed, c.Status) }},
			{"completed incoming", map[string]any{"status": []string{"completed"}, "direction": "incoming"},
				func(c *client.Call) bool { return c.Status == "completed" && c.Direction == "incoming" }},
			{"participant as written", map[string]any{"participant": written}, func(c *client.Call) bool { return slices.Contains(c.Participants, party) }},
		} {
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0, func(d *Deps) { d.APIVersion = version })
				args := map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 7}
				for k, v := range tc.args {
					args[k] = v
				}
				want := rcFiltered(ws, tc.keep)
				if len(want) == 0 {
					t.Fatal("the workspace has no such call")
				}
				ids, _, _ := rcPages(t, e, args, 7)
				checkSameList(t, ids, want)
			})
		}
	}
}

func TestRecentCallsFilters_Refused(t *testing.T) {
	e, sb := newRecentEnv(t, recentWorkspace(), sandbox.Options{}, 0)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"status": []string{"lost"}}, `status "lost" is not a call status: give one or more of queued,`},
		{map[string]any{"direction": "inbound"}, `direction "inbound" is neither "incoming" nor "outgoing"`},
		{map[string]any{"participant": "555"}, "participant"},
	} {
		before := sb.Requests()
		res := e.call(t, "recent_calls", tc.args)
		if !res.IsError || !strings.Contains(res.Text, tc.want) {
			t.Errorf("%v: got %q, want an error with %q", tc.args, res.Text, tc.want)
		}
		if sb.Requests() != before {
			t.Errorf("%v: %d API requests for a bad argument", tc.args, sb.Requests()-before)
		}
	}
	// A token of one listing does not continue a listing with other filters.
	first := e.call(t, "recent_calls", map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 3, "status": []string{"missed"}})
	tok := rcOutput(t, first).NextPageToken
	res := e.call(t, "recent_calls", map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 3, "pageToken": tok})
	if !res.IsError || !strings.Contains(res.Text, "another status, direction or participant") {
		t.Errorf("a missed-only token taken without the filter: %s", res.Text)
	}
}

// TestRecentCallsFilters_User: userId narrows on both surfaces (actorId on
// the dated one) to the same calls.
func TestRecentCallsFilters_User(t *testing.T) {
	ws := recentWorkspace()
	want := rcExpected(ws, rcFiveDays, time.Time{}, nil, rcBen)
	if len(want) == 0 {
		t.Fatal("the workspace has no call of the user")
	}
	for _, version := range []string{APIV1, APIDated} {
		t.Run(version, func(t *testing.T) {
			e, _ := newRecentEnv(t, ws, sandbox.Options{}, 0, func(d *Deps) { d.APIVersion = version })
			ids, _, _ := rcPages(t, e, map[string]any{"createdAfter": rcFiveDays.Format(time.RFC3339), "maxResults": 9, "userId": rcBen}, 9)
			checkSameList(t, ids, want)
		})
	}
}
