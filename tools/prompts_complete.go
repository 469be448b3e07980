// prompts_complete.go: completion/complete for the prompts' arguments (a
// server.PromptCompletionProvider): the workspace's numbers by name or
// number, its users by name, the contacts by name or number, and the day
// and window words. What is typed matches the start of any word, ignoring
// case; digits match anywhere in a phone number.

package tools

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// promptCompletion is how one prompt argument is completed.
type promptCompletion int

const (
	compNothing promptCompletion = iota
	compNumber
	compUser
	compContact
	compDay
	compSince
)

// maxCompletions is the most values one answer carries (MCP's bound).
const maxCompletions = 100

// promptSinceWords are the window starts missed_call_triage's since suggests.
var promptSinceWords = []string{"24h", "today", "yesterday", "this week", "last week", "7d", "30d"}

// CompletePromptArgument completes one argument of a prompt. A failure to
// reach the API answers no values (and is logged): a completion is a hint,
// and prompts/get says what is wrong with a value.
func (p *Prompts) CompletePromptArgument(ctx context.Context, promptName string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	def := p.defs[promptName]
	if def == nil {
		return nil, fmt.Errorf("there is no prompt %q; the prompts are: %s", echo(promptName), strings.Join(p.promptNames(), ", "))
	}
	ctx, cancel := context.WithTimeout(ctx, promptTimeout)
	defer cancel()
	var values []string
	var err error
	switch def.complete[arg.Name] {
	case compNumber:
		values, err = p.completeNumbers(ctx, arg.Value)
	case compUser:
		values, err = p.completeUsers(ctx, arg.Value)
	case compContact:
		values, err = p.completeContacts(ctx, arg.Value, cc.Arguments[promptArgNumber])
	case compDay:
		now, loc := p.d.now(), p.d.zone()
		words := []string{"yesterday", "today"}
		for back := 2; back <= 8; back++ {
			words = append(words, startOfDay(now, loc).AddDate(0, 0, -back).Format(time.DateOnly))
		}
		values = completeWords(words, arg.Value)
	case compSince:
		values = completeWords(promptSinceWords, arg.Value)
	}
	if err != nil {
		p.d.logger().Info("completion failed", "prompt", promptName, "argument", arg.Name, "error", err)
		values = nil
	}
	return promptCompletionOf(values), nil
}

