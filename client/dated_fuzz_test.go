package client

import (
	"context"
	"strings"
	"testing"
)

// The dated surface's fuzz targets, on the same real request path as the
// v1 ones (memClient): its pages and its error bodies.

// FuzzDecodeDatedPages feeds any 200 body to each dated list: the result
// is a page or ErrMalformedResponse, a page survives a JSON round trip,
// and the DatedCalls walk over the same answer ends within two pages.
func FuzzDecodeDatedPages(f *testing.F) {
	f.Add([]byte(`{"data":[` + datedCallJSON + `],"nextCursor":"c2"}`))
	f.Add([]byte(`{"data":[{"id":"AC1","phoneNumberId":"PN1","participants":[{"phoneNumber":"+1","actorId":"US1"},{"phoneNumber":"+1","actorId":"US2"},{"phoneNumber":"blocked"}],"summary":{"status":"in-progress","type":null,"summary":null,"nextSteps":null,"jobs":null,"title":null}}],"nextCursor":null}`))
	f.Add([]byte(`{"data":[{"recordingId":"CR1","status":"completed","startTime":"2026-10-01T09:00:05Z","createdAt":null,"duration":1.5,"dialogue":[{"content":"Hi","start":0,"end":0.5,"identifier":null,"actorId":null}]}],"nextCursor":"c"}`))
	f.Add([]byte(`{"data":[{"id":"CR1","status":"completed","startTime":null,"duration":null,"url":null,"type":null}],"nextCursor":""}`))
	f.Add([]byte(`{"data":[` + userJSON + `],"nextCursor":null}`))
	f.Add([]byte(`{"data":[{"voicemail":{"id":"VM1","duration":"long"}}],"nextCursor":null}`))
	f.Add([]byte(`{"data":[{"participants":["+12125550103"]}]}`)) // v1's shape where the dated one is expected
	f.Add([]byte(`{"data":null,"nextCursor":7}`))
	f.Add([]byte(`{"data":[{"createdAt":"yesterday"}]}`))
	f.Add([]byte(`<html>gateway</html>`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := memClient(t, 200, body)
		ctx := context.Background()
		calls, err := c.ListDatedCalls(ctx, ListDatedCallsParams{Include: []string{IncludeSummary, IncludeVoicemail}})
		checkDecoded(t, calls, err)
		recs, err := c.ListDatedCallRecordings(ctx, "AC1", CursorParams{})
		checkDecoded(t, recs, err)
		trs, err := c.ListDatedCallTranscripts(ctx, "AC1", CursorParams{})
		checkDecoded(t, trs, err)
		users, err := c.ListDatedUsers(ctx, CursorParams{})
		checkDecoded(t, users, err)
		n := 0
		if calls != nil {
			n = len(calls.Data)
		}
		checkWalkEnds(t, firstPage(calls, calls != nil), n, c.DatedCalls(ctx, ListDatedCallsParams{}))
	})
}

// FuzzParseDatedAPIError is FuzzParseAPIError on the dated surface, whose
// error body has no numeric code: any status and body give an *APIError
// (ErrRedirect for 3xx), bounded, never carrying the key.
func FuzzParseDatedAPIError(f *testing.F) {
	key := testKey
	f.Add(400, []byte(`{"title":"Bad Request","message":"Missing Quo-Api-Version `+key+`","docs":"`+key+`","trace":"`+key+`","errors":[{"path":"/query/status[in]","message":"`+key+`","value":"`+key+`","schema":{"type":"`+key+`"}}]}`))
	f.Add(404, []byte(`{"title":"Not Found","message":"Route GET /calls not found"}`))
	f.Add(400, []byte(`{"title":"`+strings.Repeat("é", 95)+key+`","message":"`+strings.Repeat("m", 490)+key+`"}`))
	f.Add(400, []byte(`{"errors":[{"path":"`+strings.Repeat("p", 195)+key+`","message":"`+strings.Repeat("x", 295)+key+`","value":{"k":"\u006fpk_MARKER_3f9c2a7e5d"}}]}`))
	f.Add(422, []byte(`{"title":null,"message":7,"errors":{"path":"x"}}`))
	f.Add(429, []byte(`{"title":"Too Many Requests","message":"10 per second per key"}`))
	f.Add(500, []byte(`{"message":"\u006fpk_MARKER_3"}`))
	f.Add(503, []byte(`<html>`+key+`</html>`))
	f.Add(307, []byte(``))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 300 || status > 599 {
			status = 300 + (status%300+300)%300
		}
		c := memClient(t, status, body)
		_, err := c.ListDatedCalls(context.Background(), ListDatedCallsParams{Participant: "+12125550103"})
		checkAPIErrorAnswer(t, status, body, err)
		_, err = c.GetDatedCall(context.Background(), "AC1", IncludeSummary)
		checkAPIErrorAnswer(t, status, body, err)
	})
}
