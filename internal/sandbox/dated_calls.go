package sandbox

// The dated calls resource: GET /calls over the whole workspace (the v1
// calls converted, plus the calls only the dated surface lists), one call
// with its summary and voicemail inline, and a call's recordings and
// transcripts paged by cursor.

import (
	"net/http"
	"slices"
	"strings"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// datedIndex is the dated surface's view of the calls, newest first.
type datedIndex struct {
	calls  []client.DatedCall
	byID   map[string]int
	other  []string // per call: its own other party (what participant matches), "" for none
	fromV1 []bool   // per call: converted from Workspace.Calls, so its content is v1's
}

// datedIdx builds the index on first use.
func (s *Server) datedIdx() *datedIndex {
	s.datedOnce.Do(func() {
		ws := s.datedWS
		n := len(s.calls) + len(ws.DatedCalls)
		x := &datedIndex{
			calls: make([]client.DatedCall, 0, n), byID: make(map[string]int, n),
			other: make([]string, 0, n), fromV1: make([]bool, 0, n),
		}
		for i := range s.calls {
			x.calls = append(x.calls, s.datedFromV1(&s.calls[i]))
			x.fromV1 = append(x.fromV1, true)
		}
		for _, d := range ws.DatedCalls {
			x.calls = append(x.calls, d)
			x.fromV1 = append(x.fromV1, false)
		}
		order := make([]int, len(x.calls))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(i, j int) int {
			a, b := &x.calls[i], &x.calls[j]
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c // newest first
			}
			return strings.Compare(b.ID, a.ID)
		})
		calls, fromV1 := make([]client.DatedCall, len(order)), make([]bool, len(order))
		for k, i := range order {
			calls[k], fromV1[k] = x.calls[i], x.fromV1[i]
		}
		x.calls, x.fromV1 = calls, fromV1
		for i := range x.calls {
			x.byID[x.calls[i].ID] = i
			x.other = append(x.other, s.ownOtherParty(&x.calls[i]))
		}
		s.dated = x
	})
	return s.dated
}

// datedFromV1 is a v1 call as the dated surface shows it: its user as the
// actor, and its participants as objects, the Quo number's with that actor.
func (s *Server) datedFromV1(c *client.Call) client.DatedCall {
	d := client.DatedCall{
		ID: c.ID, ActorID: c.UserID, Direction: c.Direction, Status: c.Status, Duration: c.Duration,
		CreatedAt: c.CreatedAt, AnsweredAt: c.AnsweredAt, AnsweredBy: c.AnsweredBy, InitiatedBy: c.InitiatedBy,
		CompletedAt: c.CompletedAt, UpdatedAt: c.UpdatedAt, CallRoute: c.CallRoute,
		ForwardedFrom: c.ForwardedFrom, ForwardedTo: c.ForwardedTo, AIHandled: c.AIHandled,
		Participants: make([]client.CallParticipant, len(c.Participants)),
	}
	own := ""
	if c.PhoneNumberID != "" {
		d.PhoneNumberID = ptr(c.PhoneNumberID)
		if n := s.numberByID[c.PhoneNumberID]; n != nil {
			own = n.Number
		}
	}
	for i, p := range c.Participants {
		d.Participants[i].PhoneNumber = p
		if p == own && c.UserID != "" {
			d.Participants[i].ActorID = ptr(c.UserID)
		}
	}
	return d
}

// ownOtherParty is the party participant= matches: the first participant
// that is an outside number (no actor, not the call's Quo number). Calls
// list the caller first, so on a group call it is the caller or the callee,
// never someone added later.
func (s *Server) ownOtherParty(d *client.DatedCall) string {
	own := ""
	if d.PhoneNumberID != nil {
		if n := s.numberByID[*d.PhoneNumberID]; n != nil {
			own = n.Number
		}
	}
	for _, p := range d.Participants {
		if p.ActorID == nil && p.PhoneNumber != own {
			return p.PhoneNumber
		}
	}
	return ""
}

// hasActor reports whether actor handled, answered, placed or took part
// in d (what v1's userId matches, plus the people on a group call).
func hasActor(d *client.DatedCall, actor string) bool {
	if d.ActorID == actor || eq(d.AnsweredBy, actor) || eq(d.InitiatedBy, actor) {
		return true
	}
	for _, p := range d.Participants {
		if eq(p.ActorID, actor) {
			return true
		}
	}
	return false
}

