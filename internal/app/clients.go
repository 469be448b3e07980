package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"sync"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/serve"
)

// clientPool hands out API clients: one for the server's own key, and with
// --allow-client-api-keys one per caller key, each with its own pacing since
// the API limits each key separately.
type clientPool struct {
	opts   []client.Option // every client's, pacing included
	own    *client.Client
	mu     sync.Mutex
	perKey map[[32]byte]*client.Client // by the key's SHA-256: no key kept as a map key
}

// maxClientKeys bounds the per-key clients kept; past it the pool restarts,
// which only costs fresh caches and pacers.
const maxClientKeys = 1024

func newClientPool(key string, rate float64, opts []client.Option) (*clientPool, error) {
	// A copy: appending to the caller's slice could write into its spare
	// capacity.
	opts = append(slices.Clip(opts), client.WithRateLimit(rate))
	p := &clientPool{opts: opts, perKey: map[[32]byte]*client.Client{}}
	if key != "" {
		c, err := client.New(key, opts...)
		if err != nil {
			return nil, err
		}
		p.own = c
	}
	return p, nil
}

// errNoOwnKey is what a caller without a key of its own gets from a server
// started without OPENPHONE_API_KEY.
var errNoOwnKey = errors.New("this server has no OpenPhone API key of its own: send yours in the X-OpenPhone-Api-Key header")

func (p *clientPool) shared(context.Context) (*client.Client, error) {
	if p.own == nil {
		return nil, errNoOwnKey
	}
	return p.own, nil
}

// forRequest is the client of the key the HTTP caller sent, or the shared
// one when it sent none.
func (p *clientPool) forRequest(ctx context.Context) (*client.Client, error) {
	key, ok := serve.APIKeyFromContext(ctx)
	if !ok || key == "" {
		return p.shared(ctx)
	}
	id := sha256.Sum256([]byte(key))
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.perKey[id]; ok {
		return c, nil
	}
	c, err := client.New(key, p.opts...)
	if err != nil {
		return nil, err
	}
	if len(p.perKey) >= maxClientKeys {
		p.perKey = map[[32]byte]*client.Client{}
	}
	p.perKey[id] = c
	return c, nil
}
