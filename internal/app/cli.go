package app

// The ledger commands for people: `openphone-mcp sync` (a sync in the
// foreground, with progress on stderr), `openphone-mcp ledger status` and
// `openphone-mcp ledger purge`. They use the server's own key and its
// ledger file, as the server would.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
)

// ledgerPath is the file of the own key's ledger for cfg.
func ledgerPath(cfg Config) (string, error) {
	switch cfg.Ledger {
	case "", LedgerOff:
		return "", errors.New("the ledger is off (--ledger off)")
	case LedgerAuto:
		return ledger.DefaultPath(cfg.APIKey)
	}
	return cfg.Ledger, nil
}

// ownClient is the client of cfg's own key (the demo's under Demo), with
// extra options (a team's shared budget).
func ownClient(cfg Config, logger *slog.Logger, extra ...client.Option) (*client.Client, string, error) {
	key, opts, _ := clientOptions(cfg, logger)
	c, err := client.New(key, append(append(opts, client.WithRateLimit(cfg.APIRate)), extra...)...)
	return c, key, err
}

// ownLedger is the own key's ledger as a command opens it: the store, where
// it is (a file, or a team's database without its password), the client
// that syncs it, and the team's database when it lives in one.
type ownLedger struct {
	store  ledger.Store
	where  string
	client *client.Client
	team   *teamDB
}

func (o *ownLedger) close() {
	o.store.Close()
	if o.team != nil {
		o.team.close()
	}
}

// openOwnLedger opens the own key's ledger for a command.
func openOwnLedger(ctx context.Context, cfg Config, logger *slog.Logger) (*ownLedger, error) {
	path, err := ledgerPath(cfg)
	if err != nil {
		return nil, err
	}
	ws := ledger.WorkspaceID(cfg.APIKey)
	if !IsPostgresURL(path) {
		c, _, err := ownClient(cfg, logger)
		if err != nil {
			return nil, err
		}
		store, err := ledger.OpenSQLite(ctx, path, ws)
		if err != nil {
			return nil, fmt.Errorf("opening the ledger %s: %w", path, err)
		}
		return &ownLedger{store: store, where: path, client: c}, nil
	}
	td, err := openTeam(ctx, path, cfg.APIRate, logger)
	if err != nil {
		return nil, err
	}
	var extra []client.Option
	if kopts := td.keyOptions(cfg.APIRate); kopts != nil {
		extra = kopts(cfg.APIKey)
	}
	c, _, err := ownClient(cfg, logger, extra...)
	if err == nil {
		var store ledger.Store
		if store, err = ledger.OpenPostgres(ctx, td.pool, ws); err == nil {
			return &ownLedger{store: store, where: td.url, client: c, team: td}, nil
		}
		err = fmt.Errorf("opening the team ledger in %s: %w", td.url, err)
	}
	td.close()
	return nil, err
}

