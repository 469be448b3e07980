package history

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleCursor() Cursor {
	at := time.Date(2026, 11, 30, 12, 0, 0, 123, time.UTC)
	return Cursor{
		Scope: Scope{Phone: "+14155550100", User: "US123", AfterDefault: true, Filters: "status=missed"},
		After: at.Add(-7 * 24 * time.Hour), Before: at.Add(time.Hour),
		Last: Key{at, "AC123abc"}, State: StateID{1, 2, 3},
	}
}

// TestCursor_EncodeDecode: a cursor comes back as it went, with and
// without its optional fields.
func TestCursor_EncodeDecode(t *testing.T) {
	full := sampleCursor()
	open := full
	open.Before, open.State, open.Scope = time.Time{}, StateID{}, Scope{}
	for _, c := range []Cursor{full, open} {
		tok, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeCursor(tok)
		if err != nil {
			t.Fatalf("%s: %v", tok, err)
		}
		// The filters come back as their hash only.
		if got.filtersOf() != c.filtersOf() {
			t.Errorf("filters hash %x, want %x", got.filtersOf(), c.filtersOf())
		}
		got.filters, c.filters = [filtersHashLen]byte{}, [filtersHashLen]byte{}
		got.Scope.Filters = c.Scope.Filters
		if diff := cmp.Diff(c, *got, cmp.AllowUnexported(Cursor{})); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}

// TestCursor_Longest: the longest cursor fits MaxCursorLen, which the
// tools' schemas promise.
func TestCursor_Longest(t *testing.T) {
	c := sampleCursor()
	long := strings.Repeat("9", maxCursorID)
	c.Last.ID, c.Scope.Phone, c.Scope.User = "AC"+long[2:], "+"+long[1:], "US"+long[2:]
	tok, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 338 || len(tok) > MaxCursorLen {
		t.Errorf("the longest cursor has %d characters (want 338, at most %d)", len(tok), MaxCursorLen)
	}
	c.Last.ID += "9"
	if _, err := c.Encode(); err == nil {
		t.Error("an id over 64 characters was encoded")
	}
	c.Last.ID = "AC\n1"
	if _, err := c.Encode(); err == nil {
		t.Error("an id with a newline was encoded")
	}
}

// TestDecodeCursor_Refuses: damaged, edited, foreign and inconsistent
// cursors are ErrBadCursor with a reason, never a cursor.
func TestDecodeCursor_Refuses(t *testing.T) {
	good, err := func() (string, error) { c := sampleCursor(); return c.Encode() }()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	resum := func(b []byte) string {
		b = append([]byte{}, b[:len(b)-checksumLen]...)
		return base64.RawURLEncoding.EncodeToString(append(b, checksum(b)...))
	}
	edited := append([]byte{}, raw...)
	edited[5] ^= 1
	version := append([]byte{}, raw...)
	version[0] = 1
	flags := append([]byte{}, raw...)
	flags[1] |= 0x80
	inverted := sampleCursor()
	inverted.Before = inverted.After
	outside := sampleCursor()
	outside.Last.At = outside.Before.Add(time.Second)
	for name, tok := range map[string]string{
		"empty":           "",
		"not base64":      "!!!",
		"too long":        strings.Repeat("A", MaxCursorLen+1),
		"edited":          base64.RawURLEncoding.EncodeToString(edited),
		"cut short":       good[:len(good)-4],
		"other version":   resum(version),
		"unknown flags":   resum(flags),
		"trailing bytes":  resum(append(append([]byte{}, raw...), 0)),
		"inverted window": mustEncodeUnchecked(inverted),
		"call outside":    mustEncodeUnchecked(outside),
	} {
		c, err := DecodeCursor(tok)
		var ce *CursorError
		if c != nil || !errors.Is(err, ErrBadCursor) || !errors.As(err, &ce) || ce.Why == "" {
			t.Errorf("%s: got %v, %v; want ErrBadCursor with a reason", name, c, err)
		}
	}
}

// mustEncodeUnchecked encodes a cursor Encode accepts but DecodeCursor
// must refuse (Encode checks only what it can carry).
func mustEncodeUnchecked(c Cursor) string {
	tok, err := c.Encode()
	if err != nil {
		panic(err)
	}
	return tok
}

// TestCursor_Matches: a cursor resumes only the listing it was made for,
// and says which argument differs.
func TestCursor_Matches(t *testing.T) {
	c := sampleCursor()
	if err := c.Matches(c.Scope, time.Time{}, c.Before); err != nil {
		t.Fatal(err)
	}
	tok, _ := c.Encode()
	decoded, err := DecodeCursor(tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := decoded.Matches(c.Scope, time.Time{}, c.Before); err != nil {
		t.Errorf("a decoded cursor does not match its own scope: %v", err)
	}
	other := c.Scope
	other.Filters = "status=completed"
	if err := decoded.Matches(other, time.Time{}, c.Before); !errors.Is(err, ErrCursorMismatch) {
		t.Errorf("other filters: got %v, want ErrCursorMismatch", err)
	}
	given := c.Scope
	given.AfterDefault = false
	for _, tc := range []struct {
		scope         Scope
		after, before time.Time
		arg, was, now string
	}{
		{Scope{Phone: "PN1", User: c.Scope.User, AfterDefault: true, Filters: c.Scope.Filters}, time.Time{}, c.Before, "phoneNumberId", "+14155550100", "PN1"},
		{Scope{Phone: c.Scope.Phone, AfterDefault: true, Filters: c.Scope.Filters}, time.Time{}, c.Before, "userId", "US123", ""},
		{given, c.After, c.Before, "createdAfter", "", c.After.Format(time.RFC3339Nano)},
		{c.Scope, time.Time{}, time.Time{}, "createdBefore", c.Before.Format(time.RFC3339Nano), ""},
	} {
		err := c.Matches(tc.scope, tc.after, tc.before)
		var ce *CursorError
		if !errors.Is(err, ErrCursorMismatch) || !errors.As(err, &ce) || ce.Arg != tc.arg || ce.Was != tc.was || ce.Now != tc.now {
			t.Errorf("%+v: got %#v, want %s differing (%q, %q)", tc.scope, err, tc.arg, tc.was, tc.now)
		}
	}
}

// FuzzDecodeCursor: any string decodes to a cursor that encodes back to
// the same string, or to ErrBadCursor; never a panic.
func FuzzDecodeCursor(f *testing.F) {
	c := sampleCursor()
	tok, _ := c.Encode()
	f.Add(tok)
	c.State, c.Before = StateID{}, time.Time{}
	tok, _ = c.Encode()
	f.Add(tok)
	f.Add("")
	f.Add("AgAA")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := DecodeCursor(s)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) || c != nil {
				t.Fatalf("got %v, %v", c, err)
			}
			return
		}
		again, err := c.Encode()
		if err != nil {
			t.Fatalf("a decoded cursor does not encode: %v", err)
		}
		if again != s {
			t.Fatalf("a cursor changes on a round trip: %q -> %q", s, again)
		}
	})
}

