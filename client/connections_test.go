package client

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestNew_defaultTransportKeepsConnectionsForConcurrentRequests: two
// rounds of 16 requests in flight at once open 16 connections in all, the
// second round reusing the first's. With Go's default of 2 idle per host
// the second round opens 14 more.
func TestNew_defaultTransportKeepsConnectionsForConcurrentRequests(t *testing.T) {
	const inFlight = 16
	var opened atomic.Int64
	var arrived sync.WaitGroup
	var mu sync.Mutex
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
		// The round's channel is taken before the request counts as
		// arrived: taken after, a handler slow to take it could get the
		// next round's and hold its connection through that round.
		mu.Lock()
		ch := release
		mu.Unlock()
		arrived.Done()
		<-ch // all of a round are in flight at once
		ok(w, r)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	// Closed before the server, so no client connection goroutine outlives
	// the test (goleak).
	t.Cleanup(defaultTransport().CloseIdleConnections)

	c, err := New(testKey, WithBaseURL(srv.URL), WithRateLimit(0), WithRetries(1, 0, 0), WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.http.Transport != defaultTransport() || defaultTransport() == http.DefaultTransport {
		t.Fatal("the client does not use its own default transport")
	}
	if got := defaultTransport().MaxIdleConnsPerHost; got < inFlight {
		t.Fatalf("MaxIdleConnsPerHost = %d, want at least %d", got, inFlight)
	}
	if http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost != 0 {
		t.Fatal("http.DefaultTransport was changed")
	}
	for round := range 2 {
		arrived.Add(inFlight)
		var done sync.WaitGroup
		for range inFlight {
			done.Go(func() {
				if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
					t.Error(err)
				}
			})
		}
		arrived.Wait()
		mu.Lock()
		close(release)
		release = make(chan struct{})
		mu.Unlock()
		done.Wait()
		if got := opened.Load(); got != inFlight {
			t.Fatalf("after round %d: %d connections opened for %d requests in flight at once, want %d", round+1, got, inFlight, inFlight)
		}
	}
}
