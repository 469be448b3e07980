package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

const okCall = `{"data":{"id":"AC1","participants":[]}}`

// script answers requests from a list of handlers, one per request; the
// last one repeats.
func script(n *counter, steps ...http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.n.Add(1)) - 1
		steps[min(i, len(steps)-1)](w, r)
	}
}

func status(code int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		writeJSON(w, code, body)
	}
}

func ok(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okCall) }

func html(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%d %s</h1><hr>cloudflare</body></html>",
			code, http.StatusText(code), code, http.StatusText(code))
	}
}

// hijackClose drops the connection without answering: a transport error.
func hijackClose(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func TestRetry_429WithRetryAfterThenSuccess(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRetries(4, time.Millisecond, time.Millisecond))
	tooMany := status(429, map[string]string{"Retry-After": "0.06"}, `{"message":"Too many requests","code":"0100429","status":429,"title":"Too Many Requests"}`)
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, tooMany, tooMany, ok))
	start := time.Now()
	call, err := c.GetCall(context.Background(), "AC1")
	if err != nil {
		t.Fatal(err)
	}
	if call.ID != "AC1" || n.get() != 3 {
		t.Errorf("call %q after %d requests, want AC1 after 3", call.ID, n.get())
	}
	// Backoff is 1ms: only Retry-After explains waiting 2 x 60ms.
	if el := time.Since(start); el < 110*time.Millisecond {
		t.Errorf("took %v; Retry-After 0.06 twice should take at least 120ms", el)
	}
}

func TestRetry_429WithoutRetryAfterUsesBackoff(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRetries(4, 40*time.Millisecond, 40*time.Millisecond))
	tooMany := status(429, nil, `{"message":"slow down"}`)
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, tooMany, tooMany, ok))
	start := time.Now()
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	if n.get() != 3 {
		t.Errorf("%d requests, want 3", n.get())
	}
	// Each backoff is in [20ms, 40ms].
	if el := time.Since(start); el < 40*time.Millisecond {
		t.Errorf("took %v, want at least 2 backoffs of >= 20ms", el)
	}
}

func TestRetry_RetryAfterBeyondDeadlineGivesUpAtOnce(t *testing.T) {
	var n counter
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, status(429, map[string]string{"Retry-After": "30"}, `{}`), ok))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := c.GetCall(ctx, "AC1")
	checkErr(t, err)
	var ae *APIError
	if !errors.As(err, &ae) {
		// Waiting 30s would have run into the 3s deadline instead.
		t.Fatalf("err = %v, want the 429 *APIError", err)
	}
	if ae.StatusCode != 429 || ae.RetryAfter != 30*time.Second || ae.Attempts != 1 {
		t.Errorf("got status %d, RetryAfter %v, Attempts %d", ae.StatusCode, ae.RetryAfter, ae.Attempts)
	}
	if n.get() != 1 {
		t.Errorf("%d requests, want 1", n.get())
	}
}

func TestRetry_gatewayErrorsThenSuccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail http.HandlerFunc
	}{
		{"502 HTML page", html(502)},
		{"503 JSON", status(503, nil, `{"message":"maintenance"}`)},
		{"503 empty", status(503, nil, "")},
		{"504 HTML page", html(504)},
		{"transport error", hijackClose},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /v1/calls/{id}", script(&n, tc.fail, tc.fail, ok))
			call, err := c.GetCall(context.Background(), "AC1")
			if err != nil {
				t.Fatalf("GetCall: %v", err)
			}
			if call.ID != "AC1" || n.get() != 3 {
				t.Errorf("call %q after %d requests, want AC1 after 3", call.ID, n.get())
			}
		})
	}
}

func TestRetry_persistentFailureGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fail   http.HandlerFunc
		status int
	}{
		{"429", status(429, map[string]string{"Retry-After": "0"}, `{"message":"Too many requests","title":"Too Many Requests"}`), 429},
		{"502 HTML", html(502), 502},
		{"503", status(503, nil, ""), 503},
		{"504", status(504, nil, "upstream timed out"), 504},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			c, mux, _ := setup(t, WithRetries(3, time.Millisecond, 2*time.Millisecond))
			mux.HandleFunc("GET /v1/calls/{id}", script(&n, tc.fail))
			_, err := c.GetCall(context.Background(), "AC1")
			checkErr(t, err)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %T %v, want *APIError", err, err)
			}
			if ae.StatusCode != tc.status || ae.Attempts != 3 || n.get() != 3 {
				t.Errorf("status %d, Attempts %d, requests %d; want %d, 3, 3", ae.StatusCode, ae.Attempts, n.get(), tc.status)
			}
			if want := fmt.Sprintf("%d %s", tc.status, http.StatusText(tc.status)); !strings.Contains(err.Error(), want) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), want)
			}
		})
	}
}

