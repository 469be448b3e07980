// Command fakeapi serves the in-process OpenPhone API fake (internal/sandbox)
// with the deterministic demo workspace over real HTTP, for the end-to-end
// tests in e2e/ and for benchmarks that need a network hop. It serves v1
// and the dated surface (2026-03-30: GET /calls, /users ...) together;
// --dated-off answers the dated paths with v1's 404, as an API without
// them would, for tests of the fallback to v1.
//
//	go run ./internal/cmd/fakeapi [--addr 127.0.0.1:0] [--api-key KEY] [--rate N] [--rate-window]
//	  [--latency D] [--dated-off] [--cursor-ttl D]
//
// --rate counts with a token bucket (burst N); with --rate-window it counts
// a rolling second instead (at most N requests of a key in any second), as
// a stricter gateway would.
//
// The first line on stdout is the base URL (http://127.0.0.1:PORT), to be
// used as OPENPHONE_BASE_URL; nothing else is written to stdout, logs go to
// stderr. With --api-key, requests must send exactly that value in the
// Authorization header (as the OpenPhone API wants: the bare key). It stops
// on SIGINT or SIGTERM, and when stdin reaches end of file if
// --exit-on-stdin-eof is set (so a parent that dies takes it along).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakeapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	apiKey := fs.String("api-key", "", "the only Authorization value accepted (empty accepts any)")
	rate := fs.Float64("rate", 0, "requests per second per key before 429 (0 = unlimited)")
	rateWindow := fs.Bool("rate-window", false, "count --rate in a rolling second instead of a token bucket")
	latency := fs.Duration("latency", 0, "delay added to every response")
	datedOff := fs.Bool("dated-off", false, "serve v1 only: the dated paths (/calls, /users) answer 404")
	cursorTTL := fs.Duration("cursor-ttl", 0, "lifetime of the dated surface's cursors (0 = 5m)")
	stdinEOF := fs.Bool("exit-on-stdin-eof", false, "stop when stdin is closed")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakeapi: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *rate < 0 || *latency < 0 || *cursorTTL < 0 {
		fmt.Fprintln(stderr, "fakeapi: --rate, --latency and --cursor-ttl must not be negative")
		return 2
	}
	if *rateWindow && *rate == 0 {
		fmt.Fprintln(stderr, "fakeapi: --rate-window needs a --rate to count, such as --rate 10")
		return 2
	}

	started := time.Now()
	sb := sandbox.New(sandbox.Demo(started), sandbox.Options{
		APIKey: *apiKey, RateLimit: *rate, RateWindow: *rateWindow, Latency: *latency, DatedOff: *datedOff,
		CursorTTL: *cursorTTL,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "fakeapi: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if _, err := fmt.Fprintf(stdout, "http://%s\n", ln.Addr()); err != nil {
		_ = srv.Close()
		return 1
	}
	fmt.Fprintf(stderr, "fakeapi: demo workspace served at http://%s (built in %s)\n",
		ln.Addr(), time.Since(started).Round(time.Millisecond))

	if *stdinEOF {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			cancel()
		}()
	}
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "fakeapi: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	fmt.Fprintf(stderr, "fakeapi: stopped after %d requests\n", sb.Requests())
	return 0
}
