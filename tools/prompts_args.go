// prompts_args.go: the prompts' shared arguments, phoneNumber and user, as
// people write them (a number's name, a user's name or email) resolved
// into the ids the tools take, through the directory's numbers; and the
// day and window arguments read in the server's zone.

package tools

import (
	"context"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// The prompts' shared arguments.
const (
	promptArgNumber = "phoneNumber"
	promptArgUser   = "user"
)

var (
	promptNumberArgument = mcp.WithArgument(promptArgNumber, mcp.ArgumentTitle("OpenPhone number"),
		mcp.ArgumentDescription(`Which of your OpenPhone numbers: its name (such as "Sales"), the number, or its PN id. Default: all of them.`))
	promptUserArgument = mcp.WithArgument(promptArgUser, mcp.ArgumentTitle("User"),
		mcp.ArgumentDescription(`Only this user's calls: their name, email or US id. Default: everyone's.`))
)

// promptNameWidth bounds a name written into a prompt's text, in runes.
const promptNameWidth = 60

// promptScope is what phoneNumber and user resolved to.
type promptScope struct {
	number   *client.PhoneNumber // nil: every number
	userID   string
	userName string
}

// toolArgs are the scope as tool arguments, to append to a promptToolCall's.
func (s promptScope) toolArgs() []any {
	var kv []any
	if s.number != nil {
		kv = append(kv, "phoneNumberId", s.number.ID)
	}
	if s.userID != "" {
		kv = append(kv, "userId", s.userID)
	}
	return kv
}

// label says the scope in words: `on "Sales" (+14155550100), Jordan Lee's calls`.
func (s promptScope) label() string {
	var b strings.Builder
	if s.number == nil {
		b.WriteString("on all our OpenPhone numbers")
	} else {
		b.WriteString("on our number " + promptNumberLabel(*s.number))
	}
	if s.userID != "" {
		b.WriteString(", only the calls of ")
		if s.userName != "" {
			b.WriteString(quoted(s.userName, promptNameWidth) + " (" + apiText(s.userID) + ")")
		} else {
			b.WriteString("user " + apiText(s.userID))
		}
	}
	return b.String()
}

// promptNumberLabel is a number in a prompt's words: `"Sales" (+14155550100)`.
func promptNumberLabel(n client.PhoneNumber) string {
	label := "(" + apiText(orStr(n.Number, n.ID)) + ")"
	if name := cleanText(n.Name, promptNameWidth); name != "" {
		label = quoted(name, promptNameWidth) + " " + label
	}
	return label
}

// scope resolves the phoneNumber and user arguments.
func (p *Prompts) scope(ctx context.Context, args map[string]string) (promptScope, error) {
	rawNumber, rawUser := strings.TrimSpace(args[promptArgNumber]), strings.TrimSpace(args[promptArgUser])
	if rawNumber == "" && rawUser == "" {
		return promptScope{}, nil
	}
	c, err := p.client(ctx)
	if err != nil {
		return promptScope{}, err
	}
	numbers, listErr := p.dirs.get(c).phoneNumbers(ctx)
	var s promptScope
	if rawNumber != "" {
		if s.number, err = p.resolveNumber(rawNumber, numbers, listErr); err != nil {
			return promptScope{}, err
		}
	}
	if rawUser != "" {
		if s.userID, s.userName, err = resolvePromptUser(rawUser, numbers, listErr); err != nil {
			return promptScope{}, err
		}
	}
	if s.number != nil && s.userID != "" && s.number.Number != "" && !numberHasUser(s.number, s.userID) {
		return promptScope{}, badArg("user %q is not a user of %s; its users are: %s. Leave out phoneNumber to cover all of the user's numbers", echo(rawUser), promptNumberLabel(*s.number), listUsers([]client.PhoneNumber{*s.number}))
	}
	return s, nil
}

// resolveNumber finds raw among numbers: by name (exactly, else the only
// name it starts), by number or by PN id. Without the list (listErr) a PN
// id or a number is taken as given: the tools judge it.
func (p *Prompts) resolveNumber(raw string, numbers []client.PhoneNumber, listErr error) (*client.PhoneNumber, error) {
	parsed, parseErr := parseNumberArg(raw, p.d.region())
	if listErr != nil {
		if parseErr == nil {
			return &client.PhoneNumber{ID: parsed.id, Number: parsed.e164}, nil
		}
		return nil, badArg("could not list the workspace's OpenPhone numbers to find %q (%s); give the number or its PN id instead", echo(raw), explain(listErr))
	}
	var exact, prefixed []client.PhoneNumber
	for _, n := range numbers {
		switch name := cleanText(n.Name, promptNameWidth); {
		case name != "" && strings.EqualFold(name, raw):
			exact = append(exact, n)
		case name != "" && len(raw) >= 2 && promptHasPrefix(name, raw):
			prefixed = append(prefixed, n)
		}
	}
	switch {
	case len(exact) == 1:
		return &exact[0], nil
	case len(exact) > 1:
		return nil, badArg("phoneNumber %q is the name of %d numbers: %s; give the number or its PN id", echo(raw), len(exact), listNumbers(exact))
	}
	if parseErr == nil {
		for i, n := range numbers {
			if (parsed.id != "" && n.ID == parsed.id) || (parsed.e164 != "" && n.Number == parsed.e164) {
				return &numbers[i], nil
			}
		}
		if parsed.id != "" {
			// Not in the list (another user's number): the API decides.
			return &client.PhoneNumber{ID: parsed.id}, nil
		}
		return nil, badArg("%s is not one of this workspace's OpenPhone numbers; give one of: %s", apiText(parsed.e164), listNumbers(numbers))
	}
	if len(prefixed) == 1 {
		return &prefixed[0], nil
	}
	return nil, badArg("phoneNumber %q is not the name, number or PN id of one of this workspace's OpenPhone numbers; give one of: %s", echo(raw), listNumbers(numbers))
}

// resolvePromptUser finds raw among the numbers' users: by US id, email or
// name (in full, else the only first name or name it starts).
func resolvePromptUser(raw string, numbers []client.PhoneNumber, listErr error) (id, name string, err error) {
	if listErr != nil {
		if strings.HasPrefix(raw, "US") && checkID("user", raw, "US", "US123abc") == nil {
			return raw, "", nil
		}
		return "", "", badArg("could not list the workspace's users to find %q (%s); give the user's US id instead", echo(raw), explain(listErr))
	}
	var exact, prefixed []client.PhoneNumberUser
	seen := map[string]bool{}
	for _, n := range numbers {
		for _, u := range n.Users {
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			full := userDisplayName(u)
			switch {
			case u.ID == raw || strings.EqualFold(u.Email, raw) || strings.EqualFold(full, raw):
				exact = append(exact, u)
			case promptHasPrefix(full, raw) || strings.EqualFold(deref(u.FirstName), raw):
				prefixed = append(prefixed, u)
			}
		}
	}
	if len(exact) == 0 && len(prefixed) == 1 {
		exact = prefixed
	}
	switch {
	case len(exact) == 1:
		return exact[0].ID, userDisplayName(exact[0]), nil
	case len(exact) > 1 || len(prefixed) > 1:
		return "", "", badArg("user %q matches several users: %s; give the full name, the email or the US id", echo(raw), listUsers([]client.PhoneNumber{{Users: append(exact, prefixed...)}}))
	case strings.HasPrefix(raw, "US") && checkID("user", raw, "US", "US123abc") == nil && len(seen) == 0:
		return raw, "", nil // the numbers list no users: the API decides
	}
	return "", "", badArg("user %q is not a user of this workspace; the users are: %s", echo(raw), listUsers(numbers))
}

// promptHasPrefix reports whether s starts with prefix, ignoring case.
func promptHasPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// promptDay reads daily_digest's day in loc: "" or yesterday, today, or a
// date. It returns the day's first instant and the day after's, as the
// dates the tools read as midnight in loc.
func promptDay(raw string, now time.Time, loc *time.Location) (day time.Time, word string, err error) {
	switch w := strings.ToLower(strings.TrimSpace(raw)); w {
	case "", "yesterday":
		return startOfDay(now, loc).AddDate(0, 0, -1), "yesterday", nil
	case "today":
		return startOfDay(now, loc), "today", nil
	}
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(raw), loc)
	if err != nil {
		return time.Time{}, "", badArg("day %q is not a day: give yesterday, today or a date such as %s", echo(raw), now.In(loc).AddDate(0, 0, -2).Format(time.DateOnly))
	}
	if d.After(now) {
		return time.Time{}, "", badArg("day %s has not begun yet in %s: give yesterday, today or an earlier date", d.Format(time.DateOnly), loc)
	}
	return d, "", nil
}

// promptSince reads a window start (missed_call_triage's since, any form
// the tools take) in loc: the word to pass on and the instant it means now.
func promptSince(raw, def string, now time.Time, loc *time.Location) (word string, at time.Time, err error) {
	word = strings.TrimSpace(raw)
	if word == "" {
		word = def
	}
	w, err := resolveWindowArg("createdAfter", word, now, loc)
	if err != nil {
		return "", time.Time{}, badArg("since%s", strings.TrimPrefix(explain(err), "createdAfter"))
	}
	at, err = time.Parse(time.RFC3339Nano, w.value)
	if err != nil {
		return "", time.Time{}, badArg("since %q is not a window start: %s", echo(raw), windowForms)
	}
	if !at.Before(now) {
		return "", time.Time{}, badArg("since %q is not in the past: give 24h, today, yesterday, this week, 7d or a date", echo(raw))
	}
	return word, at, nil
}
