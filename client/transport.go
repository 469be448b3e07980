// The transport: one GET through pacing, retries with backoff and
// Retry-After, the per-request timeout and the body size limit, ending in
// a decoded 2xx body or an error that never carries the API key.

package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// get performs GET path?query and decodes a 2xx JSON body into out. path
// is already escaped (ids go through pathID).
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	return c.getWithHeader(ctx, nil, path, query, out)
}

// getWithHeader is get with extra request headers (the dated surface's
// Quo-Api-Version), sent on every attempt.
func (c *Client) getWithHeader(ctx context.Context, header http.Header, path string, query url.Values, out any) error {
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
	body, err := c.do(ctx, u.String(), path, header)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w to GET %s: %v", ErrMalformedResponse, path, err)
	}
	return nil
}

// do sends the request with pacing and retries and returns a 2xx body.
func (c *Client) do(ctx context.Context, rawURL, path string, header http.Header) ([]byte, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		// Each attempt is paced in the request's lane (lanes.go), so a
		// background retry yields to interactive requests too.
		done, err := c.pace(ctx)
		if err != nil {
			return nil, err
		}
		body, retryAfter, err := c.once(ctx, rawURL, path, header)
		done()
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

// wait is the pacing of one attempt: the token bucket, then the rolling
// window.
func (c *Client) wait(ctx context.Context) error {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			if _, ok := ctx.Deadline(); ok && ctx.Err() == nil && c.limiter.Burst() > 0 {
				// rate reports this without wrapping any context error.
				return fmt.Errorf("waiting for the %v requests per second pacing would pass the deadline: %w",
					c.limiter.Limit(), context.DeadlineExceeded)
			}
			return ctxErr(ctx, err)
		}
	}
	if c.window != nil {
		return c.window.wait(ctx)
	}
	return nil
}

// once sends one request. It returns the Retry-After of a failed answer.
func (c *Client) once(ctx context.Context, rawURL, path string, header http.Header) ([]byte, time.Duration, error) {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	for name, values := range header {
		req.Header[name] = values
	}
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
