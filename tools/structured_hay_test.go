// The structured content as the facts of structured_facts_test.go are
// looked for in it: its strings, numbers, lengths, instants and arrays.

package tools

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hay is what the facts are looked for in: a structured content, flattened.
type hay struct {
	strs     []string         // every string value and object key, and the joins of string arrays
	values   []string         // every string value outside notes and next
	nums     map[float64]bool // every number
	lens     map[float64]bool // the length of every array and object
	instants []time.Time
	loc      *time.Location
	top      map[string]any
	empties  []string   // paths of nulls and empty fields
	rows     [][]string // every array, its numbers and strings as text
}

func newHay(v any) *hay {
	h := &hay{nums: map[float64]bool{}, lens: map[float64]bool{}, loc: time.UTC}
	h.top, _ = v.(map[string]any)
	if tz, _ := h.top["tz"].(string); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			h.loc = loc
		}
	}
	h.walk("", v, false)
	return h
}

func (h *hay) walk(path string, v any, server bool) {
	switch t := v.(type) {
	case nil:
		h.empties = append(h.empties, path+" is null")
	case string:
		if t == "" {
			h.empties = append(h.empties, path+" is empty")
		}
		h.strs = append(h.strs, t)
		if !server {
			h.values = append(h.values, t)
		}
		if at, err := time.Parse(time.RFC3339Nano, t); err == nil {
			h.instants = append(h.instants, at)
		}
	case float64:
		h.nums[t] = true
	case bool:
	case []any:
		if len(t) == 0 {
			h.empties = append(h.empties, path+" is an empty array")
		}
		h.lens[float64(len(t))] = true
		var words, cells []string
		for _, c := range t {
			switch x := c.(type) {
			case string:
				cells = append(cells, x)
			case float64:
				cells = append(cells, strconv.FormatFloat(x, 'f', -1, 64))
			}
		}
		h.rows = append(h.rows, cells)
		for i, c := range t {
			h.walk(fmt.Sprintf("%s[%d]", path, i), c, server)
			if s, ok := c.(string); ok {
				words = append(words, s)
			}
		}
		if len(words) == len(t) {
			for _, sep := range []string{", ", " ", " | "} {
				h.strs = append(h.strs, strings.Join(words, sep))
			}
		}
	case map[string]any:
		if len(t) == 0 {
			h.empties = append(h.empties, path+" is an empty object")
		}
		h.lens[float64(len(t))] = true
		for k, c := range t {
			h.strs = append(h.strs, k)
			h.walk(path+"."+k, c, server || (path == "" && (k == "notes" || k == "next" || k == "nextPageToken")))
		}
	}
}

// contains reports whether a string of the structure holds s.
func (h *hay) contains(s string) bool {
	for _, x := range h.strs {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// is reports whether s is a string of the structure.
func (h *hay) is(s string) bool { return slices.Contains(h.strs, s) }

// word reports whether a string of the structure is s or holds it as a
// word.
func (h *hay) word(s string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9+])` + regexp.QuoteMeta(s) + `($|[^A-Za-z0-9])`)
	for _, x := range h.strs {
		if x == s || re.MatchString(x) {
			return true
		}
	}
	return false
}

// instant reports whether an instant of the structure is t, to the second
// when the text writes t to the second (the structure may be finer).
func (h *hay) instant(t time.Time, seconds bool) bool {
	for _, x := range h.instants {
		if x.Equal(t) || (seconds && x.Truncate(time.Second).Equal(t)) {
			return true
		}
	}
	return false
}

// reading reports whether an instant of the structure reads as weekday,
// date and clock (each optional but the clock) in the structure's zone.
func (h *hay) reading(weekday, date, clock string) bool {
	for _, x := range h.instants {
		lt := x.In(h.loc)
		if (weekday == "" || lt.Format("Mon") == weekday) && (date == "" || lt.Format(time.DateOnly) == date) &&
			strings.HasPrefix(lt.Format("15:04:05"), clock) {
			return true
		}
	}
	return false
}

// row reports whether the cells of a table row after its label (counts,
// percentages, durations, "-") are, in order, the last cells of an array
// of the structure.
func (h *hay) row(line string) bool {
	cells := strings.Split(line, " | ")
	n := len(cells)
	for n > 0 && tableCell.MatchString(cells[n-1]) {
		n--
	}
	want := cells[n:]
	for _, r := range h.rows {
		if len(r) >= len(want) && slices.Equal(r[len(r)-len(want):], want) {
			return true
		}
	}
	return false
}

// number reports whether n is a number of the structure or a word of one
// of its strings; count, also the length of one of its collections.
func (h *hay) number(n float64, count bool) bool {
	return n == 0 || h.nums[n] || (count && h.lens[n]) || h.word(strconv.FormatFloat(n, 'f', -1, 64))
}
