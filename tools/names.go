// names.go: the directory's contact names, one per (number, other party)
// conversation: remembered from any conversations page a tool reads,
// fetched one page at a time on a miss, and bounded.

package tools

import (
	"context"
	"slices"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// rememberConversations records the names of 1:1 conversations.
func (w *directory) rememberConversations(convs []client.Conversation) {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range convs {
		if len(c.Participants) != 1 {
			continue
		}
		w.trimNamesLocked(now)
		w.names[convKey{c.PhoneNumberID, c.Participants[0]}] = nameEntry{name: deref(c.Name), at: now}
	}
}

// maxNames bounds the conversation names a directory holds. Every
// participant a caller asks list_calls about is remembered (with no name
// when it has no conversation), so without a bound a caller walking through
// phone numbers would grow the cache for good.
const maxNames = 20000

// trimNamesLocked makes room for one more name: at the bound it drops the
// expired entries, and if that frees less than a quarter, all of them (so
// the scan is paid at most once per maxNames/4 insertions).
func (w *directory) trimNamesLocked(now time.Time) {
	if len(w.names) < maxNames {
		return
	}
	for k, e := range w.names {
		if now.Sub(e.at) >= directoryTTL {
			delete(w.names, k)
		}
	}
	if len(w.names) > maxNames*3/4 {
		clear(w.names)
	}
}

// conversationPage is how many of a number's most recent conversations one
// name lookup fetches: the API's largest page.
const conversationPage = 100

// fetchConversationNames fetches one page of the most recent conversations
// of the OpenPhone number phoneNumberID and remembers their names. If the
// page does not hold participant, it is remembered as known without a name,
// so that it costs no further request until the cache expires.
func (w *directory) fetchConversationNames(ctx context.Context, phoneNumberID string, participants ...string) error {
	return w.fetchNames(ctx, []string{phoneNumberID}, map[string][]string{phoneNumberID: participants})
}

// fetchNames fetches one page of the most recent conversations of numbers
// and remembers their names; the parties asked about that the page does
// not hold are remembered as having none.
func (w *directory) fetchNames(ctx context.Context, numbers []string, parties map[string][]string) error {
	page, err := w.c.ListConversations(ctx, client.ListConversationsParams{PhoneNumbers: numbers, MaxResults: conversationPage})
	if err != nil {
		return err
	}
	w.rememberConversations(page.Data)
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.trimNamesLocked(now)
	for pn, ps := range parties {
		for _, p := range ps {
			if e, ok := w.names[convKey{pn, p}]; !ok || e.at.Before(now) {
				w.names[convKey{pn, p}] = nameEntry{at: now} // not in this page: known to have no name
			}
		}
	}
	return nil
}

// nameParties makes sure the cache can name the other party of each call:
// one conversations request for all the numbers with an unknown party
// (their most recent conversations), after which a party still unknown is
// known to have no name there. The dated API lists calls without their
// contacts' names, so its pages cost this request on a cold cache.
func nameParties(ctx context.Context, d *Deps, w *directory, calls []client.Call) {
	var u unnamed
	for i := range calls {
		u.add(w, calls[i].PhoneNumberID, otherParty(&calls[i], w))
	}
	u.fetch(ctx, d, w)
}

// unnamed collects, number by number, the parties the directory cannot
// name yet, for one fetchNames.
type unnamed struct {
	numbers []string
	parties map[string][]string // phone number id -> parties
}

func (u *unnamed) add(w *directory, phoneNumberID, party string) {
	if phoneNumberID == "" || party == "" || slices.Contains(u.parties[phoneNumberID], party) {
		return
	}
	if _, known := w.conversationName(phoneNumberID, party); known {
		return
	}
	if u.parties == nil {
		u.parties = map[string][]string{}
	}
	if len(u.parties[phoneNumberID]) == 0 {
		u.numbers = append(u.numbers, phoneNumberID)
	}
	u.parties[phoneNumberID] = append(u.parties[phoneNumberID], party)
}

// fetch asks for the names, if any is missing; a failure is logged, not
// returned: a result without names is still a result.
func (u *unnamed) fetch(ctx context.Context, d *Deps, w *directory) {
	if len(u.numbers) == 0 {
		return
	}
	if err := w.fetchNames(ctx, u.numbers, u.parties); err != nil && ctx.Err() == nil {
		d.logger().Info("conversation names unavailable", "phoneNumberIds", u.numbers, "error", err)
	}
}

// nameConversation makes sure the cache can name the conversation between
// phoneNumberID and participant, fetching on a miss. A failed fetch is
// logged, not returned: a result without the name is still a result.
func nameConversation(ctx context.Context, d *Deps, w *directory, phoneNumberID, participant string) {
	if _, known := w.conversationName(phoneNumberID, participant); known {
		return
	}
	if err := w.fetchConversationNames(ctx, phoneNumberID, participant); err != nil && ctx.Err() == nil {
		d.logger().Info("conversation names unavailable", "phoneNumberId", phoneNumberID, "error", err)
	}
}

// conversationName is the cached name of the conversation between an
// OpenPhone number and a participant; known reports whether the cache holds
// an answer (a conversation with no name is known, with name "").
func (w *directory) conversationName(phoneNumberID, participant string) (name string, known bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := w.names[convKey{phoneNumberID, participant}]
	if !ok || w.now().Sub(e.at) >= directoryTTL {
		return "", false
	}
	return e.name, true
}
