// The SQLite Store's listings: Range, Count, Unsettled and WantTranscripts
// answered from the in-memory listing, the AI content fetched from SQL
// only for the calls that have some, and only when asked.

package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// Range lists the stored calls of q newest first (see Store). The calls'
// Participants and Parties are shared with the in-memory listing: read
// them, never write into them (an append copies).
func (s *SQLite) Range(ctx context.Context, q history.Query, from *history.Key, limit int) ([]history.Call, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	wantSum := slices.Contains(q.Include, client.IncludeSummary)
	wantVM := slices.Contains(q.Include, client.IncludeVoicemail)
	m := s.mem
	m.mu.RLock()
	var slots []int32
	m.scan(&q, from, func(slot int32, _ *memRow) bool {
		slots = append(slots, slot)
		return limit <= 0 || len(slots) < limit
	})
	if q.Lean {
		calls := m.leanCalls(slots, wantVM)
		m.mu.RUnlock()
		return calls, nil
	}
	calls := m.calls(slots)
	ns := m.contentOf(slots, wantSum, wantVM)
	m.mu.RUnlock()
	if err := s.attach(ctx, calls, ns, wantSum, wantVM); err != nil {
		return nil, err
	}
	return calls, nil
}

// Get is one stored call with its summary and voicemail; nil when the
// ledger does not hold it.
func (s *SQLite) Get(ctx context.Context, callID string) (*history.Call, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := s.mem
	m.mu.RLock()
	slot, ok := m.byID[callID]
	if !ok {
		m.mu.RUnlock()
		return nil, nil
	}
	slots := []int32{slot}
	calls := m.calls(slots)
	ns := m.contentOf(slots, true, true)
	m.mu.RUnlock()
	if err := s.attach(ctx, calls, ns, true, true); err != nil {
		return nil, err
	}
	return &calls[0], nil
}

// contentOf is, for each slot, its call's n when it has AI content of the
// kinds wanted, else 0; nil when none is wanted. m.mu must be held.
func (m *memIndex) contentOf(slots []int32, wantSum, wantVM bool) []int64 {
	if !wantSum && !wantVM {
		return nil
	}
	ns := make([]int64, len(slots))
	for i, slot := range slots {
		r := &m.rows[slot]
		if (wantSum && r.flags&hasSummary != 0) || (wantVM && r.flags&hasVoicemail != 0) {
			ns[i] = r.n
		}
	}
	return ns
}

// attachBatch is how many calls' content one query reads.
const attachBatch = 500

// attach reads the summaries and voicemails of calls (ns[i] is calls[i]'s
// n, 0 for none) from SQL.
func (s *SQLite) attach(ctx context.Context, calls []history.Call, ns []int64, wantSum, wantVM bool) error {
	if ns == nil {
		return nil
	}
	at := map[int64]int{}
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		cols := map[bool]string{true: "summary", false: "NULL"}[wantSum] + ", " +
			map[bool]string{true: "voicemail", false: "NULL"}[wantVM]
		rows, err := s.db.QueryContext(ctx, `SELECT n, `+cols+` FROM calls WHERE n IN (`+
			strings.Repeat("?, ", len(batch)-1)+`?)`, batch...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n int64
			var sum, vm sql.NullString
			if err := rows.Scan(&n, &sum, &vm); err != nil {
				return err
			}
			ct, err := decodeContent(sum, vm)
			if err != nil {
				return fmt.Errorf("content of call n %d: %w", n, err)
			}
			c := &calls[at[n]]
			c.Summary, c.Voicemail = ct.summary, ct.voicemail
		}
		batch = batch[:0]
		clear(at)
		return rows.Err()
	}
	for i, n := range ns {
		if n == 0 {
			continue
		}
		at[n] = i
		if batch = append(batch, n); len(batch) == attachBatch {
			if err := flush(); err != nil {
				return fmt.Errorf("ledger: reading summaries: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("ledger: reading summaries: %w", err)
	}
	return nil
}

// Count is what the ledger holds of q's window: its calls, the answered
// ones with a duration, and those of them with a completed transcript.
func (s *SQLite) Count(ctx context.Context, q history.Query) (Counts, error) {
	if err := ctx.Err(); err != nil {
		return Counts{}, err
	}
	var c Counts
	m := s.mem
	m.mu.RLock()
	defer m.mu.RUnlock()
	m.scan(&q, nil, func(_ int32, r *memRow) bool {
		c.Calls++
		if r.flags&answered != 0 {
			c.Answered++
			c.Transcripts += b2i(r.transcript == tsDone)
		}
		return true
	})
	return c, nil
}

// Unsettled are the calls created at or after t whose summary, voicemail
// or transcript was in progress when stored, oldest first, at most limit
// (0: all).
func (s *SQLite) Unsettled(ctx context.Context, t time.Time, limit int) ([]string, error) {
	return s.ids(ctx, t, limit, true, func(r *memRow) bool {
		return r.flags&(summaryPending|voicemailPending) != 0 || r.transcript == tsPending
	})
}

// WantTranscripts are the answered calls with a duration created at or
// after t that have no transcript or one in progress, newest first, at
// most limit (0: all).
func (s *SQLite) WantTranscripts(ctx context.Context, t time.Time, limit int) ([]string, error) {
	return s.ids(ctx, t, limit, false, func(r *memRow) bool {
		return r.flags&answered != 0 && (r.transcript == tsNone || r.transcript == tsPending)
	})
}

// ids are the ids of the calls created at or after t that want says, in
// the listing's order or oldest first.
func (s *SQLite) ids(ctx context.Context, t time.Time, limit int, oldestFirst bool, want func(*memRow) bool) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := s.mem
	m.mu.RLock()
	defer m.mu.RUnlock()
	f := filter{after: since(t), open: true}
	_, end := m.window(&f, nil)
	var out []string
	for k := range end {
		i := k
		if oldestFirst {
			i = end - 1 - k
		}
		if slot := m.order[i]; want(&m.rows[slot]) {
			out = append(out, m.ids[slot])
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out, nil
}
