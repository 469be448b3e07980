// The Postgres Store's writes: calls upserted by id (ON CONFLICT, the
// summary and voicemail kept when a write brings none), transcripts,
// names and pruning, each one transaction under the workspace's write
// lock that keeps the call's search document (doc) in step. A call is a
// row of calls and a row of content (postgres_schema.go).

package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// pgUpsertCall writes a call's row of calls: every column replaced,
// but the summary's and voicemail's, replaced only by ones that are set.
const pgUpsertCall = `INSERT INTO openphone_mcp_ledger_calls AS c (workspace, id, created_at,
		phone_number_id, user_id, actor_id, direction, status, participant, parties, answered_by,
		initiated_by, answered, summary_status, voicemail_status, has_voicemail, listing)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
	ON CONFLICT (workspace, id) DO UPDATE SET created_at = excluded.created_at,
		phone_number_id = excluded.phone_number_id, user_id = excluded.user_id,
		actor_id = excluded.actor_id, direction = excluded.direction, status = excluded.status,
		participant = excluded.participant, parties = excluded.parties,
		answered_by = excluded.answered_by, initiated_by = excluded.initiated_by,
		answered = excluded.answered,
		summary_status = coalesce(excluded.summary_status, c.summary_status),
		voicemail_status = coalesce(excluded.voicemail_status, c.voicemail_status),
		has_voicemail = c.has_voicemail OR excluded.has_voicemail, listing = excluded.listing`

// pgUpsertContent writes a call's row of content: the summary and the
// voicemail replaced only by ones that are set, the doc kept when $7
// says the call's indexed text did not change.
const pgUpsertContent = `INSERT INTO openphone_mcp_ledger_content AS d (workspace, id, created_at, summary,
		voicemail, names_text, doc)
	VALUES ($1, $2, $8, $3, $4, $5, $6::tsvector)
	ON CONFLICT (workspace, id) DO UPDATE SET created_at = excluded.created_at,
		summary = coalesce(excluded.summary, d.summary),
		voicemail = coalesce(excluded.voicemail, d.voicemail), names_text = excluded.names_text,
		doc = CASE WHEN $7 THEN d.doc ELSE excluded.doc END`

// answeredCall reports whether c was answered and lasted: a call that can
// have a transcript (the rule of the SQLite listing's answered flag).
func answeredCall(c *history.Call) bool {
	return c.Duration > 0 && (c.AnsweredAt != nil || c.Status == "completed" || c.Status == "answered")
}

// pgCallArgs are c's values for pgUpsertCall after the workspace.
func pgCallArgs(c *history.Call) []any {
	var sumStatus, vmStatus *string
	if c.Summary != nil {
		sumStatus = pgTextPtr(&c.Summary.Status)
	}
	if c.Voicemail != nil {
		vmStatus = pgTextPtr(&c.Voicemail.Status)
	}
	return []any{pgText(c.ID), toNanos(c.CreatedAt), pgText(c.PhoneNumberID), pgText(c.UserID),
		pgText(c.ActorID), pgText(c.Direction), pgText(c.Status), pgText(c.Participant), pgTexts(c.Parties),
		pgTextPtr(c.AnsweredBy), pgTextPtr(c.InitiatedBy), answeredCall(c), sumStatus, vmStatus,
		c.Voicemail != nil, encodeListing(c)}
}

// mergeCalls is calls as upserted one after another: one call per id
// (one statement cannot upsert a row twice), its last version, with the
// last summary and voicemail set in the batch.
func mergeCalls(calls []history.Call) []history.Call {
	at := make(map[string]int, len(calls))
	var out []history.Call
	for _, c := range calls {
		i, ok := at[c.ID]
		if !ok {
			at[c.ID] = len(out)
			out = append(out, c)
			continue
		}
		prev := out[i]
		out[i] = c
		if c.Summary == nil {
			out[i].Summary = prev.Summary
		}
		if c.Voicemail == nil {
			out[i].Voicemail = prev.Voicemail
		}
	}
	return out
}

// stored is what a write reads of a stored call to index it again.
type stored struct {
	summary, voicemail *string
	namesText          string
	transcript         string // "" when it has none
}

