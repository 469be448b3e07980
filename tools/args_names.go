// args_names.go: names given where a number is expected, resolved in the
// kit after the strict decode and before the tool runs. The other party
// (participant, participants) may be a contact's, company's or
// conversation's name, or a conversation id: it becomes the party's
// number, through the workspace's conversations (names_index.go) or, with
// a ledger, its contact names. phoneNumberId may be a number's name: it
// becomes the PN id. The tool sees numbers only, and its answer starts
// with a line saying what each name stood for. A name that could mean
// several parties is answered here with the candidates and the arguments
// that pick each; one that means none, with a sentence. A number, an id or
// an empty argument costs nothing here.

package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// nameArgs are the arguments of one tool that take names, read once from
// its argument names.
type nameArgs struct {
	tool   string
	party  string // "participant", "participants" (an array of one), or ""
	number bool   // phoneNumberId
	// oneLine: the tool lists the calls of one OpenPhone number with the
	// party (list_calls), so a name picks the number too.
	oneLine bool
}

func nameArgsOf(tool string, fields []string) nameArgs {
	na := nameArgs{tool: tool}
	for _, f := range fields {
		switch f {
		case "participant":
			na.party = f
		case "participants":
			na.party, na.oneLine = f, true
		case "phoneNumberId":
			na.number = true
		}
	}
	return na
}

// namedArgs is what resolving the names of one call's arguments gave.
type namedArgs struct {
	raw    json.RawMessage // the arguments with the names replaced
	note   string          // the header lines
	notes  NameNotes
	choice []NameCandidate // set: the name could mean several parties; nothing to list
	text   string          // the choice, for the model
}

// partyQuery is a party argument to look up: its words, and the
// conversation id it may be.
type partyQuery struct {
	raw   string
	words []string
	cnID  string
}

// partyName reads a party argument: ok when it is a name or a conversation
// id to look up, not a phone number (nor something the tool refuses).
func partyName(raw, region string) (partyQuery, bool) {
	s := strings.TrimSpace(raw)
	if s == "" || !hasLetter(s) {
		return partyQuery{}, false
	}
	if _, err := normalizePhone("participant", s, region); err == nil {
		return partyQuery{}, false
	}
	q := partyQuery{raw: s, words: foldWords(s)}
	if tokenID(s, "CN") {
		q.cnID = s
	}
	return q, len(q.words) > 0
}

