// The Postgres index's documents: a call's fields (summary, next steps,
// voicemail, names, transcript), as the SQLite index has them, made into
// the call's doc; the names of parties, and their upsert, which indexes
// again the calls of each party whose name changed.

package ledger

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// docFields are the texts of a call's fields, by the codes of the index
// (codeSummary...).
type docFields struct {
	summary, nextSteps, voicemail, names, transcript string
}

// text is the field of code.
func (f *docFields) text(code int) string {
	switch code {
	case codeSummary:
		return f.summary
	case codeNextSteps:
		return f.nextSteps
	case codeVoicemail:
		return f.voicemail
	case codeTranscript:
		return f.transcript
	}
	return f.names
}

// withContent is f with the texts of a stored summary and voicemail
// (JSON, nil for none).
func (f docFields) withContent(sum, vm *string) (docFields, error) {
	ct, err := decodeContent(nullable(sum), nullable(vm))
	if err != nil {
		return f, err
	}
	f.summary, f.nextSteps, f.voicemail = "", "", ""
	if ct.summary != nil {
		f.summary, f.nextSteps = summaryText(ct.summary), lines(ct.summary.NextSteps)
	}
	if ct.voicemail != nil {
		f.voicemail = voicemailText(ct.voicemail)
	}
	return f, nil
}

func nullable(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

// docOrder is the order of the fields in a doc: the transcript, the
// longest, last, so that Postgres's cap on positions (16,383) falls on
// it.
var docOrder = [...]int{codeSummary, codeNextSteps, codeVoicemail, codeName, codeTranscript}

// doc is the tsvector literal of f's fields.
func (f *docFields) doc(workspace string) string {
	d := newDocBuilder()
	for _, code := range docOrder {
		d.add(f.text(code))
	}
	return d.literal(workspace)
}

// nameTable is the names of some parties: by (number, party), a party's
// name on no particular number under number "".
type nameTable map[[2]string]string

// text is what names c: its conversation's name and its parties' names.
func (t nameTable) text(c *history.Call) string {
	s, _ := nameText(context.Background(), func(party string) (string, error) {
		if n, ok := t[[2]string{c.PhoneNumberID, party}]; ok {
			return n, nil
		}
		return t[[2]string{"", party}], nil
	}, partiesOf{c.PhoneNumberID, c.ConversationName, c.Participant, c.Parties})
	return s
}

// partyNames reads the names of parties.
func (s *Postgres) partyNames(ctx context.Context, tx pgx.Tx, parties []string) (nameTable, error) {
	t := nameTable{}
	var ps []string
	for _, p := range parties {
		if p != "" {
			ps = append(ps, pgText(p))
		}
	}
	if len(ps) == 0 {
		return t, nil
	}
	rows, err := tx.Query(ctx, `SELECT phone_number_id, party, name FROM openphone_mcp_ledger_names
		WHERE workspace = $1 AND user_id = '' AND party = ANY($2)`, s.workspace, ps)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pn, party, name string
		if err := rows.Scan(&pn, &party, &name); err != nil {
			return nil, err
		}
		t[[2]string{pn, party}] = name
	}
	return t, rows.Err()
}

// PutNames upserts names, and indexes again the calls of the parties
// whose name changed. A party's name with no number (PhoneNumberID "")
// names it on every number that has no name of its own for it.
func (s *Postgres) PutNames(ctx context.Context, names []Name) error {
	if len(names) == 0 {
		return nil
	}
	last := map[[3]string]int{} // upserted one after another: the last wins
	var pns, parties, users, values []string
	for _, n := range names {
		k := [3]string{pgText(n.PhoneNumberID), pgText(n.Party), pgText(n.UserID)}
		if i, ok := last[k]; ok {
			values[i] = pgText(n.Name)
			continue
		}
		last[k] = len(pns)
		pns, parties, users = append(pns, k[0]), append(parties, k[1]), append(users, k[2])
		values = append(values, pgText(n.Name))
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO openphone_mcp_ledger_names AS n
				(workspace, phone_number_id, party, user_id, name)
			SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
			ON CONFLICT (workspace, phone_number_id, party, user_id)
			DO UPDATE SET name = excluded.name WHERE n.name <> excluded.name
			RETURNING party, user_id`, s.workspace, pns, parties, users, values)
		if err != nil {
			return err
		}
		var changed []string
		for rows.Next() {
			var party, user string
			if err := rows.Scan(&party, &user); err != nil {
				return err
			}
			if party != "" && user == "" {
				changed = append(changed, party)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.reindexParties(ctx, tx, changed)
	})
	if err != nil {
		return fmt.Errorf("ledger: storing %d names: %w", len(names), err)
	}
	return nil
}

// reindexParties indexes again the names of the calls of parties, as the
// other party or one of a group call's parties, on any number.
func (s *Postgres) reindexParties(ctx context.Context, tx pgx.Tx, parties []string) error {
	if len(parties) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT listing FROM openphone_mcp_ledger_calls
		WHERE workspace = $1 AND (participant = ANY($2) OR (parties IS NOT NULL AND parties && $2))`,
		s.workspace, parties)
	if err != nil {
		return err
	}
	var calls []history.Call
	var named []string
	d := newListingDecoder()
	for rows.Next() {
		var c history.Call
		if err := d.decode(rows.RawValues()[0], &c, false); err != nil {
			rows.Close()
			return err
		}
		calls = append(calls, c)
		named = append(append(named, c.Participant), c.Parties...)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(calls) == 0 {
		return err
	}
	names, err := s.partyNames(ctx, tx, named)
	if err != nil {
		return err
	}
	ids := make([]string, len(calls))
	for i := range calls {
		ids[i] = pgText(calls[i].ID) // as the column holds it
	}
	old, err := s.storedCalls(ctx, tx, ids, true)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	for i := range calls {
		o := old[ids[i]]
		text := pgText(names.text(&calls[i]))
		if text == o.namesText {
			continue
		}
		f, err := docFields{names: text, transcript: o.transcript}.withContent(o.summary, o.voicemail)
		if err != nil {
			return fmt.Errorf("call %s: %w", ids[i], err)
		}
		b.Queue(`UPDATE openphone_mcp_ledger_content SET names_text = $3, doc = $4::tsvector
			WHERE workspace = $1 AND id = $2`, s.workspace, ids[i], text, f.doc(s.workspace))
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// Names are every name stored.
func (s *Postgres) Names(ctx context.Context) ([]Name, error) {
	rows, err := s.pool.Query(ctx, `SELECT phone_number_id, party, user_id, name FROM openphone_mcp_ledger_names
		WHERE workspace = $1 ORDER BY phone_number_id, party, user_id`, s.workspace)
	if err != nil {
		return nil, fmt.Errorf("ledger: names: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Name, error) {
		var n Name
		err := r.Scan(&n.PhoneNumberID, &n.Party, &n.UserID, &n.Name)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: names: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
