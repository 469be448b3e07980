// The cursor: where the next page of a window starts, as a short string a
// tool hands the model and takes back. It is stateless by itself (the
// window, the filters and the last call listed), so any replica resumes it;
// it may also name walk state this process kept, which only makes the next
// page cheaper.

package history

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Scope is how the caller asked for a window, carried by its cursor so that
// a cursor cannot be resumed with other arguments.
type Scope struct {
	Phone string // the number filter as the caller normalised it; "" for all
	User  string // the user filter; "" for all
	// AfterDefault: the window's start was not given but defaulted, and
	// stays as the first page fixed it.
	AfterDefault bool
	// BeforeDefault: the window's end was not given; the first page fixed
	// it at its own now (for tools that read a whole window a page, so
	// that later pages count the same calls).
	BeforeDefault bool
	// Filters is the caller's other filters (status, direction, party...)
	// in a canonical form of its own; a cursor carries only a hash of it.
	Filters string
}

// StateID names walk state kept by this process for a cursor.
type StateID [16]byte

// IsZero reports whether id names no state.
func (id StateID) IsZero() bool { return id == StateID{} }

func newStateID() StateID {
	var id StateID
	_, _ = rand.Read(id[:]) // never fails (crypto/rand since Go 1.24)
	return id
}

// Cursor is where a page starts: right after Last, in the window
// [After, Before) of Scope.
type Cursor struct {
	Scope  Scope
	After  time.Time
	Before time.Time // zero: open
	Last   Key
	State  StateID
	// filters is the hash of Scope.Filters a decoded cursor carries.
	filters [filtersHashLen]byte
}

const filtersHashLen = 8

// filtersHash is what a cursor carries of filters: enough to tell another
// set of filters apart, nothing to read back.
func filtersHash(filters string) (h [filtersHashLen]byte) {
	if filters != "" {
		sum := sha256.Sum256([]byte("filters\x00" + filters))
		copy(h[:], sum[:])
	}
	return h
}

// filtersOf is the hash of the cursor's filters, as made or as decoded.
func (c *Cursor) filtersOf() [filtersHashLen]byte {
	if c.Scope.Filters != "" {
		return filtersHash(c.Scope.Filters)
	}
	return c.filters
}

// The cursor errors; CursorError says which and why.
var (
	// ErrBadCursor: not a cursor of this server (damaged, edited, too long,
	// another version).
	ErrBadCursor = errors.New("not a page token of this server")
	// ErrCursorMismatch: a good cursor resumed with other filters.
	ErrCursorMismatch = errors.New("the page token belongs to a listing with other arguments")
)

// CursorError is a cursor that cannot be used: Err is ErrBadCursor or
// ErrCursorMismatch. Why says what is wrong; for a mismatch, Arg is the
// argument that differs (phoneNumberId, userId, createdAfter,
// createdBefore) and Was and Now its values then and now ("" for not
// given).
type CursorError struct {
	Err           error
	Why           string
	Arg, Was, Now string
}

func (e *CursorError) Error() string { return e.Err.Error() + ": " + e.Why }
func (e *CursorError) Unwrap() error { return e.Err }

func badCursor(why string) error { return &CursorError{Err: ErrBadCursor, Why: why} }

// The encoding: base64url (no padding) of
//
//	version (1) | flags (1) | after (8) | [before (8)] |
//	last time (8) | last id (1+n) | phone (1+n) | user (1+n) |
//	[state (16)] | [filters hash (8)] | checksum (8)
//
// with times as Unix nanoseconds, big-endian, and the checksum the first 8
// bytes of SHA-256 over a domain string and everything before it. The
// checksum is no secret: it catches damaged and edited cursors, and strict
// validation of every field catches the rest. A forged cursor can only make
// a listing skip or repeat calls the key could list anyway, and it names
// state only of the client that made it (see stateStore).
const (
	cursorVersion = 2
	// MaxCursorLen bounds an encoded cursor; the longest has 338 characters.
	MaxCursorLen = 400
	maxCursorID  = 64
	checksumLen  = 8
	cursorDomain = "openphone-mcp/history/v2\x00"

	flagBefore        = 1 << 0
	flagState         = 1 << 1
	flagAfterDefault  = 1 << 2
	flagFilters       = 1 << 3
	flagBeforeDefault = 1 << 4
	flagsKnown        = flagBefore | flagState | flagAfterDefault | flagFilters | flagBeforeDefault
)