func TestRetry_persistentTransportErrorGivesUp(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRetries(2, time.Millisecond, time.Millisecond))
	mux.HandleFunc("GET /v1/calls", script(&n, hijackClose))
	_, err := c.ListCalls(context.Background(), ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+15555550100"}})
	checkErr(t, err)
	if n.get() != 2 {
		t.Errorf("%d requests, want 2", n.get())
	}
	var ae *APIError
	if errors.As(err, &ae) {
		t.Errorf("transport error is an *APIError: %v", err)
	}
	if !strings.Contains(err.Error(), "could not reach the OpenPhone API") {
		t.Errorf("Error() = %q", err.Error())
	}
	// The URL (with phone numbers in its query) is scrubbed.
	if strings.Contains(err.Error(), "15555550100") || strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("Error() = %q leaks the request URL", err.Error())
	}
}

// Only 429, 502, 503, 504 and transport errors are retried.
func TestRetry_otherStatusesAreNeverRetried(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 405, 409, 422, 500, 501} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			var n counter
			c, mux, _ := setup(t)
			// Even a Retry-After does not make a 4xx retryable.
			mux.HandleFunc("GET /v1/calls/{id}", script(&n, status(code, map[string]string{"Retry-After": "0"}, `{"message":"no"}`), ok))
			_, err := c.GetCall(context.Background(), "AC1")
			checkErr(t, err)
			if !IsStatus(err, code) {
				t.Errorf("err = %v, want status %d", err, code)
			}
			if n.get() != 1 {
				t.Errorf("%d requests, want 1", n.get())
			}
		})
	}
}

func TestRetry_contextCancelStopsWaiting(t *testing.T) {
	var n counter
	c, mux, _ := setup(t)
	first := make(chan struct{})
	var once sync.Once
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "50")
		writeJSON(w, 503, `{}`)
		once.Do(func() { close(first) })
	}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-first
		time.Sleep(20 * time.Millisecond) // let the client start waiting
		cancel()
	}()
	start := time.Now()
	_, err := c.GetCall(ctx, "AC1")
	checkErr(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v; cancellation should end a 50s Retry-After wait at once", el)
	}
	if n.get() != 1 {
		t.Errorf("%d requests, want 1", n.get())
	}
}

func TestRetry_contextCancelStopsPacingWait(t *testing.T) {
	c, mux, _ := setup(t, WithRateLimit(0.1)) // one request, then 10s until the next
	mux.HandleFunc("GET /v1/calls/{id}", ok)
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetCall(ctx, "AC1")
	checkErr(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v, want cancellation to end the pacing wait", el)
	}
}

func TestRetry_canceledBeforeStart(t *testing.T) {
	var n counter
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(ok))
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("user went away")
	cancel(cause)
	_, err := c.GetCall(ctx, "AC1")
	checkErr(t, err)
	if !errors.Is(err, cause) {
		t.Errorf("err = %v, want the context's cause", err)
	}
	if n.get() != 0 {
		t.Errorf("%d requests for a canceled context", n.get())
	}
}

func TestRetry_logsWithoutTheKey(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var n counter
	c, mux, _ := setup(t, WithLogger(logger))
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, status(503, nil, ""), ok))
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "retrying") {
		t.Errorf("no retry notice logged: %q", buf.String())
	}
	if strings.Contains(buf.String(), testKey) {
		t.Errorf("log contains the key: %q", buf.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestTimeout_hungHandler(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithTimeout(100*time.Millisecond), WithRetries(1, time.Millisecond, time.Millisecond))
	release := hangUntilCleanup(t)
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	start := time.Now()
	_, err := c.GetCall(context.Background(), "AC1")
	checkErr(t, err)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Errorf("per-request timeout reported as a context error: %v", err)
	}
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("gave up after %v, before the 100ms timeout", el)
	}
	if n.get() != 1 {
		t.Errorf("%d requests, want 1", n.get())
	}
}

func TestTimeout_hungBodyIsNotRetried(t *testing.T) {
	// Headers arrive, the body never does: the timeout fires once and the
	// call fails with ErrTimeout instead of multiplying the wait by retries.
	var n counter
	c, mux, _ := setup(t, WithTimeout(100*time.Millisecond))
	release := hangUntilCleanup(t)
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.Write([]byte(`{"data":`))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, ok))
	_, err := c.GetCall(context.Background(), "AC1")
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if n.get() != 1 {
		t.Errorf("%d requests, want 1", n.get())
	}
}