// listDatedCalls serves GET /calls.
func (s *Server) listDatedCalls(w http.ResponseWriter, r *http.Request, _ string) {
	q, ok := datedQuery(w, r, "phoneNumberId", "actorId", "participant", "participant[in]", "direction",
		"status", "status[in]", "createdAt[gte]", "createdAt[lte]", "include", "limit", "after")
	if !ok {
		return
	}
	pn := q.prefixed("phoneNumberId", "PN", false)
	actor := q.actor()
	participant := ""
	if q.has("participant") {
		participant = q.v.Get("participant")
		if !e164.MatchString(participant) {
			q.fail("participant", "string", e164Want, participant)
		}
	}
	participantIn := q.list("participant[in]", e164.MatchString, e164Want)
	if q.has("participant") && q.has("participant[in]") {
		q.fail("participant[in]", "string", "Send participant or participant[in], not both", nil)
	}
	direction := q.oneOf("direction", directions, "Expected one of incoming, outgoing")
	status := q.oneOf("status", callStatuses, statusWant)
	statusIn := q.list("status[in]", func(s string) bool { return callStatuses[s] }, statusWant)
	if q.has("status") && q.has("status[in]") {
		q.fail("status[in]", "string", "Send status or status[in], not both", nil)
	}
	gte, lte := q.time("createdAt[gte]"), q.time("createdAt[lte]")
	summary, voicemail := q.include()
	limit := q.limit()
	fp := fingerprint("dated-calls", pn, actor, participant, strings.Join(participantIn, ","), direction,
		status, strings.Join(statusIn, ","), fmtTime(gte), fmtTime(lte))
	off := s.after(q, fp)
	if len(q.errs) > 0 {
		datedBadRequest(w, q.errs)
		return
	}
	if pn != "" && s.numberByID[pn] == nil {
		writeDatedError(w, notPhoneNumberUser("01", pn))
		return
	}
	x := s.datedIdx()
	var matched []int
	for i := range x.calls {
		c := &x.calls[i]
		switch {
		case pn != "" && !eq(c.PhoneNumberID, pn),
			actor != "" && !hasActor(c, actor),
			participant != "" && x.other[i] != participant,
			participantIn != nil && !slices.Contains(participantIn, x.other[i]),
			direction != "" && c.Direction != direction,
			status != "" && c.Status != status,
			statusIn != nil && !slices.Contains(statusIn, c.Status),
			!gte.IsZero() && c.CreatedAt.Before(gte), // both bounds inclusive
			!lte.IsZero() && c.CreatedAt.After(lte):
			continue
		}
		matched = append(matched, i)
	}
	data, next := cursorPage(s, x.calls, matched, off, limit, fp)
	for i := range data { // copies: the index keeps no content
		s.withContent(&data[i], x.fromV1[x.byID[data[i].ID]], summary, voicemail)
	}
	writeCursorPage(w, data, next)
}

// actor reads actorId: a user (US…) or a system actor (SYU…).
func (q *query) actor() string {
	if !q.has("actorId") {
		return ""
	}
	s := q.v.Get("actorId")
	if !strings.HasPrefix(s, "US") && !strings.HasPrefix(s, "SYU") {
		q.fail("actorId", "string", "Expected string to match '^US(.*)$' or '^SYU(.*)$'", s)
	}
	return s
}

// withContent puts the summary and the voicemail inline in d, as include
// asks: the summary always (absent when there is none), the voicemail only
// when one was left.
func (s *Server) withContent(d *client.DatedCall, fromV1, summary, voicemail bool) {
	if summary {
		d.Summary = s.datedSummary(d, fromV1)
	}
	if vm, ok := s.voicemails[d.ID]; ok && voicemail {
		d.Voicemail = &vm
	}
}

// datedSummary is the summary of d: the workspace's dated one, else the
// v1 one reshaped (human, or agent for a call the AI agent handled), else
// absent.
func (s *Server) datedSummary(d *client.DatedCall, fromV1 bool) *client.DatedCallSummary {
	if ds, ok := s.datedWS.DatedSummaries[d.ID]; ok {
		return &ds
	}
	sum, ok := s.summaries[d.ID]
	if !ok || !fromV1 {
		return &client.DatedCallSummary{Status: client.StatusAbsent}
	}
	out := &client.DatedCallSummary{Status: sum.Status}
	if sum.Status != client.StatusCompleted {
		return out
	}
	out.Summary = sum.Summary
	if d.AIHandled != nil {
		out.Type = ptr(client.SummaryTypeAgent)
		if len(sum.Jobs) > 0 {
			out.Jobs = sum.Jobs
		}
	} else {
		out.Type = ptr(client.SummaryTypeHuman)
		out.NextSteps = sum.NextSteps
	}
	return out
}

// datedCallOf finds the call of a path, answering 400 or 404 when there
// is none.
func (s *Server) datedCallOf(w http.ResponseWriter, id string) (int, bool) {
	if !strings.HasPrefix(id, "AC") {
		datedBadRequest(w, []fieldError{newFieldError("/callId", "string", "Expected string to match '^AC(.*)$'", id)})
		return 0, false
	}
	i, ok := s.datedIdx().byID[id]
	if !ok {
		writeDatedError(w, notFound("01", "Call", id))
		return 0, false
	}
	return i, true
}

// getDatedCall serves GET /calls/{callId}.
func (s *Server) getDatedCall(w http.ResponseWriter, r *http.Request, id string) {
	q, ok := datedQuery(w, r, "include")
	if !ok {
		return
	}
	summary, voicemail := q.include()
	if len(q.errs) > 0 {
		datedBadRequest(w, q.errs)
		return
	}
	i, ok := s.datedCallOf(w, id)
	if !ok {
		return
	}
	x := s.datedIdx()
	d := x.calls[i]
	s.withContent(&d, x.fromV1[i], summary, voicemail)
	writeData(w, d)
}

