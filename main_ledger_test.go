package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// TestRunLedgerCommands: sync fills the ledger with progress lines on
// stderr (not a terminal) and a closing summary; ledger status reads it;
// ledger purge deletes it; the key appears nowhere.
func TestRunLedgerCommands(t *testing.T) {
	sb := sandbox.New(sandbox.Demo(time.Now()), sandbox.Options{APIKey: markerKey})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "ledger", "calls.db")
	e := env(map[string]string{"OPENPHONE_API_KEY": markerKey, "OPENPHONE_BASE_URL": srv.URL, "OPENPHONE_LEDGER": path})
	runIt := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(args, "--api-rate", "0"), e, strings.NewReader(""), &stdout, &stderr)
		for _, s := range []string{stdout.String(), stderr.String()} {
			if strings.Contains(s, markerKey) {
				t.Errorf("%v: the key is in the output", args)
			}
		}
		return code, stdout.String(), stderr.String()
	}
	code, _, stderr := runIt("sync", "--days", "7", "--log-level", "warn")
	if code != 0 || !regexp.MustCompile(`(?m)^Synced the last 7 days in .*: \d+ calls read \(\d+ in the ledger\)`).MatchString(stderr) {
		t.Fatalf("sync: exit %d, stderr:\n%s", code, stderr)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the ledger file: %v, %v; want mode 0600", st, err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("the ledger's directory: %v, %v; want mode 0700", st, err)
	}
	code, out, _ := runIt("ledger", "status")
	if code != 0 || !strings.Contains(out, path) || !regexp.MustCompile(`calls: +[1-9]\d*, from`).MatchString(out) {
		t.Errorf("status: exit %d:\n%s", code, out)
	}
	code, out, _ = runIt("ledger", "purge")
	if _, err := os.Stat(path); code != 0 || !os.IsNotExist(err) || !strings.Contains(out, "Deleted") {
		t.Errorf("purge: exit %d, file %v:\n%s", code, err, out)
	}
	if code, _, stderr = runIt("ledger", "vacuum"); code != 2 || !strings.Contains(stderr, "not a command") {
		t.Errorf("an unknown ledger command: exit %d, %q", code, stderr)
	}
}