// purgeTeamLedger deletes the own key's workspace from a team's database.
func purgeTeamLedger(ctx context.Context, cfg Config, out io.Writer) error {
	own, err := openOwnLedger(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer own.close()
	p, ok := own.store.(interface {
		Purge(context.Context) (int, error)
	})
	if !ok {
		return errors.New("this ledger cannot be purged")
	}
	n, err := p.Purge(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Deleted this workspace's team ledger from %s (%d calls, with their content and names); the replicas make it again at their next tool call.\n", own.where, n)
	return nil
}

// Sync syncs the own key's ledger now, in the foreground: the backfill of
// cfg.LedgerDays, every content still in progress, every transcript.
// Progress goes to progress: a bar redrawn in place when tty, else a line
// every few seconds. It ends with a summary on progress.
func Sync(ctx context.Context, cfg Config, logger *slog.Logger, progress io.Writer, tty bool) error {
	if cfg.Demo {
		return errors.New("the demo keeps its ledger in memory, inside the server: there is nothing to sync from here")
	}
	own, err := openOwnLedger(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer own.close()
	store, path := own.store, own.where
	if own.team != nil {
		// The replicas elect the one that syncs; this command is one more.
		lease, ok, err := own.team.elector.TryLead(ctx, ledger.WorkspaceID(cfg.APIKey))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("a server replica is syncing this workspace's team ledger now; it keeps it up to date (see openphone-mcp ledger status)")
		}
		defer lease.Release()
	}
	l := ledger.New(store, own.client, ledger.Config{Days: cfg.LedgerDays, Surface: cfg.APIVersion, Logger: logger})
	bar := &progressBar{w: progress, tty: tty, started: time.Now()}
	rep, err := l.Syncer.Sync(ctx, ledger.Options{Backfill: true, Settle: 1 << 30, Transcripts: 1 << 30, Progress: bar.show})
	bar.end()
	if err != nil {
		return err
	}
	st, err := store.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "Synced the last %d days in %s: %d calls read (%d in the ledger), %d settled, %d transcripts, %d API requests (%s); ledger %s, %s.\n",
		l.Syncer.Days, rep.Took.Round(time.Second), rep.Calls, st.Calls, rep.Settled, rep.Transcripts,
		rep.Requests+rep.ContentRequests, rep.Source, path, bytesText(st.Bytes))
	return nil
}

// progressBar shows a sync's progress.
type progressBar struct {
	w       io.Writer
	tty     bool
	started time.Time
	last    time.Time
	drawn   bool
}

func (p *progressBar) show(pr ledger.Progress) {
	now := time.Now()
	if !p.tty && now.Sub(p.last) < 3*time.Second {
		return
	}
	if p.tty && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	line := fmt.Sprintf("%-11s %6d", pr.Phase, pr.Calls)
	if !pr.Oldest.IsZero() && !pr.Horizon.IsZero() {
		// How far back of the days to fetch the backfill has come.
		total := p.started.Sub(pr.Horizon)
		done := p.started.Sub(pr.Oldest)
		frac := min(max(float64(done)/float64(total), 0), 1)
		const width = 30
		fill := int(frac * width)
		line += fmt.Sprintf(" calls [%s%s] %3.0f%%, back to %s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), frac*100, pr.Oldest.Format("2006-01-02 15:04"))
	} else {
		line += " done"
	}
	line += fmt.Sprintf(", %s", now.Sub(p.started).Round(time.Second))
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *progressBar) end() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// LedgerStatus writes the own key's ledger's size, range, counts and last
// sync.
func LedgerStatus(ctx context.Context, cfg Config, out io.Writer) error {
	path, err := ledgerPath(cfg)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); !IsPostgresURL(path) && errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(out, "No ledger yet at %s: the server makes it at its first tool call, or run openphone-mcp sync.\n", path)
		return nil
	}
	own, err := openOwnLedger(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer own.close()
	path = own.where
	st, err := own.store.Status(ctx)
	if err != nil {
		return err
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.Local().Format("2006-01-02 15:04:05 MST")
	}
	fmt.Fprintf(out, "ledger:       %s (%s)\n", path, bytesText(st.Bytes))
	fmt.Fprintf(out, "calls:        %d, from %s to %s\n", st.Calls, when(st.Oldest), when(st.Newest))
	fmt.Fprintf(out, "content:      %d summaries, %d voicemails, %d transcripts\n", st.Summaries, st.Voicemails, st.Transcripts)
	fmt.Fprintf(out, "complete from: %s\n", when(st.Meta.From))
	fmt.Fprintf(out, "last sync:    %s (%s)\n", when(st.Meta.SyncedAt), st.Meta.Source)
	return nil
}

// LedgerPurge deletes the own key's ledger: its file (and journal files),
// or its workspace's rows of a team's database.
func LedgerPurge(ctx context.Context, cfg Config, out io.Writer) error {
	path, err := ledgerPath(cfg)
	if err != nil {
		return err
	}
	if IsPostgresURL(path) {
		return purgeTeamLedger(ctx, cfg, out)
	}
	removed := 0
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		switch err := os.Remove(p); {
		case err == nil:
			removed++
		case !errors.Is(err, os.ErrNotExist):
			return err
		}
	}
	if removed == 0 {
		fmt.Fprintf(out, "No ledger at %s: nothing to delete.\n", path)
		return nil
	}
	fmt.Fprintf(out, "Deleted the ledger %s (%s); the server makes a new one at its next tool call.\n", path, filepath.Base(path))
	return nil
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
