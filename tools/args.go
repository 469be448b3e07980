package tools

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region assumed for phone numbers written without a
// country code, such as "(212) 555-0103".
const DefaultRegion = "US"

// e164Pattern is the API's pattern for phone numbers.
const e164Pattern = `^\+[1-9]\d{1,14}$`

var e164Re = regexp.MustCompile(e164Pattern)

// normalizePhone turns the ways people write a phone number into E.164.
func normalizePhone(arg, raw, region string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", badArg("%s is empty: give a phone number such as \"+12125550103\" or \"(212) 555-0103\"", arg)
	}
	if region == "" {
		region = DefaultRegion
	}
	key := [2]string{region, s}
	phoneCache.Lock()
	e164, ok := phoneCache.m[key]
	phoneCache.Unlock()
	if ok {
		return e164, nil
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", badArg("%s %q is not a valid phone number: give it in E.164 form such as \"+12125550103\", or as people write it, such as \"(212) 555-0103\" (numbers without a country code are read as %s)", arg, echo(raw), region)
	}
	e164 = phonenumbers.Format(n, phonenumbers.E164)
	phoneCache.Lock()
	if len(phoneCache.m) >= phoneCacheSize {
		phoneCache.m = nil // start over rather than track recency
	}
	if phoneCache.m == nil {
		phoneCache.m = make(map[[2]string]string)
	}
	phoneCache.m[key] = e164
	phoneCache.Unlock()
	return e164, nil
}

// phoneCache remembers the numbers normalizePhone accepted, by region and
// input: parsing with the phonenumbers metadata (regular expressions) took
// about 7% of the CPU of a list_calls call, and a conversation passes the
// same few numbers again and again.
var phoneCache struct {
	sync.Mutex
	m map[[2]string]string
}

const phoneCacheSize = 4096

// parseTime reads an RFC 3339 date-time, or a plain date as midnight UTC.
func parseTime(arg, raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		return t, nil
	}
	return time.Time{}, badArg("%s %q is not a date-time: use RFC 3339 with a time zone, such as \"2026-11-20T09:00:00Z\" or \"2026-11-20T09:00:00-05:00\", or a date such as \"2026-11-20\"", arg, echo(raw))
}

// timeWindow parses createdAfter/createdBefore and checks their order.
func timeWindow(after, before string) (time.Time, time.Time, error) {
	a, err := parseTime("createdAfter", after)
	if err != nil {
		return a, a, err
	}
	b, err := parseTime("createdBefore", before)
	if err != nil {
		return a, b, err
	}
	if !a.IsZero() && !b.IsZero() && !a.Before(b) {
		return a, b, badArg("createdAfter (%s) must be earlier than createdBefore (%s): swap them, or leave one out", a.Format(time.RFC3339), b.Format(time.RFC3339))
	}
	return a, b, nil
}

// pageSize applies the default and the 1-100 range of maxResults.
func pageSize(v *int, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < 1 || *v > 100 {
		return 0, badArg("maxResults %d is out of range: give a number from 1 to 100 (default %d)", *v, def)
	}
	return *v, nil
}

func checkPrefix(arg, v, prefix, example string) error {
	if !strings.HasPrefix(v, prefix) || len(v) <= len(prefix) {
		return badArg("%s %q is not valid: it must start with %q, such as %q", arg, echo(v), prefix, example)
	}
	return nil
}

// checkNumberArg checks the form of a phoneNumberId argument without any
// API request: "" (resolved later when the workspace has one number), a PN
// id, or a phone number in any common form.
func checkNumberArg(arg, region string) error {
	arg = strings.TrimSpace(arg)
	switch {
	case arg == "":
		return nil
	case strings.HasPrefix(arg, "PN"):
		return checkPrefix("phoneNumberId", arg, "PN", "PN123abc")
	}
	if _, err := normalizePhone("phoneNumberId", arg, region); err != nil {
		return badArg("phoneNumberId %q is neither an OpenPhone number id such as \"PN123abc\" nor a phone number such as \"+14155550100\" or \"(415) 555-0100\"; list_phone_numbers lists your numbers", echo(arg))
	}
	return nil
}

// maxEcho bounds how much of a bad argument an error repeats, in runes:
// enough to recognise it, never a flood of the caller's own input.
const maxEcho = 80

// echo clips a bad argument for an error message.
func echo(s string) string {
	if len(s) <= maxEcho || utf8.RuneCountInString(s) <= maxEcho {
		return s
	}
	return string([]rune(s)[:maxEcho]) + "…"
}

// checkCallID checks a call id argument: the API's ids start with AC.
func checkCallID(id string) error {
	if strings.TrimSpace(id) == "" {
		return badArg("callId is required: the id of a call, such as \"AC123abc\", from list_calls")
	}
	return checkPrefix("callId", id, "AC", "AC123abc")
}
