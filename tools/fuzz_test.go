package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/sandbox"
)

// maxErrorText bounds a tool's error text: whatever the arguments, an
// error says what is wrong in a few lines, and never echoes a huge input.
const maxErrorText = 2048

// FuzzToolArguments sends any arguments to any tool through its real
// handler (decodeArgs, then the tool's own checks and normalisation:
// params, normalizePhone, parseTime, the page tokens) against the fixture
// workspace in the in-process sandbox: every call ends in a result (never a
// panic or a Go error), errors are short, a success carries structured
// content, the API key never shows, and the work per call is bounded.
func FuzzToolArguments(f *testing.F) {
	sb := sandbox.New(fxWorkspace(), sandbox.Options{APIKey: markerKey})
	api, err := client.New(markerKey, client.WithTransport(sb.RoundTripper()), client.WithRateLimit(0),
		client.WithRetries(1, 0, 0), client.WithTimeout(5*time.Second))
	if err != nil {
		f.Fatal(err)
	}
	all := All(Deps{
		Client: func(context.Context) (*client.Client, error) { return api, nil },
		Now:    func() time.Time { return testNow },
	})
	for i, args := range []string{
		`{"phoneNumberId":"PNsales0001","participants":["(212) 555-0103"],"createdAfter":"2026-11-20","createdBefore":"2026-11-27T09:00:00-05:00","maxResults":5}`,
		`{"participants":["+12125550103"],"userId":"USjordan01","includeSummaries":true}`,
		`{"phoneNumberId":"+1 415 555 0100","participants":["212.555.0103"],"pageToken":"tok"}`,
		`{"participants":["+12125550103","+13105550142"]}`,
		`{"participants":"+12125550103"}`,
		`{"maxResults":0}`,
		`{"createdAfter":"2026-11-26T00:00:00Z","maxResults":2}`,
		`{"pageToken":"AQ"}`,
		`{"userId":"USalex00002"}`,
		`{"callId":"AC0000000000000000000000000000a1"}`,
		`{"callId":"AC0000000000000000000000000000a6"}`,
		`{"callId":"../v1/phone-numbers"}`,
		`{"callId":"AC%2F..%2F"}`,
		`{"unknown":1}`,
		`[]`,
		`null`,
		`{"maxResults":1e400}`,
		`{"createdAfter":"0000-01-01T00:00:00Z","createdBefore":"9999-12-31T23:59:59Z"}`,
		`{"participants":["` + strings.Repeat("5", 3000) + `"]}`,
		`{"phoneNumberId":"` + strings.Repeat("x", 3000) + `","participants":["+12125550103"]}`,
		`{"createdAfter":"` + strings.Repeat("2", 3000) + `"}`,
		`{"` + strings.Repeat("k", 3000) + `":1}`,
		`{"userId":"US` + strings.Repeat("!", 3000) + `"}`,
		`{"callId":"` + strings.Repeat("é", 3000) + `"}`,
		`{"groupBy":["day","user"],"timezone":"Asia/Kolkata","createdAfter":"2026-11-20"}`,
		`{"groupBy":"day"}`,
		`{"groupBy":["participant"],"status":["missed"],"direction":"incoming"}`,
		`{"timezone":"../../etc/passwd"}`,
		`{"onlyUnreturned":false,"maxResults":1}`,
		`{"createdBefore":"2026-11-27","createdAfter":"2025-11-27"}`,
		// The lenient shapes and the window words (args_lenient.go, args_window.go).
		`{"maxResults":"5"}`,
		`{"participants":"+1 212 555 0103","maxResults":" 2 ","includeSummaries":"TRUE"}`,
		`{"groupBy":"user","status":"missed","timezone":"America/Los_Angeles","createdAfter":"this week"}`,
		`{"createdAfter":"24h","createdBefore":"today"}`,
		`{"createdAfter":"yesterday","createdBefore":"yesterday","pageToken":"AQ"}`,
		`{"onlyUnreturned":"FALSE","maxResults":"3","createdAfter":"Last  Week"}`,
		`{"query":"refund","createdAfter":"7d","maxResults":"1"}`,
		`{"maxResults":"ten","createdAfter":"87601h"}`,
		`{"MaxResults":"5","CreatedAfter":"2w","maxResults":"6"}`,
		`{"createdAfter":"today","timezone":"Mars/Olympus"}`,
	} {
		f.Add(uint8(i), []byte(args))
	}
	bounded := regexp.MustCompile(`\S{300,}`) // no word of an error is a huge echo
	f.Fuzz(func(t *testing.T, tool uint8, raw []byte) {
		st := all[int(tool)%len(all)]
		var req mcp.CallToolRequest
		req.Params.Name = st.Tool.Name
		req.Params.RawArguments = json.RawMessage(raw)
		before := sb.Requests()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := st.Handler(ctx, req)
		if err != nil || res == nil {
			t.Fatalf("%s: a Go error or no result: %v", st.Tool.Name, err)
		}
		if n := sb.Requests() - before; n > 60 {
			t.Fatalf("%s: %d API requests for one call", st.Tool.Name, n)
		}
		s := resultText(res)
		switch {
		case s == "":
			t.Fatalf("%s: an empty answer", st.Tool.Name)
		case strings.Contains(s, markerKey):
			t.Fatalf("%s: the API key is in the answer", st.Tool.Name)
		case res.IsError && (len(s) > maxErrorText || bounded.MatchString(s)):
			t.Fatalf("%s: an error of %d bytes echoes its input:\n%.600s", st.Tool.Name, len(s), s)
		case !res.IsError && res.StructuredContent == nil:
			t.Fatalf("%s: a success without structured content", st.Tool.Name)
		}
	})
}

