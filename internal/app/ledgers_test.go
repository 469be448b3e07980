package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/ledger"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// secretWorkspace is one number and 20 calls of the last days, one whose
// summary holds phrase.
func secretWorkspace(phrase string) *sandbox.Workspace {
	now := time.Now()
	ws := &sandbox.Workspace{Summaries: map[string]client.CallSummary{}}
	ws.PhoneNumbers = []client.PhoneNumber{{ID: "PN1", Number: "+14155550100", Name: "Sales",
		Users: []client.PhoneNumberUser{{ID: "USa1", Email: "a@example.com"}}}}
	for i := 0; i < 20; i++ {
		at := now.Add(-time.Duration(i+1) * 3 * time.Hour).Truncate(time.Millisecond)
		ans := at.Add(2 * time.Second)
		c := client.Call{ID: fmt.Sprintf("AC%s%030d", phrase[:2], i), PhoneNumberID: "PN1", UserID: "USa1", Direction: "incoming",
			Status: "completed", Duration: 30, Participants: []string{"+12125550100", "+14155550100"}, CreatedAt: at, AnsweredAt: &ans}
		ws.Calls = append(ws.Calls, c)
		text := "A routine call."
		if i == 7 {
			text = "They shared the " + phrase + " plan."
		}
		ws.Summaries[c.ID] = client.CallSummary{CallID: c.ID, Status: client.StatusCompleted, Summary: []string{text}}
	}
	return ws
}

// TestLedgersEachKeyItsOwnWorkspace: with --allow-client-api-keys every
// key's ledger is its workspace's own file (named by a hash of the key,
// mode 0600), and a search with one key never finds another's calls.
func TestLedgersEachKeyItsOwnWorkspace(t *testing.T) {
	sbA := sandbox.New(secretWorkspace("alpha"), sandbox.Options{APIKey: keyA})
	sbB := sandbox.New(secretWorkspace("bravo"), sandbox.Options{APIKey: keyB})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == keyB {
			sbB.ServeHTTP(w, r)
			return
		}
		sbA.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	a, logs := newApp(t, Config{APIKey: keyA, BaseURL: srv.URL, APIRate: 0, AllowClientAPIKeys: true,
		Ledger: filepath.Join(dir, "own.db"), LedgerDays: 30, SyncInterval: time.Minute})
	defer a.Close()
	for _, tc := range []struct{ key, mine, theirs string }{{keyA, "alpha", "bravo"}, {keyB, "bravo", "alpha"}} {
		c, _ := session(t, a, map[string]string{"X-OpenPhone-Api-Key": tc.key})
		// The first call opens the ledger and starts its backfill: wait
		// for it (a hang guard, not a timing assertion).
		var text string
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var isError bool
			text, isError = call(t, c, "search_calls", map[string]any{"query": tc.mine})
			if isError {
				t.Fatal(text)
			}
			if strings.Contains(text, "1 of 1") || time.Now().After(deadline) {
				break
			}
		}
		if !strings.Contains(text, "«"+tc.mine+"»") {
			t.Errorf("key %s does not find its own call:\n%s", tc.mine, text)
		}
		if other, _ := call(t, c, "search_calls", map[string]any{"query": tc.theirs}); !strings.Contains(other, "0 of 0") {
			t.Errorf("key %s finds the other workspace's calls:\n%s", tc.mine, other)
		}
	}
	for _, key := range []string{keyA, keyB} {
		path := filepath.Join(dir, ledger.WorkspaceID(key)+".db")
		if key == keyA {
			path = filepath.Join(dir, "own.db") // the server's own key: --ledger's file
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatalf("no ledger file for a key: %v", err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		for _, key := range []string{keyA, keyB} {
			if strings.Contains(e.Name(), key) {
				t.Errorf("a ledger file is named with the key: %s", e.Name())
			}
		}
	}
	for _, key := range []string{keyA, keyB} {
		if strings.Contains(logs.String(), key) {
			t.Errorf("a key is in the logs")
		}
	}
}

// TestLedgersCorruptFileFallsBackToTheAPI: a ledger file that is not a
// ledger is logged once and left alone; the tools answer from the API.
func TestLedgersCorruptFileFallsBackToTheAPI(t *testing.T) {
	sb := sandbox.New(secretWorkspace("alpha"), sandbox.Options{APIKey: keyA})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "own.db")
	garbage := []byte(strings.Repeat("this is not a ledger\n", 300))
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	a, logs := newApp(t, Config{APIKey: keyA, BaseURL: srv.URL, APIRate: 0, Ledger: path, LedgerDays: 30})
	defer a.Close()
	c, _ := session(t, a, nil)
	for range 2 {
		text, isError := call(t, c, "call_stats", map[string]any{})
		if isError || !strings.Contains(text, "Counted: every call of the window, 20 (Quo calls API") {
			t.Fatalf("call_stats with a corrupt ledger: %s", text)
		}
	}
	if text, _ := call(t, c, "search_calls", map[string]any{"query": "alpha"}); !strings.Contains(text, "ledger") {
		t.Errorf("search_calls without its ledger: %s", text)
	}
	if n := strings.Count(logs.String(), "ledger: cannot open it"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
	if got, _ := os.ReadFile(path); string(got) != string(garbage) {
		t.Error("the corrupt file was changed")
	}
}
