// names_party.go: what a party's name becomes once looked up: the number
// (and, for list_calls, the OpenPhone number) the tool is called with and
// the header line that says so; the candidates to pick from when it could
// mean several parties; the sentence when it means none, or a group
// conversation whose calls the API cannot list.

package tools

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// maxCandidates bounds the candidates an answer lists.
const maxCandidates = 10

// partyLookup is what a party's name matched, and where it was looked up.
type partyLookup struct {
	q         partyQuery
	matches   []partyMatch
	elsewhere []partyMatch  // nothing on the number asked: the matches on the others
	snapshot  *convSnapshot // nil when the ledger's names answered
	ledger    int           // the ledger's names looked at first, when none matched
}

// lookUpParty matches q against the ledger's contact names (with the
// group conversations of a listing already cached), then, when they match
// nothing, the workspace's conversations: cached, or at most maxNamePages
// requests. line, when set, is the OpenPhone number to look on.
func lookUpParty(ctx context.Context, d *Deps, c *client.Client, w *directory, numbers []client.PhoneNumber, q partyQuery, line string) (*partyLookup, error) {
	lk := &partyLookup{q: q}
	if q.cnID == "" {
		if entries := ledgerEntries(ctx, d, c); len(entries) > 0 {
			if s := w.cachedConversations(); s != nil {
				for _, e := range s.convs {
					if len(e.participants) > 1 {
						entries = append(entries, e)
					}
				}
			}
			if ms := matchParties(entries, q.words, "", line); len(ms) > 0 {
				ledgerActivity(ctx, d, c, ms[:min(len(ms), maxCandidates+1)])
				sortMatches(ms)
				lk.matches = ms
				return lk, nil
			}
			lk.ledger = len(entries)
		}
	}
	s, err := w.conversations(ctx, numbers)
	if err != nil {
		return nil, err
	}
	lk.snapshot = s
	lk.matches = matchParties(s.convs, q.words, q.cnID, line)
	if len(lk.matches) == 0 && q.cnID != "" {
		lk.matches = matchParties(s.convs, q.words, "", line) // not an id after all
	}
	if len(lk.matches) == 0 && line != "" {
		lk.elsewhere = matchParties(s.convs, q.words, q.cnID, "")
	}
	return lk, nil
}

// decide turns the lookup into the arguments the tool is called with (and
// the header line), or into a choice to answer with, or an *argError.
func (na nameArgs) decide(d *Deps, c *client.Client, w *directory, numbers []client.PhoneNumber, lk *partyLookup, res *namedArgs, members *[]member, partyAt, numAt int, line string) error {
	ms := lk.matches
	if len(ms) == 0 {
		return na.noParty(w, lk, line)
	}
	others := 0
	switch {
	case len(ms) == 1:
	case ms[0].exact && !ms[1].exact:
		others = len(ms) - 1 // the whole name, and names that only start so
	default:
		res.choice, res.text = na.choose(d, w, numbers, lk, ms, line)
		return nil
	}
	m := ms[0]
	if m.group && !d.datedOK(c) {
		return badArg("%s %q is %s; this API key's calls are listed through OpenPhone's v1 API, which lists calls with one other party only, so a group conversation's calls cannot be listed: ask for one of its parties instead, such as %s", na.party, echo(lk.q.raw), describeMatch(w, &m), na.pickText(m.parties[0], ""))
	}
	listed := ""
	if na.oneLine && line == "" && len(numbers) > 1 {
		lines := m.lines()
		if len(lines) > 1 {
			res.choice, res.text = na.choose(d, w, numbers, lk, ms[:1], line)
			return nil
		}
		listed = lines[0]
	}
	v := any(m.party)
	if na.oneLine {
		v = []string{m.party}
	}
	(*members)[partyAt].val, _ = json.Marshal(v)
	if listed != "" {
		id, _ := json.Marshal(listed)
		if numAt >= 0 {
			(*members)[numAt].val = id
		} else {
			*members = append(*members, member{name: "phoneNumberId", prop: "phoneNumberId", val: id})
		}
	}
	r := NameResolved{Argument: na.party, Name: cleanText(lk.q.raw, nameWidth), Number: m.party, ConversationName: m.name, PhoneNumberIDs: m.lines()}
	if m.group {
		r.Group = m.parties
	}
	res.notes.Resolved = append(res.notes.Resolved, r)
	res.note += na.headerLine(w, lk, &m, listed != "", others)
	return nil
}