// numberName reads a phoneNumberId argument: ok when it is a number's
// name, not an id or a phone number.
func numberName(raw, region string) (string, bool) {
	s := strings.TrimSpace(raw)
	if s == "" || !hasLetter(s) || strings.HasPrefix(s, "PN") { // an id, or the id check says what is wrong
		return "", false
	}
	if _, err := normalizePhone("phoneNumberId", s, region); err == nil {
		return "", false
	}
	return s, len(foldWords(s)) > 0
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// resolve looks up the names among raw's arguments (members of sh): nil
// when there are none, so that numbers cost nothing. A name that means
// nothing, or a group conversation on an API that cannot list its calls,
// is an *argError.
func (na nameArgs) resolve(ctx context.Context, d *Deps, c *client.Client, sh *argShape, raw json.RawMessage) (*namedArgs, error) {
	if na.party == "" && !na.number {
		return nil, nil
	}
	members, ok := sh.members(raw)
	if !ok {
		return nil, nil
	}
	numAt, partyAt := -1, -1
	var numRaw, numName string
	var party partyQuery
	for i, m := range members {
		switch {
		case m.prop == "phoneNumberId" && na.number:
			numAt, numName, numRaw = i, "", ""
			if json.Unmarshal(m.val, &numRaw) == nil {
				numName, _ = numberName(numRaw, d.region())
			}
		case m.prop == na.party && na.party != "":
			partyAt, party = i, partyQuery{}
			var s string
			var list []string
			if json.Unmarshal(m.val, &s) == nil || (json.Unmarshal(m.val, &list) == nil && len(list) == 1) {
				if len(list) == 1 {
					s = list[0]
				}
				party, _ = partyName(s, d.region())
			}
		}
	}
	if numName == "" && party.raw == "" {
		return nil, nil
	}
	w := d.directory(c)
	numbers, err := w.phoneNumbers(ctx)
	if err != nil {
		return nil, err
	}
	res := &namedArgs{}
	line := ""
	if numName != "" {
		n, err := numberNamed(numbers, numName)
		if err != nil {
			return nil, err
		}
		members[numAt].val, _ = json.Marshal(n.ID)
		line = n.ID
		res.notes.Resolved = append(res.notes.Resolved, NameResolved{Argument: "phoneNumberId", Name: cleanText(numName, nameWidth), Number: n.Number, PhoneNumberID: n.ID})
	} else if numRaw != "" && party.raw != "" {
		// A party is looked up on the number given, when it is one.
		if arg, err := parseNumberArg(numRaw, d.region()); err == nil {
			if n, err := w.resolveNumber(ctx, arg); err == nil {
				line = n.ID
			}
		}
	}
	if party.raw != "" {
		lk, err := lookUpParty(ctx, d, c, w, numbers, party, line)
		if err != nil {
			return nil, err
		}
		if err := na.decide(d, c, w, numbers, lk, res, &members, partyAt, numAt, line); err != nil {
			return nil, err
		}
		if res.choice != nil {
			return res, nil
		}
	}
	res.raw = joinMembers(members)
	return res, nil
}

// joinMembers writes members back as a JSON object, in their order.
func joinMembers(members []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		b.Write(name)
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// numberNamed is the one number of numbers whose name matches name:
// the whole name first, else the first letters of its words. None, or
// several, is an *argError that lists them.
func numberNamed(numbers []client.PhoneNumber, name string) (client.PhoneNumber, error) {
	q := foldWords(name)
	var exact, prefix []client.PhoneNumber
	for _, n := range numbers {
		switch matchWords(q, foldWords(n.Name)) {
		case exactMatch:
			exact = append(exact, n)
		case prefixMatch:
			prefix = append(prefix, n)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(exact) == 0 && len(prefix) == 1:
		return prefix[0], nil
	case len(exact)+len(prefix) == 0:
		return client.PhoneNumber{}, badArg("phoneNumberId %q is the name of none of this workspace's OpenPhone numbers; pass one of: %s", echo(name), listNumbers(numbers))
	}
	return client.PhoneNumber{}, badArg("phoneNumberId %q could be %d of this workspace's OpenPhone numbers; pass one of them by id: %s", echo(name), len(exact)+len(prefix), listNumbers(append(exact, prefix...)))
}

// withNames wraps a tool's handler with the names step: names given as
// arguments are looked up (after the strict decode: a malformed call costs
// no request), the handler gets the arguments with numbers in their place,
// and its answer starts with what the names stood for. A choice between
// parties is answered without the handler: in Out's NameNotes when it
// embeds them, else as a result whose text says nothing failed (the
// output schema has no room for it). A tool without such arguments keeps
// its handler as it is.
func withNames[In, Out any](d *Deps, tool string, fields []string, sh *argShape, h handler[In, Out]) handler[In, Out] {
	na := nameArgsOf(tool, fields)
	if na.party == "" && !na.number {
		return h
	}
	return func(ctx context.Context, c *client.Client, in *In) (Out, string, error) {
		var out Out
		raw, err := json.Marshal(in)
		if err != nil {
			return h(ctx, c, in)
		}
		named, err := na.resolve(ctx, d, c, sh, raw)
		switch {
		case err != nil:
			return out, "", err
		case named == nil:
			return h(ctx, c, in)
		}
		if named.choice != nil {
			n, ok := any(&out).(nameNoter)
			if !ok {
				return out, "", &argError{msg: named.text}
			}
			n.nameNotes().Candidates = named.choice
			return out, named.text, nil
		}
		again := new(In)
		if err := json.Unmarshal(named.raw, again); err != nil {
			return h(ctx, c, in)
		}
		out, text, err := h(ctx, c, again)
		if err != nil {
			return out, text, err
		}
		if n, ok := any(&out).(nameNoter); ok {
			*n.nameNotes() = named.notes
		}
		return out, named.note + text, nil
	}
}
