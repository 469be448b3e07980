// Package client is a small, importable client for the OpenPhone (Quo) public
// REST API: v1 (https://api.quo.com/v1/...) and, beside it, the dated
// surface of version 2026-03-30 (dated*.go), which lists the calls of the
// whole workspace in one request.
//
// It paces requests to the documented 10 requests per second per key, retries
// 429, 502, 503, 504 and transport errors with exponential backoff, jitter and
// Retry-After, bounds each request with a timeout, reads bodies through a size
// limit, and turns every non-2xx answer into an *APIError. It knows nothing
// of MCP. Requests of a Background context (a sync) take only what the
// others leave of the pacing, so a sync delays a tool call's request by
// about one request's spacing at most.
//
// Paginated lists come one Page at a time (ListCalls, ListConversations) or
// as iterators over every page (Calls, Conversations), which stop on a
// page token that repeats and after WithMaxPages pages.
//
// Each resource has its file (calls.go, conversations.go,
// phone_numbers.go, users.go, voicemails.go; dated_calls.go on the dated
// surface), and each method names the API operation it calls.
package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Version is this client's version, used in the default User-Agent.
const Version = "0.1.0"

// Defaults, exported so callers and docs can name them.
const (
	DefaultBaseURL      = "https://api.quo.com" // both surfaces; api.openphone.com is v1's old name
	DefaultRateLimit    = 10                    // requests per second per API key, as documented
	DefaultTimeout      = 30 * time.Second
	DefaultMaxAttempts  = 4
	DefaultMaxBodyBytes = 4 << 20
	// DefaultMaxPages bounds the pages one iterator (Calls, Conversations)
	// requests: about 100 s of requests at the default pacing, far past any
	// real list, so it only ends an API that keeps handing out new tokens.
	DefaultMaxPages = 1000
	maxRetryAfter   = 60 * time.Second
)

// Client talks to the OpenPhone API. It is safe for concurrent use; all
// requests of one Client share its pacing.
type Client struct {
	baseURL      *url.URL
	apiKey       string
	http         *http.Client
	userAgent    string
	limiter      *rate.Limiter  // nil: no pacing
	window       *rollingWindow // nil: the limiter alone paces
	lanes        *lanes         // the limiter's interactive and background lanes; nil without it
	shared       SharedBudget   // taken after the local pacing (budget.go); nil: none
	timeout      time.Duration
	maxAttempts  int
	backoffBase  time.Duration
	backoffMax   time.Duration
	maxBodyBytes int64
	maxPages     int
	logger       *slog.Logger
}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL points the client at another server (a proxy, a fake API).
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("base URL %q is not an absolute http(s) URL such as %s", raw, DefaultBaseURL)
		}
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient replaces the HTTP client. The client is copied, so later
// options never modify the caller's value. Redirects to another host are
// refused before hc's own CheckRedirect (if any) is consulted, so that the
// API key never leaves the API host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("the HTTP client must not be nil")
		}
		cp := *hc
		theirs := hc.CheckRedirect
		cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if err := c.sameHostRedirect(req, via); err != nil {
				return err
			}
			if theirs == nil {
				return nil
			}
			err := theirs(req, via)
			if err == nil || err == http.ErrUseLastResponse {
				return err
			}
			return &redirectRefused{err} // not retried
		}
		c.http = &cp
		return nil
	}
}

// WithTransport keeps the default HTTP client but sends requests through rt,
// for example an in-process fake API.
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Client) error { c.http.Transport = rt; return nil }
}

// WithRateLimit paces requests to perSecond, evenly spaced (burst 1), and
// keeps any rolling second (plus a 50 ms margin for arrival jitter) to
// ceil(perSecond) requests by the times they leave, so that a gateway
// counting a rolling window never sees more than the API allows. v1 and
// dated requests of the client share it. Zero or less turns pacing off.
func WithRateLimit(perSecond float64) Option {
	return func(c *Client) error {
		if perSecond <= 0 {
			c.limiter, c.window, c.lanes = nil, nil, nil
			return nil
		}
		c.limiter = rate.NewLimiter(rate.Limit(perSecond), 1)
		c.window = newRollingWindow(perSecond)
		c.lanes = newLanes()
		return nil
	}
}

