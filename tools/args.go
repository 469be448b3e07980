// args.go: every argument that several tools share, parsed once per call
// into a typed value, with one sentence per mistake: what is wrong and what
// a good value looks like. Nothing here makes an API request.

package tools

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/invopop/jsonschema"
	"github.com/nyaruka/phonenumbers"
)

// argError is a bad argument: what is wrong and what a good value looks like.
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

func badArg(format string, a ...any) error { return &argError{msg: fmt.Sprintf(format, a...)} }

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

// parseTime reads an RFC 3339 date-time (also with a space for the "T",
// as answers write times: render.go's stamp), or a plain date as midnight
// UTC.
// The tools get their windows resolved by the kit (args_window.go), which
// turns dates and relative words into RFC 3339 first.
func parseTime(arg, raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(stampArgLayout, raw); err == nil {
		return t.UTC(), nil // a time as the answers write it
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		return t, nil
	}
	return time.Time{}, windowFormsError(arg, raw)
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
	return a, b, windowOrder(a, b)
}

// windowOrder refuses a window whose start is not before its end.
func windowOrder(a, b time.Time) error {
	if !a.IsZero() && !b.IsZero() && !a.Before(b) {
		return badArg("createdAfter (%s) must be earlier than createdBefore (%s): swap them, or leave one out", a.Format(time.RFC3339), b.Format(time.RFC3339))
	}
	return nil
}

// PageArgs are the paging arguments, defined once and embedded by the
// arguments of every paged tool. A struct tag cannot differ between the
// tools that embed it, so each sets its own default in its schema with
// setPageDefault and in its handler with pageSize.
type PageArgs struct {
	MaxResults *int   `json:"maxResults,omitempty" jsonschema:"minimum=1,maximum=100" jsonschema_description:"Calls per page, 1-100."`
	PageToken  string `json:"pageToken,omitempty" jsonschema_description:"The pageToken of the previous result, to get the next page."`
}

// maxPageTokenLen bounds a pageToken passed on to the API, which documents
// no form for its tokens: far beyond any it gives, and short enough that
// a request never carries a flood of the caller's input.
const maxPageTokenLen = 1024

// token checks the pageToken before it is sent to the API: the API's
// tokens are printable ASCII without spaces, and none is this long. The
// refusal never echoes the token.
func (p *PageArgs) token(tool string) (string, error) {
	again := "pass the pageToken exactly as the previous " + tool + " result gave it, or leave it out for the first page"
	if len(p.PageToken) > maxPageTokenLen {
		return "", badArg("pageToken is %d characters long: %s", utf8.RuneCountInString(p.PageToken), again)
	}
	for i := 0; i < len(p.PageToken); i++ {
		if c := p.PageToken[i]; c <= ' ' || c >= 0x7f {
			return "", badArg("pageToken is not one the OpenPhone API gives (it holds a space or a character outside printable ASCII): %s", again)
		}
	}
	return p.PageToken, nil
}

// setPageDefault gives maxResults its default in the schema s of a tool's
// arguments (from a JSONSchemaExtend method).
func setPageDefault(s *jsonschema.Schema, def int) {
	if p, ok := s.Properties.Get("maxResults"); ok {
		p.Default = def
	}
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

// maxIDLen bounds the length of an id. OpenPhone documents ids by their
// prefix only (^AC(.*)$); the ids of its examples have at most 34
// characters (AC and 32 hex digits). 64 leaves room, and is what a page
// token carries; a longer id is refused before any request.
const maxIDLen = 64

// tokenID reports whether s is prefix followed by 1-62 letters and digits:
// what ids look like, and what a page token can carry.
func tokenID(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) == 0 || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// idNouns name the ids by their prefix, for errors.
var idNouns = map[string]string{"AC": "a call id", "US": "a user id", "PN": "a phone number id"}

// checkID checks an id argument (arg, already trimmed) against the API's
// form: prefix, then letters and digits, at most maxIDLen in all. A too
// long id is not echoed: its length says what is wrong.
func checkID(arg, v, prefix, example string) error {
	switch {
	case len(v) > maxIDLen:
		return badArg("%s is %d characters long: %s is %q and at most %d letters and digits, such as %q", arg, utf8.RuneCountInString(v), idNouns[prefix], prefix, maxIDLen-len(prefix), example)
	case !strings.HasPrefix(v, prefix):
		return badArg("%s %q is not valid: it must start with %q, such as %q", arg, echo(v), prefix, example)
	case !tokenID(v, prefix):
		return badArg("%s %q is not valid: it is %q followed by letters and digits, such as %q", arg, echo(v), prefix, example)
	}
	return nil
}

// numberArg is a parsed phoneNumberId: empty, an OpenPhone number id, or a
// phone number in E.164. Only parseNumberArg makes one, and the workspace
// resolves a numberArg, not text: the argument cannot be parsed twice.
type numberArg struct {
	id   string // "PN…", or ""
	e164 string // "+1…", or ""
}

// empty reports whether the argument was left out: the tool then takes the
// workspace's only number, or every number.
func (n numberArg) empty() bool { return n.id == "" && n.e164 == "" }

// String is the argument in the form the API and page tokens carry: the
// id, the E.164 number, or "".
func (n numberArg) String() string {
	if n.id != "" {
		return n.id
	}
	return n.e164
}

// parseNumberArg parses a phoneNumberId argument: "", a PN id, or a phone
// number in any common form (read in region without a country code).
func parseNumberArg(raw, region string) (numberArg, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return numberArg{}, nil
	case strings.HasPrefix(s, "PN"):
		if err := checkID("phoneNumberId", s, "PN", "PN123abc"); err != nil {
			return numberArg{}, err
		}
		return numberArg{id: s}, nil
	}
	e164, err := normalizePhone("phoneNumberId", s, region)
	if err != nil {
		return numberArg{}, badArg("phoneNumberId %q is neither a PN id such as \"PN123abc\" nor a phone number such as \"+14155550100\" or \"(415) 555-0100\"; list_phone_numbers lists your numbers", echo(s))
	}
	return numberArg{e164: e164}, nil
}

// parseUserID parses a userId argument: "" or a US id.
func parseUserID(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	return s, checkID("userId", s, "US", "US123abc")
}

// CallIDArgs is the path parameter of the GET /v1/calls/{callId} family.
type CallIDArgs struct {
	CallID string `json:"callId" jsonschema:"pattern=^AC(.*)$" jsonschema_description:"Call id, such as AC123abc (the first word of a list_calls or recent_calls line)."`
}

// id parses the callId argument: required, an AC id.
func (in *CallIDArgs) id() (string, error) {
	id := strings.TrimSpace(in.CallID)
	if id == "" {
		return "", badArg("callId is required: the id of a call, such as \"AC123abc\", from list_calls")
	}
	return id, checkID("callId", id, "AC", "AC123abc")
}
