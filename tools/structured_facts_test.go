// The facts of a result's text, extracted mechanically, and the structured
// content they are looked for in: what TestStructuredCarriesTheText checks.
//
// The text's lines are of five kinds:
//   - the demo marker, "[Demo workspace: simulated data]": the structure's
//     "demo" key says it;
//   - the paging line: "More calls|callers|hits: ..." is the structure's
//     "next" word for word, but for its token, which is "nextPageToken"
//     beside it; "Last page." is the absence of both;
//   - notes, every line that is not a header, record or hint (Source:,
//     Counted:, Read:, Searched:, Metrics:, User:, "No calls in this window
//     ...", the group conversations, a one-line answer such as why a call
//     has no transcript): in the structure word for word, in one string;
//   - the header (the first line), records (lines that start with an id, a
//     phone number, "anonymous", [mm:ss], "- ", an indent or a lowercase
//     "label: ", and table rows) and hints ("More: ...", "Pass a PN id...",
//     "End of transcript: N utterances."): their facts, below;
//   - section labels ("Next steps:"): nothing.
//
// The facts of a line, taken in this order, each cut out of the line before
// the next is looked for:
//   - quoted strings (Go's quoting): a string of the structure contains the
//     unquoted text (without a final "…", where the text cut it), or the
//     text is the join of a string array (", ", " ", " | ");
//   - instants (RFC 3339, any offset, "T" or a space between date and
//     clock, as the text's stamps write it): a string of the structure is the
//     same instant (to the second, when the text writes seconds);
//   - transcript offsets [mm:ss]: a string of the structure is mm:ss, or a
//     number is those seconds;
//   - zone offsets "(UTC-05:00)": dropped (the zone and instants say them);
//   - local clock readings, "[Mon ][2006-01-02 ]15:04[:05]": an instant of
//     the structure reads so in its zone ("tz", else UTC), or a string is
//     the reading (an hour's row);
//   - dates alone: a string of the structure, or the local date of one of
//     its instants;
//   - ids (AC, PN, US, CN, CR, SYU followed by letters and digits), phone
//     numbers (+ and 7 to 15 digits) and URLs: a string of the structure is
//     the id, or holds it as a word;
//   - "anonymous" as a party: a string of the structure;
//   - durations (45s, 4m12s, 1h02m03s) and percentages (67%): a string of
//     the structure is written so, or a number is the seconds or the
//     percentage;
//   - every other integer (a count): a number of the structure, the length
//     of one of its arrays or objects, or a word of one of its strings;
//   - the column names of a table's first line: strings of the structure;
//     each row's cells after its label (counts, percentages, durations,
//     "-"), in order: the last cells of an array of the structure.
//
// A zero (0s, 0 calls, [00:00]) needs nothing: the structure leaves empty
// fields out. Beside the facts: no null, empty string, array or object
// anywhere; no note (notes, note) that is not a line of the text, so the
// server's own fields quote a caller's words only as the text does; and
// each name of the tables (users, numbers, contacts) written once, outside
// the server's sentences (notes, next).

