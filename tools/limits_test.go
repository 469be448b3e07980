package tools

import (
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// TestWorkspacesBounded: the per-client caches are bounded. With
// --allow-client-api-keys every distinct key a caller sends gets a client
// (main bounds those to 1024, then starts over with new ones), and each
// client used by a tool got a directory that was never dropped: a
// caller cycling through keys grew the server's memory without bound.
func TestWorkspacesBounded(t *testing.T) {
	ws := &directories{now: time.Now}
	first, err := client.New("key-0")
	if err != nil {
		t.Fatal(err)
	}
	w0 := ws.get(first)
	if ws.get(first) != w0 {
		t.Fatal("the same client got another cache")
	}
	for i := range 3 * maxDirectories {
		c, err := client.New("key-" + string(rune('a'+i%26)) + time.Duration(i).String())
		if err != nil {
			t.Fatal(err)
		}
		ws.get(c)
		if n := ws.len(); n > maxDirectories {
			t.Fatalf("%d caches after %d clients, more than %d", n, i+2, maxDirectories)
		}
	}
}

// TestConversationNamesBounded: every participant a caller asks about is
// remembered (without a name when it has no conversation); the cache of
// names stays bounded whatever the number of participants.
func TestConversationNamesBounded(t *testing.T) {
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	w := &directory{now: func() time.Time { return now }, names: map[convKey]nameEntry{}}
	name := "Maple Dental"
	for i := range 3 * maxNames {
		w.rememberConversations([]client.Conversation{{PhoneNumberID: "PN1", Participants: []string{"+1212555" + time.Duration(i).String()}, Name: &name}})
		if len(w.names) > maxNames {
			t.Fatalf("%d names after %d conversations, more than %d", len(w.names), i+1, maxNames)
		}
	}
	// The newest entry is always kept.
	w.rememberConversations([]client.Conversation{{PhoneNumberID: "PN1", Participants: []string{"+12125550103"}, Name: &name}})
	if got, known := w.conversationName("PN1", "+12125550103"); !known || got != name {
		t.Errorf("the newest name is lost: %q, %v", got, known)
	}
}
