// call_metrics.go: what a call counts as, defined once for every answer
// that counts calls (call_stats): the metrics of a group of calls, who a
// call belongs to, and the groups a call falls in (day, hour, weekday,
// user, number, status, direction, participant).

package tools

import (
	"slices"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// metricsFootnote defines each metric, in the description and under every
// table.
const metricsFootnote = "answered: incoming calls picked up (by a person or the AI agent); missed: incoming missed, no-answer or abandoned; " +
	"voicemail: calls with one left; AI: calls the AI agent handled; answer rate: answered/in; talk: total and median duration of connected calls."

// ownerRule says who a call belongs to, under every table grouped by user.
const ownerRule = "a call counts under the user who answered or placed it, else its number's first user; AI-agent calls under \"AI agent\"."

// Owners that are not users.
const (
	ownerAIAgent = "AI agent"
	ownerNone    = "no user"
)

// metrics are the counts of one group of calls.
type metrics struct {
	calls, incoming, outgoing, answered, missed, voicemails, aiHandled int
	talk                                                               []int // seconds, one a connected call that ended
	sorted                                                             bool  // mid is talk's median
	mid                                                                int
}

// add counts c; hasVoicemail says whether one was left.
func (m *metrics) add(c *history.Call, hasVoicemail bool) {
	m.calls++
	incoming := c.Direction == "incoming"
	if incoming {
		m.incoming++
	} else if c.Direction == "outgoing" {
		m.outgoing++
	}
	if incoming && connected(c) {
		m.answered++
	}
	if incoming && slices.Contains(missedStatuses, c.Status) {
		m.missed++
	}
	if hasVoicemail {
		m.voicemails++
	}
	if aiHandled(c) {
		m.aiHandled++
	}
	if connected(c) && !liveCall(c.Status) {
		m.talk = append(m.talk, c.Duration)
		m.sorted = false
	}
}

// merge adds o's counts to m.
func (m *metrics) merge(o *metrics) {
	m.calls += o.calls
	m.incoming += o.incoming
	m.outgoing += o.outgoing
	m.answered += o.answered
	m.missed += o.missed
	m.voicemails += o.voicemails
	m.aiHandled += o.aiHandled
	m.talk = append(m.talk, o.talk...)
	m.sorted = false
}

// answerRate is answered / incoming; ok is false with no incoming call.
func (m *metrics) answerRate() (rate float64, ok bool) {
	if m.incoming == 0 {
		return 0, false
	}
	return float64(m.answered) / float64(m.incoming), true
}

// talkTime is the total and the median talk time, in seconds.
func (m *metrics) talkTime() (total, median int, ok bool) {
	n := len(m.talk)
	if n == 0 {
		return 0, 0, false
	}
	for _, v := range m.talk {
		total += v
	}
	if !m.sorted {
		// The middle by selection, not a sort: linear in the calls (a
		// quarter of a 100,000-call answer's time went to sorting).
		m.mid = selectNth(m.talk, n/2)
		if n%2 == 0 {
			m.mid = (slices.Max(m.talk[:n/2]) + m.mid + 1) / 2
		}
		m.sorted = true
	}
	return total, m.mid, true
}

// selectNth puts the k-th smallest of s at s[k], the smaller ones before
// it and the others after (quickselect, the middle of three as pivot),
// and returns it.
func selectNth(s []int, k int) int {
	lo, hi := 0, len(s)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if s[mid] < s[lo] {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if s[hi] < s[lo] {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if s[hi] < s[mid] {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for s[i] < pivot {
				i++
			}
			for s[j] > pivot {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}

// connected reports whether someone talked on c: it was answered, or
// completed.
func connected(c *history.Call) bool {
	return c.AnsweredAt != nil || c.Status == "completed" || c.Status == "answered"
}

// aiHandled reports whether the AI agent took c.
func aiHandled(c *history.Call) bool {
	return c.AIHandled != nil || strings.HasPrefix(c.ActorID, "SYU")
}

// callOwner is who c belongs to (ownerRule): a user id, ownerAIAgent or
// ownerNone. first is each number's first user (directory.firstUsers).
func callOwner(c *history.Call, first map[string]string) string {
	if aiHandled(c) {
		return ownerAIAgent
	}
	for _, p := range []*string{c.AnsweredBy, c.InitiatedBy} {
		if p != nil && strings.HasPrefix(*p, "US") {
			return *p
		}
	}
	if connected(c) && c.UserID != "" {
		return c.UserID
	}
	if u := first[c.PhoneNumberID]; u != "" {
		return u
	}
	if c.UserID != "" {
		return c.UserID
	}
	return ownerNone
}

// The groupBy dimensions.
const (
	byDay         = "day"
	byHour        = "hour"
	byWeekday     = "weekday"
	byUser        = "user"
	byNumber      = "number"
	byStatus      = "status"
	byDirection   = "direction"
	byParticipant = "participant"
)

var dimensions = []string{byDay, byHour, byWeekday, byUser, byNumber, byStatus, byDirection, byParticipant}

// timeDimension reports whether d is a time of day or date, whose groups
// are listed in time order and all of them, empty ones included.
func timeDimension(d string) bool { return d == byDay || d == byHour || d == byWeekday }

// groupKey is the group of c along d, in loc: "2026-11-24", "09", "Mon", a
// user id, a PN id, a status, a direction or the other party.
func groupKey(d string, c *history.Call, owner string, loc *time.Location, w *directory) string {
	switch d {
	case byDay:
		y, m, day := c.CreatedAt.In(loc).Date()
		return dayKey(y, m, day)
	case byHour:
		return hourKeys[c.CreatedAt.In(loc).Hour()]
	case byWeekday:
		return weekdayKeys[c.CreatedAt.In(loc).Weekday()]
	case byUser:
		return owner
	case byNumber:
		if c.PhoneNumberID == "" {
			return "none"
		}
		return c.PhoneNumberID
	case byStatus:
		return c.Status
	case byDirection:
		return c.Direction
	}
	if c.Participant != "" {
		return c.Participant
	}
	return otherParty(&c.Call, w)
}

// The keys of hours and weekdays, written once.
var (
	hourKeys = func() (k [24]string) {
		for h := range k {
			k[h] = pad2(h)
		}
		return k
	}()
	weekdayKeys = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

// dayKey is a date as a day's group, "2026-11-24", without formatting a
// time for every call.
func dayKey(y int, m time.Month, d int) string {
	b := [10]byte{byte('0' + y/1000%10), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:])
}

// timeKeys are every group of a time dimension in the window [after,
// before), in order.
func timeKeys(d string, after, before time.Time, loc *time.Location) []string {
	switch d {
	case byHour:
		keys := make([]string, 24)
		for h := range keys {
			keys[h] = pad2(h)
		}
		return keys
	case byWeekday:
		return []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	}
	var keys []string
	for day := startOfDay(after, loc); day.Before(before) && len(keys) <= maxStatsDays; day = startOfDay(day.Add(36*time.Hour), loc) {
		keys = append(keys, day.Format(time.DateOnly))
	}
	return keys
}

// maxStatsDays is the longest window call_stats counts.
const maxStatsDays = 366
