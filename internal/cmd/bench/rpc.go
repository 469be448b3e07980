package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The MCP client side of the bench is raw JSON-RPC: newline-delimited JSON
// over the server's stdin/stdout, and plain POSTs to /mcp for streamable
// HTTP. Requests are pre-encoded and responses are only split into lines
// (or SSE events) inside the timed window, so the figures measure the
// server and the transport, not a client library's decoding.

const protocolVersion = "2025-11-25" // what Claude Desktop and the TypeScript SDK send

var initializeParams = []byte(`{"protocolVersion":"` + protocolVersion + `","capabilities":{},"clientInfo":{"name":"openphone-mcp-bench","version":"1"}}`)

// request encodes one JSON-RPC request (params already JSON).
func request(buf []byte, id int64, method string, params []byte) []byte {
	buf = append(buf[:0], `{"jsonrpc":"2.0","id":`...)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, `,"method":"`...)
	buf = append(buf, method...)
	buf = append(buf, '"')
	if params != nil {
		buf = append(buf, `,"params":`...)
		buf = append(buf, params...)
	}
	return append(buf, '}', '\n')
}

// response is a JSON-RPC response, decoded outside the timed window.
type response struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func decodeResponse(line []byte, id int64) (json.RawMessage, error) {
	var r response
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, fmt.Errorf("response is not JSON: %v: %.200s", err, line)
	}
	if string(r.ID) != strconv.FormatInt(id, 10) {
		return nil, fmt.Errorf("response id %s, want %d", r.ID, id)
	}
	if r.Error != nil {
		return nil, fmt.Errorf("JSON-RPC error %d: %s", r.Error.Code, r.Error.Message)
	}
	return r.Result, nil
}

// toolResult is the part of a tools/call result the bench reads.
type toolResult struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StructuredContent json.RawMessage `json:"structuredContent"`
	IsError           bool            `json:"isError"`
}

func decodeToolResult(result json.RawMessage) (*toolResult, error) {
	var tr toolResult
	if err := json.Unmarshal(result, &tr); err != nil {
		return nil, err
	}
	if tr.IsError {
		text := ""
		if len(tr.Content) > 0 {
			text = tr.Content[0].Text
		}
		return &tr, fmt.Errorf("tool error: %s", text)
	}
	return &tr, nil
}

func (t *toolResult) text() string {
	var b strings.Builder
	for _, c := range t.Content {
		if c.Type == "text" {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

func toolCallParams(name string, args any) []byte {
	raw, err := json.Marshal(map[string]any{"name": name, "arguments": args})
	if err != nil {
		panic(err)
	}
	return raw
}

// stdioProc is a server process spoken to over its stdin and stdout.
type stdioProc struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	id   int64
	buf  []byte
	wait chan error
}

func startStdio(bin string, args, env []string) (*stdioProc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &stdioProc{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), wait: make(chan error, 1)}
	go func() { p.wait <- cmd.Wait() }()
	return p, nil
}

// send writes one request and returns its id.
func (p *stdioProc) send(method string, params []byte) (int64, error) {
	p.id++
	p.buf = request(p.buf, p.id, method, params)
	_, err := p.in.Write(p.buf)
	return p.id, err
}

// readResponse reads lines until the response to id (notifications and
// other messages are skipped) and returns it undecoded.
func (p *stdioProc) readResponse(id int64) ([]byte, error) {
	want := []byte(`"id":` + strconv.FormatInt(id, 10))
	for {
		line, err := p.out.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("reading the server's stdout: %w", err)
		}
		if bytes.Contains(line, want) {
			return line, nil
		}
	}
}

// call sends a request and waits for its result.
func (p *stdioProc) call(method string, params []byte) (json.RawMessage, error) {
	id, err := p.send(method, params)
	if err != nil {
		return nil, err
	}
	line, err := p.readResponse(id)
	if err != nil {
		return nil, err
	}
	return decodeResponse(line, id)
}

func (p *stdioProc) notify(method string) error {
	_, err := io.WriteString(p.in, `{"jsonrpc":"2.0","method":"`+method+`"}`+"\n")
	return err
}

func (p *stdioProc) initialize() error {
	if _, err := p.call("initialize", initializeParams); err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	return p.notify("notifications/initialized")
}

// stop closes stdin (the server exits on end of file) and waits; a server
// that does not exit within 5s is killed.
func (p *stdioProc) stop() error {
	_ = p.in.Close()
	select {
	case err := <-p.wait:
		return err
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.wait
		return errors.New("server did not exit on stdin EOF within 5s; killed")
	}
}

// httpProc is a server process serving streamable HTTP on a loopback port.
type httpProc struct {
	cmd  *exec.Cmd
	url  string
	wait chan error
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// startHTTP starts bin with extra flags --transport http --addr <free port>
// (unless addr is given through args already) and waits until it answers.
func startHTTP(bin string, args, env []string, path string) (*httpProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, slices.Concat(args, []string{"--transport", "http", "--addr", addr})...)
	cmd.Env = append(env, "BENCH_ECHO_ADDR="+addr)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 64 << 10}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &httpProc{cmd: cmd, url: "http://" + addr + path, wait: make(chan error, 1)}
	go func() { p.wait <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return p, nil
		}
		select {
		case err := <-p.wait:
			return nil, fmt.Errorf("server exited before listening (%v): %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("server did not listen on %s within 10s: %s", addr, stderr.String())
		}
		time.Sleep(3 * time.Millisecond)
	}
}

func (p *httpProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.wait:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.wait
	}
}

type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        conns * 2,
			MaxIdleConnsPerHost: conns * 2,
			MaxConnsPerHost:     0,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		},
		Timeout: 60 * time.Second,
	}
}

// httpSession is one MCP session over streamable HTTP.
type httpSession struct {
	hc  *http.Client
	url string
	sid string
	id  int64
	buf []byte
}

func newHTTPSession(ctx context.Context, hc *http.Client, url string) (*httpSession, error) {
	s := &httpSession{hc: hc, url: url}
	s.id++
	body, hdr, err := s.post(ctx, request(nil, s.id, "initialize", initializeParams))
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if _, err := decodeResponse(body, s.id); err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	s.sid = hdr.Get("Mcp-Session-Id")
	if _, _, err := s.post(ctx, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)); err != nil {
		return nil, fmt.Errorf("notifications/initialized: %w", err)
	}
	return s, nil
}

// send posts one request and returns its undecoded response.
func (s *httpSession) send(ctx context.Context, method string, params []byte) (int64, []byte, error) {
	s.id++
	s.buf = request(s.buf, s.id, method, params)
	body, _, err := s.post(ctx, s.buf)
	return s.id, body, err
}

// post sends one message; a JSON answer is returned as is, an SSE answer
// as the data of its last event (the response comes after notifications).
func (s *httpSession) post(ctx context.Context, msg []byte) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(msg))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if s.sid != "" {
		req.Header.Set("Mcp-Session-Id", s.sid)
		req.Header.Set("Mcp-Protocol-Version", protocolVersion)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode == http.StatusAccepted {
		return nil, resp.Header, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		var last []byte
		for _, line := range bytes.Split(body, []byte("\n")) {
			if d, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				last = bytes.TrimSpace(d)
			}
		}
		return last, resp.Header, nil
	}
	return body, resp.Header, nil
}
