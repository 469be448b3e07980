// The SQLite Store's writes: calls upserted by id, transcripts, names and
// pruning, each one transaction that also keeps the full-text index in
// step, then the in-memory listing updated once it has committed.

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// ErrUnknownCall is PutTranscript's error for a call the ledger does not
// hold: a transcript is stored only beside its call.
var ErrUnknownCall = errors.New("ledger: the call is not stored")

// upsertCall writes a call: every column replaced, but the summary and the
// voicemail only by ones that are set.
var upsertCall = func() string {
	var set []string
	for _, col := range strings.Split(callColumns, ",") {
		col = strings.TrimSpace(col)
		switch col {
		case "id":
		case "summary_status", "voicemail_status":
			content := strings.TrimSuffix(col, "_status")
			set = append(set, fmt.Sprintf("%s = CASE WHEN excluded.%s IS NULL THEN %[1]s ELSE excluded.%[1]s END",
				col, content))
		case "summary", "voicemail":
			set = append(set, fmt.Sprintf("%s = coalesce(excluded.%[1]s, %[1]s)", col))
		default:
			set = append(set, fmt.Sprintf("%s = excluded.%[1]s", col))
		}
	}
	marks := strings.Repeat("?, ", strings.Count(callColumns, ",")) + "?"
	return `INSERT INTO calls (` + callColumns + `) VALUES (` + marks + `)
		ON CONFLICT (id) DO UPDATE SET ` + strings.Join(set, ", ") + `
		RETURNING n, summary IS NOT NULL, coalesce(summary_status, ''),
			voicemail IS NOT NULL, coalesce(voicemail_status, '')`
}()

