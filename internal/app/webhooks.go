package app

// Quo's webhooks, with QUO_WEBHOOK_SECRET: POST /webhooks/quo on the HTTP
// transports (internal/webhooks checks the signature, the timestamp, the
// replay and the size), each call event reading that call again into the
// own key's ledger. Replicas on one Postgres share the record of the
// deliveries seen, so a replay sent to another replica is refused too.

import (
	"context"
	"errors"

	"github.com/openphone-mcp/openphone-mcp/internal/serve"
	"github.com/openphone-mcp/openphone-mcp/internal/webhooks"
)

// WebhookPath is where Quo delivers the call events.
const WebhookPath = "/webhooks/quo"

// webhookRoutes are the routes of a's webhooks; none without a secret.
func (a *App) webhookRoutes(ctx context.Context) ([]serve.Route, error) {
	if len(a.cfg.WebhookSecrets) == 0 || a.ledgers == nil {
		return nil, nil
	}
	var replays webhooks.Replays
	if a.team != nil {
		pr, err := webhooks.NewPostgresReplays(ctx, a.team.pool)
		if err != nil {
			return nil, err
		}
		replays = pr
	}
	sink := webhooks.SinkFunc(func(ctx context.Context, e webhooks.Event) error {
		l := a.ledgers.get(a.clients.own)
		if l == nil {
			return errors.New("the own key's ledger cannot be opened; the tools ask the API meanwhile")
		}
		return l.Syncer.Refresh(ctx, e.CallID, e.Transcript())
	})
	h := webhooks.New(webhooks.Config{Secrets: a.cfg.WebhookSecrets, Sink: sink, Replays: replays, Logger: a.logger})
	return []serve.Route{{Pattern: WebhookPath, Handler: h}}, nil
}
