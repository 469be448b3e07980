package webhooks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// alwaysFresh is Replays that takes every delivery, so that a benchmark
// can send one delivery again and again.
type alwaysFresh struct{}

func (alwaysFresh) Claim(context.Context, string, time.Time, time.Duration) (bool, error) {
	return true, nil
}
func (alwaysFresh) Release(context.Context, string) error { return nil }

// BenchmarkHandler is one accepted delivery: a 1 KB event's signature
// checked against three keys (it matches the second), its JSON read, a
// sink that does nothing. The receiver's own cost, beside the ledger's
// refresh (one or two API requests).
func BenchmarkHandler(b *testing.B) {
	sink := SinkFunc(func(context.Context, Event) error { return nil })
	secrets := []string{"whsec_" + b64("first key of thirty-two bytes!!"), datedSecret, v1Secret}
	h := New(Config{Secrets: secrets, Sink: sink, Replays: alwaysFresh{}, Now: func() time.Time { return testNow }})
	body := datedEvent("EVbench", "call.completed", `{"id":"AC1","pad":"`+strings.Repeat("x", 800)+`"}`)
	hdr := dated(b, datedSecret, "msg_bench", testNow, body)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/quo", strings.NewReader(body))
		for k, v := range hdr {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkMemoryReplays_Claim is one claim of a new id in a store that
// holds 100,000 and expires as many as it takes.
func BenchmarkMemoryReplays_Claim(b *testing.B) {
	m := NewMemoryReplays(0)
	ctx, ttl := context.Background(), 11*time.Minute
	i := 0
	for b.Loop() {
		// 100,000 claims per ttl: the store stays full and never refuses.
		at := testNow.Add(time.Duration(i) * ttl / DefaultMaxReplays)
		if _, err := m.Claim(ctx, "msg_"+strconv.Itoa(i), at, ttl); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
