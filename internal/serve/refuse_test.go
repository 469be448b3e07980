package serve

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A request refused on its headers (no token, foreign Origin) is answered
// at once, even when its body never comes: net/http would otherwise wait to
// drain that body (up to the 30 s read timeout) before sending the 401.
func TestRefusalDoesNotWaitForTheBody(t *testing.T) {
	s, _ := newMCP()
	ts := startHandler(t, s, Config{Transport: "http", AuthToken: "s3cret-token"})
	for name, extra := range map[string]string{
		"no token":       "",
		"foreign origin": "Origin: https://evil.example.com\r\nAuthorization: Bearer s3cret-token\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// A bound on the whole exchange far below any server timeout:
			// before the fix this read blocked until the body arrived.
			_ = conn.SetDeadline(time.Now().Add(testTimeout / 2))
			_, err = conn.Write([]byte("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
				"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no response while the body is unsent: %v", err)
			}
			defer resp.Body.Close()
			want := http.StatusUnauthorized
			if strings.Contains(extra, "Origin") {
				want = http.StatusForbidden
			}
			if resp.StatusCode != want {
				t.Errorf("status %d, want %d", resp.StatusCode, want)
			}
		})
	}
}
