package serve

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

func headerLists(list, name string) bool {
	for item := range strings.SplitSeq(list, ",") {
		if strings.EqualFold(strings.TrimSpace(item), name) {
			return true
		}
	}
	return false
}

// A browser page on a listed origin gets its preflight answered (before
// auth: a preflight carries no token) and CORS headers on the answers;
// other origins get none and their preflights 403.
func TestCORS(t *testing.T) {
	const listed = "https://app.example.com"
	const token = "cors-test-token"
	preflight := func(origin string) map[string]string {
		return map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization, content-type, mcp-session-id",
		}
	}
	for _, tr := range []string{"http", "sse"} {
		for _, clientKeys := range []bool{false, true} {
			ts := startHandler(t, mustMCP(), Config{Transport: tr, AuthToken: token,
				AllowedOrigins: []string{listed}, AllowClientAPIKeys: clientKeys})
			for _, path := range []string{"/mcp", "/sse", "/message"} {
				resp := do(t, ts, http.MethodOptions, path, "", preflight(listed))
				if resp.StatusCode != http.StatusNoContent {
					t.Fatalf("%s %s preflight from a listed origin: status %d, want 204", tr, path, resp.StatusCode)
				}
				h := resp.Header
				if got := h.Get("Access-Control-Allow-Origin"); got != listed {
					t.Errorf("%s preflight Allow-Origin %q, want %q", tr, got, listed)
				}
				for _, m := range []string{"GET", "POST", "DELETE"} {
					if !headerLists(h.Get("Access-Control-Allow-Methods"), m) {
						t.Errorf("%s preflight Allow-Methods %q lacks %s", tr, h.Get("Access-Control-Allow-Methods"), m)
					}
				}
				for _, name := range []string{"Content-Type", "Authorization", "Mcp-Session-Id", "Mcp-Protocol-Version", "Last-Event-ID"} {
					if !headerLists(h.Get("Access-Control-Allow-Headers"), name) {
						t.Errorf("%s preflight Allow-Headers %q lacks %s", tr, h.Get("Access-Control-Allow-Headers"), name)
					}
				}
				if got := headerLists(h.Get("Access-Control-Allow-Headers"), APIKeyHeader); got != clientKeys {
					t.Errorf("%s preflight allows %s = %v, want %v (client keys allowed: %v)", tr, APIKeyHeader, got, clientKeys, clientKeys)
				}
			}
			for _, origin := range []string{"https://evil.example.com", "http://localhost:6274"} {
				resp := do(t, ts, http.MethodOptions, "/mcp", "", preflight(origin))
				if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("%s preflight from unlisted %s: status %d, Allow-Origin %q; want 403 and none",
						tr, origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
				}
			}
		}
	}

	// Actual requests over streamable HTTP.
	ts := startHandler(t, mustMCP(), Config{Transport: "http", AuthToken: token, AllowedOrigins: []string{listed}})
	resp := do(t, ts, http.MethodPost, "/mcp", initBody, map[string]string{"Origin": listed, "Authorization": "Bearer " + token})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("initialize from a listed origin: status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != listed {
		t.Errorf("answer Allow-Origin %q, want %q", got, listed)
	}
	if !headerLists(resp.Header.Get("Access-Control-Expose-Headers"), "Mcp-Session-Id") || resp.Header.Get("Mcp-Session-Id") == "" {
		t.Errorf("answer exposes %q with session id %q; want Mcp-Session-Id exposed and set",
			resp.Header.Get("Access-Control-Expose-Headers"), resp.Header.Get("Mcp-Session-Id"))
	}
	// A 401 carries them too, so the page can tell the user why.
	resp = do(t, ts, http.MethodPost, "/mcp", initBody, map[string]string{"Origin": listed})
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != listed {
		t.Errorf("no token from a listed origin: status %d, Allow-Origin %q; want 401 with CORS",
			resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// Loopback origins still pass without being listed, but get no CORS.
	resp = do(t, ts, http.MethodPost, "/mcp", initBody, map[string]string{"Origin": "http://localhost:6274", "Authorization": "Bearer " + token})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("unlisted loopback origin: status %d, Allow-Origin %q; want 200 and none",
			resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp = do(t, ts, http.MethodPost, "/mcp", initBody, map[string]string{"Origin": "https://evil.example.com", "Authorization": "Bearer " + token})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unlisted origin: status %d, want 403", resp.StatusCode)
	}
}

func mustMCP() *server.MCPServer { s, _ := newMCP(); return s }
