package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
)

// RoundTripper returns an http.RoundTripper that serves requests in process,
// with no listener: use it with client.WithTransport. Any scheme and host are
// accepted; only the path and query matter. A request whose context ends
// before the answer gets the context's error; the body of the response
// fails reads once that context ends or once it is closed.
func (s *Server) RoundTripper() http.RoundTripper { return &inProcess{s: s} }

// inProcess calls the Server's handler directly instead of going through a
// socket, so the demo and tests need no listener.
type inProcess struct{ s *Server }

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		// A RoundTripper must close the request body, even on errors.
		defer req.Body.Close()
	}
	if req.URL == nil {
		return nil, errors.New("sandbox: request has no URL")
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	sreq := req.Clone(ctx)
	sreq.RequestURI = req.URL.RequestURI()
	sreq.Body = http.NoBody
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	sreq.RemoteAddr = "sandbox"

	rec := &recorder{header: make(http.Header)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				rec.reset()
				writeError(rec, &apiError{status: 500, code: "0001500", title: "Unknown",
					message: fmt.Sprint("sandbox panic: ", p)})
			}
		}()
		t.s.ServeHTTP(rec, sreq)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if ctx.Err() != nil {
		// The handler gave up early (latency cut short): nothing to return.
		return nil, ctx.Err()
	}

	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	b := rec.body.Bytes()
	hdr := rec.header.Clone()
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        hdr,
		Body:          &body{ctx: ctx, r: bytes.NewReader(b)},
		ContentLength: int64(len(b)),
		Request:       req,
	}, nil
}

// recorder is a minimal http.ResponseWriter that keeps the answer in memory.
type recorder struct {
	header      http.Header
	status      int
	body        bytes.Buffer
	wroteHeader bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.wroteHeader {
		return
	}
	r.wroteHeader = true
	r.status = code
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(p)
}

func (r *recorder) reset() {
	r.header = make(http.Header)
	r.status = 0
	r.wroteHeader = false
	r.body.Reset()
}

// body is a response body that stops working once its request's context
// ends or once it is closed, like a body read from the network.
type body struct {
	ctx    context.Context
	r      *bytes.Reader
	closed atomic.Bool
}

var errBodyClosed = errors.New("sandbox: read on closed response body")

func (b *body) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, errBodyClosed
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	return b.r.Read(p)
}

func (b *body) Close() error {
	b.closed.Store(true)
	return nil
}

var _ io.ReadCloser = (*body)(nil)
