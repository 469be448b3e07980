// Package team is what the replicas of a team deployment (several
// --stateless servers behind a load balancer, one Postgres) share through
// that Postgres: one API request budget per key, so that together they
// keep to the key's limit (Budgets, a client.SharedBudget), and the
// election of the one replica that syncs a workspace's ledger (Elector,
// a ledger.Elector). It knows nothing of MCP or of the tools.
//
// Its tables are named openphone_mcp_team_* and migrated under the
// project's convention (Migrate).
package team

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// component is this package's name in openphone_mcp_schema.
const component = "team"

// migrations are the schema's steps, in order; step i+1 brings the
// component to version i+1. Never edit a step once released: add one.
var migrations = []string{
	// 1: the request budgets, one row a key: the requests that still
	// count against it, oldest grant first, as three arrays of one entry
	// each: a token naming the request, when it was granted and when its
	// answer came (0 while in flight), in microseconds of the database's
	// clock; and until when an interactive request waits for a slot.
	`CREATE TABLE openphone_mcp_team_budget (
		key_id text PRIMARY KEY,
		tokens bigint[] NOT NULL,
		granted bigint[] NOT NULL,
		finished bigint[] NOT NULL,
		interactive_waiting_until bigint NOT NULL DEFAULT 0
	)`,
}

// Migrate brings the team tables to this version: in one transaction,
// under the lock all components of the project migrate under, so that
// replicas starting together apply each step once. Budgets migrate on
// their first use as well; call it at start to fail early.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('openphone-mcp migrations'))`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS openphone_mcp_schema (
			component text PRIMARY KEY, version int NOT NULL)`); err != nil {
			return err
		}
		var version int
		err := tx.QueryRow(ctx, `SELECT version FROM openphone_mcp_schema WHERE component = $1`, component).Scan(&version)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if version > len(migrations) {
			return fmt.Errorf("the database's team schema is version %d, newer than this server's %d: upgrade this server",
				version, len(migrations))
		}
		for i := version; i < len(migrations); i++ {
			if _, err := tx.Exec(ctx, migrations[i]); err != nil {
				return fmt.Errorf("step %d: %w", i+1, err)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO openphone_mcp_schema (component, version) VALUES ($1, $2)
			ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version`, component, len(migrations))
		return err
	})
	if err != nil {
		return fmt.Errorf("migrating the team tables in Postgres: %w", err)
	}
	return nil
}
