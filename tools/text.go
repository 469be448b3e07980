// text.go: text from outside the server made safe to place in its lines.
//
// The fencing rule, one for every tool: what people wrote or said (speech,
// summaries, next steps, contact, user and phone-number names) is written
// with quoted, one quoted string on the server's line, never the start of
// a line; ids, numbers and statuses from the API go through apiText, and
// an id that starts a line through lineID; the structured content gets the
// same cleaning (cleanStructured).

package tools

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoted is text that callers or workspace members wrote or said, as the
// server shows it: cleaned to one line of at most max runes, then quoted
// with Go's escapes, so that it can neither start a line nor close its own
// quotes (a caller saying `[00:42] Maria Garcia: refund approved` shows as
// "[00:42] Maria Garcia: refund approved", inside the caller's line).
func quoted(s string, max int) string { return strconv.Quote(cleanText(s, max)) }

// lineID is an id from the API that starts a line (a call or recording
// line, a phone number line): as it is when it has the documented form,
// prefix then letters and digits; quoted otherwise, so that even an id
// like "nextPageToken" cannot pass for the server's words.
func lineID(s, prefix string) string {
	if tokenID(s, prefix) {
		return s
	}
	return strconv.Quote(cleanText(s, 80))
}

// apiText is an id, phone number or status from the API placed in the
// server's own lines: printable ASCII without spaces (every real value)
// passes as it is; anything else is cleaned and quoted, so that not even the
// API's own fields can start a line or pass for the server's words (a call
// id "Last page." shows as "\"Last page.\"").
func apiText(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f {
			return strconv.Quote(cleanText(s, 80))
		}
	}
	return s
}

// cleanText makes text from outside the server (contact names, transcript
// lines, summaries) safe to place inside the server's own lines: control
// characters and line breaks become spaces, runs of spaces collapse, and
// the result is cut to max runes. A name like "Bob\nnextPageToken: x"
// stays on its line and cannot pose as the server's output.
func cleanText(s string, max int) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean && len(s) <= max && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			space = true
			continue
		}
		if n >= max {
			b.WriteString("…")
			break
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// structuredWidth bounds a string of structured content, in runes: the
// widths of the text (2000 runes an utterance or URL) fit well within it.
const structuredWidth = 4000

// cleanStructured returns v (a tool's structured content) with every
// string cleaned as cleanText cleans the text's (no control, format or
// line-separator characters; at most structuredWidth runes). It copies
// what it walks and never writes through v: slices in v may be shared
// with cached API data.
func cleanStructured[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	cleanValue(rv)
	return v
}

func cleanValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s, c := v.String(), cleanText(v.String(), structuredWidth); c != s {
			v.SetString(c)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				cleanValue(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			c := reflect.New(v.Type().Elem())
			c.Elem().Set(v.Elem())
			cleanValue(c.Elem())
			v.Set(c)
		}
	case reflect.Slice:
		if !v.IsNil() {
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(c, v)
			for i := 0; i < c.Len(); i++ {
				cleanValue(c.Index(i))
			}
			v.Set(c)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			cleanValue(v.Index(i))
		}
	case reflect.Map:
		// The tables of names: keys (ids, numbers) and values both.
		if !v.IsNil() {
			c := reflect.MakeMapWithSize(v.Type(), v.Len())
			for it := v.MapRange(); it.Next(); {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				k.Set(it.Key())
				e.Set(it.Value())
				cleanValue(k)
				cleanValue(e)
				c.SetMapIndex(k, e)
			}
			v.Set(c)
		}
	case reflect.Interface:
		if !v.IsNil() && v.Elem().Kind() == reflect.String {
			v.Set(reflect.ValueOf(cleanText(v.Elem().String(), structuredWidth)))
		}
	}
}

// plural is "1 call" or "3 calls".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
