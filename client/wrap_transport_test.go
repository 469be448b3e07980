package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// countingTransport counts the requests it passes on to next.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestWithTransportWrapper: the wrapper gets the transport the client
// would have used (the default, or an earlier WithTransport's), never nil,
// and every request goes through what it returns.
func TestWithTransportWrapper(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":[]}`))
	}))
	defer srv.Close()
	inner := &countingTransport{next: http.DefaultTransport}
	for name, opts := range map[string][]Option{
		"default":       nil,
		"after another": {WithTransport(inner)},
	} {
		t.Run(name, func(t *testing.T) {
			var wrapper *countingTransport
			opts := append(opts, WithBaseURL(srv.URL), WithRateLimit(0), WithTransportWrapper(func(rt http.RoundTripper) http.RoundTripper {
				if rt == nil {
					t.Fatal("the wrapper got a nil transport")
				}
				wrapper = &countingTransport{next: rt}
				return wrapper
			}))
			c, err := New("opk_test_WRAP_MARKER", opts...)
			if err != nil {
				t.Fatal(err)
			}
			before := inner.n.Load()
			for range 2 {
				if _, err := c.ListPhoneNumbers(context.Background(), ""); err != nil {
					t.Fatal(err)
				}
			}
			if got := wrapper.n.Load(); got != 2 {
				t.Errorf("the wrapper saw %d requests, want 2", got)
			}
			if want := map[string]int64{"default": 0, "after another": 2}[name]; inner.n.Load()-before != want {
				t.Errorf("the earlier transport saw %d requests, want %d", inner.n.Load()-before, want)
			}
		})
	}
}
