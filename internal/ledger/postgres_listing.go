// A call's listing as the Postgres Store keeps it beside its columns:
// every field of the call but its AI content, packed by Go into one
// bytea (listing). Reads of calls (Range, Get, a search's hits) read it
// rather than a column per field: Postgres sends each value of a row at a
// cost, and a read of 100,000 calls of twenty columns spends most of its
// time there (call_stats' whole-window read: ~300 ms for the columns,
// ~60 ms for the listing). The columns stay for the filters of the
// queries. The decoded calls share their repeated strings (numbers,
// users, statuses) and their times and pointers come from a few blocks:
// a read of 100,000 calls allocates little more than the calls.

package ledger

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

const listingVersion = 1

// The listing's presence bits: the nullable fields that are set.
const (
	lsAnsweredAt = 1 << iota
	lsCompletedAt
	lsUpdatedAt
	lsAnsweredBy
	lsInitiatedBy
	lsForwardedFrom
	lsForwardedTo
	lsCallRoute
	lsAIHandled
	lsParticipants
	lsParties
)

// encodeListing is c's listing.
func encodeListing(c *history.Call) []byte {
	var bits uint64
	set := func(bit uint64, on bool) {
		if on {
			bits |= bit
		}
	}
	set(lsAnsweredAt, c.AnsweredAt != nil)
	set(lsCompletedAt, c.CompletedAt != nil)
	set(lsUpdatedAt, c.UpdatedAt != nil)
	set(lsAnsweredBy, c.AnsweredBy != nil)
	set(lsInitiatedBy, c.InitiatedBy != nil)
	set(lsForwardedFrom, c.ForwardedFrom != nil)
	set(lsForwardedTo, c.ForwardedTo != nil)
	set(lsCallRoute, c.CallRoute != nil)
	set(lsAIHandled, c.AIHandled != nil)
	set(lsParticipants, c.Participants != nil)
	set(lsParties, c.Parties != nil)
	b := make([]byte, 0, 256)
	b = append(b, listingVersion)
	b = binary.AppendUvarint(b, bits)
	b = binary.AppendVarint(b, toNanos(c.CreatedAt))
	b = binary.AppendVarint(b, int64(c.Duration))
	for _, t := range []*time.Time{c.AnsweredAt, c.CompletedAt, c.UpdatedAt} {
		if t != nil {
			b = binary.AppendVarint(b, toNanos(*t))
		}
	}
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, s := range []string{c.ID, c.PhoneNumberID, c.UserID, c.ActorID, c.Direction, c.Status,
		c.Participant, c.ConversationID, c.ConversationName} {
		str(s)
	}
	for _, p := range []*string{c.AnsweredBy, c.InitiatedBy, c.ForwardedFrom, c.ForwardedTo, c.CallRoute, c.AIHandled} {
		if p != nil {
			str(*p)
		}
	}
	for _, l := range [][]string{c.Participants, c.Parties} {
		if l != nil {
			b = binary.AppendUvarint(b, uint64(len(l)))
			for _, s := range l {
				str(s)
			}
		}
	}
	return b
}

var errListing = errors.New("a call's listing is not one this server wrote")

// listingDecoder decodes the listings of one read.
type listingDecoder struct {
	recent [fieldCaches]recent // the last values of each field
	times  []time.Time
	ptrs   []string
}

// The fields whose values repeat, each with its cache of recent values:
// a hit costs a few comparisons and no allocation (a map of every value
// costs more than the allocations it saves).
const (
	fcNumber = iota
	fcUser
	fcActor
	fcDirection
	fcStatus
	fcParticipant
	fcConversation
	fcConversationName
	fcOptional
	fcList
	fieldCaches
)

// recent is a field's last values.
type recent struct {
	vals [8]string
	next int
}

func newListingDecoder() *listingDecoder { return &listingDecoder{} }

// listingReader reads one listing.
type listingReader struct {
	b   []byte
	err bool
}