// WithLimiter shares one limiter between clients that use the same key.
// l alone paces them: the rolling-window guard of WithRateLimit belongs to
// one client and cannot be shared. The clients of one limiter share its
// lanes (Background) as well.
func WithLimiter(l *rate.Limiter) Option {
	return func(c *Client) error { c.limiter, c.window, c.lanes = l, nil, lanesOf(l); return nil }
}

// WithTimeout bounds each single request (not the retries as a whole).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("timeout %v must be positive, such as 30s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithRetries sets the attempts per call (1 = no retries) and the backoff
// base and ceiling.
func WithRetries(attempts int, base, ceiling time.Duration) Option {
	return func(c *Client) error {
		if attempts < 1 {
			return fmt.Errorf("attempts %d must be at least 1", attempts)
		}
		c.maxAttempts, c.backoffBase, c.backoffMax = attempts, base, ceiling
		return nil
	}
}

// WithMaxBodyBytes limits how much of a response body is read. A larger
// 2xx body fails with ErrBodyTooLarge; a larger error body is cut to the
// limit and still reported as an *APIError.
func WithMaxBodyBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("body size limit %d must be positive, such as %d", n, DefaultMaxBodyBytes)
		}
		c.maxBodyBytes = n
		return nil
	}
}

// WithMaxPages bounds how many pages one iterator (Calls, Conversations)
// requests before it stops with ErrTooManyPages.
func WithMaxPages(n int) Option {
	return func(c *Client) error {
		if n < 1 {
			return fmt.Errorf("page limit %d must be at least 1, such as %d", n, DefaultMaxPages)
		}
		c.maxPages = n
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// WithLogger receives retry notices at debug level. The API key is never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error { c.logger = l; return nil }
}

// New returns a client that authenticates with apiKey. Surrounding white
// space (a trailing newline from a file or an environment variable) is
// dropped.
func New(apiKey string, opts ...Option) (*Client, error) {
	apiKey = strings.TrimSpace(apiKey)
	if apiKey == "" {
		return nil, errors.New("an OpenPhone API key is required")
	}
	for _, r := range apiKey {
		if r < 0x20 || r == 0x7f {
			// Never quote the key: this message may be shown or logged.
			return nil, errors.New("the OpenPhone API key contains a control character; check how it was set")
		}
	}
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{
		baseURL:      base,
		apiKey:       apiKey,
		userAgent:    "openphone-mcp-client/" + Version,
		timeout:      DefaultTimeout,
		maxAttempts:  DefaultMaxAttempts,
		backoffBase:  250 * time.Millisecond,
		backoffMax:   8 * time.Second,
		maxBodyBytes: DefaultMaxBodyBytes,
		maxPages:     DefaultMaxPages,
		logger:       slog.New(slog.DiscardHandler),
		limiter:      rate.NewLimiter(DefaultRateLimit, 1),
		window:       newRollingWindow(DefaultRateLimit),
		lanes:        newLanes(),
	}
	c.http = &http.Client{Transport: defaultTransport(), CheckRedirect: c.sameHostRedirect}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// sameHostRedirect follows redirects only within the API host, so the key in
// the Authorization header never leaves it.
func (c *Client) sameHostRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Host != c.baseURL.Host || req.URL.Scheme != c.baseURL.Scheme {
		return fmt.Errorf("%w (to %s)", ErrRedirect, req.URL.Host)
	}
	if len(via) >= maxRedirects {
		return errTooManyRedirects
	}
	return nil
}

const maxRedirects = 3

// errTooManyRedirects ends a redirect loop; it is not retried.
var errTooManyRedirects = errors.New("too many redirects")

// redirectRefused is an error of a caller's CheckRedirect; it is not retried.
type redirectRefused struct{ err error }

func (e *redirectRefused) Error() string { return "redirect refused: " + e.err.Error() }
func (e *redirectRefused) Unwrap() error { return e.err }

// BaseURL returns the API root this client talks to.
func (c *Client) BaseURL() string { return c.baseURL.String() }
