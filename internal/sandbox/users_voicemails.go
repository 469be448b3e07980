package sandbox

// Users on both surfaces (GET /v1/users and /v1/users/{id}, GET /users and
// /users/{id}) and v1's voicemail of a call (GET /v1/call-voicemails/{id}):
// documented routes that the stored v1 JSON lacks.

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/openphone-mcp/openphone-mcp/client"
)

const maxUsersPage = 50 // maxResults of GET /v1/users

// listUsers serves GET /v1/users.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ string) {
	q := newQuery(r)
	max := defaultMaxResults
	if q.has("maxResults") {
		v := q.v.Get("maxResults")
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			q.fail("maxResults", "integer", "Expected integer", v)
		case n < 1:
			q.fail("maxResults", "integer", "Expected integer to be greater or equal to 1", n)
		case n > maxUsersPage:
			q.fail("maxResults", "integer", "Expected integer to be less or equal to 50", n)
		default:
			max = n
		}
	}
	fp := fingerprint("users")
	off := q.offset(fp)
	if len(q.errs) > 0 {
		writeError(w, badRequest("11", q.errs))
		return
	}
	page := client.UserPage{TotalItems: len(s.users)}
	page.Data, page.NextPageToken = pageOf(s.users, all(len(s.users)), off, max, fp)
	writeJSON(w, page)
}

// userByID is the user of id, or nil.
func (s *Server) userByID(id string) *client.User {
	for i := range s.users {
		if s.users[i].ID == id {
			return &s.users[i]
		}
	}
	return nil
}

// getUser serves GET /v1/users/{userId}.
func (s *Server) getUser(w http.ResponseWriter, _ *http.Request, id string) {
	if !strings.HasPrefix(id, "US") {
		writeError(w, badRequest("11", []fieldError{newFieldError("/userId", "string", "Expected string to match '^US(.*)$'", id)}))
		return
	}
	u := s.userByID(id)
	if u == nil {
		writeError(w, notFound("11", "User", id))
		return
	}
	writeData(w, *u)
}

// listDatedUsers serves GET /users.
func (s *Server) listDatedUsers(w http.ResponseWriter, r *http.Request, _ string) {
	q, ok := datedQuery(w, r, "limit", "after")
	if !ok {
		return
	}
	limit := q.limit()
	fp := fingerprint("dated-users")
	off := s.after(q, fp)
	if len(q.errs) > 0 {
		datedBadRequest(w, q.errs)
		return
	}
	data, next := cursorPage(s, s.users, all(len(s.users)), off, limit, fp)
	writeCursorPage(w, data, next)
}

// getDatedUser serves GET /users/{userId}.
func (s *Server) getDatedUser(w http.ResponseWriter, r *http.Request, id string) {
	if _, ok := datedQuery(w, r); !ok {
		return
	}
	if !strings.HasPrefix(id, "US") {
		datedBadRequest(w, []fieldError{newFieldError("/userId", "string", "Expected string to match '^US(.*)$'", id)})
		return
	}
	u := s.userByID(id)
	if u == nil {
		writeDatedError(w, notFound("11", "User", id))
		return
	}
	writeData(w, *u)
}

// getVoicemail serves GET /v1/call-voicemails/{callId}: the voicemail of
// a v1 call. A call without one is a 404, as is a call v1 does not know.
func (s *Server) getVoicemail(w http.ResponseWriter, _ *http.Request, id string) {
	if !pathID(w, "12", "callId", id) {
		return
	}
	if _, ok := s.callIndex[id]; !ok {
		writeError(w, notFound("12", "Call", id))
		return
	}
	vm, ok := s.voicemails[id]
	if !ok {
		writeError(w, notFound("12", "Voicemail for call", id))
		return
	}
	writeData(w, vm)
}
