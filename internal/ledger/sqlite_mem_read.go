// Reading the in-memory listing: a history.Query compiled against its
// tables, the window found by binary search, and calls built back from
// rows (their pointers in a few shared allocations; their lists shared
// with the listing, which never changes an interned list).

package ledger

import (
	"math/bits"
	"slices"
	"sort"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// filter is a history.Query against a memIndex's tables.
type filter struct {
	after, before int64 // nanoseconds; before 0 with open set: no end
	open          bool
	none          bool     // a filter names a value no call has
	pns, statuses []uint32 // empty: any
	user, dir     uint32   // 0: any
	participant   uint32
}

// compile is q's filter; m.mu must be held.
func (m *memIndex) compile(q *history.Query) filter {
	f := filter{after: toNanos(q.After), before: toNanos(q.Before), open: q.Before.IsZero()}
	if q.After.IsZero() {
		f.after = zeroNanos
	}
	known := func(s string) uint32 {
		i, ok := m.lookup(s)
		if !ok {
			f.none = true
		}
		return i
	}
	set := func(vals []string) []uint32 {
		var out []uint32
		for _, v := range vals {
			if i, ok := m.lookup(v); ok {
				out = append(out, i)
			}
		}
		if len(vals) > 0 && len(out) == 0 {
			f.none = true
		}
		return out
	}
	f.pns, f.statuses = set(q.PhoneNumberIDs), set(q.Statuses)
	if q.UserID != "" {
		f.user = known(q.UserID)
	}
	if q.Direction != "" {
		f.dir = known(q.Direction)
	}
	if q.Participant != "" {
		f.participant = known(q.Participant)
	}
	return f
}

// match reports whether r passes f's filters (not its window).
func (m *memIndex) match(f *filter, r *memRow) bool {
	switch {
	case len(f.pns) > 0 && !slices.Contains(f.pns, r.pn),
		len(f.statuses) > 0 && !slices.Contains(f.statuses, r.status),
		f.dir != 0 && r.dir != f.dir,
		f.user != 0 && r.user != f.user && r.actor != f.user && r.answeredBy != f.user && r.initiatedBy != f.user:
		return false
	case f.participant != 0 && r.participant != f.participant:
		return slices.Contains(m.lists[r.parties], m.strs[f.participant])
	}
	return true
}

// window is the part of m.order inside f's window: [start, end), starting
// after from when it is set.
func (m *memIndex) window(f *filter, from *history.Key) (start, end int) {
	if !f.open {
		start = sort.Search(len(m.order), func(i int) bool { return m.rows[m.order[i]].at < f.before })
	}
	if from != nil {
		at := toNanos(from.At)
		i := sort.Search(len(m.order), func(i int) bool {
			slot := m.order[i]
			r := &m.rows[slot]
			return r.at < at || (r.at == at && m.ids[slot] < from.ID)
		})
		start = max(start, i)
	}
	end = sort.Search(len(m.order), func(i int) bool { return m.rows[m.order[i]].at < f.after })
	return start, max(start, end)
}

// scan calls fn with each row of q's window passing its filters, newest
// first, until fn returns false; m.mu must be held.
func (m *memIndex) scan(q *history.Query, from *history.Key, fn func(slot int32, r *memRow) bool) {
	f := m.compile(q)
	if f.none {
		return
	}
	start, end := m.window(&f, from)
	for _, slot := range m.order[start:end] {
		if r := &m.rows[slot]; m.match(&f, r) && !fn(slot, r) {
			return
		}
	}
}

// calls builds the calls of slots, without AI content; m.mu must be held.
func (m *memIndex) calls(slots []int32) []history.Call {
	nt, ns := 0, 0
	for _, slot := range slots {
		r := &m.rows[slot]
		nt += bits.OnesCount16(r.flags & (hasAnsweredAt | hasCompletedAt | hasUpdatedAt))
		for _, s := range [...]uint32{r.answeredBy, r.initiatedBy, r.fwdFrom, r.fwdTo, r.route, r.ai} {
			if s != 0 {
				ns++
			}
		}
	}
	times, strs := make([]time.Time, 0, nt), make([]string, 0, ns)
	tp := func(ok bool, n int64) *time.Time {
		if !ok {
			return nil
		}
		times = append(times, fromNanos(n))
		return &times[len(times)-1]
	}
	sp := func(i uint32) *string {
		if i == 0 {
			return nil
		}
		strs = append(strs, m.strs[i])
		return &strs[len(strs)-1]
	}
	// Lists are interned and never changed, and clipped: a call shares
	// its list with the listing, and an append to it copies.
	list := func(i uint32) []string {
		if i == 0 {
			return nil
		}
		return m.lists[i]
	}
	out := make([]history.Call, len(slots))
	for k, slot := range slots {
		r, c := &m.rows[slot], &out[k]
		c.ID, c.CreatedAt, c.Duration = m.ids[slot], fromNanos(r.at), r.duration
		c.PhoneNumberID, c.UserID, c.ActorID = m.strs[r.pn], m.strs[r.user], m.strs[r.actor]
		c.Direction, c.Status, c.Participant = m.strs[r.dir], m.strs[r.status], m.strs[r.participant]
		c.ConversationID, c.ConversationName = m.strs[r.convID], m.strs[r.convName]
		c.AnsweredAt = tp(r.flags&hasAnsweredAt != 0, r.answeredAt)
		c.CompletedAt = tp(r.flags&hasCompletedAt != 0, r.completedAt)
		c.UpdatedAt = tp(r.flags&hasUpdatedAt != 0, r.updatedAt)
		c.AnsweredBy, c.InitiatedBy = sp(r.answeredBy), sp(r.initiatedBy)
		c.ForwardedFrom, c.ForwardedTo = sp(r.fwdFrom), sp(r.fwdTo)
		c.CallRoute, c.AIHandled = sp(r.route), sp(r.ai)
		c.Participants, c.Parties = list(r.participants), list(r.parties)
	}
	return out
}

// leftVoicemail stands for a voicemail a lean read says was left, without
// reading it.
var leftVoicemail = &client.Voicemail{Status: client.VoicemailCompleted}

// leanCalls builds the calls of slots with what a count reads
// (history.Query.Lean), and with voicemails, leftVoicemail on the calls
// that have one; m.mu must be held.
func (m *memIndex) leanCalls(slots []int32, voicemails bool) []history.Call {
	nt, ns := 0, 0
	for _, slot := range slots {
		r := &m.rows[slot]
		nt += bits.OnesCount16(r.flags & hasAnsweredAt)
		for _, s := range [...]uint32{r.answeredBy, r.initiatedBy, r.ai} {
			if s != 0 {
				ns++
			}
		}
	}
	times, strs := make([]time.Time, 0, nt), make([]string, 0, ns)
	sp := func(i uint32) *string {
		if i == 0 {
			return nil
		}
		strs = append(strs, m.strs[i])
		return &strs[len(strs)-1]
	}
	out := make([]history.Call, len(slots))
	for k, slot := range slots {
		r, c := &m.rows[slot], &out[k]
		c.ID, c.CreatedAt, c.Duration = m.ids[slot], fromNanos(r.at), r.duration
		c.PhoneNumberID, c.UserID, c.ActorID = m.strs[r.pn], m.strs[r.user], m.strs[r.actor]
		c.Direction, c.Status, c.Participant = m.strs[r.dir], m.strs[r.status], m.strs[r.participant]
		if r.flags&hasAnsweredAt != 0 {
			times = append(times, fromNanos(r.answeredAt))
			c.AnsweredAt = &times[len(times)-1]
		}
		c.AnsweredBy, c.InitiatedBy, c.AIHandled = sp(r.answeredBy), sp(r.initiatedBy), sp(r.ai)
		c.Participants = m.lists[r.participants]
		if voicemails && r.flags&hasVoicemail != 0 {
			c.Voicemail = leftVoicemail
		}
	}
	return out
}
