package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRunBadSessionFlags: a bad --max-sessions or --session-idle is one
// line naming the flag, exit 2, before anything starts.
func TestRunBadSessionFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--transport", "http", "--max-sessions", "-1"},
		{"--transport", "http", "--session-idle", "0s"},
		{"--transport", "http", "--session-idle", "-5m"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(args, "--demo"), env(nil), strings.NewReader(""), &stdout, &stderr)
		msg := strings.TrimSpace(stderr.String())
		if code != 2 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, args[2]) {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line naming %s", args, code, msg, args[2])
		}
	}
}
