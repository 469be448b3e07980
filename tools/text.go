// text.go: text from outside the server made safe to place in its lines:
// ids and statuses from the API (apiText), names and speech (cleanText).

package tools

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

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