// FuzzDecodeCursorPayload goes past the checksum: any payload, correctly
// checksummed, decodes to a cursor within bounds that encodes back to the
// same token, or is refused.
func FuzzDecodeCursorPayload(f *testing.F) {
	full := sampleCursor()
	open := full
	open.Before, open.State, open.Scope = time.Time{}, StateID{}, Scope{}
	for _, c := range []Cursor{full, open} {
		tok, _ := c.Encode()
		raw, _ := base64.RawURLEncoding.DecodeString(tok)
		f.Add(raw[:len(raw)-checksumLen])
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		s := base64.RawURLEncoding.EncodeToString(append(payload, checksum(payload)...))
		c, err := DecodeCursor(s)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Fatalf("got %v", err)
			}
			return
		}
		for _, f := range []string{c.Last.ID, c.Scope.Phone, c.Scope.User} {
			if !cursorText(f) {
				t.Fatalf("a field out of bounds: %q", f)
			}
		}
		if again, err := c.Encode(); err != nil || again != s {
			t.Fatalf("re-encodes to %q (%v), not %q", again, err, s)
		}
	})
}

// TestCursor_BeforeDefault: a window whose end the first page fixed keeps
// that end over a round trip, matches only callers who again leave the end
// out, and cannot be made without an end.
func TestCursor_BeforeDefault(t *testing.T) {
	c := sampleCursor()
	c.Scope.BeforeDefault = true
	tok, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeCursor(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Scope.BeforeDefault || !got.Before.Equal(c.Before) {
		t.Fatalf("decoded BeforeDefault %v, Before %s; want true, %s", got.Scope.BeforeDefault, got.Before, c.Before)
	}
	if err := got.Matches(c.Scope, time.Time{}, time.Time{}); err != nil {
		t.Errorf("the end left out again: %v", err)
	}
	given := c.Scope
	given.BeforeDefault = false
	var ce *CursorError
	if err := got.Matches(given, time.Time{}, c.Before); !errors.As(err, &ce) || ce.Arg != "createdBefore" || ce.Was != "" {
		t.Errorf("the end given now: got %#v, want createdBefore differing from not given", err)
	}
	// A cursor of a window whose end was given never matches one left out.
	plain := sampleCursor()
	if err := plain.Matches(c.Scope, time.Time{}, time.Time{}); !errors.As(err, &ce) || ce.Arg != "createdBefore" {
		t.Errorf("a given end resumed as defaulted: got %v", err)
	}
	c.Before = time.Time{}
	if _, err := c.Encode(); err == nil {
		t.Error("a defaulted end without its time encodes")
	}
}