func (r *listingReader) uvarint() uint64 {
	if len(r.b) > 0 && r.b[0] < 0x80 { // most: one byte
		v := uint64(r.b[0])
		r.b = r.b[1:]
		return v
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *listingReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *listingReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = true, nil
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// str is b as a string of field f: a recent value of the field when it
// is one.
func (d *listingDecoder) str(f int, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	rc := &d.recent[f]
	for i := range rc.vals {
		if rc.vals[i] == string(b) {
			return rc.vals[i]
		}
	}
	s := string(b)
	rc.vals[rc.next] = s
	rc.next = (rc.next + 1) % len(rc.vals)
	return s
}

func (d *listingDecoder) ptr(s string) *string {
	if len(d.ptrs) == cap(d.ptrs) {
		d.ptrs = make([]string, 0, 512)
	}
	d.ptrs = append(d.ptrs, s)
	return &d.ptrs[len(d.ptrs)-1]
}

func (d *listingDecoder) time(n int64) *time.Time {
	if len(d.times) == cap(d.times) {
		d.times = make([]time.Time, 0, 512)
	}
	d.times = append(d.times, fromNanos(n))
	return &d.times[len(d.times)-1]
}

// decode fills c from listing b. Lean, it sets only what a count reads
// (history.Query.Lean).
func (d *listingDecoder) decode(b []byte, c *history.Call, lean bool) error {
	if len(b) == 0 || b[0] != listingVersion {
		return errListing
	}
	r := listingReader{b: b[1:]}
	bits := r.uvarint()
	c.CreatedAt, c.Duration = fromNanos(r.varint()), int(r.varint())
	var answeredAt, completedAt, updatedAt int64
	if bits&lsAnsweredAt != 0 {
		answeredAt = r.varint()
		c.AnsweredAt = d.time(answeredAt)
	}
	if bits&lsCompletedAt != 0 {
		if completedAt = r.varint(); !lean {
			c.CompletedAt = d.time(completedAt)
		}
	}
	if bits&lsUpdatedAt != 0 {
		if updatedAt = r.varint(); !lean {
			c.UpdatedAt = d.time(updatedAt)
		}
	}
	c.ID = string(r.bytes())
	c.PhoneNumberID = d.str(fcNumber, r.bytes())
	c.UserID = d.str(fcUser, r.bytes())
	c.ActorID = d.str(fcActor, r.bytes())
	c.Direction = d.str(fcDirection, r.bytes())
	c.Status = d.str(fcStatus, r.bytes())
	c.Participant = d.str(fcParticipant, r.bytes())
	conv, convName := r.bytes(), r.bytes()
	if !lean {
		c.ConversationID, c.ConversationName = d.str(fcConversation, conv), d.str(fcConversationName, convName)
	}
	for i, f := range [...]**string{&c.AnsweredBy, &c.InitiatedBy, &c.ForwardedFrom, &c.ForwardedTo, &c.CallRoute, &c.AIHandled} {
		if bits&(lsAnsweredBy<<i) == 0 {
			continue
		}
		s := r.bytes()
		if !lean || i < 2 || i == 5 { // lean: who answered, placed or handled it
			*f = d.ptr(d.str(fcOptional, s))
		}
	}
	if bits&lsParticipants != 0 {
		c.Participants = d.list(&r, c.Participant)
	}
	if bits&lsParties != 0 {
		if l := d.list(&r, c.Participant); !lean {
			c.Parties = l
		}
	}
	if r.err || len(r.b) != 0 {
		return errListing
	}
	return nil
}

// list reads a list; a party that is the call's participant is its
// string.
func (d *listingDecoder) list(r *listingReader, participant string) []string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = true, nil
		return nil
	}
	out := make([]string, n)
	for i := range out {
		if b := r.bytes(); string(b) == participant {
			out[i] = participant
		} else {
			out[i] = d.str(fcList, b)
		}
	}
	return out
}
