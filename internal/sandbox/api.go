// The v1 API's handlers: calls, one call's summary, transcript and
// recordings, phone numbers and conversations, validated as the API does.

package sandbox

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// Limits of the OpenAPI document.
const (
	defaultMaxResults = 10
	maxMaxResults     = 100
	maxPhoneNumbers   = 100 // phoneNumbers[] of /v1/conversations
	docsURL           = "https://openphone.com/docs"
)

var e164 = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// listCalls serves GET /v1/calls.
func (s *Server) listCalls(w http.ResponseWriter, r *http.Request, _ string) {
	q := newQuery(r)
	parts := q.v["participants"]
	if len(parts) > 1 {
		fe := newFieldError("/participants", "array", "Expected array length to be less or equal to 1", parts)
		writeError(w, &apiError{
			status: http.StatusBadRequest, code: "0101400", title: "Too Many Participants",
			message: "Only one participant is supported: calls can be listed for 1:1 conversations only",
			errors:  []fieldError{fe},
		})
		return
	}
	pn := q.prefixed("phoneNumberId", "PN", true)
	participant := ""
	if len(parts) == 0 {
		q.fail("participants", "array", "Expected required property", nil)
	} else {
		participant = parts[0]
		if !e164.MatchString(participant) {
			q.fail("participants/0", "string", `Expected string to match '^\+[1-9]\d{1,14}$' (E.164; a "+" must be sent as %2B)`, participant)
		}
	}
	user := q.prefixed("userId", "US", false)
	after := q.time("createdAfter")
	before := q.time("createdBefore")
	if since := q.time("since"); !since.IsZero() && before.IsZero() {
		before = since // deprecated: documented to behave like createdBefore
	}
	max := q.maxResults()
	fp := fingerprint("calls", pn, participant, user, fmtTime(after), fmtTime(before))
	off := q.offset(fp)
	if len(q.errs) > 0 {
		writeError(w, badRequest("01", q.errs))
		return
	}
	num := s.numberByID[pn]
	if num == nil || (user != "" && !hasUser(num, user)) {
		writeError(w, notPhoneNumberUser("01", pn))
		return
	}
	var matched []int
	for _, i := range s.pairs[pairKey{pn, participant}] {
		c := &s.calls[i]
		if user != "" && c.UserID != user && !eq(c.AnsweredBy, user) && !eq(c.InitiatedBy, user) {
			continue
		}
		if !after.IsZero() && !c.CreatedAt.After(after) {
			continue
		}
		if !before.IsZero() && !c.CreatedAt.Before(before) {
			continue
		}
		matched = append(matched, i)
	}
	page := client.CallPage{TotalItems: s.numberCalls[pn]}
	page.Data, page.NextPageToken = pageOf(s.calls, matched, off, max, fp)
	writeJSON(w, page)
}

// pageOf is the page of items at matched[off:off+max], sized once, and the
// token of the page after it, nil on the last page. The page is never nil:
// the API sends an empty one as [].
func pageOf[T any](items []T, matched []int, off, max int, fp string) ([]T, *string) {
	if off >= len(matched) {
		return []T{}, nil
	}
	end := min(off+max, len(matched))
	data := make([]T, 0, end-off)
	for _, i := range matched[off:end] {
		data = append(data, items[i])
	}
	if end == len(matched) {
		return data, nil
	}
	t := pageToken(end, fp)
	return data, &t
}

func eq(p *string, s string) bool { return p != nil && *p == s }

func hasUser(n *client.PhoneNumber, user string) bool {
	for _, u := range n.Users {
		if u.ID == user {
			return true
		}
	}
	return false
}

// pathID validates a path parameter that must start with AC.
func pathID(w http.ResponseWriter, res, name, id string) bool {
	if strings.HasPrefix(id, "AC") {
		return true
	}
	writeError(w, badRequest(res, []fieldError{newFieldError("/"+name, "string", "Expected string to match '^AC(.*)$'", id)}))
	return false
}

// getCall serves GET /v1/calls/{callId}.
func (s *Server) getCall(w http.ResponseWriter, _ *http.Request, id string) {
	if !pathID(w, "01", "callId", id) {
		return
	}
	i, ok := s.callIndex[id]
	if !ok {
		writeError(w, notFound("01", "Call", id))
		return
	}
	writeData(w, s.calls[i])
}

// getSummary serves GET /v1/call-summaries/{callId}.
func (s *Server) getSummary(w http.ResponseWriter, _ *http.Request, id string) {
	if !pathID(w, "05", "callId", id) {
		return
	}
	if _, ok := s.callIndex[id]; !ok {
		writeError(w, notFound("05", "Call summary for call", id))
		return
	}
	sum, ok := s.summaries[id]
	if !ok {
		sum = client.CallSummary{CallID: id, Status: client.StatusAbsent}
	}
	writeData(w, sum)
}

