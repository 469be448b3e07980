package app

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// demoAPI is the OpenPhone API of --demo: an http.RoundTripper answering
// from the demo workspace in process. Building the workspace takes ~12 ms
// of CPU (BenchmarkDemo in internal/sandbox), so it starts in the
// background once a client has its initialize reply
// (notifications/initialized), or at the first API request, whichever
// comes first; stateless HTTP, where no notification arrives, always takes
// the second way. The MCP handshake never waits for it; a tool call that
// comes before it is ready waits in RoundTrip (or until its context ends).
type demoAPI struct {
	key    string
	logger *slog.Logger
	once   sync.Once
	ready  chan struct{}
	api    http.RoundTripper // the sandbox's, once ready is closed
}

func newDemoAPI(key string, logger *slog.Logger) *demoAPI {
	return &demoAPI{key: key, logger: logger, ready: make(chan struct{})}
}

// start begins building the workspace, once.
func (d *demoAPI) start() {
	d.once.Do(func() {
		go func() {
			started := time.Now()
			sb := sandbox.New(sandbox.Demo(started), sandbox.Options{APIKey: d.key, RateLimit: 0})
			d.api = sb.RoundTripper()
			// Logged before ready is closed: whoever waited on ready
			// finds the line already written.
			d.logger.Info("demo workspace ready", "took", time.Since(started).Round(time.Microsecond).String())
			close(d.ready)
		}()
	})
}

func (d *demoAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	d.start()
	select {
	case <-d.ready:
		return d.api.RoundTrip(req)
	case <-req.Context().Done():
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, req.Context().Err()
	}
}
