package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// Benchmarks of decoding API pages; they run only with -bench (see
// BENCHMARKS.md).

// callPage100 is a 100-call page of GET /v1/calls from the demo workspace,
// as the API sends it (minified JSON), and its query.
func callPage100(b *testing.B) ([]byte, client.ListCallsParams) {
	b.Helper()
	ws := sandbox.Demo(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC))
	best := ws.Pairs()[0]
	p := client.ListCallsParams{PhoneNumberID: best.PhoneNumberID, Participants: []string{best.Participant}, MaxResults: 100}
	rt := sandbox.New(ws, sandbox.Options{}).RoundTripper()
	q := url.Values{"phoneNumberId": {p.PhoneNumberID}, "participants": p.Participants, "maxResults": {"100"}}
	req, _ := http.NewRequest(http.MethodGet, "http://sandbox/v1/calls?"+q.Encode(), nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("%d %v: %.200s", resp.StatusCode, err, body)
	}
	var page client.CallPage
	if err := json.Unmarshal(body, &page); err != nil || len(page.Data) != 100 {
		b.Fatalf("page of %d calls (%v)", len(page.Data), err)
	}
	return body, p
}

// BenchmarkDecodeCallPage100 decodes a 100-call API page into the client's
// types, the way Client.ListCalls does.
func BenchmarkDecodeCallPage100(b *testing.B) {
	body, _ := callPage100(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var page client.CallPage
		if err := json.Unmarshal(body, &page); err != nil {
			b.Fatal(err)
		}
	}
}

// cannedTransport answers every request with the same 200 body.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(t.body))}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       req,
	}, nil
}

// BenchmarkListCalls100 is Client.ListCalls for a 100-call page over a
// transport with a canned answer: the query, the request, the body read
// through its size limit and the decoding.
func BenchmarkListCalls100(b *testing.B) {
	body, p := callPage100(b)
	c, err := client.New("bench", client.WithTransport(cannedTransport{body}), client.WithRateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ListCalls(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}
