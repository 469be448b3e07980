package main

// The loopback API: the demo sandbox served over HTTP by the bench itself,
// for the figures that need the server to make real API requests and that
// count the bytes of the API's answers.

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// loopbackAPI serves a sandbox over the demo workspace on a loopback port
// and counts the bytes of the /v1/calls answers.
type loopbackAPI struct {
	sb        *sandbox.Server
	srv       *httptest.Server
	callBytes atomic.Int64
}

func newLoopbackAPI(now time.Time) *loopbackAPI {
	a := &loopbackAPI{sb: sandbox.New(sandbox.Demo(now), sandbox.Options{})}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// list_calls lists from the dated surface (GET /calls) where the
		// API has it, from GET /v1/calls where it does not.
		if r.URL.Path == "/v1/calls" || r.URL.Path == "/calls" {
			w = &countingWriter{ResponseWriter: w, n: &a.callBytes}
		}
		a.sb.ServeHTTP(w, r)
	}))
	return a
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.ResponseWriter.Write(p)
}
