package tools

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// The issue-13 figures through the tools: a ledger file of 100,000 calls
// over 90 days (3 numbers, 6 users, 2,000 parties, summaries on 65% of
// the answered calls, a voicemail on 10% of calls), synced and fresh, and the tools answering from it through their
// real handlers (mcp-go's HandleMessage, the answer encoded):
//
//	go test ./tools -run '^$' -bench Ledger100k -count 5
//
// The ledger is built in a temporary directory once per run of the
// benchmark (about 15 s), and closed after it.

var ledger100k struct {
	l    *ledger.Ledger
	srv  *server.MCPServer
	path string
}

var bench100kNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

func build100k() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ledger100k-")
	if err != nil {
		return err
	}
	ledger100k.path = filepath.Join(dir, "bench.db")
	store, err := ledger.OpenSQLite(ctx, ledger100k.path, ledger.WorkspaceID("bench"))
	if err != nil {
		return err
	}
	ws := &sandbox.Workspace{}
	lines := []struct{ id, number string }{{"PNsales", "+14155550100"}, {"PNsupport", "+14155550101"}, {"PNmain", "+14155550102"}}
	users := []string{"USa0", "USa1", "USa2", "USa3", "USa4", "USa5"}
	for i, l := range lines {
		n := client.PhoneNumber{ID: l.id, Number: l.number, Name: []string{"Sales", "Support", "Main line"}[i]}
		for _, u := range users[i : i+3] {
			n.Users = append(n.Users, client.PhoneNumberUser{ID: u, Email: u + "@example.com", FirstName: ptr("User"), LastName: ptr(u)})
		}
		ws.PhoneNumbers = append(ws.PhoneNumbers, n)
	}
	words := strings.Fields("order invoice refund delivery quote install warranty filter schedule payment contract renewal upgrade " +
		"shipment return pricing discount appointment technician account billing support outage replacement purifier panel kit")
	r := rand.New(rand.NewPCG(100, 1000))
	const total = 100_000
	window := 90 * 24 * time.Hour
	batch := make([]history.Call, 0, 500)
	for i := 0; i < total; i++ {
		at := bench100kNow.Add(-time.Duration(r.Int64N(int64(window)))).Truncate(time.Millisecond)
		li := r.IntN(3)
		line := lines[li]
		party := fmt.Sprintf("+1646%07d", r.IntN(2000))
		user := users[li+r.IntN(3)]
		c := history.Call{Call: client.Call{ID: fmt.Sprintf("AC%030d", i), PhoneNumberID: line.id, UserID: user, Direction: "incoming",
			Status: "completed", Duration: 30 + r.IntN(600), Participants: []string{party, line.number}, CreatedAt: at}, Participant: party}
		switch x := r.IntN(10); {
		case x < 3:
			c.Direction, c.InitiatedBy = "outgoing", &user
			c.Participants[0], c.Participants[1] = line.number, party
		case x < 5:
			c.Status, c.Duration = "missed", 0
			if r.IntN(2) == 0 { // half the misses leave a voicemail: 10% of calls
				c.Duration = 20 + r.IntN(60)
				c.Voicemail = &client.Voicemail{ID: "VM" + c.ID[2:], Status: client.VoicemailCompleted,
					Transcript: ptr("Please call me back about the " + words[r.IntN(len(words))] + ".")}
			}
		}
		if c.Status == "completed" {
			ans := at.Add(4 * time.Second)
			c.AnsweredAt = &ans
			if c.Direction == "incoming" {
				c.AnsweredBy = &user
			}
			if r.IntN(100) < 65 {
				// Sentences of a vocabulary of 3,000 words, and one of the
				// topical words in about 2% of summaries each.
				s := make([]string, 2+r.IntN(3))
				for k := range s {
					var w strings.Builder
					for range 8 + r.IntN(8) {
						fmt.Fprintf(&w, "w%04d ", r.IntN(3000))
					}
					if r.IntN(100) < 15 {
						w.WriteString("about the " + words[r.IntN(len(words))])
					}
					s[k] = w.String()
				}
				c.Summary = &client.DatedCallSummary{Status: client.StatusCompleted, Summary: s}
			}
		}
		batch = append(batch, c)
		if len(batch) == cap(batch) {
			if err := store.PutCalls(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := store.SetMeta(ctx, ledger.Meta{Workspace: ledger.WorkspaceID("bench"), From: bench100kNow.Add(-window), SyncedAt: bench100kNow, Source: history.SourceDated}); err != nil {
		return err
	}
	sb := sandbox.New(ws, sandbox.Options{})
	api, err := client.New("bench", client.WithTransport(sb.RoundTripper()), client.WithRateLimit(0))
	if err != nil {
		return err
	}
	l := ledger.New(store, api, ledger.Config{Days: 91, Interval: time.Hour})
	l.Syncer.Now = func() time.Time { return bench100kNow }
	ledger100k.l = l
	ledger100k.srv = server.NewMCPServer("bench", "1", server.WithToolCapabilities(false), server.WithRecovery())
	Register(ledger100k.srv, Deps{Client: func(context.Context) (*client.Client, error) { return api, nil },
		Now: func() time.Time { return bench100kNow }, APIVersion: APIAuto, TimeZone: time.UTC,
		Ledger: func(*client.Client) *ledger.Ledger { return l }})
	return nil
}

// BenchmarkLedger100k times the tools over the 100,000-call ledger, and
// reports the file's size and the process's heap and RSS with it open.
func BenchmarkLedger100k(b *testing.B) {
	if err := build100k(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ledger100k.l.Store.Close()
		os.RemoveAll(filepath.Dir(ledger100k.path))
	})
	for _, tc := range []struct {
		name string
		tool string
		args map[string]any
	}{
		{"call_stats_90d_by_user", "call_stats", map[string]any{"createdAfter": bench100kNow.Add(-90 * 24 * time.Hour).Format(time.RFC3339), "groupBy": []string{"user"}}},
		{"call_stats_90d_by_day", "call_stats", map[string]any{"createdAfter": bench100kNow.Add(-90 * 24 * time.Hour).Format(time.RFC3339), "groupBy": []string{"day"}}},
		{"recent_calls_page", "recent_calls", map[string]any{"maxResults": 20}},
		{"search_calls_word", "search_calls", map[string]any{"query": "refund"}},
		{"search_calls_phrase", "search_calls", map[string]any{"query": `"about the warranty"`}},
		{"search_calls_or", "search_calls", map[string]any{"query": "outage OR technician", "direction": "incoming"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchToolCall(b, &benchEnv{srv: ledger100k.srv}, tc.tool, tc.args)
			if st, err := os.Stat(ledger100k.path); err == nil {
				b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
			}
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
			b.ReportMetric(vmRSS()/(1<<20), "rss-MB")
		})
	}
}

// vmRSS is the process's resident set (Linux), 0 elsewhere.
func vmRSS() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024
		}
	}
	return 0
}
