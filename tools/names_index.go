// names_index.go: the names a party can be asked for by: the workspace's
// conversations (1:1 and group, with their names and last activity) as one
// bounded listing cached per key, or with a ledger its stored contact
// names; and the parties whose names match a query.

package tools

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// maxNamePages bounds the conversation pages a name lookup reads: 10 of
// 100, the 1,000 most recently active conversations of the workspace. A
// contact last heard from before those is found by number, or through the
// ledger, which keeps every contact name.
const maxNamePages = 10

// maxSnapshots bounds how many keys hold a listing at once (about 200 KB
// each at the page bound); past it the oldest is dropped, which costs that
// key one listing again.
const maxSnapshots = 64

// convSnapshot is the workspace's conversations as one listing read them,
// most recently active first.
type convSnapshot struct {
	at        time.Time
	convs     []convEntry
	truncated bool // the page bound ended the listing before its end
}

// convEntry is one conversation, as much of it as names need.
type convEntry struct {
	id, phoneNumberID, name string
	participants            []string
	last                    time.Time // zero: never active, or unknown (the ledger's names)
	words                   []string  // the folded name
}

// cachedConversations is the fresh listing, or nil; it never fetches.
func (w *directory) cachedConversations() *convSnapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.convs != nil && w.now().Sub(w.convs.at) < directoryTTL {
		return w.convs
	}
	return nil
}

