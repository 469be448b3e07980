// directory.go: the directory, the cache per API key of what names things
// in results: the workspace's OpenPhone numbers with their users (here),
// the conversations' contact names (names.go) and the listing of
// conversations that names given as arguments are looked up in
// (names_index.go); and resolving a phoneNumberId against those numbers.

package tools

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// directoryTTL is how long phone numbers and conversation names are cached:
// long enough that a conversation's worth of tool calls reuses them, short
// enough that a renamed contact shows up soon.
const directoryTTL = 5 * time.Minute

// directory caches what several tools need to resolve and name things for one
// API client (one key): the OpenPhone numbers with their users, and the names
// of conversations. Concurrent misses wait for one fetch.
type directory struct {
	c   *client.Client
	now func() time.Time

	mu        sync.Mutex
	numbers   []client.PhoneNumber
	fetchedAt time.Time
	fetching  chan struct{} // closed when the fetch in flight ends

	names map[convKey]nameEntry

	// convs is the listing of conversations names are looked up in;
	// convsFetching is closed when the listing in flight ends; ws, when
	// set, bounds how many directories hold a listing.
	convs         *convSnapshot
	convsFetching chan struct{}
	ws            *directories
}

type convKey struct{ phoneNumberID, participant string }

type nameEntry struct {
	name string
	at   time.Time
}

// directories maps each *client.Client to its directory.
type directories struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[*client.Client]*directory
	// snapshots are the directories holding a listing of conversations,
	// with when it was admitted (admitSnapshot).
	snapshots map[*directory]time.Time
}

// maxDirectories bounds the caches kept, one per API client: with client
// API keys, one per key a caller sent. Past it they start over, which only
// costs fresh lookups; without a bound, a caller cycling through keys would
// grow the server's memory for good.
const maxDirectories = 2048

func (ws *directories) get(c *client.Client) *directory {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w, ok := ws.m[c]; ok {
		return w
	}
	if ws.m == nil || len(ws.m) >= maxDirectories {
		ws.m = make(map[*client.Client]*directory)
		ws.snapshots = nil // their listings go with them
	}
	w := &directory{c: c, now: ws.now, names: map[convKey]nameEntry{}, ws: ws}
	ws.m[c] = w
	return w
}

// len is the number of caches kept.
func (ws *directories) len() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.m)
}

