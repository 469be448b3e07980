package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// stdio is a thin dispatcher of ours in front of MCPServer.HandleMessage,
// in place of mcp-go's StdioServer, whose queue (5 workers, 100 queued, then
// calls run on the read loop) let cancelled calls run anyway once a worker
// got to them and made pings wait behind queued calls. Here:
//   - tools/call waits in our queue for one of stdioWorkers workers; a
//     notifications/cancelled cancels it there too, and a worker skips a
//     cancelled call without running its handler;
//   - every other request (ping included) is served on its own goroutine at
//     once, and the read loop never blocks on a call;
//   - one line is at most maxStdioMessage bytes; a longer one is skipped
//     without being buffered and answered with an invalid-request error.
// stdout carries only protocol messages, one per line.

const (
	stdioWorkers = 5 // tool calls served at once, as with mcp-go's pool
	// stdioQueue bounds calls waiting for a worker; beyond it a call is
	// refused with an error at once rather than held in memory.
	stdioQueue      = 1000
	maxStdioMessage = 4 << 20 // 4 MiB
)

func runStdio(ctx context.Context, s *server.MCPServer, cfg Config) error {
	log := cfg.Logger
	d := &stdioDispatcher{s: s, out: cfg.Stdout, log: log,
		session: &stdioSession{notifications: make(chan mcp.JSONRPCNotification, 100)},
		calls:   make(map[string]*stdioCall), queue: make(chan *stdioCall, stdioQueue)}
	if err := s.RegisterSession(ctx, d.session); err != nil {
		return fmt.Errorf("stdio: register session: %w", err)
	}
	defer s.UnregisterSession(context.WithoutCancel(ctx), d.session.SessionID())
	log.Info("serving MCP over stdio")
	err := d.serve(ctx, cfg.Stdin)
	switch {
	case err == nil:
		log.Info("stdio closed by client")
		return nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		log.Info("stdio server stopped")
		return nil
	default:
		return fmt.Errorf("stdio: %w", err)
	}
}

type stdioDispatcher struct {
	s       *server.MCPServer
	out     io.Writer
	log     *slog.Logger
	session *stdioSession
	writeMu sync.Mutex

	mu    sync.Mutex
	calls map[string]*stdioCall // queued or running tool calls by id
	queue chan *stdioCall
}

type stdioCall struct {
	key    string
	msg    json.RawMessage
	ctx    context.Context
	cancel context.CancelFunc
}

// stdioHead is the part of a message the dispatcher routes on.
type stdioHead struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		RequestID json.RawMessage `json:"requestId"`
	} `json:"params"`
}

func (d *stdioDispatcher) serve(ctx context.Context, stdin io.Reader) error {
	ctx = d.s.WithContext(ctx, d.session)
	// Cancelled when reading ends: nothing outlives the session.
	ctx, cancelAll := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancelAll()

	for range stdioWorkers {
		wg.Go(func() { d.work(ctx) })
	}
	wg.Go(func() {
		for {
			select {
			case n := <-d.session.notifications:
				d.write(n)
			case <-ctx.Done():
				return
			}
		}
	})

	type readResult struct {
		line    []byte
		tooLong bool
		err     error
	}
	lines := make(chan readResult)
	// The reader may stay blocked on stdin after ctx ends; it exits with
	// the next line or EOF, as mcp-go's did.
	go func() {
		br := bufio.NewReaderSize(stdin, 64<<10)
		for {
			line, tooLong, err := readStdioLine(br, maxStdioMessage)
			select {
			case lines <- readResult{line, tooLong, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		var res readResult
		select {
		case <-ctx.Done():
			return ctx.Err()
		case res = <-lines:
		}
		if res.tooLong {
			d.log.Warn("skipped a stdio message over the size limit", "limit_bytes", maxStdioMessage)
			d.write(errorMessage(nil, mcp.INVALID_REQUEST,
				fmt.Sprintf("message longer than %d bytes; skipped", maxStdioMessage)))
		} else if msg := bytes.TrimSpace(res.line); len(msg) > 0 {
			d.dispatch(ctx, &wg, msg)
		}
		if res.err != nil {
			if errors.Is(res.err, io.EOF) {
				return nil
			}
			return res.err
		}
	}
}

func (d *stdioDispatcher) dispatch(ctx context.Context, wg *sync.WaitGroup, msg []byte) {
	var h stdioHead
	if json.Unmarshal(msg, &h) != nil {
		// HandleMessage answers the parse error.
		d.write(d.handle(ctx, nil, msg))
		return
	}
	hasID := len(h.ID) > 0 && string(h.ID) != "null"
	switch {
	case h.Method == string(mcp.MethodToolsCall) && hasID:
		d.enqueue(ctx, h.ID, msg)
	case h.Method == string(mcp.MethodNotificationCancelled):
		if c := d.lookup(h.Params.RequestID); c != nil {
			c.cancel() // queued: never runs; running: its context ends
		}
		d.write(d.handle(ctx, nil, msg))
	case hasID && h.Method != "":
		wg.Go(func() { d.write(d.handle(ctx, h.ID, msg)) })
	default:
		// Notifications and responses: quick, and in order.
		d.write(d.handle(ctx, nil, msg))
	}
}

func (d *stdioDispatcher) enqueue(ctx context.Context, id json.RawMessage, msg []byte) {
	cctx, cancel := context.WithCancel(ctx)
	c := &stdioCall{key: idKey(id), msg: msg, ctx: cctx, cancel: cancel}
	d.mu.Lock()
	d.calls[c.key] = c
	d.mu.Unlock()
	select {
	case d.queue <- c:
	default:
		d.finish(c)
		d.write(errorMessage(id, mcp.INTERNAL_ERROR,
			fmt.Sprintf("too many tool calls waiting (%d); retry later", stdioQueue)))
	}
}

func (d *stdioDispatcher) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-d.queue:
			if c.ctx.Err() == nil {
				var h stdioHead
				_ = json.Unmarshal(c.msg, &h)
				d.write(d.handle(c.ctx, h.ID, c.msg))
			}
			d.finish(c)
		}
	}
}

