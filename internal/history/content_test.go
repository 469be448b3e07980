package history_test

import (
	"testing"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

func TestCanHaveSummary(t *testing.T) {
	for _, tc := range []struct {
		status   string
		duration int
		want     bool
	}{
		{"completed", 252, true},
		{"completed", 0, true},
		{"missed", 45, true}, // a voicemail
		{"missed", 0, false},
		{"forwarded", 31, false},
		{"in-progress", 10, false},
		{"no-answer", 0, false},
		{"abandoned", 12, false},
	} {
		if got := history.CanHaveSummary(&client.Call{Status: tc.status, Duration: tc.duration}); got != tc.want {
			t.Errorf("CanHaveSummary(%s, %ds) = %v, want %v", tc.status, tc.duration, got, tc.want)
		}
	}
}

func TestCanHaveVoicemail(t *testing.T) {
	for _, tc := range []struct {
		direction, status string
		want              bool
	}{
		{"incoming", "missed", true},
		{"incoming", "no-answer", true},
		{"incoming", "abandoned", false},
		{"incoming", "completed", false},
		{"outgoing", "no-answer", false},
	} {
		if got := history.CanHaveVoicemail(&client.Call{Direction: tc.direction, Status: tc.status}); got != tc.want {
			t.Errorf("CanHaveVoicemail(%s %s) = %v, want %v", tc.direction, tc.status, got, tc.want)
		}
	}
}
