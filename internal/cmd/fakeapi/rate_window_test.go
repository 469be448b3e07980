package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRateWindow: with --rate 2 --rate-window, two requests fill the
// second and the next is admitted no sooner than a second after the
// first was sent; a token bucket of the same rate admits one 500 ms in.
func TestRateWindow(t *testing.T) {
	base, _ := start(t, "--rate", "2", "--rate-window")
	first := time.Now()
	for i := range 2 {
		if code, body := get(t, base+"/v1/phone-numbers", "any"); code != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, code, body)
		}
	}
	refused := 0
	for {
		code, body := get(t, base+"/v1/phone-numbers", "any")
		if code == http.StatusOK {
			break
		}
		if code != http.StatusTooManyRequests {
			t.Fatalf("status %d %s, want 200 or 429", code, body)
		}
		refused++
		time.Sleep(50 * time.Millisecond)
	}
	if waited := time.Since(first); waited < time.Second {
		t.Errorf("a third request admitted %v after the first, want at least 1s (a rolling second)", waited)
	}
	if refused == 0 {
		t.Error("the third request was admitted at once, want 429 while the second holds two")
	}
}

func TestRateWindow_needsARate(t *testing.T) {
	var stderr strings.Builder
	code := run(context.Background(), []string{"--rate-window"}, strings.NewReader(""), io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--rate-window needs a --rate") {
		t.Errorf("exit %d, stderr %q; want 2 and a sentence naming --rate", code, stderr.String())
	}
}
