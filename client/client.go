// Package client is a small, importable client for the OpenPhone (Quo) public
// REST API v1 (https://api.openphone.com/v1).
//
// It paces requests to the documented 10 requests per second per key, retries
// 429, 502, 503, 504 and transport errors with exponential backoff, jitter and
// Retry-After, bounds each request with a timeout, reads bodies through a size
// limit, and turns every non-2xx answer into an *APIError. It knows nothing
// of MCP.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Version is this client's version, used in the default User-Agent.
const Version = "0.1.0"

// Defaults, exported so callers and docs can name them.
const (
	DefaultBaseURL      = "https://api.openphone.com"
	DefaultRateLimit    = 10 // requests per second per API key, as documented
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
	limiter      *rate.Limiter // nil: no pacing
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

// WithRateLimit paces requests to perSecond, evenly spaced (burst 1), so no
// one-second window ever holds more than the API allows. Zero or less turns
// pacing off.
func WithRateLimit(perSecond float64) Option {
	return func(c *Client) error {
		if perSecond <= 0 {
			c.limiter = nil
			return nil
		}
		c.limiter = rate.NewLimiter(rate.Limit(perSecond), 1)
		return nil
	}
}

// WithLimiter shares one limiter between clients that use the same key.
func WithLimiter(l *rate.Limiter) Option {
	return func(c *Client) error { c.limiter = l; return nil }
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
	}
	c.http = &http.Client{CheckRedirect: c.sameHostRedirect}
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

// get performs GET path?query and decodes a 2xx JSON body into out. path
// is already escaped (ids go through pathID).
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	u := *c.baseURL
	escaped := strings.TrimRight(c.baseURL.EscapedPath(), "/") + path
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		return fmt.Errorf("invalid request path %q: %w", path, err)
	}
	// Setting both keeps an escaped "/" or "%" in an id escaped exactly once.
	u.Path, u.RawPath = unescaped, escaped
	// url.Values.Encode escapes "+" as %2B, which the API needs for E.164.
	u.RawQuery = query.Encode()
	u.Fragment, u.RawFragment = "", ""
	body, err := c.do(ctx, u.String(), path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w to GET %s: %v", ErrMalformedResponse, path, err)
	}
	return nil
}

// do sends the request with pacing and retries and returns a 2xx body.
func (c *Client) do(ctx context.Context, rawURL, path string) ([]byte, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				if _, ok := ctx.Deadline(); ok && ctx.Err() == nil && c.limiter.Burst() > 0 {
					// rate reports this without wrapping any context error.
					return nil, fmt.Errorf("waiting for the %v requests per second pacing would pass the deadline: %w",
						c.limiter.Limit(), context.DeadlineExceeded)
				}
				return nil, ctxErr(ctx, err)
			}
		}
		body, retryAfter, err := c.once(ctx, rawURL, path)
		if err == nil {
			return body, nil
		}
		var ae *APIError
		if errors.As(err, &ae) {
			ae.Attempts = attempt
		}
		if ctx.Err() != nil {
			return nil, ctxErr(ctx, ctx.Err())
		}
		if !retryable(err) || attempt >= c.maxAttempts {
			return nil, err
		}
		lastErr = err
		wait := c.backoff(attempt)
		if retryAfter > 0 {
			wait = min(retryAfter, maxRetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, lastErr // waiting would outlive the caller
		}
		c.logger.Debug("retrying OpenPhone API request", "path", path, "attempt", attempt, "wait", wait, "error", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctxErr(ctx, ctx.Err())
		case <-t.C:
		}
	}
}

// once sends one request. It returns the Retry-After of a failed answer.
func (c *Client) once(ctx context.Context, rawURL, path string) ([]byte, time.Duration, error) {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, ErrRedirect) {
			return nil, 0, ErrRedirect
		}
		if rr := (*redirectRefused)(nil); errors.As(err, &rr) {
			return nil, 0, fmt.Errorf("the OpenPhone API answered with a redirect (GET %s): %w", path, rr)
		}
		if errors.Is(err, errTooManyRedirects) {
			return nil, 0, fmt.Errorf("the OpenPhone API redirected more than %d times (GET %s)", maxRedirects, path)
		}
		if ctx.Err() == nil && rctx.Err() != nil {
			return nil, 0, fmt.Errorf("%w (GET %s, limit %v)", ErrTimeout, path, c.timeout)
		}
		return nil, 0, &transportError{path: path, err: scrub(err)}
	}
	defer resp.Body.Close()
	success := resp.StatusCode >= 200 && resp.StatusCode < 300
	body, err := readLimited(resp.Body, c.maxBodyBytes, resp.ContentLength)
	switch {
	case err == nil:
	case errors.Is(err, ErrBodyTooLarge) && success:
		return nil, 0, fmt.Errorf("%w of %d bytes (GET %s)", ErrBodyTooLarge, c.maxBodyBytes, path)
	case errors.Is(err, ErrBodyTooLarge):
		// An oversized error page (HTML from a proxy): its status is what
		// matters, so keep the prefix and carry on.
	case ctx.Err() == nil && rctx.Err() != nil:
		return nil, 0, fmt.Errorf("%w (GET %s, limit %v)", ErrTimeout, path, c.timeout)
	default:
		return nil, 0, &transportError{path: path, err: scrub(err)}
	}
	if success {
		return body, 0, nil
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, 0, ErrRedirect
	}
	ae := parseAPIErrorRedacted(http.MethodGet, path, resp.StatusCode, body, c.apiKey)
	ae.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return nil, ae.RetryAfter, ae
}

// transportError is a network failure (refused, reset, EOF); it is retried.
type transportError struct {
	path string
	err  error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("could not reach the OpenPhone API (GET %s): %v", e.path, e.err)
}
func (e *transportError) Unwrap() error { return e.err }

// scrub drops the URL from a *url.Error: it holds the query (phone numbers),
// which is noise in a message meant for a model.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var te *transportError
	// A per-request timeout is not retried: --timeout bounds what a caller
	// waits for a hung API, and retries would multiply it.
	return errors.As(err, &te)
}

// backoff is exponential with jitter: a random wait in [d/2, d] with
// d = base * 2^(attempt-1), capped at the ceiling.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffBase << (attempt - 1)
	if d > c.backoffMax || d <= 0 {
		d = c.backoffMax
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case math.IsNaN(secs) || secs <= 0:
			return 0
		case secs >= math.MaxInt64/float64(time.Second):
			// Converting would overflow into a negative wait.
			return math.MaxInt64
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// readLimited reads r up to limit bytes. A longer body gives the first
// limit bytes and ErrBodyTooLarge. sizeHint (the Content-Length, -1 when
// unknown) sizes the buffer once instead of growing it by doubling.
func readLimited(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	limit = min(max(limit, 0), math.MaxInt64-1)
	var buf bytes.Buffer
	if sizeHint > 0 && sizeHint <= limit {
		buf.Grow(int(sizeHint) + bytes.MinRead) // MinRead: room to see EOF without growing
	}
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return buf.Bytes()[:limit], ErrBodyTooLarge
	}
	return buf.Bytes(), nil
}

func ctxErr(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil {
		return c
	}
	return err
}