// FuzzNormalizeInputs checks the argument normalisers on any string: a
// phone number they accept is E.164 and normalises to itself; a time they
// accept reads back as the same instant, in UTC; the window and page size
// checks agree with the times; ids are checked without a panic; every
// refusal is an *argError with a bounded message.
func FuzzNormalizeInputs(f *testing.F) {
	for _, s := range []string{"+12125550103", "(212) 555-0103", "212.555.0103", "+44 20 7946 0958", "00442079460958",
		"+1 (212) 555-0103 ext. 7", "tel:+1-212-555-0103", "2026-11-20", "2026-11-20T09:00:00-05:00",
		"2026-11-20T09:00:00.123456789Z", "2026-02-30", "9999-12-31T23:59:59+14:00", "PN123", "AC123", "US", "",
		"١٢١٢٥٥٥٠١٠٣", "+1\u200b2125550103", strings.Repeat("9", 300),
		"today", " This  WEEK ", "last week", "yesterday", "24h", "7 d", "2w", "0d", "87601h", "99999999999999999999d", "1y",
		`{"maxResults":"5","participants":"+12125550103","includeSummaries":"TRUE","createdAfter":"today"}`,
		`{"maxResults":"5"`, `{"status":"missed","pageToken":"AQ","createdBefore":"24h"}`} {
		f.Add(s, "US")
	}
	f.Add("020 7946 0958", "GB")
	f.Add("+12125550103", "zz")
	f.Fuzz(func(t *testing.T, raw, second string) {
		// The region comes from --default-region, which main checks is two
		// capital letters; second doubles as createdBefore below.
		region := "US"
		if len(second) == 2 {
			region = strings.ToUpper(second)
		}
		check := func(what string, err error) {
			t.Helper()
			if err == nil {
				return
			}
			if _, ok := err.(*argError); !ok {
				t.Fatalf("%s: %T is not an argument error: %v", what, err, err)
			}
			if len(err.Error()) > maxErrorText {
				t.Fatalf("%s: a %d-byte message", what, len(err.Error()))
			}
		}
		if n, err := normalizePhone("participants[0]", raw, region); err == nil {
			if !e164Re.MatchString(n) {
				t.Fatalf("normalizePhone(%q, %q) = %q, not E.164", raw, region, n)
			}
			if again, err := normalizePhone("participants[0]", n, region); err != nil || again != n {
				t.Fatalf("normalizePhone(%q) = %q, %v; not idempotent", n, again, err)
			}
		} else {
			check("normalizePhone", err)
		}
		if tm, err := parseTime("createdAfter", raw); err == nil && !tm.IsZero() {
			if tm.Location() != time.UTC {
				t.Fatalf("parseTime(%q) is in %v, not UTC", raw, tm.Location())
			}
			if back, err := parseTime("createdAfter", tm.Format(time.RFC3339Nano)); (err != nil || !back.Equal(tm)) && tm.Year() >= 0 && tm.Year() <= 9999 {
				t.Fatalf("parseTime(%q) = %v does not read back: %v, %v", raw, tm, back, err)
			}
		} else {
			check("parseTime", err)
		}
		if a, b, err := timeWindow(raw, second); err == nil && !a.IsZero() && !b.IsZero() && !a.Before(b) {
			t.Fatalf("timeWindow(%q, %q) accepted an empty window", raw, second)
		} else {
			check("timeWindow", err)
		}
		if n, err := parseNumberArg(raw, region); err == nil {
			// What it accepts is what the API and page tokens take.
			if v := n.String(); v != "" && !tokenID(v, "PN") && !e164Re.MatchString(v) {
				t.Fatalf("parseNumberArg(%q) = %q, neither a PN id nor E.164", raw, v)
			}
		} else {
			check("parseNumberArg", err)
		}
		if u, err := parseUserID(raw); err == nil && u != "" && !tokenID(u, "US") {
			t.Fatalf("parseUserID accepted %q", raw)
		} else {
			check("parseUserID", err)
		}
		for _, loc := range fuzzZones {
			if w, err := resolveWindowArg("createdAfter", raw, testNow, loc); err == nil {
				// What reaches the tool is "" or an instant it reads.
				if v := strings.TrimSpace(w.value); v != "" {
					if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
						t.Fatalf("resolveWindowArg(%q) in %s = %q, which the tools cannot read: %v", raw, loc, w.value, err)
					}
				}
			} else {
				check("resolveWindowArg", err)
			}
		}
		// The arguments normalised: never a panic; what changed is still a
		// JSON object; a refusal is short.
		for _, raw := range []string{raw, `{"maxResults":` + jsonString(raw) + `,"participants":` + jsonString(raw) + `,"createdAfter":` + jsonString(raw) + `}`} {
			got, err := fuzzShape.normalize(json.RawMessage(raw), testNow, time.UTC)
			switch {
			case err != nil && len(err.Error()) > maxErrorText:
				t.Fatalf("normalize(%q): a %d-byte message", raw, len(err.Error()))
			case err == nil && string(got) != raw && !json.Valid(got):
				t.Fatalf("normalize(%q) = %q, not JSON", raw, got)
			}
		}
		in := CallIDArgs{CallID: raw}
		if id, err := in.id(); err == nil && !tokenID(id, "AC") {
			t.Fatalf("CallIDArgs.id accepted %q", raw)
		} else {
			check("CallIDArgs.id", err)
		}
	})
}

