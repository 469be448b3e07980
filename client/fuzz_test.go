package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzz targets of the client: whatever the API sends, decoding a page
// and parsing an error body end in a value or a clear error, never a panic,
// never unbounded output, never the API key. Seed corpora live in
// testdata/fuzz/<target>; .ci/run fuzzes each target briefly.

// memTransport answers every request with one canned response, in memory.
type memTransport struct {
	status int
	header http.Header
	body   []byte
}

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := m.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Length", strconv.Itoa(len(m.body)))
	return &http.Response{
		StatusCode: m.status, Status: strconv.Itoa(m.status) + " " + http.StatusText(m.status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(m.body)), ContentLength: int64(len(m.body)), Request: req,
	}, nil
}

func memClient(t testing.TB, status int, body []byte) *Client {
	c, err := New(testKey, WithTransport(memTransport{status: status, body: body,
		header: http.Header{"Content-Type": {"application/json"}}}),
		WithRateLimit(0), WithRetries(1, 0, 0), WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzDecodePages feeds any 200 body to ListCalls and ListConversations
// through the real request path (size limit, JSON decoding): the result is
// a page or ErrMalformedResponse, and a page re-encodes to JSON that
// decodes to the same page. The Calls iterator over the same answer ends
// within two pages (the second hands back the token that asked for it).
func FuzzDecodePages(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"AC1","phoneNumberId":"PN1","userId":"US1","direction":"incoming","status":"completed","duration":61,"participants":["+12125550103","+14155550100"],"createdAt":"2026-11-26T10:00:00Z","answeredAt":null,"answeredBy":"US1","initiatedBy":null,"completedAt":"2026-11-26T10:01:01.5+02:00","updatedAt":null,"forwardedFrom":null,"forwardedTo":null,"callRoute":"phone-number","aiHandled":null}],"totalItems":1,"nextPageToken":"tok"}`))
	f.Add([]byte(`{"data":[{"id":"CN1","phoneNumberId":"PN1","participants":["+12125550103"],"name":"Bob\nMore calls: x","assignedTo":null,"createdAt":null,"updatedAt":null,"deletedAt":null,"lastActivityAt":"2026-11-26T10:00:00Z","lastActivityId":"AC1","mutedUntil":null,"snoozedUntil":null}],"totalItems":-5,"nextPageToken":null}`))
	f.Add([]byte(`{"data":null,"totalItems":1e400,"nextPageToken":7}`))
	f.Add([]byte(`{"data":[`))
	f.Add([]byte(`<html><body>captive portal</body></html>`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Add([]byte(`{"data":[{"createdAt":"not a time","duration":"sixty"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := memClient(t, 200, body)
		ctx := context.Background()
		calls, err := c.ListCalls(ctx, ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+12125550103"}})
		checkDecoded(t, calls, err)
		convs, err := c.ListConversations(ctx, ListConversationsParams{PhoneNumbers: []string{"PN1"}})
		checkDecoded(t, convs, err)
		n := 0
		if calls != nil {
			n = len(calls.Data)
		}
		checkWalkEnds(t, firstPage(calls, calls != nil), n, c.Calls(ctx, ListCallsParams{PhoneNumberID: "PN1", Participants: []string{"+12125550103"}}))
	})
}

// checkWalkEnds walks an iterator over a client that answers every request
// with the body that gave the first page: it ends after one page (no next
// token, or an error) or two (ErrRepeatedPageToken), with no other error.
// first is nil when that body did not decode; n is its number of items.
func checkWalkEnds[T any](t *testing.T, first interface{ NextToken() string }, n int, walk iter.Seq2[T, error]) {
	t.Helper()
	items := 0
	var end error
	for _, err := range walk {
		if err != nil {
			end = err
			break
		}
		items++
	}
	switch {
	case first == nil:
		if !errors.Is(end, ErrMalformedResponse) || items != 0 {
			t.Fatalf("a malformed page: walk ended with %v after %d items", end, items)
		}
	case first.NextToken() == "":
		if end != nil || items != n {
			t.Fatalf("a last page of %d items: walk gave %d and %v", n, items, end)
		}
	default:
		if !errors.Is(end, ErrRepeatedPageToken) || items != 2*n {
			t.Fatalf("a page of %d items with a next token: walk gave %d and %v, want twice the items and ErrRepeatedPageToken", n, items, end)
		}
		if strings.Contains(end.Error(), testKey) {
			t.Fatal("the error carries the key")
		}
	}
}

// firstPage is page as checkWalkEnds takes it: nil when it did not decode.
func firstPage[P interface{ NextToken() string }](page P, ok bool) interface{ NextToken() string } {
	if !ok {
		return nil
	}
	return page
}

func checkDecoded[P any](t *testing.T, page *P, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrMalformedResponse) {
			t.Fatalf("a 200 body gave %v, want ErrMalformedResponse", err)
		}
		if page != nil {
			t.Fatal("a page and an error")
		}
		if strings.Contains(err.Error(), testKey) {
			t.Fatal("the error carries the key")
		}
		return
	}
	if page == nil {
		t.Fatal("no page and no error")
	}
	again, err := json.Marshal(page)
	if err != nil {
		t.Fatalf("a decoded page does not re-encode: %v", err)
	}
	var back P
	if err := json.Unmarshal(again, &back); err != nil {
		t.Fatalf("a re-encoded page does not decode: %v\n%s", err, again)
	}
	twice, _ := json.Marshal(&back)
	if !bytes.Equal(again, twice) {
		t.Fatalf("the page changes on a second round trip:\n%s\n%s", again, twice)
	}
}

// maxErrorText bounds Error() of any *APIError: the clipped fields and at
// most maxFieldErrorsShown field errors, with room for the fixed words.
const maxErrorText = 4 * (500 + 200 + 200 + 200 + 200 + maxFieldErrorsShown*(200+300+8) + 200)

// FuzzParseAPIError feeds any status and error body to a request through
// the real client: the answer is an *APIError (or ErrRedirect for 3xx)
// whose message is bounded and never carries the API key, even when the
// body echoes it (the seeds put it in every field, and across the clip
// boundaries).
func FuzzParseAPIError(f *testing.F) {
	key := testKey
	f.Add(401, []byte(`{"message":"bad key `+key+`","code":"0100401","status":401,"title":"Unauthorized","docs":"`+key+`","trace":"`+key+`","errors":[{"path":"/h","message":"`+key+`","value":"`+key+`","schema":{"type":"`+key+`"}}]}`))
	f.Add(500, []byte(`{"message":"`+strings.Repeat("x", 490)+key+`"}`))
	f.Add(400, []byte(`{"title":"`+strings.Repeat("é", 95)+key+`","errors":[{"path":"`+strings.Repeat("p", 195)+key+`"}]}`))
	f.Add(403, []byte(`{"error":{"message":"`+key+`","key":"`+key+`","trace":"t"}}`))
	f.Add(404, []byte(`{"error":"`+key+`"}`))
	f.Add(418, []byte(`{"code":101403}`))
	f.Add(422, []byte(`{"code":1e300,"errors":"x"}`))
	f.Add(500, []byte(`<html>`+key+`</html>`))
	f.Add(302, []byte(``))
	f.Add(400, []byte(`{"message":"\u006fpk_MARKER_3f9c2a7e5d"}`))
	// Found by this target: the code was neither redacted nor clipped.
	f.Add(400, []byte(`{"code":"`+key+`"}`))
	f.Add(400, []byte(`{"code":"`+strings.Repeat("0", 40)+key+`"}`))
	f.Add(500, []byte(`{"code":`+strings.Repeat("9", 1<<16)+`}`))
	f.Add(400, []byte(`{"errors":[{"path":"p","value":"\u006fpk_MARKER_3f9c2a7e5d"}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 300 || status > 599 {
			status = 300 + (status%300+300)%300
		}
		c := memClient(t, status, body)
		_, err := c.GetCall(context.Background(), "AC1")
		checkAPIErrorAnswer(t, status, body, err)
	})
}

// checkAPIErrorAnswer checks the error a request got for a status of 300
// or more and body: ErrRedirect for 3xx, else an *APIError of that status,
// bounded, with no piece of the key that the body held only inside the
// whole key.
func checkAPIErrorAnswer(t *testing.T, status int, body []byte, err error) {
	t.Helper()
	key := testKey
	if err == nil {
		t.Fatalf("status %d gave no error", status)
	}
	var ae *APIError
	switch {
	case status < 400:
		if !errors.Is(err, ErrRedirect) {
			t.Fatalf("status %d gave %v, want ErrRedirect", status, err)
		}
		return
	case !errors.As(err, &ae):
		t.Fatalf("status %d gave %T %v, want *APIError", status, err, err)
	case ae.StatusCode != status:
		t.Fatalf("status %d reported as %d", status, ae.StatusCode)
	}
	msg := err.Error()
	if len(msg) > maxErrorText {
		t.Fatalf("a %d-byte message", len(msg))
	}
	if len(ae.Code) > maxCodeLen+len("…") {
		t.Fatalf("a %d-byte code", len(ae.Code))
	}
	fields := []string{msg, ae.Message, ae.Title, ae.Docs, ae.Trace, ae.Key, ae.Code}
	for _, fe := range ae.Errors {
		fields = append(fields, fe.Path, fe.Message, fe.Schema.Type, string(fe.Value), decodedJSON(fe.Value))
	}
	// Pieces of the key that the body holds only inside a whole echoed
	// key: any of them in a field means the key leaked, clipped or not.
	// The body is searched as sent and as decoded, so that a piece the
	// body itself spells with \u escapes is the body's, not a leak.
	rest := strings.ReplaceAll(string(body)+"\x00"+decodedJSON(body), key, "")
	for _, s := range fields {
		if strings.Contains(s, key) {
			t.Fatalf("the API key is in %q", s)
		}
		for i := 0; i+keyPiece <= len(key); i++ {
			if p := key[i : i+keyPiece]; strings.Contains(s, p) && !strings.Contains(rest, p) {
				t.Fatalf("a %d-character piece of the API key is in %q", keyPiece, s)
			}
		}
	}
}

// keyPiece is the shortest piece of the key that counts as a leak.
const keyPiece = 12

// decodedJSON is a raw JSON value as a reader would see it decoded, so that
// a key spelled with \u escapes is caught too.
func decodedJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return fmt.Sprint(v)
}

// TestAPIError_keyCutByTheClipIsRedacted: a key echoed right where a field
// is clipped must not leave its first characters behind (redaction runs
// before clipping).
func TestAPIError_keyCutByTheClipIsRedacted(t *testing.T) {
	for _, tc := range []struct{ field, body string }{
		{"message", `{"message":"` + strings.Repeat("x", 490) + testKey + `"}`},
		{"title", `{"title":"` + strings.Repeat("x", 195) + testKey + `"}`},
		{"trace", `{"trace":"` + strings.Repeat("x", 195) + testKey + `"}`},
		{"field path", `{"errors":[{"path":"` + strings.Repeat("x", 195) + testKey + `","message":"m"}]}`},
		{"field message", `{"errors":[{"path":"p","message":"` + strings.Repeat("x", 295) + testKey + `"}]}`},
	} {
		c := memClient(t, 400, []byte(tc.body))
		_, err := c.GetCall(context.Background(), "AC1")
		if err == nil {
			t.Fatal("no error")
		}
		if msg := err.Error(); strings.Contains(msg, testKey[:8]) {
			t.Errorf("%s: a piece of the key survives the clip: %q", tc.field, msg)
		}
	}
}