// phoneNumbers returns the workspace's numbers, from the cache when fresh.
func (w *directory) phoneNumbers(ctx context.Context) ([]client.PhoneNumber, error) {
	for {
		w.mu.Lock()
		if w.numbers != nil && w.now().Sub(w.fetchedAt) < directoryTTL {
			n := w.numbers
			w.mu.Unlock()
			return n, nil
		}
		if wait := w.fetching; wait != nil {
			w.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		w.fetching = done
		w.mu.Unlock()

		numbers, err := w.c.ListPhoneNumbers(ctx, "")
		w.mu.Lock()
		w.fetching = nil
		if err == nil {
			if numbers == nil {
				numbers = []client.PhoneNumber{}
			}
			w.numbers, w.fetchedAt = numbers, w.now()
		}
		w.mu.Unlock()
		close(done)
		return numbers, err
	}
}

// resolveNumber turns a parsed phoneNumberId into one of the workspace's
// numbers: its PN id, the number itself, or nothing when the workspace has
// exactly one number.
func (w *directory) resolveNumber(ctx context.Context, arg numberArg) (client.PhoneNumber, error) {
	numbers, err := w.phoneNumbers(ctx)
	if err != nil {
		return client.PhoneNumber{}, err
	}
	switch {
	case arg.empty():
		if len(numbers) == 1 {
			return numbers[0], nil
		}
		return client.PhoneNumber{}, badArg("phoneNumberId is required because this workspace has %d OpenPhone numbers; pass one of: %s", len(numbers), listNumbers(numbers))
	case arg.id != "":
		for _, n := range numbers {
			if n.ID == arg.id {
				return n, nil
			}
		}
		// Not in the list (another user's number, or a stale cache): let the
		// API decide, it answers 403 or 404 with its own explanation.
		return client.PhoneNumber{ID: arg.id}, nil
	}
	for _, n := range numbers {
		if n.Number == arg.e164 {
			return n, nil
		}
	}
	return client.PhoneNumber{}, badArg("%s is not one of this workspace's OpenPhone numbers; pass one of: %s", arg.e164, listNumbers(numbers))
}

// resolveNumberArg resolves a phoneNumberId argument for a tool. A PN id
// still works when the numbers cannot be listed: the number is then shown
// by its id alone, and the API judges the id on the request that follows.
func resolveNumberArg(ctx context.Context, d *Deps, w *directory, arg numberArg) (client.PhoneNumber, error) {
	n, err := w.resolveNumber(ctx, arg)
	var ae *argError
	// Not after a timeout: the API is not answering, and going on to the
	// next request would make the caller wait for a second timeout.
	if err != nil && arg.id != "" && !errors.As(err, &ae) && !errors.Is(err, client.ErrTimeout) && ctx.Err() == nil {
		d.logger().Info("phone numbers unavailable, using the id as given", "phoneNumberId", arg.id, "error", err)
		return client.PhoneNumber{ID: arg.id}, nil
	}
	return n, err
}

func listNumbers(numbers []client.PhoneNumber) string {
	if len(numbers) == 0 {
		return "(the workspace has no OpenPhone numbers this key can see)"
	}
	var b strings.Builder
	for i, n := range numbers {
		if i > 0 {
			b.WriteString("; ")
		}
		writeNumber(&b, n)
	}
	return b.String()
}

// numberByID is the workspace's number with id from the cache, or one that
// carries the id alone (its Number ""). It never fetches.
func (w *directory) numberByID(id string) client.PhoneNumber {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.numbers {
		if n.ID == id {
			return n
		}
	}
	return client.PhoneNumber{ID: id}
}

// userName is a workspace user's display name from the cached phone numbers,
// or "" when unknown. It never fetches.
func (w *directory) userName(id string) string {
	if id == "" {
		return ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.numbers {
		for _, u := range n.Users {
			if u.ID == id {
				return userDisplayName(u)
			}
		}
	}
	return ""
}

func userDisplayName(u client.PhoneNumberUser) string {
	name := strings.TrimSpace(deref(u.FirstName) + " " + deref(u.LastName))
	if name == "" {
		name = u.Email
	}
	return cleanText(name, nameWidth)
}

// getCallNamed fetches a call and, alongside, what names its lines: the
// workspace's numbers (usually cached) and then, on a cache miss, one page
// of the number's conversations. Names that cannot be fetched are left out.
// The numbers are fetched to the end even when the call fails: they are
// cached for later calls, and get_call_transcript names users with them.
func getCallNamed(ctx context.Context, d *Deps, c *client.Client, w *directory, id string) (*client.Call, error) {
	numbers := make(chan struct{})
	go func() {
		defer close(numbers)
		if _, err := w.phoneNumbers(ctx); err != nil && ctx.Err() == nil {
			d.logger().Info("phone numbers unavailable", "error", err)
		}
	}()
	call, err := c.GetCall(ctx, id)
	<-numbers
	if err != nil {
		return nil, err
	}
	if other := otherParty(call, w); other != "unknown" && call.PhoneNumberID != "" {
		nameConversation(ctx, d, w, call.PhoneNumberID, other)
	}
	return call, nil
}

// numberHasUser reports whether user is one of n's users. A number whose
// users the API did not list counts as having them: the calls request
// then decides.
func numberHasUser(n *client.PhoneNumber, user string) bool {
	if len(n.Users) == 0 {
		return true
	}
	for _, u := range n.Users {
		if u.ID == user {
			return true
		}
	}
	return false
}

func listUsers(numbers []client.PhoneNumber) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, n := range numbers {
		for _, u := range n.Users {
			if !seen[u.ID] {
				seen[u.ID] = true
				if b.Len() > 0 {
					b.WriteString(", ")
				}
				writeUser(&b, u.ID, userDisplayName(u))
			}
		}
	}
	if b.Len() == 0 {
		return "(none listed)"
	}
	return b.String()
}

// numbersInScope are the OpenPhone numbers a window tool covers: the one of
// phone, else every number (of user, when given). A user who is not on the
// number, or on none, is a mistake with the users named.
func (w *directory) numbersInScope(ctx context.Context, phone numberArg, user string) ([]client.PhoneNumber, error) {
	if !phone.empty() {
		n, err := w.resolveNumber(ctx, phone)
		if err != nil {
			return nil, err
		}
		if user != "" && n.Number != "" && !numberHasUser(&n, user) {
			return nil, badArg("userId %s is not a user of %s (%s); its users are: %s. Leave out phoneNumberId to cover the user's calls on all of their numbers", user, apiText(n.ID), apiText(n.Number), listUsers([]client.PhoneNumber{n}))
		}
		return []client.PhoneNumber{n}, nil
	}
	all, err := w.phoneNumbers(ctx)
	if err != nil {
		return nil, err
	}
	var numbers []client.PhoneNumber
	for i := range all {
		if user == "" || numberHasUser(&all[i], user) {
			numbers = append(numbers, all[i])
		}
	}
	if user != "" && len(numbers) == 0 && len(all) > 0 {
		return nil, badArg("userId %s is not a user of any OpenPhone number this API key can see; the users are: %s", user, listUsers(all))
	}
	return numbers, nil
}

// firstUsers is each cached number's first user, by PN id: whom a call
// nobody took belongs to (callOwner). It never fetches.
func (w *directory) firstUsers() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	first := make(map[string]string, len(w.numbers))
	for _, n := range w.numbers {
		if len(n.Users) > 0 {
			first[n.ID] = n.Users[0].ID
		}
	}
	return first
}
