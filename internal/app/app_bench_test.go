package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
	"github.com/openphone-mcp/openphone-mcp/internal/serve"
)

// Benchmarks of the whole server in process, as --demo --api-rate 0 builds
// it, over its real transports: for profiling what go run ./internal/cmd/bench
// measures from outside (-cpuprofile, -memprofile). They run only with
// -bench; see BENCHMARKS.md.

// benchServer is the server of --demo with pacing off, built by New as
// main builds it, and the list_calls arguments of the demo's busiest pair.
func benchServer(b *testing.B) (*server.MCPServer, []byte) {
	b.Helper()
	a, err := New(Config{Version: "bench", Demo: true, APIRate: 0, Timeout: client.DefaultTimeout}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	best := sandbox.Demo(time.Now()).Pairs()[0]
	params, _ := json.Marshal(map[string]any{"name": "list_calls",
		"arguments": map[string]any{"phoneNumberId": best.PhoneNumberID, "participants": []string{best.Participant}}})
	return a.MCPServer(), params
}

const benchInit = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`

func benchRequest(id int, params []byte) []byte {
	return []byte(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/call","params":` + string(params) + "}\n")
}

// BenchmarkStdioListCalls is one list_calls round trip over the stdio
// transport (pipes in process), default page of 10.
func BenchmarkStdioListCalls(b *testing.B) {
	s, params := benchServer(b)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		stdio := server.NewStdioServer(s)
		stdio.SetErrorLogger(slog.NewLogLogger(slog.DiscardHandler, slog.LevelError))
		_ = stdio.Listen(ctx, inR, outW)
	}()
	defer func() { cancel(); inW.Close(); outR.Close(); <-done }()
	out := bufio.NewReaderSize(outR, 1<<20)
	roundTrip := func(msg []byte) []byte {
		if _, err := inW.Write(msg); err != nil {
			b.Fatal(err)
		}
		line, err := out.ReadBytes('\n')
		if err != nil {
			b.Fatal(err)
		}
		return line
	}
	roundTrip([]byte(benchInit + "\n"))
	if _, err := inW.Write([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n")); err != nil {
		b.Fatal(err)
	}
	if line := roundTrip(benchRequest(1, params)); !bytes.Contains(line, []byte(`"isError":false`)) && bytes.Contains(line, []byte(`"isError"`)) {
		b.Fatalf("list_calls: %.300s", line)
	}
	b.ReportAllocs()
	id := 1
	for b.Loop() {
		id++
		roundTrip(benchRequest(id, params))
	}
}

// BenchmarkHTTPListCalls is list_calls over streamable HTTP (the handler of
// --transport http on a loopback listener) from 32 concurrent sessions; the
// time per op is the inverse of the throughput.
func BenchmarkHTTPListCalls(b *testing.B) {
	s, params := benchServer(b)
	h, shutdown, err := serve.Handler(s, serve.Config{Transport: "http", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer func() { _ = shutdown(context.Background()); ts.Close() }()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	post := func(sid string, msg []byte) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/mcp", bytes.NewReader(msg))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if sid != "" {
			req.Header.Set("Mcp-Session-Id", sid)
			req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
		}
		resp, err := hc.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, body
	}
	session := func() string {
		resp, body := post("", []byte(benchInit))
		sid := resp.Header.Get("Mcp-Session-Id")
		if resp.StatusCode != 200 || sid == "" {
			panic(fmt.Sprintf("initialize: %d %s", resp.StatusCode, body))
		}
		post(sid, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
		return sid
	}
	// Warm the workspace cache.
	if resp, body := post(session(), benchRequest(1, params)); resp.StatusCode != 200 {
		b.Fatalf("list_calls: %d %s", resp.StatusCode, body)
	}
	b.SetParallelism(16) // 32 goroutines on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		sid := session()
		id := 1
		for pb.Next() {
			id++
			if resp, body := post(sid, benchRequest(id, params)); resp.StatusCode != 200 {
				panic(fmt.Sprintf("list_calls: %d %s", resp.StatusCode, body))
			}
		}
	})
}
