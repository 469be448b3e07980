package app

// The team deployment's shared state. With --ledger postgres://... (or
// OPENPHONE_LEDGER_URL) the replicas of one deployment share a Postgres
// database: the ledger of each workspace (ledger.OpenPostgres), the API
// budget of each key (team.Budgets, so that all the replicas together keep
// to the key's 10 requests a second), and the election of the one replica
// that syncs a workspace (team.Elector). One pool serves all three.

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/team"
)

// IsPostgresURL reports whether --ledger's value names a Postgres database
// rather than a file.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// RedactURL is a database URL without its password, for logs and errors.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the database URL (unparsable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// teamDB is the shared database of a team deployment.
type teamDB struct {
	url     string // redacted
	pool    *pgxpool.Pool
	budgets *team.Budgets
	elector *team.Elector
}

// teamConnectTimeout bounds the first connection: a replica that cannot
// reach its database says so at start rather than serving without it.
const teamConnectTimeout = 15 * time.Second

// openTeam connects to the database at rawURL; perSecond is each key's
// budget (--api-rate).
func openTeam(ctx context.Context, rawURL string, perSecond float64, logger *slog.Logger) (*teamDB, error) {
	redacted := RedactURL(rawURL)
	pc, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("--ledger %s is not a Postgres URL such as postgres://user:password@host:5432/openphone", redacted)
	}
	pc.MaxConns = 16
	ctx, cancel := context.WithTimeout(ctx, teamConnectTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("cannot reach the team ledger's database %s: %s", redacted, strings.ReplaceAll(err.Error(), rawURL, redacted))
	}
	return &teamDB{
		url:     redacted,
		pool:    pool,
		budgets: team.NewBudgets(pool, perSecond, logger),
		elector: team.NewElector(pool, logger),
	}, nil
}

// keyOptions are the options of key's clients: its budget shared with the
// other replicas (none with pacing off, --api-rate 0).
func (t *teamDB) keyOptions(perSecond float64) func(string) []client.Option {
	if perSecond <= 0 {
		return nil
	}
	return func(key string) []client.Option {
		return []client.Option{client.WithSharedBudget(t.budgets.For(key))}
	}
}

func (t *teamDB) close() { t.pool.Close() }