// Bounds of the times a cursor carries.
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Encode writes the cursor as a token.
func (c *Cursor) Encode() (string, error) {
	for _, s := range []string{c.Last.ID, c.Scope.Phone, c.Scope.User} {
		if !cursorText(s) {
			return "", fmt.Errorf("history: %q cannot be carried by a cursor", s)
		}
	}
	for _, t := range []time.Time{c.After, c.Last.At} {
		if !inBounds(t) {
			return "", fmt.Errorf("history: %s cannot be carried by a cursor", t)
		}
	}
	var flags byte
	if !c.Before.IsZero() {
		if !inBounds(c.Before) {
			return "", fmt.Errorf("history: %s cannot be carried by a cursor", c.Before)
		}
		flags |= flagBefore
	}
	if !c.State.IsZero() {
		flags |= flagState
	}
	if c.Scope.AfterDefault {
		flags |= flagAfterDefault
	}
	if c.Scope.BeforeDefault {
		if c.Before.IsZero() {
			return "", errors.New("history: a cursor whose end was fixed by its first page needs that end")
		}
		flags |= flagBeforeDefault
	}
	filters := c.filtersOf()
	if filters != ([filtersHashLen]byte{}) {
		flags |= flagFilters
	}
	var b bytes.Buffer
	b.WriteByte(cursorVersion)
	b.WriteByte(flags)
	putTime(&b, c.After)
	if flags&flagBefore != 0 {
		putTime(&b, c.Before)
	}
	putTime(&b, c.Last.At)
	for _, s := range []string{c.Last.ID, c.Scope.Phone, c.Scope.User} {
		b.WriteByte(byte(len(s)))
		b.WriteString(s)
	}
	if flags&flagState != 0 {
		b.Write(c.State[:])
	}
	if flags&flagFilters != 0 {
		b.Write(filters[:])
	}
	b.Write(checksum(b.Bytes()))
	return base64.RawURLEncoding.EncodeToString(b.Bytes()), nil
}

// DecodeCursor reads a token written by Encode. Any other string is a
// *CursorError with ErrBadCursor.
func DecodeCursor(s string) (*Cursor, error) {
	if len(s) > MaxCursorLen {
		return nil, badCursor(fmt.Sprintf("it is %d characters long, more than any page token (%d)", len(s), MaxCursorLen))
	}
	// Strict, and no line breaks (which the decoder skips): one cursor has
	// one spelling, so an edited token never passes for the original.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || strings.ContainsAny(s, "\r\n") || len(raw) < 2+checksumLen {
		return nil, badCursor("it is not a page token of this server")
	}
	body, sum := raw[:len(raw)-checksumLen], raw[len(raw)-checksumLen:]
	if !bytes.Equal(sum, checksum(body)) {
		return nil, badCursor("it was damaged or edited")
	}
	r := reader{b: body}
	if v := r.byte(); v != cursorVersion {
		return nil, badCursor("it comes from another version of this server")
	}
	flags := r.byte()
	if flags&^flagsKnown != 0 {
		return nil, badCursor("it has flags this server does not know")
	}
	c := &Cursor{}
	c.Scope.AfterDefault = flags&flagAfterDefault != 0
	c.Scope.BeforeDefault = flags&flagBeforeDefault != 0
	c.After = r.time()
	if flags&flagBefore != 0 {
		c.Before = r.time()
	}
	c.Last.At = r.time()
	c.Last.ID, c.Scope.Phone, c.Scope.User = r.str(), r.str(), r.str()
	if flags&flagState != 0 {
		copy(c.State[:], r.bytes(len(c.State)))
		if c.State.IsZero() {
			r.fail = true
		}
	}
	if flags&flagFilters != 0 {
		copy(c.filters[:], r.bytes(filtersHashLen))
		if c.filters == ([filtersHashLen]byte{}) {
			r.fail = true
		}
	}
	switch {
	case r.fail || len(r.b) != 0:
		return nil, badCursor("its fields are malformed")
	case c.Scope.BeforeDefault && c.Before.IsZero():
		return nil, badCursor("its fields are malformed")
	case c.Last.ID == "":
		return nil, badCursor("it names no call")
	case !c.Before.IsZero() && !c.After.Before(c.Before):
		return nil, badCursor("its window is empty")
	case c.Last.At.Before(c.After) || (!c.Before.IsZero() && !c.Last.At.Before(c.Before)):
		return nil, badCursor("its position lies outside its window")
	}
	return c, nil
}

