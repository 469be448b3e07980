package sandbox

// The dated surface (Quo API version 2026-03-30, docs/quo-api-2026-03-30.md):
// its routes, the version header, its error body (no numeric code), strict
// query parameters (an unknown one is a 400 that names it, so that a
// client's fallback can be tested), and short-lived cursors.
//
// Where the doc is silent the sandbox chooses: auth (401) and the shared
// rate limit (429) come before the version check; a repeated parameter is
// a 400; participant and participant[in] (or status and status[in])
// together are a 400; an unknown phoneNumberId is v1's 403; actorId
// matches the call's actor, answeredBy, initiatedBy or any participant's
// actor; participant matches the first outside number of the call
// (caller first, so never a party added to a group call); a v1 call's
// actor is its userId; its summary is the v1 one reshaped (type agent for
// calls with aiHandled, else human with its next steps; jobs on agent
// summaries only, as the doc has them); its transcripts are the v1
// transcript cut at its recordings' starts, so a call without recordings
// has none; a cursor lives Options.CursorTTL and is tied to the filters,
// not to limit or include.

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	datedVersion      = "2026-03-30"
	datedVersionHdr   = "Quo-Api-Version"
	datedDocsURL      = "https://www.quo.com/docs/2026-03-30"
	defaultDatedLimit = 10
	maxDatedLimit     = 50
	defaultCursorTTL  = 5 * time.Minute
	maxParticipantIn  = 50 // the sandbox's bound on participant[in] and status[in]
)

// datedRoute maps a path of the dated surface to its handler; ok is false
// for a path outside it. Unknown paths under /calls/ and /users/ are the
// dated surface's own 404.
func datedRoute(path string) (routed, bool) {
	switch path {
	case "/calls":
		return routed{"01", (*Server).listDatedCalls, "", true}, true
	case "/users":
		return routed{"11", (*Server).listDatedUsers, "", true}, true
	}
	if rest, ok := strings.CutPrefix(path, "/calls/"); ok {
		id, sub, _ := strings.Cut(rest, "/")
		switch {
		case id == "" || strings.Contains(sub, "/"):
		case sub == "":
			return routed{"01", (*Server).getDatedCall, id, true}, true
		case sub == "recordings":
			return routed{"09", (*Server).listDatedRecordings, id, true}, true
		case sub == "transcripts":
			return routed{"06", (*Server).listDatedTranscripts, id, true}, true
		}
		return routed{"01", nil, "", true}, true
	}
	if id, ok := strings.CutPrefix(path, "/users/"); ok {
		if id == "" || strings.Contains(id, "/") {
			return routed{"11", nil, "", true}, true
		}
		return routed{"11", (*Server).getDatedUser, id, true}, true
	}
	return routed{}, false
}

// checkVersion answers 400 to a dated request without the version header
// (or with another version) and reports whether the request may go on.
func checkVersion(w http.ResponseWriter, r *http.Request) bool {
	v := r.Header.Get(datedVersionHdr)
	if v == datedVersion {
		return true
	}
	msg := "Missing header " + datedVersionHdr + ": send " + datedVersionHdr + ": " + datedVersion
	if v != "" {
		msg = "Unsupported " + datedVersionHdr + " " + strconv.Quote(v) + ": this API serves " + datedVersion
	}
	writeDatedError(w, &apiError{status: http.StatusBadRequest, title: "Bad Request", message: msg})
	return false
}

