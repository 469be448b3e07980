// How a call is written to and read from the calls table: times as UTC
// Unix nanoseconds (nil as NULL), lists and AI content as JSON, so that a
// call read back is equal to the call written.

package ledger

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// zeroNanos stands for the zero time.Time. Other times before 1678 or
// after 2262 (outside int64 nanoseconds) are clamped to that range.
const zeroNanos = math.MinInt64

var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

// toNanos is t as stored.
func toNanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return zeroNanos
	case t.Before(minTime):
		return math.MinInt64 + 1
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// fromNanos is a stored time, in UTC.
func fromNanos(n int64) time.Time {
	if n == zeroNanos {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// nullNanos is a nullable time as stored.
func nullNanos(t *time.Time) any {
	if t == nil {
		return nil
	}
	return toNanos(*t)
}

// nullString is a nullable string as stored.
func nullString(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// jsonOf is v as stored JSON, NULL when v is nil. HTML characters are kept
// as they are so that raw JSON values inside come back byte for byte.
func jsonOf[T any](v *T) (any, error) {
	if v == nil {
		return nil, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return string(bytes.TrimRight(b.Bytes(), "\n")), nil
}

// listJSON is a list as stored: NULL for nil, so nil and empty differ.
func listJSON(l []string) (any, error) {
	if l == nil {
		return nil, nil
	}
	return jsonOf(&l)
}

// fromJSON decodes stored JSON into a new T; NULL is nil.
func fromJSON[T any](s sql.NullString) (*T, error) {
	if !s.Valid {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s.String), v); err != nil {
		return nil, err
	}
	return v, nil
}

// callColumns are the calls table's columns a call is written to, in the
// order of callArgs and scanCall.
const callColumns = `id, created_at, phone_number_id, user_id, actor_id, direction, status,
	duration, participant, participants, parties, conversation_id, conversation_name,
	answered_at, answered_by, initiated_by, completed_at, updated_at, forwarded_from,
	forwarded_to, call_route, ai_handled, summary, summary_status, voicemail, voicemail_status`

// callArgs are c's values for callColumns.
func callArgs(c *history.Call) ([]any, error) {
	parts, err := listJSON(c.Participants)
	if err != nil {
		return nil, err
	}
	parties, err := listJSON(c.Parties)
	if err != nil {
		return nil, err
	}
	sum, err := jsonOf(c.Summary)
	if err != nil {
		return nil, err
	}
	vm, err := jsonOf(c.Voicemail)
	if err != nil {
		return nil, err
	}
	var sumStatus, vmStatus any
	if c.Summary != nil {
		sumStatus = c.Summary.Status
	}
	if c.Voicemail != nil {
		vmStatus = c.Voicemail.Status
	}
	return []any{c.ID, toNanos(c.CreatedAt), c.PhoneNumberID, c.UserID, c.ActorID, c.Direction,
		c.Status, c.Duration, c.Participant, parts, parties, c.ConversationID, c.ConversationName,
		nullNanos(c.AnsweredAt), nullString(c.AnsweredBy), nullString(c.InitiatedBy),
		nullNanos(c.CompletedAt), nullNanos(c.UpdatedAt), nullString(c.ForwardedFrom),
		nullString(c.ForwardedTo), nullString(c.CallRoute), nullString(c.AIHandled),
		sum, sumStatus, vm, vmStatus}, nil
}

// storedCall is one row of the calls table as read.
type storedCall struct {
	call                     history.Call
	n                        int64
	summaryStatus, vmStatus  string
	transcriptStatus         string // "" when it has none
	hasSummary, hasVoicemail bool
}

// listingColumns are what loading the listing reads of a call: every
// column but the AI content, which stays in SQL until asked for.
const listingColumns = `c.n, c.id, c.created_at, c.phone_number_id, c.user_id, c.actor_id,
	c.direction, c.status, c.duration, c.participant, c.participants, c.parties,
	c.conversation_id, c.conversation_name, c.answered_at, c.answered_by, c.initiated_by,
	c.completed_at, c.updated_at, c.forwarded_from, c.forwarded_to, c.call_route, c.ai_handled,
	c.summary IS NOT NULL, coalesce(c.summary_status, ''), c.voicemail IS NOT NULL,
	coalesce(c.voicemail_status, ''), coalesce(t.status, '')`

// scanListing reads a row of listingColumns.
func scanListing(rows *sql.Rows) (storedCall, error) {
	var s storedCall
	c := &s.call
	var at int64
	var parts, parties sql.NullString
	var answeredAt, completedAt, updatedAt sql.NullInt64
	var answeredBy, initiatedBy, fwdFrom, fwdTo, route, ai sql.NullString
	err := rows.Scan(&s.n, &c.ID, &at, &c.PhoneNumberID, &c.UserID, &c.ActorID, &c.Direction,
		&c.Status, &c.Duration, &c.Participant, &parts, &parties, &c.ConversationID,
		&c.ConversationName, &answeredAt, &answeredBy, &initiatedBy, &completedAt, &updatedAt,
		&fwdFrom, &fwdTo, &route, &ai, &s.hasSummary, &s.summaryStatus, &s.hasVoicemail,
		&s.vmStatus, &s.transcriptStatus)
	if err != nil {
		return s, err
	}
	c.CreatedAt = fromNanos(at)
	c.AnsweredAt, c.CompletedAt, c.UpdatedAt = timePtr(answeredAt), timePtr(completedAt), timePtr(updatedAt)
	c.AnsweredBy, c.InitiatedBy = strPtr(answeredBy), strPtr(initiatedBy)
	c.ForwardedFrom, c.ForwardedTo = strPtr(fwdFrom), strPtr(fwdTo)
	c.CallRoute, c.AIHandled = strPtr(route), strPtr(ai)
	p, err := fromJSON[[]string](parts)
	if err != nil {
		return s, err
	}
	q, err := fromJSON[[]string](parties)
	if err != nil {
		return s, err
	}
	if p != nil {
		c.Participants = *p
	}
	if q != nil {
		c.Parties = *q
	}
	return s, nil
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNanos(n.Int64)
	return &t
}

func strPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// content is a call's AI content as stored.
type content struct {
	summary   *client.DatedCallSummary
	voicemail *client.Voicemail
}

// decodeContent reads the summary and voicemail columns.
func decodeContent(sum, vm sql.NullString) (content, error) {
	s, err := fromJSON[client.DatedCallSummary](sum)
	if err != nil {
		return content{}, err
	}
	v, err := fromJSON[client.Voicemail](vm)
	if err != nil {
		return content{}, err
	}
	return content{s, v}, nil
}

// encodeLines is a transcript's lines as stored: JSON, each line an array
// [start, speaker, user id, text] (a third of the size of objects).
func encodeLines(ls []Line) (string, error) {
	if ls == nil {
		return "null", nil
	}
	rows := make([][4]any, len(ls))
	for i, l := range ls {
		rows[i] = [4]any{l.Start, l.Speaker, l.UserID, l.Text}
	}
	s, err := jsonOf(&rows)
	if err != nil {
		return "", err
	}
	return s.(string), nil
}

// decodeLines reads encodeLines's JSON.
func decodeLines(s string) ([]Line, error) {
	var rows [][]any
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, err
	}
	if rows == nil {
		return nil, nil
	}
	ls := make([]Line, len(rows))
	for i, r := range rows {
		var ok [4]bool
		if len(r) == 4 {
			ls[i].Start, ok[0] = r[0].(float64)
			ls[i].Speaker, ok[1] = r[1].(string)
			ls[i].UserID, ok[2] = r[2].(string)
			ls[i].Text, ok[3] = r[3].(string)
		}
		if ok != [4]bool{true, true, true, true} {
			return nil, fmt.Errorf("transcript line %d is not [start, speaker, user, text]", i+1)
		}
	}
	return ls, nil
}