// PutCalls upserts calls by id (see Store). A call without an id is
// refused, and so the whole batch.
func (s *Postgres) PutCalls(ctx context.Context, calls []history.Call) error {
	if len(calls) == 0 {
		return nil
	}
	for i := range calls {
		if calls[i].ID == "" {
			return fmt.Errorf("ledger: a call without an id (the %d. of %d)", i+1, len(calls))
		}
	}
	batch := mergeCalls(calls)
	err := s.write(ctx, func(tx pgx.Tx) error {
		ids := make([]string, len(batch))
		var parties []string
		for i := range batch {
			ids[i] = pgText(batch[i].ID)
			parties = append(append(parties, batch[i].Participant), batch[i].Parties...)
		}
		old, err := s.storedCalls(ctx, tx, ids, false)
		if err != nil {
			return err
		}
		names, err := s.partyNames(ctx, tx, parties)
		if err != nil {
			return err
		}
		type put struct {
			sum, vm *string
			f       docFields
			keep    bool
		}
		puts := make([]put, len(batch))
		var again []string // stored calls whose indexed text changed
		for i := range batch {
			c, p := &batch[i], &puts[i]
			if p.sum, err = jsonText(c.Summary); err != nil {
				return fmt.Errorf("call %s: %w", c.ID, err)
			}
			if p.vm, err = jsonText(c.Voicemail); err != nil {
				return fmt.Errorf("call %s: %w", c.ID, err)
			}
			sum, vm := p.sum, p.vm
			o, ok := old[ids[i]]
			if ok {
				sum, vm = cmpOr(sum, o.summary), cmpOr(vm, o.voicemail)
			}
			p.f.names = pgText(names.text(c))
			if p.keep = ok && p.f.names == o.namesText && same(sum, o.summary) && same(vm, o.voicemail); p.keep {
				continue
			}
			if p.f, err = p.f.withContent(sum, vm); err != nil {
				return fmt.Errorf("call %s: %w", c.ID, err)
			}
			if ok {
				again = append(again, ids[i])
			}
		}
		texts, err := s.storedCalls(ctx, tx, again, true)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i, p := range puts {
			doc := "" // kept
			if !p.keep {
				p.f.transcript = texts[ids[i]].transcript
				doc = p.f.doc(s.workspace)
			}
			b.Queue(pgUpsertCall, append([]any{s.workspace}, pgCallArgs(&batch[i])...)...)
			b.Queue(pgUpsertContent, s.workspace, ids[i], p.sum, p.vm, p.f.names, doc, p.keep,
				toNanos(batch[i].CreatedAt))
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("ledger: storing %d calls: %w", len(calls), err)
	}
	return nil
}

// cmpOr is a when it is set, else b.
func cmpOr(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

func same(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// jsonText is v as stored JSON, nil for nil.
func jsonText[T any](v *T) (*string, error) {
	j, err := jsonOf(v)
	if err != nil || j == nil {
		return nil, err
	}
	t := j.(string)
	return &t, nil
}

// storedCalls reads what indexing ids again needs, by id; with
// transcripts, their text too.
func (s *Postgres) storedCalls(ctx context.Context, tx pgx.Tx, ids []string, transcripts bool) (map[string]stored, error) {
	out := make(map[string]stored, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	lines := "NULL::text"
	if transcripts {
		lines = `(SELECT lines FROM openphone_mcp_ledger_transcripts t WHERE t.workspace = c.workspace AND t.call_id = c.id)`
	}
	rows, err := tx.Query(ctx, `SELECT id, summary, voicemail, names_text, `+lines+`
		FROM openphone_mcp_ledger_content c WHERE workspace = $1 AND id = ANY($2)`, s.workspace, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st stored
		var ls *string
		if err := rows.Scan(&id, &st.summary, &st.voicemail, &st.namesText, &ls); err != nil {
			return nil, err
		}
		if ls != nil {
			l, err := decodeLines(*ls)
			if err != nil {
				return nil, fmt.Errorf("transcript of %s: %w", id, err)
			}
			st.transcript = transcriptText(l)
		}
		out[id] = st
	}
	return out, rows.Err()
}

// PutTranscript sets a call's transcript. A call the ledger does not hold
// is refused with ErrUnknownCall.
func (s *Postgres) PutTranscript(ctx context.Context, callID string, t Transcript) error {
	lines, err := encodeLines(t.Lines)
	if err != nil {
		return fmt.Errorf("ledger: transcript of %s: %w", callID, err)
	}
	id := pgText(callID)
	err = s.write(ctx, func(tx pgx.Tx) error {
		var st stored
		err := tx.QueryRow(ctx, `SELECT summary, voicemail, names_text FROM openphone_mcp_ledger_content
			WHERE workspace = $1 AND id = $2`, s.workspace, id).Scan(&st.summary, &st.voicemail, &st.namesText)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrUnknownCall
		}
		if err != nil {
			return err
		}
		f, err := docFields{names: st.namesText, transcript: transcriptText(t.Lines)}.withContent(st.summary, st.voicemail)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO openphone_mcp_ledger_transcripts (workspace, call_id, status, lines)
			VALUES ($1, $2, $3, $4) ON CONFLICT (workspace, call_id)
			DO UPDATE SET status = excluded.status, lines = excluded.lines`, s.workspace, id, pgText(t.Status), lines)
		b.Queue(`UPDATE openphone_mcp_ledger_calls SET transcript_status = $3 WHERE workspace = $1 AND id = $2`,
			s.workspace, id, pgText(t.Status))
		b.Queue(`UPDATE openphone_mcp_ledger_content SET doc = $3::tsvector WHERE workspace = $1 AND id = $2`,
			s.workspace, id, f.doc(s.workspace))
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("ledger: transcript of %s: %w", callID, err)
	}
	return nil
}

// Transcript is a call's stored transcript; ok is false when it has none.
func (s *Postgres) Transcript(ctx context.Context, callID string) (t Transcript, ok bool, err error) {
	var lines string
	err = s.pool.QueryRow(ctx, `SELECT status, lines FROM openphone_mcp_ledger_transcripts
		WHERE workspace = $1 AND call_id = $2`, s.workspace, pgText(callID)).Scan(&t.Status, &lines)
	if errors.Is(err, pgx.ErrNoRows) {
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

// Prune deletes the calls created before t, with their content (and so
// their index entries) and transcripts: the foreign keys' cascade.
func (s *Postgres) Prune(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM openphone_mcp_ledger_calls WHERE workspace = $1 AND created_at < $2`,
			s.workspace, toNanos(before))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("ledger: pruning: %w", err)
	}
	return int(n), nil
}