func (d *stdioDispatcher) lookup(id json.RawMessage) *stdioCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[idKey(id)]
}

func (d *stdioDispatcher) finish(c *stdioCall) {
	c.cancel()
	d.mu.Lock()
	if d.calls[c.key] == c {
		delete(d.calls, c.key)
	}
	d.mu.Unlock()
}

// handle runs HandleMessage; a panicking handler becomes an internal error
// for a request (id set) and nothing for a notification.
func (d *stdioDispatcher) handle(ctx context.Context, id json.RawMessage, msg []byte) (resp mcp.JSONRPCMessage) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("panic serving a stdio message", "panic", fmt.Sprint(r))
			resp = nil
			if id != nil {
				resp = errorMessage(id, mcp.INTERNAL_ERROR, "internal error")
			}
		}
	}()
	return d.s.HandleMessage(ctx, msg)
}

// write puts one message on stdout as one line; nil writes nothing.
func (d *stdioDispatcher) write(m mcp.JSONRPCMessage) {
	if m == nil {
		return
	}
	b, err := json.Marshal(m)
	if err != nil {
		d.log.Error("could not encode a stdio message", "err", err)
		return
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	if _, err := d.out.Write(append(b, '\n')); err != nil {
		d.log.Error("could not write to stdout", "err", err)
	}
}

func errorMessage(id json.RawMessage, code int, msg string) mcp.JSONRPCMessage {
	var rid mcp.RequestId
	if id != nil {
		rid = mcp.NewRequestId(id)
	}
	return mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, ID: rid,
		Error: mcp.NewJSONRPCErrorDetails(code, msg, nil)}
}

// idKey spells a JSON-RPC id the same way wherever it was written (1 and
// 1.0 stay distinct, as do 1 and "1").
func idKey(id json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, id) != nil {
		return string(id)
	}
	return b.String()
}

// readStdioLine reads one line of at most max bytes (without its newline).
// A longer line is read to its end in buffer-sized pieces and dropped, so
// its size costs no memory: tooLong is set and line is nil.
func readStdioLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+1 { // +1: the newline is not counted
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			return nil, true, err
		}
		return bytes.TrimSuffix(buf, []byte("\n")), false, err
	}
}

// stdioSession is the one client session of stdio.
type stdioSession struct {
	notifications chan mcp.JSONRPCNotification
	initialized   atomic.Bool
	level         atomic.Value // mcp.LoggingLevel

	mu           sync.Mutex
	clientInfo   mcp.Implementation
	capabilities mcp.ClientCapabilities
}

var (
	_ server.SessionWithLogging    = (*stdioSession)(nil)
	_ server.SessionWithClientInfo = (*stdioSession)(nil)
)

func (s *stdioSession) SessionID() string { return "stdio" }
func (s *stdioSession) NotificationChannel() chan<- mcp.JSONRPCNotification {
	return s.notifications
}
func (s *stdioSession) Initialize()       { s.initialized.Store(true) }
func (s *stdioSession) Initialized() bool { return s.initialized.Load() }

func (s *stdioSession) SetLogLevel(l mcp.LoggingLevel) { s.level.Store(l) }
func (s *stdioSession) GetLogLevel() mcp.LoggingLevel {
	if l, ok := s.level.Load().(mcp.LoggingLevel); ok {
		return l
	}
	return mcp.LoggingLevelError
}

func (s *stdioSession) GetClientInfo() mcp.Implementation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientInfo
}
func (s *stdioSession) SetClientInfo(i mcp.Implementation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientInfo = i
}
func (s *stdioSession) GetClientCapabilities() mcp.ClientCapabilities {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.capabilities
}
func (s *stdioSession) SetClientCapabilities(c mcp.ClientCapabilities) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capabilities = c
}