package tools

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	factInstant  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	factOffset   = regexp.MustCompile(`\[(\d{2,}):(\d{2})\]`)
	factZone     = regexp.MustCompile(`UTC[+-]\d{2}:\d{2}`)
	factReading  = regexp.MustCompile(`\b(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(?:(\d{4}-\d{2}-\d{2}) )?(\d{2}:\d{2}(?::\d{2})?)\b`)
	factDate     = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
	factURL      = regexp.MustCompile(`https?://[^\s)]+`)
	factID       = regexp.MustCompile(`\b(?:AC|PN|US|CN|CR|SYU)[A-Za-z0-9]*[a-z0-9][A-Za-z0-9]*\b`)
	factPhone    = regexp.MustCompile(`\+\d{7,15}\b`)
	factAnon     = regexp.MustCompile(`(^|with=)(anonymous)\b`)
	factDuration = regexp.MustCompile(`\b(?:(\d+)h(\d{2})m(\d{2})s|(\d+)m(\d{2})s|(\d+)s)\b`)
	factPercent  = regexp.MustCompile(`\b(\d+)%`)
	factInteger  = regexp.MustCompile(`\b\d+\b`)
	pagingLine   = regexp.MustCompile(`^More (calls|callers|hits): `)
	pagingToken  = regexp.MustCompile(` pageToken ("(?:[^"\\]|\\.)*")\.$`)
	hintLine     = regexp.MustCompile(`^(More: |Pass a PN id|End of transcript: \d+ utterances\.$)`)
	recordLine   = regexp.MustCompile(`^(AC|CR|PN|\+|anonymous|\[|- |  |[a-z][a-zA-Z ]*: )`)
	labelLine    = regexp.MustCompile(`^[A-Z][a-zA-Z ]*:$`)
	tableHeader  = regexp.MustCompile(`^[a-z][a-z ]* \| `)
	tableCell    = regexp.MustCompile(`^(\d+%?|-|(\d+h)?(\d+m)?\d+s)$`)
)

// missingFacts lists the facts of text that structured lacks, each as a
// short sentence; none means the structure carries the text.
func missingFacts(text string, structured any) []string {
	h := newHay(structured)
	var missing []string
	miss := func(format string, args ...any) { missing = append(missing, fmt.Sprintf(format, args...)) }
	for _, e := range h.empties {
		miss("no empty fields: %s", e)
	}
	ls := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	_, demo := h.top[demoKey]
	if ls[0] == strings.TrimSuffix(demoNote, "\n") {
		ls = ls[1:]
		if h.top[demoKey] != demoValue {
			miss("the demo marker: no %q: %q", demoKey, demoValue)
		}
	} else if demo {
		miss("a demo marker the text does not have")
	}
	columns := false
	for i, l := range ls {
		switch {
		case l == "Last page.":
			if _, ok := h.top["next"]; ok {
				miss("the last page has a next")
			}
			if _, ok := h.top["nextPageToken"]; ok {
				miss("the last page has a nextPageToken")
			}
		case pagingLine.MatchString(l):
			want := l
			if m := pagingToken.FindStringSubmatch(l); m != nil {
				token, _ := strconv.Unquote(m[1])
				if h.top["nextPageToken"] != token {
					miss("the page token %s as nextPageToken", m[1])
				}
				want = strings.Replace(l, " "+m[1], "", 1)
			}
			if h.top["next"] != want {
				miss("the paging line as next, word for word: %q", want)
			}
		case labelLine.MatchString(l):
		case len(ls) > 1 && (i == 0 || hintLine.MatchString(l) || recordLine.MatchString(l) || strings.Contains(l, " | ")):
			if tableHeader.MatchString(l) && !columns {
				columns = true
				for _, col := range strings.Split(l, " | ") {
					if !h.contains(col) {
						miss("the column %q", col)
					}
				}
			}
			if columns && strings.Contains(l, " | ") && !tableHeader.MatchString(l) && !h.row(l) {
				miss("the table row %q", l)
			}
			missing = append(missing, lineFacts(h, l)...)
		default:
			if !h.contains(l) {
				miss("the note, word for word: %q", l)
			}
		}
	}
	// The server's own fields say only what the text's lines say, as they
	// say it: a caller's words can enter them only quoted, as in the text.
	said := map[string]bool{}
	for _, l := range ls {
		said[l] = true
	}
	notes, _ := h.top["notes"].([]any)
	if note, ok := h.top["note"]; ok {
		notes = append(notes, note)
	}
	for _, n := range notes {
		if s, _ := n.(string); !said[s] {
			miss("no note the text does not have: %q", s)
		}
	}
	missing = append(missing, namedTwice(structured, h)...)
	return missing
}

