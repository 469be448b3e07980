// The webhooks resource of v1: subscriptions that make Quo push call
// events to a URL, one per kind (calls, call summaries, call
// transcripts), each with its own signing key. These are the client's
// only writes: a write is sent once (a 429, which the API answers before
// doing anything, is the one answer retried), since a second POST would
// create a second subscription.

package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The events v1 webhooks can subscribe to, by kind.
const (
	EventCallCompleted           = "call.completed"
	EventCallRinging             = "call.ringing"
	EventCallRecordingCompleted  = "call.recording.completed"
	EventCallSummaryCompleted    = "call.summary.completed"    // call-summaries webhooks only
	EventCallTranscriptCompleted = "call.transcript.completed" // call-transcripts webhooks only
)

// AllResources in ResourceIDs subscribes to every phone number.
const AllResources = "*"

// Webhook is a v1 webhook subscription.
type Webhook struct {
	ID     string  `json:"id"`     // "WH…"
	UserID string  `json:"userId"` // "US…": who created it
	OrgID  string  `json:"orgId"`  // "OR…"
	Label  *string `json:"label"`
	Status string  `json:"status"` // enabled | disabled
	URL    string  `json:"url"`
	// Key signs the deliveries (the legacy openphone-signature scheme):
	// a secret, which fmt and slog print as [redacted].
	Key       SigningKey `json:"key"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	DeletedAt *time.Time `json:"deletedAt"`
	Events    []string   `json:"events"`
	// ResourceIDs are the phone numbers ("PN…") it reports on, or
	// [AllResources].
	ResourceIDs []string `json:"resourceIds"`
}

// SigningKey is a webhook's signing key, base64 as the API sends it. It
// marshals to JSON as itself but prints as [redacted] through fmt (every
// verb) and slog, so that printing a Webhook never shows it; string(k) is
// the key.
type SigningKey string

func (SigningKey) String() string               { return "[redacted]" }
func (k SigningKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }
func (SigningKey) LogValue() slog.Value         { return slog.StringValue("[redacted]") }

// LogValue logs a webhook without its key, also under slog's JSON
// handler (which would otherwise marshal the struct, key and all).
func (w Webhook) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID), slog.String("url", w.URL),
		slog.Any("events", w.Events), slog.String("status", w.Status))
}

// CreateWebhookParams are the body of the create operations.
type CreateWebhookParams struct {
	URL    string   `json:"url"`    // required: where the events are POSTed
	Events []string `json:"events"` // required: of the kind's events
	// ResourceIDs limits it to these phone numbers ("PN…"); [AllResources]
	// for all of them.
	ResourceIDs []string `json:"resourceIds,omitempty"`
	UserID      string   `json:"userId,omitempty"` // "US…"; default the workspace owner
	Label       string   `json:"label,omitempty"`
	Status      string   `json:"status,omitempty"` // enabled (default) | disabled
}

// CreateCallWebhook subscribes p.URL to call events (EventCallCompleted,
// EventCallRinging, EventCallRecordingCompleted).
//
// API: POST /v1/webhooks/calls (operationId createCallWebhook_v1)
func (c *Client) CreateCallWebhook(ctx context.Context, p CreateWebhookParams) (*Webhook, error) {
	return c.createWebhook(ctx, "/v1/webhooks/calls", p)
}

// CreateCallSummaryWebhook subscribes p.URL to EventCallSummaryCompleted.
//
// API: POST /v1/webhooks/call-summaries (operationId createCallSummaryWebhook_v1)
func (c *Client) CreateCallSummaryWebhook(ctx context.Context, p CreateWebhookParams) (*Webhook, error) {
	return c.createWebhook(ctx, "/v1/webhooks/call-summaries", p)
}

// CreateCallTranscriptWebhook subscribes p.URL to
// EventCallTranscriptCompleted.
//
// API: POST /v1/webhooks/call-transcripts (operationId createCallTranscriptWebhook_v1)
func (c *Client) CreateCallTranscriptWebhook(ctx context.Context, p CreateWebhookParams) (*Webhook, error) {
	return c.createWebhook(ctx, "/v1/webhooks/call-transcripts", p)
}

func (c *Client) createWebhook(ctx context.Context, path string, p CreateWebhookParams) (*Webhook, error) {
	var out struct {
		Data *Webhook `json:"data"`
	}
	if err := c.send(ctx, http.MethodPost, path, p, &out); err != nil {
		return nil, err
	}
	if out.Data == nil {
		return nil, fmt.Errorf("%w to POST %s: no data", ErrMalformedResponse, path)
	}
	return out.Data, nil
}

// listWebhooksParams is the query of GET /v1/webhooks.
type listWebhooksParams struct {
	UserID string `url:"userId,omitempty"`
}

// ListWebhooks lists the webhooks of a user ("US…"; "" for the
// workspace owner), of every kind. Their keys come with them.
//
// API: GET /v1/webhooks (operationId listWebhooks_v1)
func (c *Client) ListWebhooks(ctx context.Context, userID string) ([]Webhook, error) {
	var out struct {
		Data []Webhook `json:"data"`
	}
	if err := c.get(ctx, "/v1/webhooks", encodeQuery(listWebhooksParams{UserID: userID}), &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// GetWebhook fetches one webhook by its "WH…" id.
//
// API: GET /v1/webhooks/{id} (operationId getWebhookById_v1)
func (c *Client) GetWebhook(ctx context.Context, id string) (*Webhook, error) {
	seg, err := webhookPathID(id)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data *Webhook `json:"data"`
	}
	if err := c.get(ctx, "/v1/webhooks/"+seg, nil, &out); err != nil {
		return nil, err
	}
	if out.Data == nil {
		return nil, fmt.Errorf("%w to GET /v1/webhooks/{id}: no data", ErrMalformedResponse)
	}
	return out.Data, nil
}

// DeleteWebhook deletes one webhook by its "WH…" id; Quo stops sending
// its events.
//
// API: DELETE /v1/webhooks/{id} (operationId deleteWebhookById_v1)
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	seg, err := webhookPathID(id)
	if err != nil {
		return err
	}
	return c.send(ctx, http.MethodDelete, "/v1/webhooks/"+seg, nil, nil)
}

// webhookPathID validates a webhook id and escapes it as one path segment.
func webhookPathID(id string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("openphone: webhook id %q is not valid: webhook ids look like WHabcd1234", id)
	}
	return url.PathEscape(id), nil
}

// send performs a write: in (nil: no body) as JSON, out (nil: none
// wanted) decoded from a 2xx body. It is paced like every request, and
// retried only on a 429.
func (c *Client) send(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encoding the body of %s %s: %w", method, path, err)
		}
	}
	u := *c.baseURL
	escaped := strings.TrimRight(c.baseURL.EscapedPath(), "/") + path
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		return fmt.Errorf("invalid request path %q: %w", path, err)
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment, u.RawFragment = unescaped, escaped, "", "", ""
	for attempt := 1; ; attempt++ {
		done, err := c.pace(ctx)
		if err != nil {
			return err
		}
		resp, retryAfter, err := c.sendOnce(ctx, method, u.String(), path, body)
		done()
		var ae *APIError
		if errors.As(err, &ae) {
			ae.Attempts = attempt
		}
		if err == nil {
			if out == nil || len(bytes.TrimSpace(resp)) == 0 {
				return nil
			}
			if err := json.Unmarshal(resp, out); err != nil {
				return fmt.Errorf("%w to %s %s: %v", ErrMalformedResponse, method, path, err)
			}
			return nil
		}
		if ae == nil || ae.StatusCode != http.StatusTooManyRequests || attempt >= c.maxAttempts || ctx.Err() != nil {
			return err
		}
		wait := c.backoff(attempt)
		if retryAfter > 0 {
			wait = min(retryAfter, maxRetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err
		}
		c.logger.Debug("retrying OpenPhone API request", "method", method, "path", path, "attempt", attempt, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctxErr(ctx, ctx.Err())
		case <-t.C:
		}
	}
}

// sendOnce is one attempt of send: once's checks for a write.
func (c *Client) sendOnce(ctx context.Context, method, rawURL, path string, body []byte) ([]byte, time.Duration, error) {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, ErrRedirect):
			return nil, 0, ErrRedirect
		case ctx.Err() == nil && rctx.Err() != nil:
			return nil, 0, fmt.Errorf("%w (%s %s, limit %v)", ErrTimeout, method, path, c.timeout)
		}
		return nil, 0, fmt.Errorf("could not reach the OpenPhone API (%s %s): %v", method, path, scrub(err))
	}
	defer resp.Body.Close()
	success := resp.StatusCode >= 200 && resp.StatusCode < 300
	data, err := readLimited(resp.Body, c.maxBodyBytes, resp.ContentLength)
	switch {
	case err == nil, errors.Is(err, ErrBodyTooLarge) && !success:
	case errors.Is(err, ErrBodyTooLarge):
		return nil, 0, fmt.Errorf("%w of %d bytes (%s %s)", ErrBodyTooLarge, c.maxBodyBytes, method, path)
	default:
		return nil, 0, fmt.Errorf("reading the OpenPhone API's answer (%s %s): %v", method, path, scrub(err))
	}
	if success {
		return data, 0, nil
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, 0, ErrRedirect
	}
	ae := parseAPIErrorRedacted(method, path, resp.StatusCode, data, c.apiKey)
	ae.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return nil, ae.RetryAfter, ae
}
