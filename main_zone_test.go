package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRunBadAnswerFlags: a bad --timezone or --max-walk-requests is one
// line naming the flag, exit 2, before anything starts.
func TestRunBadAnswerFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--transport", "stdio", "--timezone", "Mars/Olympus"},
		{"--transport", "stdio", "--timezone", "Local"},
		{"--transport", "stdio", "--max-walk-requests", "0"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(args, "--demo"), env(nil), strings.NewReader(""), &stdout, &stderr)
		msg := strings.TrimSpace(stderr.String())
		if code != 2 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, args[2]) {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line naming %s", args, code, msg, args[2])
		}
	}
}

// TestTimeZone: the flag wins, then TZ, then the machine's zone; a bad TZ
// is passed over, not fatal.
func TestTimeZone(t *testing.T) {
	get := func(tz string) func(string) string {
		return func(k string) string {
			if k == "TZ" {
				return tz
			}
			return ""
		}
	}
	for _, tc := range []struct{ flag, tz, want string }{
		{"Europe/London", "America/Chicago", "Europe/London"},
		{"", "America/Chicago", "America/Chicago"},
		{"", ":Asia/Tokyo", "Asia/Tokyo"},
	} {
		loc, err := timeZone(tc.flag, get(tc.tz))
		if err != nil || loc.String() != tc.want {
			t.Errorf("flag %q, TZ %q: %v, %v; want %s", tc.flag, tc.tz, loc, err, tc.want)
		}
	}
	if loc, err := timeZone("", get("No/Such_Zone")); err != nil || loc == nil {
		t.Errorf("a bad TZ: %v, %v; want the machine's zone", loc, err)
	}
}