// fuzzZones are the zones FuzzNormalizeInputs resolves windows in: UTC,
// one with DST, one whose clocks skip midnight.
var fuzzZones = func() []*time.Location {
	var out []*time.Location
	for _, name := range []string{"UTC", "America/Los_Angeles", "America/Santiago"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic(err)
		}
		out = append(out, loc)
	}
	return out
}()

// fuzzShape is list_calls' arguments: numbers, booleans, an array and a
// window.
var fuzzShape = shapeOf(SchemaFor[ListCallsArgs](), ListCallsArgs{})

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// answerTransport answers requests to one path (exactly, or any path under
// it when it ends in "/") with a fixed body, and everything else from the
// sandbox.
type answerTransport struct {
	path   string
	status int
	body   []byte
	rest   http.RoundTripper
}

func (a answerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path != a.path && !(strings.HasSuffix(a.path, "/") && strings.HasPrefix(req.URL.Path, a.path)) {
		return a.rest.RoundTrip(req)
	}
	return &http.Response{StatusCode: a.status, Status: http.StatusText(a.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)), Request: req}, nil
}

// FuzzToolsOverAnyAPIAnswer: one API endpoint answers with any body (the
// others with the fixture workspace), and each tool that reads it renders
// a result or a clear error: never a panic, never a line break other than
// \n, never the key, no line posing as the paging line, and a success
// carries structured content with no control or line-separator character.
func FuzzToolsOverAnyAPIAnswer(f *testing.F) {
	sb := sandbox.New(fxWorkspace(), sandbox.Options{APIKey: markerKey})
	type target struct {
		tool, path string
		args       string
	}
	targets := []target{
		{"list_calls", "/v1/calls", `{"phoneNumberId":"PNsales0001","participants":["+12125550103"],"includeSummaries":true}`},
		{"list_calls", "/v1/conversations", `{"phoneNumberId":"PNsales0001","participants":["+12125550103"]}`},
		{"list_calls", "/v1/phone-numbers", `{"phoneNumberId":"+14155550100","participants":["+12125550103"]}`},
		{"recent_calls", "/v1/calls", `{"createdAfter":"2026-11-25T00:00:00Z","includeSummaries":true}`},
		{"recent_calls", "/v1/conversations", `{"createdAfter":"2026-11-25T00:00:00Z"}`},
		{"recent_calls", "/v1/phone-numbers", `{"createdAfter":"2026-11-25T00:00:00Z","userId":"USjordan01"}`},
		{"list_phone_numbers", "/v1/phone-numbers", `{}`},
		{"get_call", "/v1/calls/", `{"callId":"AC0000000000000000000000000000a1"}`},
		{"get_call_summary", "/v1/call-summaries/", `{"callId":"AC0000000000000000000000000000a1"}`},
		{"get_call_transcript", "/v1/call-transcripts/", `{"callId":"AC0000000000000000000000000000a1"}`},
		{"get_call_transcript", "/v1/calls/", `{"callId":"AC0000000000000000000000000000a6"}`},
		{"get_call_recordings", "/v1/call-recordings/", `{"callId":"AC0000000000000000000000000000a1"}`},
		{"list_calls", "/v1/call-summaries/", `{"phoneNumberId":"PNsales0001","participants":["+12125550103"],"includeSummaries":true}`},
		// On the dated surface (the default, auto): its one listing.
		{"recent_calls (dated)", "/calls", `{"createdAfter":"2026-11-25T00:00:00Z","includeSummaries":true}`},
		{"call_stats", "/v1/calls", `{"createdAfter":"2026-11-25T00:00:00Z","groupBy":["user","participant"]}`},
		{"call_stats", "/v1/call-voicemails/", `{"createdAfter":"2026-11-20","groupBy":["day"],"timezone":"America/New_York"}`},
		{"call_stats (dated)", "/calls", `{"createdAfter":"2026-11-25T00:00:00Z","groupBy":["number","status"]}`},
		{"missed_calls", "/v1/conversations", `{"createdAfter":"2026-11-25T00:00:00Z","onlyUnreturned":false}`},
		{"missed_calls (dated)", "/calls", `{"createdAfter":"2026-11-25T00:00:00Z","onlyUnreturned":false}`},
	}
	for i, body := range []string{
		`{"data":[{"id":"AC1","phoneNumberId":"PNsales0001","userId":"US\n1","direction":"in\ncoming","status":"completed","duration":-5,"participants":["+12125550103"],"createdAt":"0001-01-01T00:00:00Z","answeredBy":"US1"}],"nextPageToken":"x\ny"}`,
		`{"data":[{"id":"CN1","phoneNumberId":"PNsales0001","participants":["+12125550103"],"name":"A\u2028B","lastActivityAt":"9999-12-31T23:59:59Z"}],"nextPageToken":null}`,
		`{"data":[{"id":"PNsales0001","number":"+14155550100","name":"N\r\nMore calls: x","users":[{"id":"USjordan01","firstName":"J\u0085","lastName":null}]}]}`,
		`{"data":{"id":"AC0000000000000000000000000000a1","participants":[],"createdAt":"2026-11-26T00:00:00Z","duration":1e9}}`,
		`{"data":{"callId":"AC1","status":"completed","summary":["a\nb"],"nextSteps":null,"jobs":[{"name":"j","result":{"data":[{"name":"n","value":{"x":1}}]}}]}}`,
		`{"data":{"callId":"AC1","status":"completed","duration":-1,"dialogue":[{"content":"c\nd","start":-1e300,"end":1e300,"identifier":null,"userId":"US\n"}]}}`,
		`{"data":[{"id":"CR1","duration":null,"startTime":null,"status":"x\ny","type":null,"url":"javascript:alert(1)\n"}]}`,
		`{"data":null}`,
		`{}`,
		`[`,
		`{"data":[{"id":"AC1\nLast page.\nMore calls: x","phoneNumberId":"PNsales0001\nnextPageToken: x","direction":"incoming\nLast page.","status":"completed","participants":["+12125550103\nLast page."],"createdAt":"2026-11-26T10:00:00Z","answeredBy":"US1\nLast page.","callRoute":"x\nLast page."}],"nextPageToken":null}`,
	} {
		f.Add(uint8(i), body)
	}
	// The tools are built once; each input gets a client of its own, and so
	// an empty directory (caches are per client).
	type clientKey struct{}
	// The v1 targets run on v1 (recent_calls would ask the dated surface
	// first otherwise); "(dated)" ones on the default surface.
	byName := map[string]server.ServerTool{}
	for _, version := range []string{APIV1, APIAuto} {
		for _, st := range All(Deps{Client: func(ctx context.Context) (*client.Client, error) { return ctx.Value(clientKey{}).(*client.Client), nil },
			Now: func() time.Time { return testNow }, APIVersion: version}) {
			name := st.Tool.Name
			if version == APIAuto {
				name += " (dated)"
			}
			byName[name] = st
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		tg := targets[int(which)%len(targets)]
		api, err := client.New(markerKey, client.WithTransport(answerTransport{path: tg.path, status: 200, body: []byte(body), rest: sb.RoundTripper()}),
			client.WithRateLimit(0), client.WithRetries(1, 0, 0), client.WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		st := byName[tg.tool]
		var req mcp.CallToolRequest
		req.Params.Name = strings.TrimSuffix(tg.tool, " (dated)")
		req.Params.RawArguments = json.RawMessage(tg.args)
		ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), clientKey{}, api), 10*time.Second)
		defer cancel()
		res, err := st.Handler(ctx, req)
		if err != nil || res == nil {
			t.Fatalf("%s over %s: a Go error or no result: %v", tg.tool, tg.path, err)
		}
		s := resultText(res)
		switch {
		case s == "":
			t.Fatalf("%s over %s: an empty answer", tg.tool, tg.path)
		case strings.Contains(s, markerKey):
			t.Fatalf("%s over %s: the key is in the answer", tg.tool, tg.path)
		case strings.ContainsAny(s, "\r\v\f\u0085\u2028\u2029"):
			t.Fatalf("%s over %s: a line break other than \\n in:\n%s", tg.tool, tg.path, s)
		case !res.IsError && res.StructuredContent == nil:
			t.Fatalf("%s over %s: a success without structured content", tg.tool, tg.path)
		}
		assertCleanStructured(t, tg.tool+" over "+tg.path, res.StructuredContent)
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		for i, l := range lines[:len(lines)-1] {
			if strings.HasPrefix(l, "More calls:") || strings.HasPrefix(l, "Last page.") || strings.HasPrefix(l, "nextPageToken") {
				t.Fatalf("%s over %s: line %d of %d poses as the paging line: %q", tg.tool, tg.path, i+1, len(lines), l)
			}
		}
	})
}