func (p *Prompts) promptNames() []string {
	names := make([]string, 0, len(p.defs))
	for name := range p.defs {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func promptCompletionOf(values []string) *mcp.Completion {
	c := &mcp.Completion{Values: values, Total: len(values)}
	if c.Values == nil {
		c.Values = []string{}
	}
	if len(c.Values) > maxCompletions {
		c.Values, c.HasMore = c.Values[:maxCompletions], true
	}
	return c
}

// completionRanks collects values with how well each matched, best first, each once.
type completionRanks struct {
	values []string
	ranks  []int
	seen   map[string]bool
}

func (r *completionRanks) add(value string, rank int) {
	if rank < 0 || value == "" || r.seen[value] {
		return
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[value] = true
	r.values, r.ranks = append(r.values, value), append(r.ranks, rank)
}

func (r *completionRanks) sorted() []string {
	idx := make([]int, len(r.values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.ranks[idx[a]] < r.ranks[idx[b]] })
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = r.values[j]
	}
	return out
}

func completeWords(words []string, typed string) []string {
	var r completionRanks
	for _, w := range words {
		r.add(w, typedRank(w, typed))
	}
	return r.sorted()
}

// typedDigits are the digits typed when what is typed is a phone number
// being written ("+1 415", "(415) 55"), else "".
func typedDigits(typed string) string {
	var b strings.Builder
	for _, c := range typed {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case !strings.ContainsRune("+ ()-.", c):
			return ""
		}
	}
	return b.String()
}

// digitsRank ranks a phone number against typed digits: 0 when its
// digits start with them (with or without the country code), 2 when they
// hold them, -1 otherwise.
func digitsRank(number, digits string) int {
	all := strings.TrimPrefix(number, "+")
	switch {
	case strings.HasPrefix(all, digits) || (strings.HasPrefix(all, "1") && strings.HasPrefix(all[1:], digits)):
		return 0
	case strings.Contains(all, digits):
		return 2
	}
	return -1
}

// completeNumbers: the numbers' names (the number itself for a number
// without a name of its own), or the numbers when digits are typed, or the
// PN ids when an id is.
func (p *Prompts) completeNumbers(ctx context.Context, typed string) ([]string, error) {
	c, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	numbers, err := p.dirs.get(c).phoneNumbers(ctx)
	if err != nil {
		return nil, err
	}
	named := map[string]int{}
	for _, n := range numbers {
		named[strings.ToLower(cleanText(n.Name, promptNameWidth))]++
	}
	digits, typedID := typedDigits(typed), strings.HasPrefix(typed, "PN")
	var r completionRanks
	for _, n := range numbers {
		name := cleanText(n.Name, promptNameWidth)
		switch {
		case digits != "":
			r.add(n.Number, digitsRank(n.Number, digits))
		case typedID:
			r.add(n.ID, typedRank(n.ID, typed))
		case name != "" && named[strings.ToLower(name)] == 1:
			r.add(name, typedRank(name, typed))
		case name != "":
			r.add(n.Number, typedRank(name, typed)) // two numbers of one name: by number
		case typed == "":
			r.add(n.Number, 0)
		}
	}
	return r.sorted(), nil
}

// completeUsers: the users' names (their email when two share a name), or
// their US ids when an id is typed.
func (p *Prompts) completeUsers(ctx context.Context, typed string) ([]string, error) {
	c, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	numbers, err := p.dirs.get(c).phoneNumbers(ctx)
	if err != nil {
		return nil, err
	}
	var users []client.PhoneNumberUser
	seen, named := map[string]bool{}, map[string]int{}
	for _, n := range numbers {
		for _, u := range n.Users {
			if !seen[u.ID] {
				seen[u.ID] = true
				users = append(users, u)
				named[strings.ToLower(userDisplayName(u))]++
			}
		}
	}
	sort.SliceStable(users, func(i, j int) bool {
		return strings.ToLower(userDisplayName(users[i])) < strings.ToLower(userDisplayName(users[j]))
	})
	var r completionRanks
	for _, u := range users {
		name := userDisplayName(u)
		switch {
		case strings.HasPrefix(typed, "US"):
			r.add(u.ID, typedRank(u.ID, typed))
		case named[strings.ToLower(name)] == 1:
			r.add(name, bestTypedRank(typedRank(name, typed), typedRank(u.Email, typed)))
		default:
			r.add(cleanText(u.Email, promptNameWidth), typedRank(name+" "+u.Email, typed))
		}
	}
	return r.sorted(), nil
}

// completeContacts: the contacts' names, or their numbers when digits are
// typed; only those of phoneNumber when it names one of ours.
func (p *Prompts) completeContacts(ctx context.Context, typed, phoneNumber string) ([]string, error) {
	c, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	contacts, err := p.contacts(ctx, c)
	if err != nil {
		return nil, err
	}
	only := ""
	if strings.TrimSpace(phoneNumber) != "" {
		numbers, listErr := p.dirs.get(c).phoneNumbers(ctx)
		if n, err := p.resolveNumber(strings.TrimSpace(phoneNumber), numbers, listErr); err == nil {
			only = n.ID
		}
	}
	digits := typedDigits(typed)
	var r completionRanks
	for _, ct := range contacts {
		if only != "" && !slices.Contains(ct.numbers, only) {
			continue
		}
		switch {
		case digits != "":
			r.add(ct.number, digitsRank(ct.number, digits))
		case ct.name != "":
			r.add(ct.name, typedRank(ct.name, typed))
		}
	}
	return r.sorted(), nil
}

// bestTypedRank is the best of ranks that matched (>= 0), or -1.
func bestTypedRank(ranks ...int) int {
	best := -1
	for _, r := range ranks {
		if r >= 0 && (best < 0 || r < best) {
			best = r
		}
	}
	return best
}