// headerLine is the line an answer starts with: what the name stood for.
func (na nameArgs) headerLine(w *directory, lk *partyLookup, m *partyMatch, picked bool, others int) string {
	var b strings.Builder
	b.WriteString("Participant ")
	b.WriteString(quoted(lk.q.raw, nameWidth))
	b.WriteString(" = ")
	if m.group {
		b.WriteString(describeMatch(w, m))
		b.WriteString(": its calls are the calls of its first party, ")
		b.WriteString(apiText(m.party))
		b.WriteString(" (the API lists a group call under the party that placed or took it), so that party's own calls show too")
	} else {
		b.WriteString(apiText(m.party))
		if m.name != "" {
			b.WriteByte(' ')
			b.WriteString(quoted(m.name, nameWidth))
		}
		if lines := m.lines(); len(lines) > 1 {
			b.WriteString(", conversations of ")
			writeLines(&b, w, lines)
		} else {
			b.WriteString(", a conversation of ")
			writeLines(&b, w, lines)
		}
	}
	if picked {
		b.WriteString("; that number is listed")
	}
	switch {
	case others == 1:
		b.WriteString("; another name starts so too: give more of it, or the number, for that one")
	case others > 1:
		b.WriteString("; " + strconv.Itoa(others) + " other names start so too: give more of the name, or the number, for another")
	}
	b.WriteString(".\n")
	return b.String()
}

// describeMatch names a match: `the group conversation "Pinecrest
// move-in team" of "Sales" (+14155550100, PN…) with +1…, +1…`, or a
// contact's number and name and the numbers of its conversations.
func describeMatch(w *directory, m *partyMatch) string { return describeParty(w, m, true) }

// describeParty is describeMatch, a contact's number left out unless
// withNumber (a candidate's line has it already).
func describeParty(w *directory, m *partyMatch, withNumber bool) string {
	var b strings.Builder
	if m.group {
		b.WriteString("the group conversation ")
		if m.name != "" {
			b.WriteString(quoted(m.name, nameWidth))
			b.WriteByte(' ')
		}
		b.WriteString("of ")
		writeLines(&b, w, m.lines())
		b.WriteString(" with ")
		for i, p := range m.parties {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(apiText(p))
		}
		return b.String()
	}
	if withNumber {
		b.WriteString(apiText(m.party))
		b.WriteByte(' ')
	}
	if m.name != "" {
		b.WriteString(quoted(m.name, nameWidth))
		b.WriteByte(' ')
	}
	b.WriteString("of ")
	writeLines(&b, w, m.lines())
	return b.String()
}

// writeLines names the OpenPhone numbers of a match's conversations.
func writeLines(b *strings.Builder, w *directory, ids []string) {
	for i, id := range ids {
		if i > 0 {
			b.WriteString(" and ")
		}
		writeNumber(b, w.numberByID(id))
	}
}

// pickText is the arguments that pick a party (and, for list_calls, the
// number), as the model sends them.
func (na nameArgs) pickText(party, line string) string {
	if !na.oneLine {
		return na.party + " " + strconv.Quote(party)
	}
	s := na.party + " [" + strconv.Quote(party) + "]"
	if line != "" {
		s += ", phoneNumberId " + strconv.Quote(line)
	}
	return s
}

// pickArgs is pickText as structured content.
func (na nameArgs) pickArgs(party, line string) map[string]any {
	if !na.oneLine {
		return map[string]any{na.party: party}
	}
	args := map[string]any{na.party: []string{party}}
	if line != "" {
		args["phoneNumberId"] = line
	}
	return args
}