func TestTimeout_callerDeadlineIsNotErrTimeout(t *testing.T) {
	c, mux, _ := setup(t, WithTimeout(5*time.Second))
	release := hangUntilCleanup(t)
	mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	_, err := c.GetCall(ctx, "AC1")
	checkErr(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("the caller's deadline reported as ErrTimeout: %v", err)
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 1024
	bodyOf := func(size int) string {
		// A valid call body padded to exactly size bytes.
		prefix, suffix := `{"data":{"id":"AC1","status":"`, `"}}`
		return prefix + strings.Repeat("x", size-len(prefix)-len(suffix)) + suffix
	}
	t.Run("oversized 200", func(t *testing.T) {
		var n counter
		c, mux, _ := setup(t, WithMaxBodyBytes(limit))
		mux.HandleFunc("GET /v1/calls/{id}", n.wrap(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, bodyOf(limit+1)) }))
		_, err := c.GetCall(context.Background(), "AC1")
		checkErr(t, err)
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("err = %v, want ErrBodyTooLarge", err)
		}
		if n.get() != 1 {
			t.Errorf("%d requests, want 1 (a too-large body is not retried)", n.get())
		}
	})
	t.Run("oversized without Content-Length", func(t *testing.T) {
		c, mux, _ := setup(t, WithMaxBodyBytes(limit))
		mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			for range 100 {
				w.Write([]byte(strings.Repeat(" ", 512)))
				w.(http.Flusher).Flush()
			}
		})
		_, err := c.GetCall(context.Background(), "AC1")
		checkErr(t, err)
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("err = %v, want ErrBodyTooLarge", err)
		}
	})
	t.Run("exactly the limit", func(t *testing.T) {
		c, mux, _ := setup(t, WithMaxBodyBytes(limit))
		mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, bodyOf(limit)) })
		call, err := c.GetCall(context.Background(), "AC1")
		if err != nil || call.ID != "AC1" {
			t.Errorf("body of exactly the limit: %v, %v", call, err)
		}
	})
	t.Run("oversized error page still gives an APIError and is retried", func(t *testing.T) {
		var n counter
		c, mux, _ := setup(t, WithMaxBodyBytes(limit))
		big := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(503)
			w.Write([]byte("<html>" + strings.Repeat("x", 10*limit) + "</html>"))
		}
		mux.HandleFunc("GET /v1/calls/{id}", script(&n, big, ok))
		if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
			t.Fatalf("GetCall: %v", err)
		}
		if n.get() != 2 {
			t.Errorf("%d requests, want 2", n.get())
		}
	})
	t.Run("oversized 404 body", func(t *testing.T) {
		c, mux, _ := setup(t, WithMaxBodyBytes(limit))
		mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 404, `{"message":"`+strings.Repeat("y", 10*limit)+`"}`)
		})
		_, err := c.GetCall(context.Background(), "AC1")
		checkErr(t, err)
		if !IsStatus(err, 404) {
			t.Errorf("err = %v, want a 404 *APIError", err)
		}
	})
	t.Run("zero or negative limit is refused", func(t *testing.T) {
		for _, n := range []int64{0, -1} {
			if _, err := New(testKey, WithMaxBodyBytes(n)); err == nil {
				t.Errorf("WithMaxBodyBytes(%d) accepted", n)
			}
		}
	})
}

func TestMalformedResponse(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":      `{"data":{"id":"AC1","participants":["+1555`,
		"html on 200":    `<html><body>Welcome to the captive portal</body></html>`,
		"wrong type":     `{"data":{"id":"AC1","duration":"sixty"}}`,
		"trailing junk":  `{"data":{"id":"AC1"}} trailing`,
		"empty":          ``,
		"bad time":       `{"data":{"id":"AC1","createdAt":"yesterday"}}`,
		"data not array": `{"data":{"id":"AC1"},"nextPageToken":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			var n counter
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /v1/calls/{id}", n.wrap(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }))
			mux.HandleFunc("GET /v1/calls", n.wrap(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }))
			var err error
			if name == "data not array" {
				_, err = c.ListCalls(context.Background(), ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+15555550100"}})
			} else {
				_, err = c.GetCall(context.Background(), "AC1")
			}
			checkErr(t, err)
			if !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("err = %v, want ErrMalformedResponse", err)
			}
			var ae *APIError
			if errors.As(err, &ae) {
				t.Errorf("malformed 200 reported as *APIError")
			}
			if n.get() != 1 {
				t.Errorf("%d requests, want 1", n.get())
			}
		})
	}
}

