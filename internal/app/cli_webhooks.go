package app

// `openphone-mcp webhooks register --url URL`: the v1 webhook
// subscriptions of the call events the ledger needs (calls, call
// summaries, call transcripts: v1 makes one webhook per kind, each with
// its own signing key), created with the own key, and the
// QUO_WEBHOOK_SECRET line that lets the server check their deliveries.
// It is the one write the project makes to a workspace. Run again, it
// keeps the subscriptions it finds for the URL instead of doubling them.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// webhookLabel names the subscriptions this command makes.
const webhookLabel = "openphone-mcp ledger"

// webhookKind is one subscription the ledger needs.
type webhookKind struct {
	name   string
	events []string
	create func(*client.Client, context.Context, client.CreateWebhookParams) (*client.Webhook, error)
}

var ledgerWebhooks = []webhookKind{
	// call.recording.completed reads a missed call again once its
	// voicemail is recorded.
	{"calls", []string{client.EventCallCompleted, client.EventCallRecordingCompleted}, (*client.Client).CreateCallWebhook},
	{"call summaries", []string{client.EventCallSummaryCompleted}, (*client.Client).CreateCallSummaryWebhook},
	{"call transcripts", []string{client.EventCallTranscriptCompleted}, (*client.Client).CreateCallTranscriptWebhook},
}

// RegisterWebhooks subscribes webhookURL, with the own key, to the call
// events the ledger needs, and writes to out each subscription's id, then
// the QUO_WEBHOOK_SECRET line to set. Subscriptions already there for the
// URL are kept. webhookURL must be https (http only on loopback, for
// tests). When a creation fails, those this run created are deleted.
func RegisterWebhooks(ctx context.Context, cfg Config, webhookURL string, out io.Writer) error {
	if cfg.Demo {
		return errors.New("the demo's workspace is simulated and sends no events: register the webhooks of your own workspace (OPENPHONE_API_KEY) instead")
	}
	if err := checkWebhookURL(webhookURL); err != nil {
		return err
	}
	c, _, err := ownClient(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	existing, err := c.ListWebhooks(ctx, "")
	if err != nil {
		return fmt.Errorf("listing the workspace's webhooks: %w", err)
	}
	var lines, keys []string
	var created []string
	for _, kind := range ledgerWebhooks {
		if wh := findWebhook(existing, webhookURL, kind.events); wh != nil {
			lines = append(lines, fmt.Sprintf("Kept the %s webhook %s (%s), already registered for this URL.", kind.name, wh.ID, strings.Join(wh.Events, ", ")))
			keys = append(keys, string(wh.Key))
			continue
		}
		wh, err := kind.create(c, ctx, client.CreateWebhookParams{URL: webhookURL, Events: kind.events,
			ResourceIDs: []string{client.AllResources}, Label: webhookLabel})
		if err != nil {
			return fmt.Errorf("creating the %s webhook: %w%s", kind.name, err, undo(ctx, c, created))
		}
		created = append(created, wh.ID)
		lines = append(lines, fmt.Sprintf("Created the %s webhook %s (%s).", kind.name, wh.ID, strings.Join(wh.Events, ", ")))
		keys = append(keys, string(wh.Key))
	}
	fmt.Fprintf(out, "Webhooks for %s:\n", webhookURL)
	for _, l := range lines {
		fmt.Fprintln(out, "  "+l)
	}
	fmt.Fprintf(out, "\nSet this on the server (every replica), and keep it out of logs and version control:\n\n")
	fmt.Fprintf(out, "QUO_WEBHOOK_SECRET=%s\n\n", strings.Join(keys, ","))
	fmt.Fprintf(out, "This is the one write openphone-mcp makes to your workspace: these %d webhook subscriptions.\n"+
		"Delete them in Quo's settings, or with DELETE /v1/webhooks/{id}, when the server no longer receives them.\n", len(ledgerWebhooks))
	return nil
}

// findWebhook is a subscription of url that has every one of events.
func findWebhook(list []client.Webhook, url string, events []string) *client.Webhook {
	for i := range list {
		wh := &list[i]
		if wh.URL == url && wh.DeletedAt == nil && !slices.ContainsFunc(events, func(e string) bool { return !slices.Contains(wh.Events, e) }) {
			return wh
		}
	}
	return nil
}

// undo deletes the webhooks this run created, and says what it did.
func undo(ctx context.Context, c *client.Client, ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	var left []string
	for _, id := range ids {
		if err := c.DeleteWebhook(context.WithoutCancel(ctx), id); err != nil {
			left = append(left, id)
		}
	}
	if len(left) > 0 {
		return fmt.Sprintf("; the webhooks created before it could not be deleted: delete %s in Quo's settings", strings.Join(left, ", "))
	}
	return fmt.Sprintf("; the %d created before it were deleted again", len(ids))
}

// checkWebhookURL accepts an absolute https URL, or http on loopback.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("--url %q is not an absolute URL: give the public https address of this server's webhook route, such as https://mcp.example.com/webhooks/quo", raw)
	}
	if u.User != nil {
		return errors.New("--url must not carry a user name or password: Quo signs its deliveries, the URL needs no credentials")
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return fmt.Errorf("--url %s is plain http: Quo's events carry your calls' details, so they must travel over https (such as https://%s%s); http is accepted only on loopback (127.0.0.1, ::1, localhost), for tests", raw, u.Host, u.EscapedPath())
	}
	return nil
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
