package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// These check the bench's own helpers; the bench itself only runs on
// purpose (go run ./internal/cmd/bench).

func TestRequestEncoding(t *testing.T) {
	got := request(nil, 7, "tools/call", []byte(`{"name":"x"}`))
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil || got[len(got)-1] != '\n' {
		t.Fatalf("not one JSON line: %q (%v)", got, err)
	}
	if m["id"] != float64(7) || m["method"] != "tools/call" || m["jsonrpc"] != "2.0" {
		t.Errorf("got %v", m)
	}
	if res, err := decodeResponse([]byte(`{"jsonrpc":"2.0","id":7,"result":{"a":1}}`), 7); err != nil || string(res) != `{"a":1}` {
		t.Errorf("decodeResponse: %s, %v", res, err)
	}
	if _, err := decodeResponse([]byte(`{"jsonrpc":"2.0","id":8,"result":{}}`), 7); err == nil {
		t.Error("a response to another id was accepted")
	}
	if _, err := decodeResponse([]byte(`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"boom"}}`), 7); err == nil {
		t.Error("an error response was accepted")
	}
	if _, err := decodeToolResult([]byte(`{"content":[{"type":"text","text":"no"}],"isError":true}`)); err == nil {
		t.Error("an isError result was accepted")
	}
}

func TestStatistics(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 1,2,3 = %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median of 1,2,3,4 = %v", m)
	}
	v := make([]float64, 1000)
	for i := range v {
		v[i] = float64(999 - i)
	}
	if p50, p99 := percentiles(v); p50 != 500 || p99 != 990 {
		t.Errorf("p50 %v p99 %v of 0..999", p50, p99)
	}
}

func TestDemoPairs(t *testing.T) {
	pairs := sandbox.Demo(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)).Pairs()
	if len(pairs) < 20 || pairs[0].Calls < 100 {
		t.Fatalf("%d pairs, the busiest with %d calls", len(pairs), pairs[0].Calls)
	}
	for i := 1; i < len(pairs); i++ {
		if pairs[i].Calls > pairs[i-1].Calls {
			t.Fatalf("pairs not busiest first at %d", i)
		}
	}
}
