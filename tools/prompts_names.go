// prompts_names.go: the contacts the prompts know by name, for the
// completion of prepare_for_call's contact and for finding the contact it
// names: the ledger's party names when the key's workspace has a ledger
// that holds any, else the most recent conversations of the workspace's
// numbers (one page). Cached a minute per API client.

package tools

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// promptContactsTTL is how long a client's contacts are kept: completions ask
// once a keystroke, and a contact saved a minute ago can wait a minute.
const promptContactsTTL = time.Minute

// promptContactPage is how many of the most recent conversations are read when
// the ledger holds no names: the API's largest page, one request.
const promptContactPage = 100

// promptContact is another party the workspace knows by name (or, from a
// conversation without one, by number).
type promptContact struct {
	name    string   // cleaned; "" for an unnamed conversation
	number  string   // E.164
	numbers []string // the PN ids of our numbers it has a conversation with
}

// promptContacts caches each client's contacts.
type promptContacts struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[*client.Client]*promptContactsEntry
}

type promptContactsEntry struct {
	mu       sync.Mutex // held while fetching, so concurrent misses fetch once
	contacts []promptContact
	at       time.Time
}

// contacts are c's contacts, fetched when the cache has none fresh.
func (p *Prompts) contacts(ctx context.Context, c *client.Client) ([]promptContact, error) {
	cn := p.contactCache
	cn.mu.Lock()
	e := cn.m[c]
	if e == nil {
		if cn.m == nil || len(cn.m) >= maxDirectories {
			cn.m = map[*client.Client]*promptContactsEntry{}
		}
		e = &promptContactsEntry{}
		cn.m[c] = e
	}
	cn.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.contacts != nil && cn.now().Sub(e.at) < promptContactsTTL {
		return e.contacts, nil
	}
	contacts, err := p.fetchContacts(ctx, c)
	if err != nil {
		return nil, err
	}
	e.contacts, e.at = contacts, cn.now()
	return contacts, nil
}

func (p *Prompts) fetchContacts(ctx context.Context, c *client.Client) ([]promptContact, error) {
	var b promptContactsBuilder
	if l := p.d.ledgerOf(c); l != nil {
		names, err := l.Store.Names(ctx)
		if err != nil {
			p.d.logger().Info("ledger names unavailable, asking the API", "error", err)
		}
		for _, n := range names {
			if n.Party != "" && n.Name != "" {
				b.add(n.Name, n.Party, n.PhoneNumberID)
			}
		}
		if len(b.list) > 0 {
			return b.sorted(), nil
		}
	}
	numbers, err := p.dirs.get(c).phoneNumbers(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(numbers))
	for _, n := range numbers {
		ids = append(ids, n.ID)
	}
	if len(ids) == 0 {
		return []promptContact{}, nil
	}
	page, err := c.ListConversations(ctx, client.ListConversationsParams{PhoneNumbers: ids[:min(len(ids), 100)], MaxResults: promptContactPage})
	if err != nil {
		return nil, err
	}
	for _, cv := range page.Data {
		if len(cv.Participants) == 1 { // a group is not one contact
			b.add(deref(cv.Name), cv.Participants[0], cv.PhoneNumberID)
		}
	}
	return b.sorted(), nil
}

// promptContactsBuilder merges a party's entries (one per number it talks to).
type promptContactsBuilder struct {
	list  []promptContact
	index map[string]int // number -> place in list
}

func (b *promptContactsBuilder) add(name, number, phoneNumberID string) {
	if b.index == nil {
		b.index = map[string]int{}
	}
	name = cleanText(name, promptNameWidth)
	i, ok := b.index[number]
	if !ok {
		i = len(b.list)
		b.index[number] = i
		b.list = append(b.list, promptContact{number: number})
	}
	ct := &b.list[i]
	if ct.name == "" {
		ct.name = name
	}
	if phoneNumberID != "" && !slices.Contains(ct.numbers, phoneNumberID) {
		ct.numbers = append(ct.numbers, phoneNumberID)
	}
}

// sorted is the contacts by name (the named first), then number.
func (b *promptContactsBuilder) sorted() []promptContact {
	list := b.list
	if list == nil {
		list = []promptContact{}
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, c := list[i], list[j]
		if (a.name == "") != (c.name == "") {
			return a.name != ""
		}
		if x, y := strings.ToLower(a.name), strings.ToLower(c.name); x != y {
			return x < y
		}
		return a.number < c.number
	})
	return list
}

// findPromptContacts are the contacts raw names: those whose number it is, else
// those named it exactly (ignoring case), else those with a word of the
// name starting with it.
func findPromptContacts(contacts []promptContact, raw, e164 string) []promptContact {
	var exact, partial []promptContact
	for _, ct := range contacts {
		switch {
		case e164 != "":
			if ct.number == e164 {
				exact = append(exact, ct)
			}
		case strings.EqualFold(ct.name, raw):
			exact = append(exact, ct)
		case ct.name != "" && typedRank(ct.name, raw) >= 0:
			partial = append(partial, ct)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

// typedRank is how well s matches what someone typed: 0 when s starts
// with it, 1 when another word of s does, -1 when neither (ignoring case;
// "" matches everything).
func typedRank(s, typed string) int {
	typed = strings.TrimSpace(typed)
	if typed == "" || promptHasPrefix(s, typed) {
		return 0
	}
	for i := 1; i < len(s); i++ {
		if c := s[i-1]; (c == ' ' || c == '(' || c == '-' || c == '.' || c == '@') && promptHasPrefix(s[i:], typed) {
			return 1
		}
	}
	return -1
}