// TestRedirect_toAnotherHostIsRefused redirects to a second server standing
// for another host: the redirect is refused, so that server never sees a
// request, let alone the Authorization header.
func TestRedirect_toAnotherHostIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(srv *httptest.Server) Option
	}{
		{"default client", func(srv *httptest.Server) Option { return WithTransport(srv.Client().Transport) }},
		{"WithHTTPClient without CheckRedirect", func(srv *httptest.Server) Option {
			return WithHTTPClient(&http.Client{Transport: srv.Client().Transport})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var otherHits counter
			var sawAuth []string
			var mu sync.Mutex
			other := httptest.NewServer(otherHits.wrap(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				sawAuth = append(sawAuth, r.Header.Get("Authorization"))
				mu.Unlock()
				writeJSON(w, 200, okCall)
			}))
			t.Cleanup(other.Close)

			_, mux, srv := setup(t)
			c, err := New(testKey, WithBaseURL(srv.URL), tc.opt(srv), WithRateLimit(0), WithRetries(3, time.Millisecond, time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			var n counter
			for _, code := range []int{301, 302, 307, 308} {
				mux.HandleFunc(fmt.Sprintf("GET /v1/calls/AC%d", code), n.wrap(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+r.URL.Path, code)
				}))
			}
			for _, code := range []int{301, 302, 307, 308} {
				_, err := c.GetCall(context.Background(), fmt.Sprintf("AC%d", code))
				checkErr(t, err)
				if !errors.Is(err, ErrRedirect) {
					t.Errorf("%d: err = %v, want ErrRedirect", code, err)
				}
			}
			if n.get() != 4 {
				t.Errorf("%d requests to the API, want 4 (a refused redirect is not retried)", n.get())
			}
			mu.Lock()
			defer mu.Unlock()
			if otherHits.get() != 0 {
				t.Errorf("the other host received %d requests (Authorization %q)", otherHits.get(), sawAuth)
			}
			for _, a := range sawAuth {
				if a == testKey {
					t.Errorf("the API key reached the other host")
				}
			}
		})
	}
}

func TestRedirect_sameHostIsFollowed(t *testing.T) {
	c, mux, _ := setup(t)
	var gotAuth string
	mux.HandleFunc("GET /v1/calls/ACold", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/calls/ACnew", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /v1/calls/ACnew", func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		writeJSON(w, 200, `{"data":{"id":"ACnew"}}`)
	})
	call, err := c.GetCall(context.Background(), "ACold")
	if err != nil {
		t.Fatal(err)
	}
	if call.ID != "ACnew" {
		t.Errorf("call = %q, want ACnew", call.ID)
	}
	if gotAuth != testKey {
		t.Errorf("same-host redirect target saw Authorization %q", gotAuth)
	}
}

func TestRedirect_loopIsNotRetried(t *testing.T) {
	var n counter
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}))
	_, err := c.GetCall(context.Background(), "AC1")
	checkErr(t, err)
	if n.get() > 3 {
		t.Errorf("%d requests for a redirect loop; it should stop after 3 and not be retried", n.get())
	}
}

func TestRedirect_3xxWithoutLocation(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusMultipleChoices) })
	_, err := c.GetCall(context.Background(), "AC1")
	checkErr(t, err)
	if !errors.Is(err, ErrRedirect) {
		t.Errorf("err = %v, want ErrRedirect", err)
	}
}

func TestWithHTTPClient_callerClientUntouched(t *testing.T) {
	hc := &http.Client{}
	_, srvMux, srv := setup(t)
	srvMux.HandleFunc("GET /v1/calls/{id}", ok)
	c, err := New(testKey, WithHTTPClient(hc), WithTransport(srv.Client().Transport), WithBaseURL(srv.URL), WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != nil || hc.CheckRedirect != nil {
		t.Errorf("the caller's *http.Client was modified")
	}
}

func TestPacing_spacesRequests(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRateLimit(20))
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(ok))
	start := time.Now()
	for range 5 {
		if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
			t.Fatal(err)
		}
	}
	// Burst 1 at 20/s: the 2nd..5th requests each wait 50ms.
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("5 requests at 20/s took %v, want at least ~200ms", el)
	}
	if n.get() != 5 {
		t.Errorf("%d requests", n.get())
	}
}

func TestPacing_concurrentRequestsShareTheLimit(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRateLimit(20))
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(ok))
	start := time.Now()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Errorf("6 concurrent requests at 20/s took %v, want at least ~250ms", el)
	}
}

