// Passages of hits. The index is contentless, so a hit's text is read
// where it is kept (its call's summary and voicemail, its transcript, its
// parties' names), and FTS5's snippet() runs over those few texts in a
// temporary table of one connection, with the index's tokenizer: the same
// words match, the same marks come out.

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// passages sets the passage of each hit from its field's text
// (fields[i] is hits[i]'s field code), match being the query's terms.
func (s *SQLite) passages(ctx context.Context, hits []Hit, fields []int, match string) error {
	if len(hits) == 0 {
		return nil
	}
	texts := make([]string, len(hits))
	for i := range hits {
		t, err := s.fieldText(ctx, &hits[i].Call, fields[i])
		if err != nil {
			return fmt.Errorf("passage of %s: %w", hits[i].Call.ID, err)
		}
		texts[i] = unmarked.Replace(t)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	snips, err := snippets(ctx, conn, texts, match)
	if err != nil {
		return err
	}
	for i := range hits {
		if snips[i] == "" { // no term found again: the text's start
			snips[i] = texts[i]
		}
		hits[i].Passage = passage(snips[i])
	}
	return nil
}

// snippets runs snippet() over texts on conn.
func snippets(ctx context.Context, conn *sql.Conn, texts []string, match string) ([]string, error) {
	_, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.snip USING fts5 (text, tokenize = `+ftsTokenizer+`)`)
	if err == nil {
		_, err = conn.ExecContext(ctx, `DELETE FROM temp.snip`)
	}
	if err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `DELETE FROM temp.snip`) }()
	for i, t := range texts {
		if _, err := conn.ExecContext(ctx, `INSERT INTO temp.snip (rowid, text) VALUES (?, ?)`, i, t); err != nil {
			return nil, err
		}
	}
	rows, err := conn.QueryContext(ctx, `SELECT rowid, snippet(snip, 0, ?, ?, '…', 16) FROM temp.snip
		WHERE snip MATCH ?`, MarkOpen, MarkClose, match)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]string, len(texts))
	for rows.Next() {
		var i int
		var snip string
		if err := rows.Scan(&i, &snip); err != nil {
			return nil, err
		}
		if i >= 0 && i < len(out) {
			out[i] = snip
		}
	}
	return out, rows.Err()
}

// fieldText is the text of c's field as it was indexed.
func (s *SQLite) fieldText(ctx context.Context, c *history.Call, field int) (string, error) {
	switch field {
	case codeSummary, codeNextSteps:
		switch {
		case c.Summary == nil:
			return "", nil
		case field == codeSummary:
			return summaryText(c.Summary), nil
		}
		return lines(c.Summary.NextSteps), nil
	case codeVoicemail:
		if c.Voicemail == nil {
			return "", nil
		}
		return voicemailText(c.Voicemail), nil
	case codeTranscript:
		t, _, err := s.Transcript(ctx, c.ID)
		return transcriptText(t.Lines), err
	}
	return nameText(ctx, func(party string) (string, error) {
		var name string
		err := s.db.QueryRowContext(ctx, indexerSQL[stmtName], party, c.PhoneNumberID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return name, err
	}, partiesOf{c.PhoneNumberID, c.ConversationName, c.Participant, c.Parties})
}