// conversations is the workspace's conversations on numbers, from the
// cache when fresh, else listed: at most maxNamePages requests, and
// concurrent misses wait for one listing.
func (w *directory) conversations(ctx context.Context, numbers []client.PhoneNumber) (*convSnapshot, error) {
	for {
		if s := w.cachedConversations(); s != nil {
			return s, nil
		}
		w.mu.Lock()
		if wait := w.convsFetching; wait != nil {
			w.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		w.convsFetching = done
		w.mu.Unlock()

		s, err := w.listConversations(ctx, numbers)
		w.mu.Lock()
		w.convsFetching = nil
		if err == nil {
			w.convs = s
		}
		w.mu.Unlock()
		close(done)
		if err == nil && w.ws != nil {
			w.ws.admitSnapshot(w)
		}
		return s, err
	}
}

// listConversations reads the conversations of numbers, most recently
// active first, up to maxNamePages pages; the names of the 1:1 ones go to
// the directory too, for the lines that follow.
func (w *directory) listConversations(ctx context.Context, numbers []client.PhoneNumber) (*convSnapshot, error) {
	p := client.ListConversationsParams{MaxResults: 100}
	if len(numbers) <= 100 {
		for _, n := range numbers {
			p.PhoneNumbers = append(p.PhoneNumbers, n.ID)
		}
	}
	s := &convSnapshot{}
	for page := 0; ; page++ {
		if page == maxNamePages {
			s.truncated = true
			break
		}
		res, err := w.c.ListConversations(ctx, p)
		if err != nil {
			return nil, err
		}
		w.rememberConversations(res.Data)
		for _, c := range res.Data {
			if e, ok := entryOf(&c); ok {
				s.convs = append(s.convs, e)
			}
		}
		next := res.NextToken()
		if next == "" || next == p.PageToken {
			break
		}
		p.PageToken = next
	}
	s.at = w.now()
	return s, nil
}

// entryOf is the entry of a conversation that can be asked for: one with
// participants (a named one by its name, any by its id).
func entryOf(c *client.Conversation) (convEntry, bool) {
	if len(c.Participants) == 0 || c.DeletedAt != nil {
		return convEntry{}, false
	}
	e := convEntry{id: c.ID, phoneNumberID: c.PhoneNumberID, name: cleanText(deref(c.Name), nameWidth),
		participants: slices.Clone(c.Participants)}
	if c.LastActivityAt != nil {
		e.last = *c.LastActivityAt
	}
	e.words = foldWords(e.name)
	return e, true
}

// admitSnapshot counts w among the keys holding a listing, dropping the
// oldest other one past maxSnapshots.
func (ws *directories) admitSnapshot(w *directory) {
	ws.mu.Lock()
	if ws.snapshots == nil {
		ws.snapshots = map[*directory]time.Time{}
	}
	ws.snapshots[w] = ws.now()
	var victim *directory
	if len(ws.snapshots) > maxSnapshots {
		var oldest time.Time
		for d, at := range ws.snapshots {
			if d != w && (victim == nil || at.Before(oldest)) {
				victim, oldest = d, at
			}
		}
		delete(ws.snapshots, victim)
	}
	ws.mu.Unlock()
	if victim != nil {
		victim.mu.Lock()
		victim.convs = nil
		victim.mu.Unlock()
	}
}

// partyMatch is one party a name can stand for: a contact (one number,
// with its conversations on one or more of the workspace's numbers) or a
// group conversation.
type partyMatch struct {
	name    string
	group   bool
	party   string   // the contact's number; a group's first party
	parties []string // a group's participants
	convID  string   // a group's conversation
	convs   []convRef
	last    time.Time
	exact   bool
}

// convRef is one of a match's conversations: its number and last activity.
type convRef struct {
	phoneNumberID string
	last          time.Time
}

// lines are the PN ids of m's conversations, most recently active first.
func (m *partyMatch) lines() []string {
	out := make([]string, 0, len(m.convs))
	for _, c := range m.convs {
		if !slices.Contains(out, c.phoneNumberID) {
			out = append(out, c.phoneNumberID)
		}
	}
	return out
}

// matchParties are the parties of entries whose name matches the folded
// words q (or whose conversation id is q's single word, cnID), on line
// when it is set: exact matches first, then the most recently active.
// A contact's conversations are merged by its number.
func matchParties(entries []convEntry, q []string, cnID, line string) []partyMatch {
	var out []partyMatch
	byParty := map[string]int{}
	for i := range entries {
		e := &entries[i]
		if line != "" && e.phoneNumberID != line {
			continue
		}
		how := noMatch
		switch {
		case cnID != "":
			if e.id == cnID {
				how = exactMatch
			}
		case e.name != "":
			how = matchWords(q, e.words)
		}
		if how == noMatch {
			continue
		}
		ref := convRef{e.phoneNumberID, e.last}
		if len(e.participants) > 1 {
			out = append(out, partyMatch{name: e.name, group: true, party: e.participants[0], parties: e.participants,
				convID: e.id, convs: []convRef{ref}, last: e.last, exact: how == exactMatch})
			continue
		}
		p := e.participants[0]
		if k, ok := byParty[p]; ok {
			m := &out[k]
			m.convs = append(m.convs, ref)
			m.exact = m.exact || how == exactMatch
			if e.last.After(m.last) {
				m.last, m.name = e.last, e.name
			}
			continue
		}
		byParty[p] = len(out)
		out = append(out, partyMatch{name: e.name, party: p, convs: []convRef{ref}, last: e.last, exact: how == exactMatch, convID: e.id})
	}
	for i := range out {
		slices.SortStableFunc(out[i].convs, func(a, b convRef) int { return b.last.Compare(a.last) })
	}
	sortMatches(out)
	return out
}

// ledgerEntries are the 1:1 contact names the ledger keeps, as entries
// without a conversation id or last activity; nil when it keeps none.
func ledgerEntries(ctx context.Context, d *Deps, c *client.Client) []convEntry {
	l := d.ledgerOf(c)
	if l == nil {
		return nil
	}
	names, err := l.Store.Names(ctx)
	if err != nil {
		d.logger().Info("ledger names unavailable", "error", err)
		return nil
	}
	var out []convEntry
	for _, n := range names {
		if n.PhoneNumberID == "" || n.Party == "" || n.Name == "" {
			continue // a user's name
		}
		name := cleanText(n.Name, nameWidth)
		out = append(out, convEntry{phoneNumberID: n.PhoneNumberID, name: name, participants: []string{n.Party}, words: foldWords(name)})
	}
	return out
}

// ledgerActivity fills in the last activity of matches from the ledger's
// calls (a local read each, no request).
func ledgerActivity(ctx context.Context, d *Deps, c *client.Client, ms []partyMatch) {
	l := d.ledgerOf(c)
	if l == nil {
		return
	}
	for i := range ms {
		m := &ms[i]
		for j := range m.convs {
			cv := &m.convs[j]
			calls, err := l.Store.Range(ctx, history.Query{After: history.MinTime, PhoneNumberIDs: []string{cv.phoneNumberID}, Participant: m.party, Lean: true}, nil, 1)
			if err == nil && len(calls) == 1 {
				cv.last = calls[0].CreatedAt
				if cv.last.After(m.last) {
					m.last = cv.last
				}
			}
		}
		slices.SortStableFunc(m.convs, func(a, b convRef) int { return b.last.Compare(a.last) })
	}
}

// sortMatches orders matches as matchParties does: exact matches first,
// then the most recently active, then by name.
func sortMatches(ms []partyMatch) {
	slices.SortStableFunc(ms, func(a, b partyMatch) int {
		if a.exact != b.exact {
			if a.exact {
				return -1
			}
			return 1
		}
		if c := b.last.Compare(a.last); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
}