// writeDatedError writes the dated error body {title, message, docs,
// trace, errors?}: e.code is not sent, the dated API has no numeric code.
func writeDatedError(w http.ResponseWriter, e *apiError) {
	body := struct {
		Title   string       `json:"title"`
		Message string       `json:"message"`
		Docs    string       `json:"docs"`
		Trace   string       `json:"trace"`
		Errors  []fieldError `json:"errors,omitempty"`
	}{
		Title: e.title, Message: e.message, Docs: datedDocsURL,
		Trace: "sandbox-" + strconv.FormatUint(traceSeq.Add(1), 16), Errors: e.errors,
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

// datedQuery reads the query of a dated request: only the names allowed,
// each at most once.
func datedQuery(w http.ResponseWriter, r *http.Request, allowed ...string) (*query, bool) {
	v := r.URL.Query()
	var unknown []string
	q := &query{v: v}
	for name, vals := range v {
		switch {
		case !slices.Contains(allowed, name):
			unknown = append(unknown, name)
		case len(vals) > 1:
			q.fail(name, "string", "Expected a single value, got "+strconv.Itoa(len(vals)), vals)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		errs := make([]fieldError, len(unknown))
		for i, name := range unknown {
			errs[i] = newFieldError("/"+name, "never", "Unknown query parameter", v.Get(name))
		}
		writeDatedError(w, &apiError{
			status: http.StatusBadRequest, title: "Bad Request", errors: errs,
			message: "Unknown query parameter " + strings.Join(unknown, ", ") + " (allowed: " + strings.Join(allowed, ", ") + ")",
		})
		return nil, false
	}
	return q, true
}

// limit reads limit: 1-50, default 10.
func (q *query) limit() int {
	if !q.has("limit") {
		return defaultDatedLimit
	}
	s := q.v.Get("limit")
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		q.fail("limit", "integer", "Expected integer", s)
	case n < 1:
		q.fail("limit", "integer", "Expected integer to be greater or equal to 1", n)
	case n > maxDatedLimit:
		q.fail("limit", "integer", "Expected integer to be less or equal to 50", n)
	default:
		return n
	}
	return defaultDatedLimit
}

// list reads a comma list ("a,b"); each item must pass ok, else fails with
// want (what a good item looks like).
func (q *query) list(name string, ok func(string) bool, want string) []string {
	if !q.has(name) {
		return nil
	}
	s := q.v.Get(name)
	items := strings.Split(s, ",")
	if len(items) > maxParticipantIn {
		q.fail(name, "array", "Expected array length to be less or equal to "+strconv.Itoa(maxParticipantIn), len(items))
		return nil
	}
	for i, it := range items {
		if !ok(it) {
			q.fail(name+"/"+strconv.Itoa(i), "string", want, it)
		}
	}
	return items
}

// Cursors are opaque like the v1 page tokens, and short-lived: base64url
// of a 4-byte offset, the 8-byte time of issue (Unix milliseconds) and a
// CRC-32 of both and the query they belong to.
func (s *Server) cursor(offset int, fp string) string {
	var b [16]byte
	binary.BigEndian.PutUint32(b[:4], uint32(offset))
	binary.BigEndian.PutUint64(b[4:12], uint64(s.now().UnixMilli()))
	binary.BigEndian.PutUint32(b[12:], cursorSum(b[:12], fp))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func cursorSum(b []byte, fp string) uint32 {
	h := crc32.NewIEEE()
	h.Write([]byte("quo-sandbox-cursor:"))
	h.Write(b)
	h.Write([]byte(fp))
	return h.Sum32()
}

// after decodes the cursor of after; none is offset 0. A cursor of another
// query, a made-up one and an expired one each fail with their reason.
func (s *Server) after(q *query, fp string) int {
	if !q.has("after") {
		return 0
	}
	c := q.v.Get("after")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 16 || binary.BigEndian.Uint32(b[12:]) != cursorSum(b[:12], fp) {
		q.fail("after", "string", "Invalid cursor: pass the nextCursor of the previous page of the same query", c)
		return 0
	}
	issued := time.UnixMilli(int64(binary.BigEndian.Uint64(b[4:12])))
	if ttl := s.cursorTTL(); s.now().Sub(issued) > ttl {
		q.fail("after", "string", "Cursor expired: cursors are valid for "+ttl.String()+
			"; list again, from a createdAt bound to resume", c)
		return 0
	}
	return int(binary.BigEndian.Uint32(b[:4]))
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func (s *Server) cursorTTL() time.Duration {
	if s.opts.CursorTTL > 0 {
		return s.opts.CursorTTL
	}
	return defaultCursorTTL
}

// writeCursorPage writes {data, nextCursor}.
func writeCursorPage[T any](w http.ResponseWriter, data []T, next *string) {
	writeJSON(w, struct {
		Data       []T     `json:"data"`
		NextCursor *string `json:"nextCursor"`
	}{data, next})
}

// datedBadRequest is the 400 of field errors on the dated surface.
func datedBadRequest(w http.ResponseWriter, errs []fieldError) {
	writeDatedError(w, badRequest("", errs))
}

// include reads include: a comma list of summary and voicemail.
func (q *query) include() (summary, voicemail bool) {
	for _, it := range q.list("include", func(s string) bool { return s == "summary" || s == "voicemail" },
		"Expected one of summary, voicemail") {
		summary = summary || it == "summary"
		voicemail = voicemail || it == "voicemail"
	}
	return summary, voicemail
}

// oneOf reads an optional enum value.
func (q *query) oneOf(name string, values map[string]bool, want string) string {
	if !q.has(name) {
		return ""
	}
	s := q.v.Get(name)
	if !values[s] {
		q.fail(name, "string", want, s)
	}
	return s
}

var (
	directions   = map[string]bool{"incoming": true, "outgoing": true}
	callStatuses = map[string]bool{"queued": true, "initiated": true, "ringing": true, "in-progress": true,
		"completed": true, "busy": true, "failed": true, "no-answer": true, "canceled": true, "missed": true,
		"answered": true, "forwarded": true, "abandoned": true}
	statusWant = "Expected one of queued, initiated, ringing, in-progress, completed, busy, failed, " +
		"no-answer, canceled, missed, answered, forwarded, abandoned"
)

// e164Want is the message of a participant that is not E.164.
const e164Want = `Expected string to match '^\+[1-9]\d{1,14}$' (E.164; a "+" must be sent as %2B)`
