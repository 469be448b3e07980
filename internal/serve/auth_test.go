package serve

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestAuth_refusalsSayHowToSendTheToken(t *testing.T) {
	s, _ := newMCP()
	ts := startHandler(t, s, Config{Transport: "http", AuthToken: "s3cret-token"})
	for _, c := range []struct {
		name, auth, want string
	}{
		{"missing", "", "needs a bearer token. Send the header Authorization: Bearer <token>"},
		{"another scheme", "Basic s3cret-token", "needs a bearer token. Send the header Authorization: Bearer <token>"},
		{"wrong", "Bearer nope", "is not this server's MCP_AUTH_TOKEN"},
	} {
		h := map[string]string{}
		if c.auth != "" {
			h["Authorization"] = c.auth
		}
		resp, b := doRead(t, ts.URL+"/mcp", initBody, h)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %q; want 401 saying %q", c.name, resp.StatusCode, b, c.want)
		}
		if strings.Contains(string(b), "s3cret") {
			t.Errorf("%s: the refusal shows the token: %q", c.name, b)
		}
	}
}

// The MCP Inspector asks /.well-known/oauth-protected-resource first; a
// 401 there starts an OAuth flow this server has no part in.
func TestWellKnownIsNotFound(t *testing.T) {
	s, _ := newMCP()
	for _, token := range []string{"s3cret-token", ""} {
		ts := startHandler(t, s, Config{Transport: "http", AuthToken: token})
		for _, path := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource/mcp"} {
			resp, b := doRead(t, ts.URL+path, "", nil)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "uses no OAuth") {
				t.Errorf("token %q, GET %s: %d %q; want 404 saying it uses no OAuth", token, path, resp.StatusCode, b)
			}
		}
	}
}

// doRead is do that keeps the body: a POST with body, else a GET.
func doRead(t *testing.T, url, body string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	method := http.MethodGet
	if body != "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := httpClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