func TestPacing_sharedLimiterAcrossClients(t *testing.T) {
	l := rate.NewLimiter(20, 1)
	c1, mux1, _ := setup(t, WithLimiter(l))
	c2, mux2, _ := setup(t, WithLimiter(l))
	mux1.HandleFunc("GET /v1/calls/{id}", ok)
	mux2.HandleFunc("GET /v1/calls/{id}", ok)
	start := time.Now()
	for range 3 {
		for _, c := range []*Client{c1, c2} {
			if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Errorf("6 requests on one shared 20/s limiter took %v, want at least ~250ms", el)
	}
}

func TestPacing_retriesArePacedToo(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRateLimit(20), WithRetries(4, time.Millisecond, time.Millisecond))
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, status(503, nil, ""), status(503, nil, ""), status(503, nil, ""), ok))
	start := time.Now()
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 120*time.Millisecond {
		t.Errorf("4 attempts at 20/s took %v, want at least ~150ms", el)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"   ", 0},
		{"0", 0},
		{"-5", 0},
		{"2", 2 * time.Second},
		{" 7 ", 7 * time.Second},
		{"0.01", 10 * time.Millisecond},
		{"1.5", 1500 * time.Millisecond},
		{"soon", 0},
		{"NaN", 0},
		{"-Inf", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second},
		{now.Add(90 * time.Second).Format(time.ANSIC), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	// Absurd values must not overflow into a negative or zero wait.
	for _, in := range []string{"Inf", "+Inf", "1e300", "9223372036854775807"} {
		if got := parseRetryAfter(in, now); got < maxRetryAfter {
			t.Errorf("parseRetryAfter(%q) = %v, want a long wait (>= %v)", in, got, maxRetryAfter)
		}
	}
}

func TestRetry_hugeRetryAfterIsCapped(t *testing.T) {
	// With a deadline shorter than the cap, a capped wait still outlives the
	// caller, so the client gives up at once with the 429.
	var n counter
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /v1/calls/{id}", script(&n, status(429, map[string]string{"Retry-After": "1e300"}, ""), ok))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.GetCall(ctx, "AC1")
	checkErr(t, err)
	if !IsStatus(err, 429) || n.get() != 1 {
		t.Errorf("err = %v after %d requests; want the 429 at once", err, n.get())
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{backoffBase: 100 * time.Millisecond, backoffMax: time.Second}
	for attempt := 1; attempt <= 200; attempt++ {
		d := min(100*time.Millisecond*time.Duration(math.Pow(2, float64(min(attempt-1, 20)))), time.Second)
		for range 20 {
			got := c.backoff(attempt)
			if got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, got, d/2, d)
			}
		}
	}
	zero := &Client{}
	if got := zero.backoff(3); got != 0 {
		t.Errorf("zero backoff = %v", got)
	}
}

func TestPacing_waitBeyondDeadlineIsDeadlineExceeded(t *testing.T) {
	var n counter
	c, mux, _ := setup(t, WithRateLimit(0.1))
	mux.HandleFunc("GET /v1/calls/{id}", n.wrap(ok))
	if _, err := c.GetCall(context.Background(), "AC1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.GetCall(ctx, "AC1") // the next slot is 10s away
	checkErr(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the client waited for the deadline instead of giving up at once")
	}
	if n.get() != 1 {
		t.Errorf("%d requests, want 1", n.get())
	}
}

func TestWithHTTPClient_callerCheckRedirectStillApplies(t *testing.T) {
	_, mux, srv := setup(t)
	mux.HandleFunc("GET /v1/calls/ACold", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/calls/ACnew", http.StatusFound)
	})
	mux.HandleFunc("GET /v1/calls/ACnew", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"data":{"id":"ACnew"}}`) })
	var consulted int
	refuse := errors.New("caller refuses redirects")
	hc := &http.Client{Transport: srv.Client().Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		consulted++
		return refuse
	}}
	c, err := New(testKey, WithHTTPClient(hc), WithBaseURL(srv.URL), WithRateLimit(0), WithRetries(4, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCall(context.Background(), "ACold")
	checkErr(t, err)
	if !errors.Is(err, refuse) {
		t.Errorf("err = %v, want the caller's CheckRedirect error", err)
	}
	if consulted != 1 {
		t.Errorf("caller's CheckRedirect consulted %d times, want 1 (its refusal is not retried)", consulted)
	}

	// http.ErrUseLastResponse still works: the 3xx comes back as ErrRedirect.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c, err = New(testKey, WithHTTPClient(hc), WithBaseURL(srv.URL), WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCall(context.Background(), "ACold")
	checkErr(t, err)
	if !errors.Is(err, ErrRedirect) {
		t.Errorf("err = %v, want ErrRedirect", err)
	}
	if _, err := New(testKey, WithHTTPClient(nil)); err == nil {
		t.Error("WithHTTPClient(nil) accepted")
	}
}
