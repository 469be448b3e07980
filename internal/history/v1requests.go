// The requests of the v1 walk: the conversations list, read once down to
// the window's start, and each conversation's calls, 100 a request,
// several conversations at a time.

package history

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// readList reads the conversations list until a conversation last active
// before the window (when the list is in order) or its end.
func (s *v1Stream) readList(ctx context.Context) error {
	token := ""
	var prev *time.Time
	sorted := true
	for pages := 0; ; pages++ {
		if pages >= maxConversationPages {
			return errors.New("the OpenPhone API kept paging conversations past " + strconv.Itoa(maxConversationPages*conversationsPerPage) + " of them; narrow the window or pick one phoneNumberId")
		}
		p := client.ListConversationsParams{MaxResults: conversationsPerPage, PageToken: token, CreatedBefore: s.apiBefore(s.cursor)}
		if len(s.q.PhoneNumberIDs) <= maxFilterNumbers {
			p.PhoneNumbers = s.q.PhoneNumberIDs
		} // else: no filter, and the walk skips other numbers' conversations
		page, err := s.walk.api.ListConversations(ctx, p)
		s.cov.Requests++
		if err != nil {
			return err
		}
		if s.walk.Conversations != nil {
			s.walk.Conversations(page.Data)
		}
		s.convs = append(s.convs, page.Data...)
		past := false
		for i := range page.Data {
			l := page.Data[i].LastActivityAt
			if l == nil {
				continue
			}
			if prev != nil && l.After(*prev) {
				sorted = false
			}
			prev = l
			past = !l.Add(clockSlack).After(s.q.After)
		}
		s.steps++
		s.progress(s.steps, "Listed "+strconv.Itoa(pages+1)+" page(s) of conversations")
		next := page.NextToken()
		switch {
		case next == "", sorted && past:
			return nil
		case next == token:
			return fmt.Errorf("GET /v1/conversations: %w", client.ErrRepeatedPageToken)
		}
		token = next
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// apiBefore and apiAfter are the window sent to the API, widened outward to
// whole seconds plus clockSlack; eligible filters exactly. upper is where
// the calls still to list of a conversation end (nil: the window's end).
func (s *v1Stream) apiBefore(upper *Key) time.Time {
	u := s.q.Before
	if upper != nil && upper.At.Before(MaxTime) && (u.IsZero() || upper.At.Before(u)) {
		u = upper.At
	}
	if u.IsZero() {
		return u
	}
	return u.Truncate(time.Second).Add(clockSlack)
}

func (s *v1Stream) apiAfter() time.Time { return s.q.After.Truncate(time.Second).Add(-clockSlack) }

// eligible reports whether a call belongs to the stream after bound.
func (s *v1Stream) eligible(c *client.Call, bound Key) bool {
	return s.q.matches(c) && bound.Before(KeyOf(c))
}

// fetched is what one conversation's calls request brought.
type fetched struct {
	calls    []client.Call
	more     bool
	requests int
	err      error
}

// fetch lists the next calls of each item, concurrently.
func (s *v1Stream) fetch(ctx context.Context, batch []*convItem) error {
	results := make([]fetched, len(batch))
	if len(batch) == 1 {
		results[0] = s.listCalls(ctx, batch[0])
	} else {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var wg sync.WaitGroup
		for i, it := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if results[i] = s.listCalls(ctx, it); results[i].err != nil {
					cancel() // the walk fails: stop the others
				}
			}()
		}
		wg.Wait()
	}
	var first error
	for i, r := range results {
		s.cov.Requests += r.requests
		if r.err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = r.err
		}
		it := batch[i]
		it.fetched, it.more = true, r.more
		it.buf = append(it.buf, r.calls...)
		s.buffered += len(r.calls)
		s.found += len(r.calls)
		s.fetchedAll++
	}
	if first != nil {
		return first
	}
	s.steps++
	s.progress(s.steps, "Listed the calls of "+strconv.Itoa(s.fetchedAll)+" conversation(s); "+strconv.Itoa(s.found)+" call(s) in the window so far")
	return nil
}

// listCalls lists the next calls of one conversation in the window: the
// calls after its bound, 100 a request, reading on while a page brought
// none (calls outside the exact window can take up a page). It goes on by
// time, not by the API's page token, so that a walk kept for minutes does
// not depend on a token that may have expired.
func (s *v1Stream) listCalls(ctx context.Context, it *convItem) fetched {
	var r fetched
	bound := it.bound
	p := client.ListCallsParams{
		PhoneNumberID: it.conv.PhoneNumberID,
		Participants:  []string{it.conv.Participants[0]},
		UserID:        s.q.UserID,
		CreatedAfter:  s.apiAfter(),
		CreatedBefore: s.apiBefore(&bound),
		MaxResults:    callsPerRequest,
	}
	for pages := 1; ; pages++ {
		page, err := s.walk.api.ListCalls(ctx, p)
		r.requests++
		if err != nil {
			r.err = err
			return r
		}
		for i := range page.Data {
			if c := &page.Data[i]; s.eligible(c, bound) {
				r.calls = append(r.calls, *c)
			}
		}
		// Newest first within the conversation, whatever the page's order.
		slices.SortFunc(r.calls, func(a, b client.Call) int {
			if KeyOf(&a).Before(KeyOf(&b)) {
				return -1
			}
			return 1
		})
		token := page.NextPageToken
		if token == nil || *token == "" {
			return r
		}
		if *token == p.PageToken {
			r.err = fmt.Errorf("GET /v1/calls: %w", client.ErrRepeatedPageToken)
			return r
		}
		if len(r.calls) > 0 || pages >= maxCallPages {
			r.more = true
			return r
		}
		p.PageToken = *token
	}
}
