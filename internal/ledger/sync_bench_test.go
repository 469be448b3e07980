package ledger_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// BenchmarkSyncer_Backfill (issue 13): the backfill's listing of 30 days of
// a 400-calls-a-day workspace (12,000 calls) against the sandbox enforcing
// the API's 10 requests a second, the client at its default pacing, no
// transcripts: its throughput against the limit (50 calls a request, 10
// requests a second: 500 calls a second).
//
//	go test ./internal/ledger -run '^$' -bench Syncer_Backfill -benchtime 1x -count 3
func BenchmarkSyncer_Backfill(b *testing.B) {
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	ws := &sandbox.Workspace{}
	users := []client.PhoneNumberUser{{ID: "USa1", Email: "a@example.com"}}
	ws.PhoneNumbers = []client.PhoneNumber{{ID: "PN1", Number: "+14155550100", Users: users}, {ID: "PN2", Number: "+14155550101", Users: users}}
	const calls = 12_000
	newest := map[[2]string]time.Time{}
	step := 30 * 24 * time.Hour / (calls + 1)
	for i := 0; i < calls; i++ {
		at := now.Add(-time.Duration(i+1) * step).Truncate(time.Millisecond)
		pn, own := "PN1", "+14155550100"
		if i%2 == 1 {
			pn, own = "PN2", "+14155550101"
		}
		party := fmt.Sprintf("+1212555%04d", i%300)
		ws.Calls = append(ws.Calls, client.Call{ID: fmt.Sprintf("AC%032d", i), PhoneNumberID: pn, UserID: "USa1", Direction: "incoming",
			Status: "missed", Participants: []string{party, own}, CreatedAt: at})
		if k := [2]string{pn, party}; at.After(newest[k]) {
			newest[k] = at
		}
	}
	created := now.AddDate(-1, 0, 0)
	for k, l := range newest {
		ws.Conversations = append(ws.Conversations, client.Conversation{ID: "CN" + k[0] + k[1][1:], PhoneNumberID: k[0], Participants: []string{k[1]}, LastActivityAt: &l, CreatedAt: &created})
	}
	slices.SortFunc(ws.Conversations, func(a, b client.Conversation) int { return b.LastActivityAt.Compare(*a.LastActivityAt) })
	b.StopTimer()
	var wall time.Duration
	var rep ledger.Report
	for i := 0; i < b.N; i++ {
		sb := sandbox.New(ws, sandbox.Options{APIKey: "k", RateLimit: client.DefaultRateLimit, Now: func() time.Time { return now }})
		c, err := client.New("k", client.WithTransport(sb.RoundTripper()))
		if err != nil {
			b.Fatal(err)
		}
		store, err := ledger.OpenSQLiteMemory(context.Background(), ledger.WorkspaceID("k"))
		if err != nil {
			b.Fatal(err)
		}
		l := ledger.New(store, c, ledger.Config{Days: 30})
		l.Syncer.Now = func() time.Time { return now }
		b.StartTimer()
		start := time.Now()
		rep, err = l.Syncer.Sync(client.Background(context.Background()), ledger.Options{Backfill: true})
		wall += time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Calls != calls || sb.Throttled() != 0 {
			b.Fatalf("wrote %d calls of %d, %d answered 429", rep.Calls, calls, sb.Throttled())
		}
		store.Close()
	}
	perSec := float64(rep.Calls) / (wall.Seconds() / float64(b.N))
	b.ReportMetric(perSec, "calls/s")
	b.ReportMetric(perSec/(50*client.DefaultRateLimit)*100, "%-of-limit")
	b.ReportMetric(float64(rep.Requests), "list-requests")
}
