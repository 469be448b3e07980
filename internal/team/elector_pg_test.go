package team

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
)

// eventTimeout bounds the waits for what must happen (a lease lost, a
// lock freed): generous, since a slow machine only makes them later.
const eventTimeout = 30 * time.Second

// electors are n replicas' Electors, each on a pool of its own.
func electors(t *testing.T, cfg *pgxpool.Config, n int) []*Elector {
	es := make([]*Elector, n)
	for i := range es {
		es[i] = NewElector(newPool(t, cfg), nil)
	}
	return es
}

// lead is TryLead that must succeed; the lease is released at the end.
func lead(t *testing.T, e *Elector, ws string) *lease {
	t.Helper()
	l, ok, err := e.TryLead(context.Background(), ws)
	if err != nil || !ok {
		t.Fatalf("TryLead(%s) = %v, %v; want the lease", ws, ok, err)
	}
	t.Cleanup(l.Release)
	return l.(*lease)
}

// cannotLead fails unless e finds ws held.
func cannotLead(t *testing.T, e *Elector, ws string) {
	t.Helper()
	l, ok, err := e.TryLead(context.Background(), ws)
	if err != nil || ok {
		if ok {
			l.Release()
		}
		t.Fatalf("TryLead(%s) = %v, %v; want held by another", ws, ok, err)
	}
}

// leadWhenFree polls TryLead until it leads (a freed lock is seen a
// moment after its holder's end) and returns how long that took.
func leadWhenFree(t *testing.T, e *Elector, ws string, since time.Time) time.Duration {
	t.Helper()
	deadline := time.Now().Add(eventTimeout)
	for time.Now().Before(deadline) {
		l, ok, err := e.TryLead(context.Background(), ws)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			took := time.Since(since)
			t.Cleanup(l.Release)
			return took
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s was not freed within %v", ws, eventTimeout)
	return 0
}

func waitLost(t *testing.T, l ledger.Lease, since time.Time) time.Duration {
	t.Helper()
	select {
	case <-l.Lost():
		return time.Since(since)
	case <-time.After(eventTimeout):
		t.Fatalf("Lost not closed within %v", eventTimeout)
		return 0
	}
}

func TestElector_oneReplicaHoldsAWorkspaceAndTheOthersCannot(t *testing.T) {
	cfg := pgConfig(t)
	es := electors(t, cfg, 3)
	ws, other := unique("ws-"), unique("ws-")
	a := lead(t, es[0], ws)
	cannotLead(t, es[1], ws)
	cannotLead(t, es[2], ws)
	cannotLead(t, es[0], ws) // a session lock is the lease's own: not taken twice by its replica
	lead(t, es[1], other)    // another workspace is another lock
	select {
	case <-a.Lost():
		t.Fatal("Lost closed while the lease is held")
	default:
	}
	if _, _, err := es[0].TryLead(context.Background(), ""); err == nil {
		t.Error("TryLead of no workspace succeeded")
	}
}

// TestElector_leaseConnectionsKeepAliveOnBothEnds: the server's side of
// the keepalives is set for the session of a lease's connection.
func TestElector_leaseConnectionsKeepAliveOnBothEnds(t *testing.T) {
	cfg := pgConfig(t)
	e := NewElector(newPool(t, cfg), nil)
	conn, err := pgx.ConnectConfig(context.Background(), e.leaseConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer closeConn(conn)
	for name, want := range map[string]string{
		"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2", "tcp_keepalives_count": "3",
		"tcp_user_timeout": "10000", "application_name": "openphone-mcp sync lease",
	} {
		var got string
		if err := conn.QueryRow(context.Background(), "SELECT current_setting($1)", name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, set := e.pool.Config().ConnConfig.RuntimeParams["tcp_keepalives_idle"]; set {
		t.Error("the lease's settings leaked into the pool's")
	}
}

func TestElector_releaseHandsTheLeaseOverAtOnce(t *testing.T) {
	cfg := pgConfig(t)
	es := electors(t, cfg, 2)
	ws := unique("ws-")
	a := lead(t, es[0], ws)
	cannotLead(t, es[1], ws)
	a.Release()
	a.Release() // safe twice
	lead(t, es[1], ws)
	select {
	case <-a.Lost():
		t.Error("Release closed Lost")
	default:
	}
}

func TestElector_aTerminatedBackendClosesLostAndAnotherTakesOver(t *testing.T) {
	cfg := pgConfig(t)
	es := electors(t, cfg, 2)
	ws := unique("ws-")
	a := lead(t, es[0], ws)
	killed := time.Now()
	if _, err := es[1].pool.Exec(context.Background(), `SELECT pg_terminate_backend($1)`, int64(a.pid)); err != nil {
		t.Fatal(err)
	}
	lost := waitLost(t, a, killed)
	takeover := leadWhenFree(t, es[1], ws, killed)
	t.Logf("terminated: Lost after %v, the other replica leads after %v", lost.Round(time.Millisecond),
		takeover.Round(time.Millisecond))
}

// TestElector_aKilledReplicaFreesTheLock: a process that dies has its
// socket closed by the kernel; the server ends the session and its lock.
func TestElector_aKilledReplicaFreesTheLock(t *testing.T) {
	cfg := pgConfig(t)
	es := electors(t, cfg, 2)
	ws := unique("ws-")
	a := lead(t, es[0], ws)
	killed := time.Now()
	_ = a.conn.PgConn().Conn().Close() // what the kernel does for a killed process
	takeover := leadWhenFree(t, es[1], ws, killed)
	waitLost(t, a, killed)
	t.Logf("killed: the other replica leads after %v", takeover.Round(time.Millisecond))
}

// TestElector_aHungNetworkEndsTheLeaseWithinItsPings: the lease's
// connection goes through a proxy that stops forwarding without closing
// anything, as a network that hangs does; the replica's next ping times
// out and Lost closes. (The server, whose peer is the live proxy, keeps
// the lock until the proxy closes: its keepalives are what free it on a
// real hung network.)
func TestElector_aHungNetworkEndsTheLeaseWithinItsPings(t *testing.T) {
	cfg := pgConfig(t)
	via, p := viaProxy(t, cfg)
	e := NewElector(newPool(t, via), nil)
	e.pingEvery, e.pingTimeout = 100*time.Millisecond, 300*time.Millisecond
	ws := unique("ws-")
	a := lead(t, e, ws)
	hung := time.Now()
	p.hang()
	lost := waitLost(t, a, hung)
	a.Release() // returns at once: the watcher closed the connection
	t.Logf("hung network: Lost after %v (ping every %v, timeout %v)", lost.Round(time.Millisecond), e.pingEvery, e.pingTimeout)
	p.close()
	leadWhenFree(t, NewElector(newPool(t, cfg), nil), ws, hung) // the proxy closed: the server frees it
}