// pageOfCall reads limit and after of a list of one call's items.
func (s *Server) pageOfCall(w http.ResponseWriter, r *http.Request, what, id string) (i, off, limit int, fp string, ok bool) {
	q, ok := datedQuery(w, r, "limit", "after")
	if !ok {
		return 0, 0, 0, "", false
	}
	limit = q.limit()
	fp = fingerprint("dated-"+what, id)
	off = s.after(q, fp)
	if len(q.errs) > 0 {
		datedBadRequest(w, q.errs)
		return 0, 0, 0, "", false
	}
	i, ok = s.datedCallOf(w, id)
	return i, off, limit, fp, ok
}

// datedRecordings are the recordings of call i of the index, oldest first.
func (s *Server) datedRecordings(i int) []client.CallRecording {
	x := s.datedIdx()
	id := x.calls[i].ID
	if x.fromV1[i] {
		return oldestFirst(s.recordings[id])
	}
	return oldestFirst(s.datedWS.DatedRecordings[id])
}

// listDatedRecordings serves GET /calls/{callId}/recordings.
func (s *Server) listDatedRecordings(w http.ResponseWriter, r *http.Request, id string) {
	i, off, limit, fp, ok := s.pageOfCall(w, r, "recordings", id)
	if !ok {
		return
	}
	recs := s.datedRecordings(i)
	data, next := cursorPage(s, recs, all(len(recs)), off, limit, fp)
	writeCursorPage(w, data, next)
}

// listDatedTranscripts serves GET /calls/{callId}/transcripts.
func (s *Server) listDatedTranscripts(w http.ResponseWriter, r *http.Request, id string) {
	i, off, limit, fp, ok := s.pageOfCall(w, r, "transcripts", id)
	if !ok {
		return
	}
	var trs []client.DatedTranscript
	if x := s.datedIdx(); x.fromV1[i] {
		var tr *client.CallTranscript
		if t, ok := s.transcripts[id]; ok {
			tr = &t
		}
		trs = segmentTranscripts(tr, s.datedRecordings(i))
	} else {
		trs = s.datedWS.DatedTranscripts[id]
	}
	data, next := cursorPage(s, trs, all(len(trs)), off, limit, fp)
	writeCursorPage(w, data, next)
}

// segmentTranscripts cuts a v1 transcript (nil: none) into one transcript
// per recording segment, as the dated surface serves them: each line goes
// to the segment it starts in, its start and end counted from that
// segment's start. A call without recordings has no dated transcript.
func segmentTranscripts(tr *client.CallTranscript, recs []client.CallRecording) []client.DatedTranscript {
	out := make([]client.DatedTranscript, len(recs))
	offsets := make([]float64, len(recs)) // seconds from the first segment's start
	for k, rec := range recs {
		if rec.StartTime != nil && recs[0].StartTime != nil {
			offsets[k] = rec.StartTime.Sub(*recs[0].StartTime).Seconds()
		}
		dt := client.DatedTranscript{RecordingID: rec.ID, Status: client.StatusAbsent, StartTime: rec.StartTime,
			Dialogue: []client.DatedDialogueLine{}}
		if rec.Duration != nil {
			dt.Duration = float64(*rec.Duration)
		}
		if tr != nil {
			dt.Status, dt.CreatedAt = tr.Status, ptr(tr.CreatedAt)
		}
		out[k] = dt
	}
	if tr == nil || tr.Status != client.StatusCompleted || len(recs) == 0 {
		return out
	}
	for _, l := range tr.Dialogue {
		k := len(recs) - 1
		for k > 0 && l.Start < offsets[k] {
			k--
		}
		out[k].Dialogue = append(out[k].Dialogue, client.DatedDialogueLine{
			Content: l.Content, Start: round2(l.Start - offsets[k]), End: round2(l.End - offsets[k]),
			Identifier: l.Identifier, ActorID: l.UserID,
		})
	}
	return out
}

// oldestFirst is a copy of recs sorted by start time (never nil).
func oldestFirst(recs []client.CallRecording) []client.CallRecording {
	out := slices.Clone(recs)
	if out == nil {
		out = []client.CallRecording{}
	}
	slices.SortStableFunc(out, func(a, b client.CallRecording) int {
		if a.StartTime == nil || b.StartTime == nil {
			return 0
		}
		return a.StartTime.Compare(*b.StartTime)
	})
	return out
}

// all is the indexes 0..n-1.
func all(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// cursorPage is the page of items at matched[off:off+limit] and the
// cursor of the next one, nil on the last page; the page is never nil.
func cursorPage[T any](s *Server, items []T, matched []int, off, limit int, fp string) ([]T, *string) {
	if off >= len(matched) {
		return []T{}, nil
	}
	end := min(off+limit, len(matched))
	data := make([]T, 0, end-off)
	for _, i := range matched[off:end] {
		data = append(data, items[i])
	}
	if end == len(matched) {
		return data, nil
	}
	c := s.cursor(end, fp)
	return data, &c
}
