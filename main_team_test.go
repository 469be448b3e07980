package main

// The team deployment end to end: three replicas of the built binary on
// one Postgres (OPENPHONE_TEST_POSTGRES) and the fake API, which enforces
// the key's 10 requests a second as a rolling window. .ci/run runs it; a
// plain go test skips it and says why.

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

const teamKey = "team-test-key"

// teamPrereqs skips the test unless a Postgres database and an
// uninstrumented run are at hand, and returns the database's URL.
func teamPrereqs(t *testing.T) string {
	t.Helper()
	if testing.Short() || raceEnabled {
		t.Skip("team test: skipped with -short and -race; .ci/run runs it on its own")
	}
	pg := os.Getenv("OPENPHONE_TEST_POSTGRES")
	if pg == "" {
		t.Skip("team test: OPENPHONE_TEST_POSTGRES is not set (a Postgres database URL; .ci/run starts one)")
	}
	return pg
}

func teamBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("OPENPHONE_MCP_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "openphone-mcp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freshDatabase creates a database of its own on pg's server for one
// test, dropped at its end, and returns its URL.
func freshDatabase(t *testing.T, pg string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg)
	if err != nil {
		t.Fatalf("connecting to OPENPHONE_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "openphone_team_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), pg)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// proc is one server process of the test.
type proc struct {
	name   string
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	logs   strings.Builder
	exited chan error
}

func (p *proc) log() string { p.mu.Lock(); defer p.mu.Unlock(); return p.logs.String() }

// startProc runs bin with args, the fake API's base URL and the team key,
// and waits for its listening line.
func startProc(t *testing.T, name, bin, apiURL string, args ...string) *proc {
	t.Helper()
	return startProcEnv(t, name, bin, apiURL, nil, args...)
}

// startProcEnv is startProc with more environment variables.
func startProcEnv(t *testing.T, name, bin, apiURL string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(append(os.Environ(), "OPENPHONE_API_KEY="+teamKey, "OPENPHONE_BASE_URL="+apiURL, "MCP_AUTH_TOKEN=", "TZ=UTC",
		"OPENPHONE_LEDGER=", "OPENPHONE_LEDGER_URL=", "QUO_WEBHOOK_SECRET="), env...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urlc <- m[1]:
				default:
				}
			}
		}
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() { p.stop() })
	select {
	case p.url = <-urlc:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start:\n%s", name, p.log())
	}
	return p
}

// stop ends the process with SIGTERM (SIGKILL after 20 s); once only.
func (p *proc) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// kill is a replica dying: SIGKILL, no shutdown of any kind.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// leadLine is what a replica logs when it takes its workspace's sync.
const leadLine = "this replica syncs the workspace"

// callText calls tool and returns its text, or an error for a transport
// failure or a tool error.
func callText(c *mcpclient.Client, tool string, args map[string]any) (string, error) {
	res, err := callWithin(c, tool, args, 90*time.Second)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), nil
}

// freshness are the parts of an answer that say where it came from and
// how old it is, which differ between the API and the ledger and from
// one second to the next; the facts are everything else.
var freshness = regexp.MustCompile(`(?m)^(Source|Counted|Read|Searched): .*$|, from the local ledger, synced [^,;\n]* ago|pageToken "[^"]*"|calls back counted up to [^,;\n]*`)

// partyName is the contact name after a party's number, which the
// ledger knows from its sync of the conversations and an answer from the
// API leaves out: a fact more, not another one.
var partyName = regexp.MustCompile(`(\+\d{6,}) "[^"]*"`)

func facts(text string) string {
	return partyName.ReplaceAllString(freshness.ReplaceAllString(text, ""), "$1")
}

// uniquePhrase is in the AI summaries of a few calls of the team test's
// workspace and nowhere else: the truth of search_calls for it is those
// calls.
const uniquePhrase = "zebra-striped invoices"