// write runs fn in a transaction, committed when fn returns nil.
func (s *SQLite) write(ctx context.Context, fn func(tx *sql.Tx, ix *indexer) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	ix := newIndexer(tx)
	err = fn(tx, ix)
	ix.close()
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// PutCalls upserts calls by id (see Store). A call without an id is
// refused, and so the whole batch.
func (s *SQLite) PutCalls(ctx context.Context, calls []history.Call) error {
	if len(calls) == 0 {
		return nil
	}
	for i := range calls {
		if calls[i].ID == "" {
			return fmt.Errorf("ledger: a call without an id (the %d. of %d)", i+1, len(calls))
		}
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	stored := make([]storedCall, len(calls))
	err := s.write(ctx, func(tx *sql.Tx, ix *indexer) error {
		up, err := tx.PrepareContext(ctx, upsertCall)
		if err != nil {
			return err
		}
		defer up.Close()
		seen := make(map[string]bool, len(calls))
		for i := range calls {
			c, sc := &calls[i], &stored[i]
			args, err := callArgs(c)
			if err != nil {
				return fmt.Errorf("call %s: %w", c.ID, err)
			}
			if err := up.QueryRowContext(ctx, args...).Scan(&sc.n, &sc.hasSummary, &sc.summaryStatus,
				&sc.hasVoicemail, &sc.vmStatus); err != nil {
				return fmt.Errorf("call %s: %w", c.ID, err)
			}
			sc.call = *c
			sc.call.Summary, sc.call.Voicemail = nil, nil
			fresh := !seen[c.ID] && !s.mem.has(c.ID)
			seen[c.ID] = true
			if err := ix.call(ctx, sc.n, c, fresh); err != nil {
				return fmt.Errorf("call %s: %w", c.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ledger: storing %d calls: %w", len(calls), err)
	}
	s.mem.put(stored, true)
	return nil
}

// PutTranscript sets a call's transcript. A call the ledger does not hold
// is refused with ErrUnknownCall.
func (s *SQLite) PutTranscript(ctx context.Context, callID string, t Transcript) error {
	lines, err := encodeLines(t.Lines)
	if err != nil {
		return fmt.Errorf("ledger: transcript of %s: %w", callID, err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err = s.write(ctx, func(tx *sql.Tx, ix *indexer) error {
		var n int64
		err := tx.QueryRowContext(ctx, `SELECT n FROM calls WHERE id = ?`, callID).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknownCall
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO transcripts (call_id, status, lines) VALUES (?, ?, ?)
			ON CONFLICT (call_id) DO UPDATE SET status = excluded.status, lines = excluded.lines`,
			callID, t.Status, lines)
		if err != nil {
			return err
		}
		return ix.set(ctx, n, codeTranscript, transcriptText(t.Lines), false)
	})
	if err != nil {
		return fmt.Errorf("ledger: transcript of %s: %w", callID, err)
	}
	s.mem.setTranscript(callID, t.Status)
	return nil
}

// Transcript is a call's stored transcript; ok is false when it has none.
func (s *SQLite) Transcript(ctx context.Context, callID string) (t Transcript, ok bool, err error) {
	var lines string
	err = s.db.QueryRowContext(ctx, `SELECT status, lines FROM transcripts WHERE call_id = ?`, callID).
		Scan(&t.Status, &lines)
	if errors.Is(err, sql.ErrNoRows) {
		return Transcript{}, false, nil
	}
	if err == nil {
		t.Lines, err = decodeLines(lines)
	}
	if err != nil {
		return Transcript{}, false, fmt.Errorf("ledger: transcript of %s: %w", callID, err)
	}
	return t, true, nil
}

// PutNames upserts names, and indexes again the calls of the parties
// named. A party's name with no number (PhoneNumberID "") names it on
// every number that has no name of its own for it.
func (s *SQLite) PutNames(ctx context.Context, names []Name) error {
	if len(names) == 0 {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.write(ctx, func(tx *sql.Tx, ix *indexer) error {
		affected := map[int64]partiesOf{}
		for _, nm := range names {
			_, err := tx.ExecContext(ctx, `INSERT INTO names (phone_number_id, party, user_id, name)
				VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET name = excluded.name`,
				nm.PhoneNumberID, nm.Party, nm.UserID, nm.Name)
			if err != nil {
				return err
			}
			if nm.Party != "" && nm.UserID == "" {
				if err := callsOfParty(ctx, tx, nm.PhoneNumberID, nm.Party, affected); err != nil {
					return err
				}
			}
		}
		for n, p := range affected {
			if err := ix.names(ctx, n, p, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ledger: storing %d names: %w", len(names), err)
	}
	return nil
}

// callsOfParty adds to out the calls with party on number pn (any number
// when pn is ""), as the other party or one of a group call's parties.
func callsOfParty(ctx context.Context, tx *sql.Tx, pn, party string, out map[int64]partiesOf) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT n, phone_number_id, conversation_name, participant, parties FROM calls
		WHERE participant = ?1 AND (?2 = '' OR phone_number_id = ?2)
		UNION
		SELECT n, phone_number_id, conversation_name, participant, parties FROM calls
		WHERE parties IS NOT NULL AND (?2 = '' OR phone_number_id = ?2)
			AND EXISTS (SELECT 1 FROM json_each(calls.parties) WHERE value = ?1)`, party, pn)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		var p partiesOf
		var parties sql.NullString
		if err := rows.Scan(&n, &p.pn, &p.conversationName, &p.participant, &parties); err != nil {
			return err
		}
		l, err := fromJSON[[]string](parties)
		if err != nil {
			return err
		}
		if l != nil {
			p.parties = *l
		}
		out[n] = p
	}
	return rows.Err()
}

// Names are every name stored.
func (s *SQLite) Names(ctx context.Context) ([]Name, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT phone_number_id, party, user_id, name FROM names
		ORDER BY phone_number_id, party, user_id`)
	if err != nil {
		return nil, fmt.Errorf("ledger: names: %w", err)
	}
	defer rows.Close()
	var out []Name
	for rows.Next() {
		var n Name
		if err := rows.Scan(&n.PhoneNumberID, &n.Party, &n.UserID, &n.Name); err != nil {
			return nil, fmt.Errorf("ledger: names: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Prune deletes the calls created before t, their transcripts and their
// index rows.
func (s *SQLite) Prune(ctx context.Context, before time.Time) (int, error) {
	at := toNanos(before)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var deleted int64
	err := s.write(ctx, func(tx *sql.Tx, ix *indexer) error {
		var ns []int64
		rows, err := tx.QueryContext(ctx, `SELECT n FROM calls WHERE created_at < ?`, at)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			ns = append(ns, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range ns {
			if err := ix.drop(ctx, n); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx,
			`DELETE FROM transcripts WHERE call_id IN (SELECT id FROM calls WHERE created_at < ?)`, at)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE created_at < ?`, at)
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("ledger: pruning: %w", err)
	}
	s.mem.prune(at)
	return int(deleted), nil
}
