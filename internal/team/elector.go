// The election of the one replica that syncs a workspace: a session-level
// advisory lock held on a connection of the lease's own, watched so that
// a broken connection ends the lease (Lost) instead of leaving two
// replicas that both believe they sync.

package team

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
)

// How a lease watches its connection. A ping every pingEvery, each
// bounded by pingTimeout, finds a hung network; between pings the watcher
// reads the connection, so a connection the server closes (the backend
// terminated, the server restarted) ends the lease at once.
const (
	pingEvery   = 2 * time.Second
	pingTimeout = 3 * time.Second
	// releaseTimeout bounds Release's unlock and close on a hung network.
	releaseTimeout = 5 * time.Second
)

// TCP keepalives of the lease's connection, on both ends: the server
// drops a replica whose network hangs after keepIdle + keepCount probes
// keepInterval apart (11 s), or tcpUserTimeout when its data goes
// unacknowledged, and frees the lock; the replica's own pings end its
// lease sooner (within pingEvery + pingTimeout, 5 s), so it stops syncing
// before another can start.
const (
	keepIdle       = 5 * time.Second
	keepInterval   = 2 * time.Second
	keepCount      = 3
	tcpUserTimeout = 10 * time.Second
)

// Elector is a ledger.Elector over Postgres advisory locks: the lock of a
// workspace is pg_try_advisory_lock of a hash of "openphone-mcp sync "
// and its name, in the database of the pool, held by the session of a
// connection the lease owns.
//
// How a lease ends without Release:
//   - the replica's process dies: the kernel closes its connection, the
//     server ends the session and the lock is free at once;
//   - the backend is terminated or the server restarts: the lease's
//     watcher, reading the connection, closes Lost at once;
//   - the replica's network hangs: its own Lost closes within pingEvery +
//     pingTimeout (5 s) and the server frees the lock by its keepalives,
//     about 11 s after the last packet (tcpUserTimeout, 10 s, when data
//     was in flight). The hung replica gives up before another can lead.
type Elector struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// The watch's periods; the tests shorten them.
	pingEvery, pingTimeout time.Duration
}

var _ ledger.Elector = (*Elector)(nil)

// NewElector returns an Elector over pool's database. A lease's
// connection is opened with pool's connection settings but is not one of
// the pool's.
func NewElector(pool *pgxpool.Pool, logger *slog.Logger) *Elector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Elector{pool: pool, logger: logger, pingEvery: pingEvery, pingTimeout: pingTimeout}
}

// lockName is what the lock key of workspace hashes.
func lockName(workspace string) string { return "openphone-mcp sync " + workspace }

// held reports whether a session holds the lock of name, seen through the
// pool.
func (e *Elector) held(ctx context.Context, name string) (bool, error) {
	var held bool
	err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND classid = ((k >> 32) & 4294967295)::oid AND objid = (k & 4294967295)::oid)
		FROM (SELECT hashtextextended($1, 0) AS k) AS lock`, name).Scan(&held)
	return held, err
}

// TryLead implements ledger.Elector. A lock another session holds is seen
// through the pool first, so that a replica that does not lead opens no
// connection to learn it.
func (e *Elector) TryLead(ctx context.Context, workspace string) (ledger.Lease, bool, error) {
	if workspace == "" {
		return nil, false, errors.New("the sync election needs a workspace name")
	}
	name := lockName(workspace)
	held, err := e.held(ctx, name)
	if err != nil {
		return nil, false, fmt.Errorf("the sync election in Postgres: %w", err)
	}
	if held {
		return nil, false, nil
	}
	conn, err := pgx.ConnectConfig(ctx, e.leaseConfig())
	if err != nil {
		return nil, false, fmt.Errorf("the sync election in Postgres: %w", err)
	}
	var ok bool
	var pid uint32
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0)), pg_backend_pid()`, name).
		Scan(&ok, &pid); err != nil || !ok {
		closeConn(conn)
		if err != nil {
			return nil, false, fmt.Errorf("the sync election in Postgres: %w", err)
		}
		return nil, false, nil // taken since the look through the pool
	}
	wctx, stop := context.WithCancel(context.Background())
	l := &lease{e: e, conn: conn, name: name, pid: pid, lost: make(chan struct{}), stop: stop, done: make(chan struct{})}
	go e.watch(wctx, l, workspace)
	return l, true, nil
}