// plantPhrase adds uniquePhrase to the summaries of four calls of ws
// created in [after, before), spread over the window, and returns their
// ids, sorted.
func plantPhrase(t *testing.T, ws *sandbox.Workspace, after, before time.Time) []string {
	t.Helper()
	var candidates []string
	for _, c := range ws.Calls {
		s, ok := ws.Summaries[c.ID]
		_, dated := ws.DatedSummaries[c.ID]
		if ok && !dated && s.Status == "completed" && !c.CreatedAt.Before(after) && c.CreatedAt.Before(before) {
			candidates = append(candidates, c.ID)
		}
	}
	if len(candidates) < 40 {
		t.Fatalf("the demo workspace has %d calls with a summary in the window; the test wants 40", len(candidates))
	}
	sort.Strings(candidates)
	var ids []string
	for i := 0; i < 4; i++ {
		id := candidates[i*len(candidates)/4]
		s := ws.Summaries[id]
		s.Summary = append(slices.Clone(s.Summary), "They asked about "+uniquePhrase+".")
		ws.Summaries[id] = s
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// hitIDs are the call ids a search_calls answer lists.
var hitID = regexp.MustCompile(`\bAC[0-9A-Za-z]+\b`)

func hitIDs(text string) []string {
	ids := slices.Compact(slices.Sorted(slices.Values(hitID.FindAllString(text, -1))))
	return ids
}

// teamAPI is the fake API for the team test: the demo workspace as of
// now with uniquePhrase planted (the calls it returns), 10 requests a
// second per key as a rolling window.
func teamAPI(t *testing.T, now time.Time) (*sandbox.Server, *sandbox.Workspace, string, []string) {
	t.Helper()
	ws := sandbox.Demo(now)
	planted := plantPhrase(t, ws, now.Add(-28*24*time.Hour), now.Add(-time.Hour))
	sb := sandbox.New(ws, sandbox.Options{APIKey: teamKey, RateLimit: 10, RateWindow: true, LogArrivals: true})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return sb, ws, srv.URL, planted
}

func TestTeamReplicas(t *testing.T) {
	pg := teamPrereqs(t)
	bin := teamBinary(t)
	t.Run("ThirtySessionsForAMinute", func(t *testing.T) { testTeamLoad(t, bin, freshDatabase(t, pg)) })
	t.Run("TakeoverWhenTheSyncingReplicaDies", func(t *testing.T) { testTeamTakeover(t, bin, freshDatabase(t, pg)) })
	t.Run("WebhookMakesANewCallSearchable", func(t *testing.T) { testTeamWebhook(t, bin, freshDatabase(t, pg)) })
}

type teamStep struct {
	tool string
	args map[string]any
	name string // in the figures, when not the tool's
}

// ledgerStatus runs `ledger status` on db and returns what it printed.
func ledgerStatus(t *testing.T, bin, api, db string) string {
	t.Helper()
	cmd := exec.Command(bin, "ledger", "status", "--ledger", db)
	cmd.Env = append(os.Environ(), "OPENPHONE_API_KEY="+teamKey, "OPENPHONE_BASE_URL="+api, "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ledger status: %v\n%s", err, out)
	}
	return string(out)
}

var completeFrom = regexp.MustCompile(`complete from: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC`)

// backfilled reports whether status says the backfill reached days ago.
func backfilled(status string, days int) bool {
	m := completeFrom.FindStringSubmatch(status)
	if m == nil {
		return false
	}
	from, err := time.Parse("2006-01-02 15:04:05", m[1])
	return err == nil && !from.After(time.Now().AddDate(0, 0, -days).Add(time.Hour))
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

func leaders(ps []*proc) []string {
	var names []string
	for _, p := range ps {
		if strings.Contains(p.log(), leadLine) {
			names = append(names, p.name)
		}
	}
	return names
}

func testTeamLoad(t *testing.T, bin, db string) {
	now := time.Now().UTC()
	sb, ws, api, wantHits := teamAPI(t, now)
	before := now.Add(-30 * time.Minute).Truncate(time.Second)
	at := func(d time.Duration) string { return before.Add(-d).Format(time.RFC3339) }
	end := before.Format(time.RFC3339)
	plan := []teamStep{
		{"call_stats", map[string]any{"createdAfter": at(7 * 24 * time.Hour), "createdBefore": end, "groupBy": []string{"user"}}, ""},
		{"call_stats", map[string]any{"createdAfter": at(7 * 24 * time.Hour), "createdBefore": end, "groupBy": []string{"day"}}, ""},
		{"recent_calls", map[string]any{"createdAfter": at(48 * time.Hour), "createdBefore": end, "maxResults": 20}, ""},
		{"missed_calls", map[string]any{"createdAfter": at(72 * time.Hour), "createdBefore": end}, ""},
		// Beyond the ledger's 30 days: the API answers, every time, so
		// the replicas' interactive requests meet the sync's in the budget.
		{"recent_calls", map[string]any{"createdAfter": at(45 * 24 * time.Hour), "createdBefore": at(44 * 24 * time.Hour), "maxResults": 10}, "recent_calls beyond the ledger"},
	}
	search := teamStep{"search_calls", map[string]any{"query": `"` + uniquePhrase + `"`, "createdAfter": at(29 * 24 * time.Hour), "createdBefore": end, "maxResults": 20}, ""}

	// The truth: the API's own answers, from one server without a ledger,
	// before any replica runs.
	ref := startProc(t, "reference", bin, api, "--transport", "http", "--addr", "127.0.0.1:0", "--ledger", "off")
	sess, closeSess, err := newLoadSession(ref.url)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(plan))
	for i, step := range plan {
		text, err := callText(sess, step.tool, step.args)
		if err != nil {
			t.Fatalf("reference %s: %v", step.tool, err)
		}
		want[i] = facts(text)
	}
	closeSess()
	ref.stop()
	time.Sleep(1100 * time.Millisecond) // the reference's requests leave the rolling second
	throttled := sb.Throttled()
	started := time.Now()

	var replicas []*proc
	for i := range 3 {
		replicas = append(replicas, startProc(t, fmt.Sprintf("replica %d", i+1), bin, api,
			"--transport", "http", "--stateless", "--addr", "127.0.0.1:0", "--ledger", db))
	}
	// Each replica opens the workspace's ledger at its first tool call;
	// one of them syncs it. The load starts once the backfill is done.
	for _, r := range replicas {
		s, closeS, err := newLoadSession(r.url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := callText(s, "recent_calls", map[string]any{"maxResults": 1}); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		closeS()
	}
	backfill := waitUntil(t, "the backfill", 3*time.Minute, func() bool { return backfilled(ledgerStatus(t, bin, api, db), 30) })

	const sessions, minute = 30, time.Minute
	var answers, failures atomic.Int64
	var mu sync.Mutex
	var firstFailures []string
	took := map[string][]time.Duration{}
	fail := func(format string, a ...any) {
		failures.Add(1)
		mu.Lock()
		if len(firstFailures) < 3 {
			firstFailures = append(firstFailures, fmt.Sprintf(format, a...))
		}
		mu.Unlock()
	}
	deadline := time.Now().Add(minute)
	var wg sync.WaitGroup
	for s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := replicas[s%len(replicas)]
			sess, closeSess, err := newLoadSession(r.url)
			if err != nil {
				fail("session %d on %s: %v", s, r.name, err)
				return
			}
			defer closeSess()
			for i := 0; time.Now().Before(deadline); i++ {
				k := (s + i) % (len(plan) + 1)
				step := search
				if k < len(plan) {
					step = plan[k]
				}
				t0 := time.Now()
				text, err := callText(sess, step.tool, step.args)
				d := time.Since(t0)
				answers.Add(1)
				name := step.tool
				if step.name != "" {
					name = step.name
				}
				mu.Lock()
				took[name] = append(took[name], d)
				mu.Unlock()
				switch {
				case err != nil:
					fail("session %d on %s, %s: %v", s, r.name, step.tool, err)
				case k < len(plan) && facts(text) != want[k]:
					fail("session %d on %s, %s %v: the answer differs from the API's (-API +replica):\n%s", s, r.name, step.tool, step.args, cmp.Diff(want[k], facts(text)))
				case k == len(plan):
					got := hitIDs(text)
					if !slices.Equal(got, wantHits) {
						fail("session %d on %s, search_calls: calls %v, want %v:\n%s", s, r.name, got, wantHits, text)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)

	var figures []string
	for tool, ds := range took {
		slices.Sort(ds)
		figures = append(figures, fmt.Sprintf("%s p50 %v (%d)", tool, ds[len(ds)/2].Round(time.Millisecond), len(ds)))
	}
	sort.Strings(figures)
	var arrivals []time.Time
	for _, a := range sb.Arrivals(teamKey) {
		if a.After(started) {
			arrivals = append(arrivals, a)
		}
	}
	most := sandbox.MostInWindow(arrivals, time.Second)
	t.Logf("TEAM: 3 replicas, %d sessions for %v: %d answers, %d failed; backfill %v; API requests %d in %v (%.1f/s), most in any rolling second %d, answered 429: %d; %s",
		sessions, minute, answers.Load(), failures.Load(), backfill.Round(100*time.Millisecond), len(arrivals), elapsed.Round(time.Second),
		float64(len(arrivals))/elapsed.Seconds(), most, sb.Throttled()-throttled, strings.Join(figures, ", "))
	if failures.Load() != 0 {
		t.Errorf("%d of %d answers failed; first: %s", failures.Load(), answers.Load(), strings.Join(firstFailures, "\n---\n"))
	}
	if n := sb.Throttled() - throttled; n != 0 {
		t.Errorf("the API answered 429 %d times: the replicas together went over the key's 10 requests a second", n)
	}
	if most > 10 {
		t.Errorf("%d requests of the key arrived within one rolling second; the budget is 10", most)
	}
	if l := leaders(replicas); len(l) != 1 {
		t.Errorf("replicas that synced the workspace: %v; want exactly one (one backfill, not three)", l)
	}
	for _, c := range ws.Calls {
		if n := sb.RequestsTo("/calls/" + c.ID + "/transcripts"); n > 1 {
			t.Errorf("call %s's transcript was read %d times; once is enough when one replica syncs", c.ID, n)
			break
		}
	}
}

func testTeamTakeover(t *testing.T, bin, db string) {
	now := time.Now().UTC()
	_, ws, api, _ := teamAPI(t, now)
	const days = 90 // a backfill of about 70 requests: 7 s at the key's rate
	var replicas []*proc
	for i := range 3 {
		replicas = append(replicas, startProc(t, fmt.Sprintf("replica %d", i+1), bin, api,
			"--transport", "http", "--stateless", "--addr", "127.0.0.1:0", "--ledger", db, "--ledger-days", fmt.Sprint(days)))
	}
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, closeS, err := newLoadSession(r.url)
			if err != nil {
				t.Error(err)
				return
			}
			defer closeS()
			if _, err := callText(s, "recent_calls", map[string]any{"maxResults": 1}); err != nil {
				t.Errorf("%s: %v", r.name, err)
			}
		}()
	}
	wg.Wait()
	waitUntil(t, "a replica to take the sync", 30*time.Second, func() bool { return len(leaders(replicas)) == 1 })
	var leader *proc
	for _, r := range replicas {
		if strings.Contains(r.log(), leadLine) {
			leader = r
		}
	}
	// Kill it in the middle of its backfill: once some calls are stored.
	waitUntil(t, "the first calls of the backfill", time.Minute, func() bool { return len(ledgerCallIDs(t, db)) > 0 })
	if backfilled(ledgerStatus(t, bin, api, db), days) {
		t.Fatal("the backfill was done before the kill: the test did not kill a replica mid-sync")
	}
	stored := len(ledgerCallIDs(t, db))
	leader.kill()
	killed := time.Now()
	var rest []*proc
	for _, r := range replicas {
		if r != leader {
			rest = append(rest, r)
		}
	}
	takeover := waitUntil(t, "another replica to take the sync", 60*time.Second, func() bool { return len(leaders(rest)) == 1 })
	finish := waitUntil(t, "the backfill after the takeover", 3*time.Minute, func() bool { return backfilled(ledgerStatus(t, bin, api, db), days) })

	got := ledgerCallIDs(t, db)
	sorted := slices.Sorted(slices.Values(got))
	if len(slices.Compact(sorted)) != len(got) {
		t.Errorf("the ledger holds a call twice")
	}
	held := map[string]bool{}
	for _, id := range got {
		held[id] = true
	}
	horizon := killed.AddDate(0, 0, -days).Add(time.Hour) // a sync's horizon is its start less 90 days
	lost := 0
	check := func(id string, at time.Time) {
		if at.After(horizon) && at.Before(now.Add(-time.Minute)) && !held[id] {
			lost++
		}
	}
	for _, c := range ws.Calls {
		check(c.ID, c.CreatedAt)
	}
	for _, c := range ws.DatedCalls {
		check(c.ID, c.CreatedAt)
	}
	t.Logf("TAKEOVER: killed the syncing replica with %d calls stored mid-backfill; another took the sync %v after (lease poll 5 s); its backfill finished %v later; ledger %d calls, %d lost, 0 twice",
		stored, takeover.Round(100*time.Millisecond), finish.Round(100*time.Millisecond), len(got), lost)
	if takeover > 30*time.Second {
		t.Errorf("the takeover took %v; the bound is 30 s", takeover)
	}
	if lost != 0 {
		t.Errorf("%d calls of the last %d days are missing from the ledger after the takeover", lost, days)
	}
}

// ledgerCallIDs are the ids of the calls the team's ledger in db holds
// (its only workspace: the test's key), read from its table directly so
// that a call stored twice would show.
func ledgerCallIDs(t *testing.T, db string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id FROM openphone_mcp_ledger_calls`)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return nil // no replica has made the tables yet
		}
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// swapAPI serves the sandbox of the moment: a test adds calls by
// swapping in a sandbox of a workspace that has them.
type swapAPI struct {
	sb atomic.Pointer[sandbox.Server]
}

func (s *swapAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.sb.Load().ServeHTTP(w, r) }

// withCall is ws with one more call, just made, whose AI summary says
// phrase.
func withCall(ws *sandbox.Workspace, id, phrase string, at time.Time) *sandbox.Workspace {
	cp := *ws
	cp.Calls = append(slices.Clone(ws.Calls), client.Call{ID: id, PhoneNumberID: ws.PhoneNumbers[0].ID, Direction: "incoming",
		Status: "completed", Duration: 90, Participants: []string{"+12125550142", ws.PhoneNumbers[0].Number}, CreatedAt: at})
	cp.Summaries = maps.Clone(ws.Summaries)
	cp.Summaries[id] = client.CallSummary{CallID: id, Status: client.StatusCompleted, Summary: []string{"They asked about " + phrase + "."}}
	return &cp
}

// delivery is one signed webhook delivery of the Standard Webhooks
// scheme (Quo's dated webhooks) for an event about callID.
func delivery(t *testing.T, url string, key []byte, msgID string, signedAt time.Time, callID string) *http.Request {
	t.Helper()
	body := fmt.Sprintf(`{"id":"EV%s","apiVersion":"2026-03-30","createdAt":%q,"type":"call.summary.completed","data":{"resource":{"object":"callSummary","callId":%q}}}`,
		msgID, signedAt.Format(time.RFC3339), callID)
	ts := fmt.Sprint(signedAt.Unix())
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + ts + "." + body))
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return req
}

func post(t *testing.T, req *http.Request) (int, string, time.Duration) {
	t.Helper()
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, strings.TrimSpace(string(b)), time.Since(start)
}

func testTeamWebhook(t *testing.T, bin, db string) {
	now := time.Now().UTC()
	ws := sandbox.Demo(now)
	opts := sandbox.Options{APIKey: teamKey, RateLimit: 10, RateWindow: true}
	api := &swapAPI{}
	api.sb.Store(sandbox.New(ws, opts))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	secret := "QUO_WEBHOOK_SECRET=whsec_" + base64.StdEncoding.EncodeToString(key)
	var replicas []*proc
	for i := range 2 {
		replicas = append(replicas, startProcEnv(t, fmt.Sprintf("replica %d", i+1), bin, srv.URL, []string{secret},
			"--transport", "http", "--stateless", "--addr", "127.0.0.1:0", "--ledger", db))
	}
	sessions := make([]*mcpclient.Client, len(replicas))
	for i, r := range replicas {
		s, closeS, err := newLoadSession(r.url)
		if err != nil {
			t.Fatal(err)
		}
		defer closeS()
		sessions[i] = s
		if _, err := callText(s, "recent_calls", map[string]any{"maxResults": 1}); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
	}
	waitUntil(t, "the backfill", 3*time.Minute, func() bool { return backfilled(ledgerStatus(t, bin, srv.URL, db), 30) })
	hook := func(r *proc) string { return strings.TrimSuffix(r.url, "/mcp") + "/webhooks/quo" }
	search := func(phrase string) []string {
		text, err := callText(sessions[1], "search_calls", map[string]any{"query": `"` + phrase + `"`, "createdAfter": "1d"})
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(text)
	}

	// A call made after the sync, its summary done: the webhook to one
	// replica makes it searchable on the other as soon as it is answered.
	const phrase = "periwinkle forklift"
	id := "AC" + strings.Repeat("e", 32)
	ws = withCall(ws, id, phrase, time.Now().UTC().Add(-time.Minute).Truncate(time.Second))
	api.sb.Store(sandbox.New(ws, opts))
	if got := search(phrase); len(got) != 0 {
		t.Fatalf("the new call is found before its webhook: %v", got)
	}
	code, body, took := post(t, delivery(t, hook(replicas[0]), key, "msg_first", time.Now(), id))
	if code != http.StatusOK {
		t.Fatalf("the signed webhook: %d %s", code, body)
	}
	got := search(phrase)
	t.Logf("WEBHOOK: a signed call.summary.completed answered %d in %v; the call then found on the other replica: %v", code, took.Round(time.Millisecond), got)
	if !slices.Equal(got, []string{id}) {
		t.Errorf("after the webhook, search_calls on the other replica found %v, want [%s]", got, id)
	}

	// Refused deliveries change nothing and ask the API nothing.
	const phrase2 = "vermilion sandcastle"
	id2 := "AC" + strings.Repeat("f", 32)
	ws = withCall(ws, id2, phrase2, time.Now().UTC().Add(-time.Minute).Truncate(time.Second))
	sb := sandbox.New(ws, opts)
	api.sb.Store(sb)
	held := len(ledgerCallIDs(t, db))
	bad := delivery(t, hook(replicas[0]), key, "msg_bad", time.Now(), id2)
	bad.Header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(make([]byte, 32)))
	old := delivery(t, hook(replicas[1]), key, "msg_old", time.Now().Add(-10*time.Minute), id2)
	replay := delivery(t, hook(replicas[1]), key, "msg_first", time.Now(), id2) // the first delivery's id, at the other replica
	for _, c := range []struct {
		name string
		req  *http.Request
	}{{"a bad signature", bad}, {"a timestamp 10 minutes old", old}, {"a replay of the first delivery's id", replay}} {
		before := sb.Requests()
		code, body, _ := post(t, c.req)
		if code < 400 || code > 499 {
			t.Errorf("%s: answered %d %s; want a 4xx", c.name, code, body)
		}
		if n := sb.Requests() - before; n != 0 {
			t.Errorf("%s: the server made %d API requests; want none", c.name, n)
		}
		t.Logf("WEBHOOK: %s refused: %d %s", c.name, code, body)
	}
	if got := search(phrase2); len(got) != 0 {
		t.Errorf("a refused delivery made the call searchable: %v", got)
	}
	if n := len(ledgerCallIDs(t, db)); n != held {
		t.Errorf("the ledger held %d calls before the refused deliveries and %d after", held, n)
	}
}
