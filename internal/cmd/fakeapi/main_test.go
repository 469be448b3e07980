package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// start runs the command with args and returns its base URL and a func
// that stops it and returns its exit status.
func start(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := run(ctx, args, strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no base URL on stdout: %v (exit %d, stderr %q)", err, <-done, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	stop := func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(5 * time.Second):
			t.Fatal("fakeapi did not stop within 5s")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	return strings.TrimSpace(line), stop
}

func get(t *testing.T, url, key string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

func TestServesDemoWorkspace(t *testing.T) {
	base, stop := start(t, "--api-key", "k1")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line = %q, want http://127.0.0.1:PORT", base)
	}
	code, body := get(t, base+"/v1/phone-numbers", "k1")
	if code != http.StatusOK {
		t.Fatalf("GET /v1/phone-numbers = %d %s", code, body)
	}
	var got struct {
		Data []struct{ ID, Number string }
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != 3 || got.Data[0].ID != sandbox.DemoSalesID {
		t.Errorf("phone numbers = %+v, want the 3 demo numbers, Sales first", got.Data)
	}
	if code, _ := get(t, base+"/v1/phone-numbers", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong key: status %d, want 401", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
}

// getDated is get with the dated surface's version header.
func getDated(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "k")
	req.Header.Set("Quo-Api-Version", "2026-03-30")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

func TestServesBothSurfaces(t *testing.T) {
	base, _ := start(t)
	code, body := getDated(t, base+"/calls?limit=3")
	var page struct {
		Data       []struct{ ID string }
		NextCursor *string
	}
	if err := json.Unmarshal(body, &page); code != http.StatusOK || err != nil || len(page.Data) != 3 || page.NextCursor == nil {
		t.Errorf("GET /calls?limit=3 = %d %s", code, body)
	}
	if code, body := get(t, base+"/v1/phone-numbers", "k"); code != http.StatusOK {
		t.Errorf("GET /v1/phone-numbers = %d %s", code, body)
	}
}

func TestDatedOff(t *testing.T) {
	base, _ := start(t, "--dated-off")
	for _, path := range []string{"/calls", "/users"} {
		code, body := getDated(t, base+path)
		var e struct{ Code string }
		_ = json.Unmarshal(body, &e)
		if code != http.StatusNotFound || e.Code != "0000404" {
			t.Errorf("GET %s with --dated-off = %d %s, want v1's 404", path, code, body)
		}
	}
	if code, body := get(t, base+"/v1/phone-numbers", "k"); code != http.StatusOK {
		t.Errorf("GET /v1/phone-numbers with --dated-off = %d %s", code, body)
	}
}

func TestRateLimit(t *testing.T) {
	base, _ := start(t, "--rate", "1")
	codes := map[int]int{}
	for range 3 {
		code, _ := get(t, base+"/v1/phone-numbers", "any")
		codes[code]++
	}
	if codes[http.StatusOK] != 1 || codes[http.StatusTooManyRequests] != 2 {
		t.Errorf("status counts %v, want one 200 then 429s", codes)
	}
}

func TestExitOnStdinEOF(t *testing.T) {
	pr, pw := io.Pipe()
	out, outW := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), []string{"--exit-on-stdin-eof"}, pr, outW, io.Discard) }()
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d, want 0", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not stop when stdin closed")
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--rate", "-1"}, {"--cursor-ttl", "-1s"}, {"extra"}, {"--nope"}, {"--addr", "256.0.0.1:0"}} {
		if code := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); code == 0 {
			t.Errorf("run(%q) = 0, want failure", args)
		}
	}
}
