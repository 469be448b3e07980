// The shared budget: when several processes (the replicas of a team
// deployment) send requests with one key, each request takes, after this
// client's own pacing, one request of a budget they all share, so that
// together they keep to the key's limit and not each to its own.

package client

import (
	"context"
	"errors"
	"fmt"
)

// SharedBudget is one key's request budget shared with other processes
// (internal/team keeps it in Postgres). The client knows nothing of how.
type SharedBudget interface {
	// Take blocks until one request may be sent now and takes it.
	// background is true for a request of a Background context (the
	// ledger sync): it should take only what interactive requests leave.
	// An error (ctx done, the budget unreachable) means the request must
	// not be sent. Otherwise done is called once, when the request's
	// answer has come or the attempt failed: a request arrives at the API
	// before its answer, so a budget that counts it until then needs no
	// margin for how late it was sent.
	Take(ctx context.Context, background bool) (done func(), err error)
}

// ErrSharedBudget is wrapped by the error of an attempt whose request
// could not take its share of a SharedBudget (other than by its context
// ending, which gives the context's error as any pacing wait does).
var ErrSharedBudget = errors.New("no request could be taken from the API key's budget shared with the other replicas")

// WithSharedBudget makes every attempt (retries too) take one request of
// b once this client's own pacing admits it, in the request's lane
// (IsBackground). The local pacing still spaces this client's requests;
// b keeps all the processes that share it, together, to the key's limit.
// nil turns it off.
func WithSharedBudget(b SharedBudget) Option {
	return func(c *Client) error { c.shared = b; return nil }
}

// pace is the pacing of one attempt: the local pacing in the request's
// lane (lanes.go), then the shared budget. done is to be called once the
// attempt's answer has come or it failed (never nil without an error).
func (c *Client) pace(ctx context.Context) (done func(), err error) {
	if err := c.paceLocal(ctx); err != nil {
		return nil, err
	}
	if c.shared == nil {
		return func() {}, nil
	}
	done, err = c.shared.Take(ctx, IsBackground(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxErr(ctx, ctx.Err())
		}
		return nil, fmt.Errorf("%w: %w", ErrSharedBudget, err)
	}
	if done == nil {
		done = func() {}
	}
	return done, nil
}
