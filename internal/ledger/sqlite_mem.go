// The listing kept in memory beside SQL: every stored call's columns but
// its AI content, compact (repeated strings interned, times as int64),
// newest first. Range, Count, Unsettled and WantTranscripts read it;
// PutCalls, PutTranscript and Prune keep it in step after each commit.
// modernc's SQLite reads 100,000 rows in about 400 ms, too slow for
// call_stats over a whole ledger; this copy lists them in ~30 ms, for
// ~250 bytes of heap a call (BenchmarkRange90Days, BenchmarkOpen).

package ledger

import (
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// memRow is one call of the listing (its id apart, in memIndex.ids).
// Strings are indexes into the index's table (0: "" or nil), lists into
// its lists (0: nil): a row holds no pointer, so the GC never scans rows.
type memRow struct {
	n, at                              int64
	answeredAt, completedAt, updatedAt int64
	duration                           int
	pn, user, actor, dir, status       uint32
	participant, convID, convName      uint32
	answeredBy, initiatedBy            uint32
	fwdFrom, fwdTo, route, ai          uint32
	participants, parties              uint32
	flags                              uint16
	transcript                         uint8 // tsNone, tsPending, tsDone or tsOther
}

// memRow's flags.
const (
	hasAnsweredAt uint16 = 1 << iota
	hasCompletedAt
	hasUpdatedAt
	hasSummary
	hasVoicemail
	summaryDone // the stored summary is completed
	summaryPending
	voicemailPending
	answered // answered (at a time, or by its status) with a duration
)

// The states of a call's transcript.
const (
	tsNone uint8 = iota
	tsPending
	tsDone
	tsOther // absent or failed: final, without text
)

func transcriptState(status string) uint8 {
	switch status {
	case "":
		return tsNone
	case client.StatusInProgress:
		return tsPending
	case client.StatusCompleted:
		return tsDone
	}
	return tsOther
}

// memIndex is the listing. Its tables only grow: they hold the distinct
// numbers, users, parties and statuses seen, a few thousand strings.
type memIndex struct {
	mu      sync.RWMutex
	strs    []string
	strIdx  map[string]uint32
	lists   [][]string
	listIdx map[string]uint32
	rows    []memRow // by slot
	ids     []string // by slot, in arena; "" for a free slot
	arena   idArena
	free    []int32
	byID    map[string]int32
	byN     map[int64]int32
	order   []int32 // slots, newest first (created_at DESC, id DESC)
}

func newMemIndex() *memIndex {
	return &memIndex{
		strs: []string{""}, strIdx: map[string]uint32{},
		lists: [][]string{nil}, listIdx: map[string]uint32{},
		byID: map[string]int32{}, byN: map[int64]int32{},
	}
}

// intern is s's index, never 0 (which is nil for a nullable string).
func (m *memIndex) intern(s string) uint32 {
	if i, ok := m.strIdx[s]; ok {
		return i
	}
	i := uint32(len(m.strs))
	m.strs = append(m.strs, s)
	m.strIdx[s] = i
	return i
}

func (m *memIndex) internStr(s string) uint32 {
	if s == "" {
		return 0
	}
	return m.intern(s)
}

func (m *memIndex) internPtr(s *string) uint32 {
	if s == nil {
		return 0
	}
	return m.intern(*s)
}

// internList is l's index: 0 for nil, so that nil and empty differ.
func (m *memIndex) internList(l []string) uint32 {
	if l == nil {
		return 0
	}
	key := "\x01" + strings.Join(l, "\x00")
	if i, ok := m.listIdx[key]; ok {
		return i
	}
	i := uint32(len(m.lists))
	m.lists = append(m.lists, slices.Clip(slices.Clone(l)))
	m.listIdx[key] = i
	return i
}

// lookup is s's index, or false when no stored call has it.
func (m *memIndex) lookup(s string) (uint32, bool) {
	if s == "" {
		return 0, true
	}
	i, ok := m.strIdx[s]
	return i, ok
}

// row is s as a listing row (its transcript state given apart).
func (m *memIndex) row(s *storedCall) memRow {
	c := &s.call
	r := memRow{
		n: s.n, at: toNanos(c.CreatedAt), duration: c.Duration,
		pn: m.internStr(c.PhoneNumberID), user: m.internStr(c.UserID), actor: m.internStr(c.ActorID),
		dir: m.internStr(c.Direction), status: m.internStr(c.Status),
		participant: m.internStr(c.Participant), convID: m.internStr(c.ConversationID),
		convName: m.internStr(c.ConversationName), answeredBy: m.internPtr(c.AnsweredBy),
		initiatedBy: m.internPtr(c.InitiatedBy), fwdFrom: m.internPtr(c.ForwardedFrom),
		fwdTo: m.internPtr(c.ForwardedTo), route: m.internPtr(c.CallRoute), ai: m.internPtr(c.AIHandled),
		participants: m.internList(c.Participants), parties: m.internList(c.Parties),
		transcript: transcriptState(s.transcriptStatus),
	}
	if c.AnsweredAt != nil {
		r.flags |= hasAnsweredAt
		r.answeredAt = toNanos(*c.AnsweredAt)
	}
	if c.CompletedAt != nil {
		r.flags |= hasCompletedAt
		r.completedAt = toNanos(*c.CompletedAt)
	}
	if c.UpdatedAt != nil {
		r.flags |= hasUpdatedAt
		r.updatedAt = toNanos(*c.UpdatedAt)
	}
	set := func(f uint16, on bool) {
		if on {
			r.flags |= f
		}
	}
	set(hasSummary, s.hasSummary)
	set(summaryDone, s.summaryStatus == client.StatusCompleted)
	set(summaryPending, s.summaryStatus == client.StatusInProgress)
	set(hasVoicemail, s.hasVoicemail)
	set(voicemailPending, s.vmStatus == client.VoicemailInProgress)
	set(answered, c.Duration > 0 && (c.AnsweredAt != nil || c.Status == "completed" || c.Status == "answered"))
	return r
}

// before reports whether slot a comes before slot b in the listing order.
func (m *memIndex) before(a, b int32) bool {
	if ra, rb := m.rows[a].at, m.rows[b].at; ra != rb {
		return ra > rb
	}
	return m.ids[a] > m.ids[b]
}

// put stores calls just committed. keepTranscript keeps a stored call's
// transcript state (PutCalls never touches transcripts).
func (m *memIndex) put(calls []storedCall, keepTranscript bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var added []int32
	resort := false
	for i := range calls {
		r, id := m.row(&calls[i]), calls[i].call.ID
		if slot, ok := m.byID[id]; ok {
			old := &m.rows[slot]
			if keepTranscript {
				r.transcript = old.transcript
			}
			resort = resort || old.at != r.at
			if old.n != r.n {
				delete(m.byN, old.n)
				m.byN[r.n] = slot
			}
			*old = r
			continue
		}
		id = m.arena.copy(id)
		var slot int32
		if k := len(m.free); k > 0 {
			slot, m.free = m.free[k-1], m.free[:k-1]
			m.rows[slot], m.ids[slot] = r, id
		} else {
			slot = int32(len(m.rows))
			m.rows, m.ids = append(m.rows, r), append(m.ids, id)
		}
		m.byID[id], m.byN[r.n] = slot, slot
		added = append(added, slot)
	}
	if resort {
		m.order = append(m.order, added...)
		slices.SortFunc(m.order, m.compare)
		return
	}
	slices.SortFunc(added, m.compare)
	m.order = m.merge(m.order, added)
}

func (m *memIndex) compare(a, b int32) int {
	switch {
	case m.before(a, b):
		return -1
	case m.before(b, a):
		return 1
	}
	return 0
}

// merge is two ordered lists of slots as one.
func (m *memIndex) merge(a, b []int32) []int32 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 || m.before(a[len(a)-1], b[0]) {
		return append(a, b...) // the new calls are older than every other
	}
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if m.before(b[j], a[i]) {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// idArena keeps strings in shared blocks, so that the GC marks a block
// rather than an object per call id. Bytes of a block are written once and
// never changed; a block lives while any of its strings does.
type idArena struct{ block []byte }

func (a *idArena) copy(s string) string {
	if s == "" {
		return ""
	}
	if len(a.block)+len(s) > cap(a.block) {
		a.block = make([]byte, 0, max(32<<10, len(s)))
	}
	off := len(a.block)
	a.block = append(a.block, s...)
	return unsafe.String(&a.block[off], len(s))
}

// setTranscript records a call's transcript state.
func (m *memIndex) setTranscript(id, status string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if slot, ok := m.byID[id]; ok {
		m.rows[slot].transcript = transcriptState(status)
	}
}

// has reports whether a call is stored.
func (m *memIndex) has(id string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.byID[id]
	return ok
}

// prune forgets the calls created before the instant at (nanoseconds):
// the tail of the order.
func (m *memIndex) prune(at int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := len(m.order)
	for k > 0 && m.rows[m.order[k-1]].at < at {
		k--
		slot := m.order[k]
		delete(m.byID, m.ids[slot])
		delete(m.byN, m.rows[slot].n)
		m.rows[slot], m.ids[slot] = memRow{}, ""
		m.free = append(m.free, slot)
	}
	m.order = slices.Clip(m.order[:k])
}