// getTranscript serves GET /v1/call-transcripts/{id}.
func (s *Server) getTranscript(w http.ResponseWriter, _ *http.Request, id string) {
	if !pathID(w, "06", "id", id) {
		return
	}
	i, ok := s.callIndex[id]
	if !ok {
		writeError(w, notFound("06", "Call transcript for call", id))
		return
	}
	tr, ok := s.transcripts[id]
	if !ok {
		tr = client.CallTranscript{CallID: id, CreatedAt: s.calls[i].CreatedAt, Status: client.StatusAbsent}
	}
	writeData(w, tr)
}

// getRecordings serves GET /v1/call-recordings/{callId}.
func (s *Server) getRecordings(w http.ResponseWriter, _ *http.Request, id string) {
	if !pathID(w, "09", "callId", id) {
		return
	}
	if _, ok := s.callIndex[id]; !ok {
		writeError(w, notFound("09", "Call recordings for call", id))
		return
	}
	recs := slices.Clone(s.recordings[id])
	if recs == nil {
		recs = []client.CallRecording{}
	}
	slices.SortStableFunc(recs, func(a, b client.CallRecording) int {
		switch {
		case a.StartTime == nil || b.StartTime == nil:
			return 0
		case a.StartTime.Before(*b.StartTime):
			return -1
		case a.StartTime.After(*b.StartTime):
			return 1
		}
		return 0
	})
	writeData(w, recs)
}

// listPhoneNumbers serves GET /v1/phone-numbers (not paginated).
func (s *Server) listPhoneNumbers(w http.ResponseWriter, r *http.Request, _ string) {
	q := newQuery(r)
	user := q.prefixed("userId", "US", false)
	if len(q.errs) > 0 {
		writeError(w, badRequest("04", q.errs))
		return
	}
	out := []client.PhoneNumber{}
	for i := range s.numbers {
		if user == "" || hasUser(&s.numbers[i], user) {
			out = append(out, s.numbers[i])
		}
	}
	writeData(w, out)
}

// listConversations serves GET /v1/conversations.
func (s *Server) listConversations(w http.ResponseWriter, r *http.Request, _ string) {
	q := newQuery(r)
	nums := q.v["phoneNumbers"]
	if len(nums) == 0 && q.has("phoneNumber") {
		nums = q.v["phoneNumber"][:1] // deprecated single form, used only without phoneNumbers
	}
	if len(nums) > maxPhoneNumbers {
		q.fail("phoneNumbers", "array", "Expected array length to be less or equal to 100", nil)
	}
	var ids []string
	for i, n := range nums {
		switch {
		case strings.HasPrefix(n, "PN"):
			ids = append(ids, n)
		case e164.MatchString(n):
			if id, ok := s.idByNumber[n]; ok {
				ids = append(ids, id)
			} else {
				ids = append(ids, "?"+n) // matches nothing
			}
		default:
			q.fail("phoneNumbers/"+strconv.Itoa(i), "string",
				`Expected string to match '^\+[1-9]\d{1,14}$' or '^PN(.*)$'`, n)
		}
	}
	user := q.prefixed("userId", "US", false)
	cAfter, cBefore := q.time("createdAfter"), q.time("createdBefore")
	uAfter, uBefore := q.time("updatedAfter"), q.time("updatedBefore")
	exclude := q.boolean("excludeInactive")
	max := q.maxResults()
	excl := ""
	if exclude != nil {
		excl = strconv.FormatBool(*exclude)
	}
	fp := fingerprint("conversations", strings.Join(ids, ","), user, fmtTime(cAfter), fmtTime(cBefore),
		fmtTime(uAfter), fmtTime(uBefore), excl)
	off := q.offset(fp)
	if len(q.errs) > 0 {
		writeError(w, badRequest("10", q.errs))
		return
	}
	for _, id := range ids {
		if strings.HasPrefix(id, "PN") && s.numberByID[id] == nil {
			writeError(w, notPhoneNumberUser("10", id))
			return
		}
	}
	var matched []int
	for i := range s.convs {
		c := &s.convs[i]
		if len(ids) > 0 && !slices.Contains(ids, c.PhoneNumberID) {
			continue
		}
		if user != "" {
			n := s.numberByID[c.PhoneNumberID]
			if (n == nil || !hasUser(n, user)) && !eq(c.AssignedTo, user) {
				continue
			}
		}
		if !inRange(c.CreatedAt, cAfter, cBefore) || !inRange(c.UpdatedAt, uAfter, uBefore) {
			continue
		}
		if exclude != nil && *exclude && (c.LastActivityAt == nil || c.DeletedAt != nil) {
			continue // inactive: never used, or deleted
		}
		matched = append(matched, i)
	}
	page := client.ConversationPage{TotalItems: len(s.convs)}
	page.Data, page.NextPageToken = pageOf(s.convs, matched, off, max, fp)
	writeJSON(w, page)
}

// inRange reports whether t is strictly inside (after, before); zero bounds
// are open. A nil t matches only when both bounds are open.
func inRange(t *time.Time, after, before time.Time) bool {
	if after.IsZero() && before.IsZero() {
		return true
	}
	if t == nil {
		return false
	}
	return (after.IsZero() || t.After(after)) && (before.IsZero() || t.Before(before))
}
