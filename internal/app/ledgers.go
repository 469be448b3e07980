package app

// The ledgers of the workspaces the server serves: one per API key's
// workspace (by ledger.WorkspaceID, never the key), opened at the first
// tool call that needs it (never before initialize), its background sync
// started then, in the client's background lane. A ledger that cannot be
// opened (corrupt, another workspace's) is logged once and the tools ask
// the API, as with --ledger off.

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
)

// --ledger's values beside a file: off, and the default place.
const (
	LedgerOff  = "off"
	LedgerAuto = "auto"
)

type ledgers struct {
	path     string // --ledger: LedgerAuto the default, else a file for the own key
	memory   bool   // the demo's ledger lives in memory
	days     int
	interval time.Duration
	surface  string
	logger   *slog.Logger
	pool     *clientPool
	ctx      context.Context // the background syncs' lifetime
	// team, with --ledger postgres://..., is the database every
	// workspace's ledger lives in, shared with the other replicas, and
	// their election of the one that syncs it.
	team *teamDB

	mu     sync.Mutex
	open   map[string]*openLedger // by workspace
	failed map[string]time.Time   // workspaces whose ledger failed to open, until when not retried
}

type openLedger struct {
	client *client.Client
	l      *ledger.Ledger
}

// retryOpen is how long a ledger that failed to open is not tried again.
const retryOpen = 10 * time.Minute

// get is c's ledger, opening it on first use; nil when there is none.
func (ls *ledgers) get(c *client.Client) *ledger.Ledger {
	ws, own := ls.pool.workspaceOf(c)
	if ws == "" {
		return nil
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if o, ok := ls.open[ws]; ok {
		if o.client != c {
			// The key's slot was reclaimed and opened again: the same store,
			// synced through the new client (one pacing per key).
			o.l = ledger.New(o.l.Store, c, ls.config(ws))
			o.client = c
		}
		o.l.Start(client.Background(ls.ctx))
		return o.l
	}
	if until, ok := ls.failed[ws]; ok && time.Now().Before(until) {
		return nil
	}
	store, err := ls.openStore(ws, own)
	if err != nil {
		ls.logger.Warn("ledger: cannot open it; the tools ask the API instead", "workspace", ws, "error", err)
		ls.failed[ws] = time.Now().Add(retryOpen)
		return nil
	}
	l := ledger.New(store, c, ls.config(ws))
	ls.open[ws] = &openLedger{client: c, l: l}
	l.Start(client.Background(ls.ctx))
	return l
}

func (ls *ledgers) config(ws string) ledger.Config {
	cfg := ledger.Config{Days: ls.days, Interval: ls.interval, Surface: ls.surface, Logger: ls.logger, Workspace: ws}
	if ls.team != nil {
		cfg.Elector = ls.team.elector
	}
	return cfg
}

// openStore opens the store of ws: in memory for the demo, in the team's
// database with --ledger postgres://..., --ledger's file
// for the own key, else <cache dir>/openphone-mcp/<ws>.db (beside
// --ledger's file when one is given).
func (ls *ledgers) openStore(ws string, own bool) (ledger.Store, error) {
	ctx, cancel := context.WithTimeout(ls.ctx, 30*time.Second)
	defer cancel()
	if ls.memory {
		return ledger.OpenSQLiteMemory(ctx, ws)
	}
	if ls.team != nil {
		return ledger.OpenPostgres(ctx, ls.team.pool, ws)
	}
	path := ls.path
	if path == LedgerAuto || !own {
		dir, err := ledger.DefaultDir()
		if err != nil {
			return nil, err
		}
		if ls.path != LedgerAuto {
			dir = filepath.Dir(ls.path)
		}
		path = filepath.Join(dir, ws+".db")
	}
	return ledger.OpenSQLite(ctx, path, ws)
}

// close waits for the background syncs to stop (ctx is cancelled by then)
// and closes every store.
func (ls *ledgers) close() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for _, o := range ls.open {
		if done := o.l.Done(); done != nil {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
			}
		}
		if err := o.l.Store.Close(); err != nil {
			ls.logger.Warn("ledger: closing it failed", "error", err)
		}
	}
	ls.open = map[string]*openLedger{}
}