// lineFacts lists the facts of one line the structure lacks.
func lineFacts(h *hay, l string) []string {
	var missing []string
	miss := func(format string, args ...any) { missing = append(missing, fmt.Sprintf(format, args...)) }
	// Quoted strings first: what they hold is the caller's, not facts of
	// the server's line.
	var rest strings.Builder
	for i := 0; i < len(l); {
		if l[i] != '"' {
			rest.WriteByte(l[i])
			i++
			continue
		}
		q, err := strconv.QuotedPrefix(l[i:])
		if err != nil {
			rest.WriteByte(l[i])
			i++
			continue
		}
		s, _ := strconv.Unquote(q)
		if s = strings.TrimSuffix(s, "…"); s != "" && !h.contains(s) {
			miss("quoted %q", s)
		}
		rest.WriteByte(' ')
		i += len(q)
	}
	line := rest.String()
	cut := func(re *regexp.Regexp, check func(m []string) bool, what string) {
		line = re.ReplaceAllStringFunc(line, func(s string) string {
			if m := re.FindStringSubmatch(s); !check(m) {
				miss("%s %s", what, s)
			}
			return " "
		})
	}
	cut(factInstant, func(m []string) bool {
		t, err := time.Parse(time.RFC3339Nano, strings.Replace(m[0], " ", "T", 1)) // the text's stamps write a space for the T
		return err == nil && h.instant(t, m[1] == "")
	}, "the instant")
	cut(factOffset, func(m []string) bool {
		mm, _ := strconv.Atoi(m[1])
		ss, _ := strconv.Atoi(m[2])
		return h.is(m[1]+":"+m[2]) || h.number(float64(mm*60+ss), false)
	}, "the transcript offset")
	cut(factZone, func([]string) bool { return true }, "")
	cut(factURL, func(m []string) bool { return h.word(m[0]) }, "the URL")
	cut(factReading, func(m []string) bool { return h.is(m[0]) || h.reading(m[1], m[2], m[3]) }, "the local time")
	cut(factDate, func(m []string) bool { return h.is(m[0]) || h.reading("", m[0], "") }, "the date")
	cut(factID, func(m []string) bool { return h.word(m[0]) }, "the id")
	cut(factPhone, func(m []string) bool { return h.word(m[0]) }, "the phone number")
	cut(factAnon, func(m []string) bool { return h.word(m[2]) }, "the party")
	cut(factDuration, func(m []string) bool {
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		return h.is(m[0]) || h.number(float64(n(1)*3600+n(2)*60+n(3)+n(4)*60+n(5)+n(6)), false)
	}, "the duration")
	cut(factPercent, func(m []string) bool {
		p, _ := strconv.Atoi(m[1])
		return h.is(m[0]) || h.number(float64(p), false)
	}, "the percentage")
	cut(factInteger, func(m []string) bool {
		n, _ := strconv.Atoi(m[0])
		return h.number(float64(n), true)
	}, "the number")
	return missing
}

// namedTwice lists the names of the tables that the structure writes more
// than once outside the server's sentences.
func namedTwice(structured any, h *hay) []string {
	top, _ := structured.(map[string]any)
	var names []string
	for _, table := range []string{"users", "contacts"} {
		m, _ := top[table].(map[string]any)
		for _, v := range m {
			if s, ok := v.(string); ok {
				names = append(names, s)
			}
		}
	}
	numbers, _ := top["numbers"].(map[string]any)
	for _, v := range numbers {
		if n, _ := v.([]any); len(n) == 2 {
			names = append(names, n[1].(string))
		}
	}
	var twice []string
	for _, name := range names {
		n := 0
		for _, v := range h.values {
			if v == name {
				n++
			}
		}
		if n > 1 {
			twice = append(twice, fmt.Sprintf("the name %q is written %d times", name, n))
		}
	}
	return twice
}

// compactJSON is v as a client that does JSON.stringify hands it to the
// model: no spaces, <, > and & as they are.
func compactJSON(v any) []byte {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return []byte(strings.TrimSuffix(b.String(), "\n"))
}

// median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return math.Round((sorted[n/2-1]+sorted[n/2])/2*1000) / 1000
}
