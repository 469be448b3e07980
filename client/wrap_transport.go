// Wrapping the transport: for a caller that must see each request's
// outcome (the app's per-key pool learns from it which keys are in use and
// which the API refused) without giving up the client's own transport.

package client

import "net/http"

// WithTransportWrapper sends requests through wrap(rt), where rt is the
// transport the client would use at this point in the options (the
// default, or one an earlier WithTransport or WithHTTPClient set; never
// nil). Later transport options replace the wrapper.
func WithTransportWrapper(wrap func(rt http.RoundTripper) http.RoundTripper) Option {
	return func(c *Client) error {
		rt := c.http.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		c.http.Transport = wrap(rt)
		return nil
	}
}