// Matches checks that a cursor continues the listing of scope over the
// window (after, before) as given now (after zero when scope.AfterDefault,
// before zero when scope.BeforeDefault):
// a cursor resumed with other filters would skip or repeat calls.
func (c *Cursor) Matches(scope Scope, after, before time.Time) error {
	differ := func(arg, was, now string) error {
		return &CursorError{Err: ErrCursorMismatch, Why: arg + " differs", Arg: arg, Was: was, Now: now}
	}
	show := func(t time.Time, unset bool) string {
		if unset || t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	switch {
	case c.Scope.Phone != scope.Phone:
		return differ("phoneNumberId", c.Scope.Phone, scope.Phone)
	case c.Scope.User != scope.User:
		return differ("userId", c.Scope.User, scope.User)
	case c.Scope.AfterDefault != scope.AfterDefault || (!scope.AfterDefault && !c.After.Equal(after)):
		return differ("createdAfter", show(c.After, c.Scope.AfterDefault), show(after, scope.AfterDefault))
	case c.Scope.BeforeDefault != scope.BeforeDefault || (!scope.BeforeDefault && !c.Before.Equal(before)):
		return differ("createdBefore", show(c.Before, c.Scope.BeforeDefault), show(before, scope.BeforeDefault))
	case c.filtersOf() != filtersHash(scope.Filters):
		return &CursorError{Err: ErrCursorMismatch, Why: "its other filters differ", Arg: "filters"}
	}
	return nil
}

func checksum(payload []byte) []byte {
	h := sha256.New()
	h.Write([]byte(cursorDomain))
	h.Write(payload)
	return h.Sum(nil)[:checksumLen]
}

func putTime(b *bytes.Buffer, t time.Time) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(t.UnixNano()))
	b.Write(n[:])
}

func inBounds(t time.Time) bool { return !t.Before(MinTime) && t.Before(MaxTime) }

// cursorText reports whether s can be carried: at most 64 letters, digits
// or '+', which is what ids, E.164 numbers and user ids are made of.
func cursorText(s string) bool {
	if len(s) > maxCursorID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+') {
			return false
		}
	}
	return true
}

// reader reads a cursor's fields; any short or bad field sets fail.
type reader struct {
	b    []byte
	fail bool
}

func (r *reader) bytes(n int) []byte {
	if len(r.b) < n {
		r.fail, r.b = true, nil
		return make([]byte, n)
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) byte() byte { return r.bytes(1)[0] }

func (r *reader) time() time.Time {
	t := time.Unix(0, int64(binary.BigEndian.Uint64(r.bytes(8)))).UTC()
	if !inBounds(t) {
		r.fail = true
	}
	return t
}

func (r *reader) str() string {
	n := int(r.byte())
	s := string(r.bytes(n))
	if !cursorText(s) {
		r.fail = true
	}
	return s
}
