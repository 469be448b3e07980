package tools

import (
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// TestWorkspacesBounded: the per-client caches are bounded. With
// --allow-client-api-keys every distinct key a caller sends gets a client
// (main bounds those to 1024, then starts over with new ones), and each
// client used by a tool got a workspace cache that was never dropped: a
// caller cycling through keys grew the server's memory without bound.
func TestWorkspacesBounded(t *testing.T) {
	ws := &workspaces{now: time.Now}
	first, err := client.New("key-0")
	if err != nil {
		t.Fatal(err)
	}
	w0 := ws.get(first)
	if ws.get(first) != w0 {
		t.Fatal("the same client got another cache")
	}
	for i := range 3 * maxWorkspaces {
		c, err := client.New("key-" + string(rune('a'+i%26)) + time.Duration(i).String())
		if err != nil {
			t.Fatal(err)
		}
		ws.get(c)
		if n := ws.len(); n > maxWorkspaces {
			t.Fatalf("%d caches after %d clients, more than %d", n, i+2, maxWorkspaces)
		}
	}
}