// choose is the answer to a name that could mean several parties: each
// candidate (per OpenPhone number, for list_calls without one) with its
// name, number, last activity and the arguments that pick it.
func (na nameArgs) choose(d *Deps, w *directory, numbers []client.PhoneNumber, lk *partyLookup, ms []partyMatch, line string) ([]NameCandidate, string) {
	perLine := na.oneLine && line == "" && len(numbers) > 1
	var ch struct {
		Matches    int
		Candidates []NameCandidate
	}
	var lines strings.Builder
	for i := range ms {
		m := &ms[i]
		refs := m.convs[:1]
		if perLine {
			refs = m.convs
		}
		seen := map[string]bool{}
		for _, ref := range refs {
			if seen[ref.phoneNumberID] {
				continue
			}
			seen[ref.phoneNumberID] = true
			ch.Matches++
			if len(ch.Candidates) == maxCandidates {
				continue
			}
			pick, pickLine := m.party, ""
			if m.group {
				pick = m.convID
			}
			if na.oneLine {
				pickLine = ref.phoneNumberID
			}
			last := m.last
			if perLine {
				last = ref.last
			}
			cand := NameCandidate{Name: m.name, Number: m.party, PhoneNumberID: ref.phoneNumberID, Arguments: na.pickArgs(pick, pickLine)}
			if m.group {
				cand.Group, cand.ConversationID = m.parties, m.convID
			}
			one := *m
			if perLine {
				one.convs = []convRef{ref}
			}
			lines.WriteString("- ")
			lines.WriteString(na.pickText(pick, pickLine))
			lines.WriteString(": ")
			lines.WriteString(describeParty(w, &one, false))
			if !last.IsZero() {
				cand.LastActivityAt = last.UTC().Format(time.RFC3339)
				lines.WriteString(", last active ")
				lines.WriteString(stamp(last, d.zone()))
			}
			lines.WriteByte('\n')
			ch.Candidates = append(ch.Candidates, cand)
		}
	}
	var b strings.Builder
	b.WriteString("Participant ")
	b.WriteString(quoted(lk.q.raw, nameWidth))
	b.WriteString(" could be ")
	b.WriteString(strconv.Itoa(ch.Matches))
	if perLine && len(ms) == 1 {
		b.WriteString(" conversations of one contact, on different OpenPhone numbers")
	} else {
		b.WriteString(" contacts or conversations")
	}
	b.WriteString(", so nothing was listed. Call ")
	b.WriteString(na.tool)
	b.WriteString(" again with the other arguments and those of the one meant:\n")
	b.WriteString(lines.String())
	if more := ch.Matches - len(ch.Candidates); more > 0 {
		b.WriteString("And ")
		b.WriteString(strconv.Itoa(more))
		b.WriteString(" more: give more of the name, or the number.\n")
	}
	return ch.Candidates, b.String()
}

// noParty is the sentence for a name that matches nothing: where it was
// looked up, and what to send instead.
func (na nameArgs) noParty(w *directory, lk *partyLookup, line string) error {
	var where strings.Builder
	if lk.ledger > 0 {
		where.WriteString("the ledger's " + plural(lk.ledger, "contact name") + " and ")
	}
	s := lk.snapshot
	if s.truncated {
		where.WriteString("the workspace's " + plural(len(s.convs), "most recently active conversation") + "; an older one is found by its number")
	} else {
		where.WriteString("the workspace's " + plural(len(s.convs), "conversation"))
	}
	on := "this workspace"
	if line != "" {
		var b strings.Builder
		writeNumber(&b, w.numberByID(line))
		on = b.String()
	}
	msg := na.party + " " + strconv.Quote(echo(lk.q.raw)) + " is the name of no contact or conversation of " + on + " (searched: " + where.String() + ")"
	if len(lk.elsewhere) > 0 {
		m := lk.elsewhere[0]
		msg += "; on other numbers it matches " + describeMatch(w, &m) + ": leave out phoneNumberId, or pass that number"
		return badArg("%s", msg)
	}
	return badArg("%s: give the other party's phone number, such as \"+12125550103\", or a name as saved in Quo, whole words or their first letters (\"juniper\" for \"Juniper Salon\"); recent_calls lists a window's calls with their parties' names", msg)
}
