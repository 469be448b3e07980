// Replays in Postgres, shared by the replicas behind one load balancer: a
// delivery replayed to another replica than the one that took it is
// refused all the same. Its table follows the project's migrations
// convention: the component "webhooks" in openphone_mcp_schema, every
// step it lacks applied in one transaction under the migrations'
// advisory lock, so that replicas starting together apply each once.

package webhooks

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgComponent is this package's name in openphone_mcp_schema.
const pgComponent = "webhooks"

// pgMigrations[i] takes the tables from version i to i+1. A step once
// released never changes; a new one is one more entry at the end.
var pgMigrations = [][]string{{
	`CREATE TABLE openphone_mcp_webhook_seen (
		id text PRIMARY KEY,
		expires_at timestamptz NOT NULL)`,
	`CREATE INDEX openphone_mcp_webhook_seen_expires ON openphone_mcp_webhook_seen (expires_at)`,
}}

// sweepEvery is how often a replica deletes the expired ids.
const sweepEvery = time.Minute

// PostgresReplays is Replays in a Postgres database.
type PostgresReplays struct {
	pool      *pgxpool.Pool
	lastSweep atomic.Int64 // Unix nanoseconds of the last sweep
}

// NewPostgresReplays migrates the database of pool to this binary's
// version of the webhooks tables and keeps the deliveries there.
func NewPostgresReplays(ctx context.Context, pool *pgxpool.Pool) (*PostgresReplays, error) {
	if err := migrate(ctx, pool); err != nil {
		return nil, err
	}
	return &PostgresReplays{pool: pool}, nil
}

// migrate applies the steps the database lacks, in one transaction.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("webhooks: migrating the database: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('openphone-mcp migrations'))`); err != nil {
		return fmt.Errorf("webhooks: taking the migrations lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS openphone_mcp_schema (
		component text PRIMARY KEY, version int NOT NULL)`); err != nil {
		return fmt.Errorf("webhooks: creating openphone_mcp_schema: %w", err)
	}
	var version int
	err = tx.QueryRow(ctx, `SELECT version FROM openphone_mcp_schema WHERE component = $1`, pgComponent).Scan(&version)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("webhooks: reading the schema version: %w", err)
	}
	if version > len(pgMigrations) {
		return fmt.Errorf("webhooks: the database's webhook tables are at version %d, newer than this binary's %d: run a newer openphone-mcp", version, len(pgMigrations))
	}
	if version == len(pgMigrations) {
		return nil
	}
	for v := version; v < len(pgMigrations); v++ {
		for _, stmt := range pgMigrations[v] {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("webhooks: migrating to version %d: %w", v+1, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO openphone_mcp_schema (component, version) VALUES ($1, $2)
		ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version`, pgComponent, len(pgMigrations)); err != nil {
		return fmt.Errorf("webhooks: recording the schema version: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("webhooks: migrating the database: %w", err)
	}
	return nil
}

// Claim implements Replays: one statement, so that of two replicas
// claiming the same id at once one wins.
func (p *PostgresReplays) Claim(ctx context.Context, id string, at time.Time, ttl time.Duration) (bool, error) {
	p.sweep(ctx, at)
	var one int
	err := p.pool.QueryRow(ctx, `INSERT INTO openphone_mcp_webhook_seen (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at
		WHERE openphone_mcp_webhook_seen.expires_at <= $3
		RETURNING 1`, id, at.Add(ttl), at).Scan(&one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil // held and unexpired: a replay
	case err != nil:
		return false, fmt.Errorf("webhooks: recording a delivery: %w", err)
	}
	return true, nil
}

// Release implements Replays.
func (p *PostgresReplays) Release(ctx context.Context, id string) error {
	if _, err := p.pool.Exec(ctx, `DELETE FROM openphone_mcp_webhook_seen WHERE id = $1`, id); err != nil {
		return fmt.Errorf("webhooks: forgetting a delivery: %w", err)
	}
	return nil
}

// sweep deletes the expired ids, once a sweepEvery per replica; a failed
// sweep is left to the next (expired rows only take space).
func (p *PostgresReplays) sweep(ctx context.Context, now time.Time) {
	last := p.lastSweep.Load()
	if now.UnixNano()-last < int64(sweepEvery) || !p.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	_, _ = p.pool.Exec(ctx, `DELETE FROM openphone_mcp_webhook_seen WHERE expires_at <= $1`, now)
}