// leaseConfig is the pool's connection settings with keepalives on both
// ends of the connection.
func (e *Elector) leaseConfig() *pgx.ConnConfig {
	cfg := e.pool.Config().ConnConfig.Copy()
	d := &net.Dialer{
		Timeout: cfg.ConnectTimeout,
		KeepAliveConfig: net.KeepAliveConfig{
			Enable: true, Idle: keepIdle, Interval: keepInterval, Count: keepCount,
		},
	}
	cfg.DialFunc = d.DialContext
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	// Settings of the session (ignored on a Unix socket): the server's
	// side of the keepalives.
	cfg.RuntimeParams["tcp_keepalives_idle"] = strconv.Itoa(int(keepIdle / time.Second))
	cfg.RuntimeParams["tcp_keepalives_interval"] = strconv.Itoa(int(keepInterval / time.Second))
	cfg.RuntimeParams["tcp_keepalives_count"] = strconv.Itoa(keepCount)
	cfg.RuntimeParams["tcp_user_timeout"] = strconv.Itoa(int(tcpUserTimeout / time.Millisecond))
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "openphone-mcp sync lease"
	}
	return cfg
}

// watch holds the lease's connection until Release (ctx ends) or until
// the connection fails, when it closes the connection and Lost.
func (e *Elector) watch(ctx context.Context, l *lease, workspace string) {
	defer close(l.done)
	for {
		pctx, cancel := context.WithTimeout(ctx, e.pingTimeout)
		err := l.conn.Ping(pctx)
		cancel()
		if err == nil {
			// Read the connection until the next ping: a notification
			// never comes (nothing LISTENs), but the server closing the
			// connection ends the read at once.
			wctx, cancel := context.WithTimeout(ctx, e.pingEvery)
			err = l.conn.PgConn().WaitForNotification(wctx)
			cancel()
			if err != nil && wctx.Err() != nil && ctx.Err() == nil {
				err = nil // the period ended: ping again
			}
		}
		if ctx.Err() != nil {
			return // Release
		}
		if err != nil {
			e.logger.Warn("team: lost the sync lease's connection to Postgres; another replica can take the sync",
				"workspace", workspace, "error", err)
			closeConn(l.conn)
			close(l.lost)
			return
		}
	}
}

// lease is one held lock: its connection belongs to the watcher until
// Release stops it.
type lease struct {
	e    *Elector
	conn *pgx.Conn
	name string
	pid  uint32 // the lock's backend, for the tests
	lost chan struct{}
	stop context.CancelFunc
	done chan struct{} // closed when the watcher returns
	once sync.Once
}

// Lost implements ledger.Lease.
func (l *lease) Lost() <-chan struct{} { return l.lost }

// Release implements ledger.Lease: it unlocks and closes the connection
// (within releaseTimeout on a hung network; closing frees the lock too),
// and returns once the lock is seen free, so that another replica's
// TryLead right after takes it. Stopping the watcher can interrupt its
// read, after which pgx closes the connection itself and the server frees
// the lock only once it has seen the socket close.
func (l *lease) Release() {
	l.once.Do(func() {
		l.stop()
		<-l.done
		select {
		case <-l.lost:
			return // the watcher closed the connection
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
		defer cancel()
		_, _ = l.conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, l.name)
		_ = l.conn.Close(ctx)
		for {
			held, err := l.e.held(ctx, l.name)
			if err != nil || !held || sleep(ctx, 5*time.Millisecond) != nil {
				return
			}
		}
	})
}

// closeConn closes conn within releaseTimeout.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	_ = conn.Close(ctx)
}
