// list_calls.go: the list_calls tool, the calls between one of the
// workspace's OpenPhone numbers and one other party, a page at a time.

package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
	"github.com/openphone-mcp/openphone-mcp/internal/history"
)

// ListCallsArgs mirrors the query parameters of GET /v1/calls (without the
// deprecated "since"), with friendlier inputs: phoneNumberId also takes the
// OpenPhone number itself and may be left out when the workspace has one
// number, and participants take phone numbers as people write them. The
// handler normalises both to what the API takes. includeSummaries is this
// server's own addition.
type ListCallsArgs struct {
	PhoneNumberID string   `json:"phoneNumberId,omitempty" jsonschema_description:"PN id (see list_phone_numbers), the number, such as +14155550100 or (415) 555-0100, or its name (Sales). May be omitted if the workspace has one number or participants is a name."`
	Participants  []string `json:"participants" jsonschema:"minItems=1,maxItems=1" jsonschema_description:"Exactly one other party: E.164 (+12125550103), as people write it ((212) 555-0103), or a contact or conversation name; a string also works."`
	UserID        string   `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only calls placed or received by this user (US...)."`
	CreatedAfter  string   `json:"createdAfter,omitempty" jsonschema_description:"Only calls created after this: RFC 3339, a date, today, yesterday, this week, last week, 24h, 7d."`
	CreatedBefore string   `json:"createdBefore,omitempty" jsonschema_description:"Only calls created before this, same forms (yesterday: today's midnight)."`
	PageArgs
	IncludeSummaries bool `json:"includeSummaries,omitempty" jsonschema:"default=false" jsonschema_description:"Add each completed call's AI summary under its line (one extra request per call)."`
}

// tokenWindow is the window a dated page token fixed, as createdAfter and
// createdBefore say it (see args_window.go): createdAfter is exclusive, so
// the cursor's window starts 1ns after it.
func (ListCallsArgs) tokenWindow(token string) (after, before time.Time, ok bool) {
	if after, before, ok = cursorWindow(token); ok && after.After(history.MinTime) {
		after = after.Add(-time.Nanosecond)
	}
	return after, before, ok
}

// listCallsPage is the default of maxResults.
const listCallsPage = 10

// JSONSchemaExtend gives maxResults its default in the schema.
func (ListCallsArgs) JSONSchemaExtend(s *jsonschema.Schema) { setPageDefault(s, listCallsPage) }

func init() { registerTool(listCallsTool) }

const listCallsDescription = `Calls between one of your OpenPhone numbers and one other party, newest first: "what calls did we have with (212) 555-0103?". Unknown party or "who called today?": use recent_calls.
Each line: call id (for get_call, get_call_summary, get_call_transcript, get_call_recordings), UTC time, direction, status, duration, then when present: by= the user who answered or placed it, forwarding, callRoute (phone menu), aiHandled.
Paging: a result with more calls ends with a pageToken; call again with the same arguments plus pageToken.`

func listCallsTool(d *Deps) server.ServerTool {
	return typedTool[ListCallsArgs, ListCallsOutput]("list_calls", listCallsDescription,
		readOnlyAPI("List calls with a participant"), d,
		func(ctx context.Context, c *client.Client, in *ListCallsArgs) (ListCallsOutput, string, error) {
			// Everything that needs no API request is checked first, so bad
			// input costs nothing.
			params, numArg, err := in.params(d.region())
			if err != nil {
				return ListCallsOutput{}, "", err
			}
			w := d.directory(c)
			num, err := resolveNumberArg(ctx, d, w, numArg)
			if err != nil {
				return ListCallsOutput{}, "", err
			}
			params.PhoneNumberID = num.ID
			participant := params.Participants[0]
			if num.Number != "" && participant == num.Number {
				return ListCallsOutput{}, "", badArg("participants[0] %s is the OpenPhone number %s itself: give the other party's number, such as [\"+12125550103\"]", participant, apiText(num.ID))
			}

			// The dated surface answers first pages and its own tokens; a
			// v1 token (the API's own) goes on through v1, so no token ever
			// breaks. A token that does not fit the arguments costs nothing
			// more.
			dq, err := datedListQuery(d, c, params, num.ID, in.IncludeSummaries)
			if err != nil {
				return ListCallsOutput{}, "", err
			}

			// The participant's conversation name, when not cached, comes
			// from one page of the number's conversations, fetched while
			// the calls are.
			nctx, cancel := context.WithCancel(ctx)
			defer cancel()
			names := make(chan struct{})
			go func() {
				defer close(names)
				nameConversation(nctx, d, w, num.ID, participant)
			}()
			// An API that does not know the dated surface is remembered
			// and answered through v1, as today.
			var dp *datedListPage
			if dq != nil {
				dp, err = dq.page(ctx, d, c)
				if err != nil && history.DatedUnknown(err) && d.fellBack(c, err) {
					err = nil // dp is nil: v1 answers
					if dq.cursor != nil {
						err = badArg("pageToken belongs to a listing from Quo's dated API, which this API key's API does not know: call list_calls again with the same arguments and no pageToken")
					}
				}
			}
			if err != nil {
				cancel()
				<-names
				return ListCallsOutput{}, "", err
			}
			if dp != nil {
				<-names
				out, text := renderListedCalls(w, d.zone(), num, params, &dp.page, dp.sent, dp.sums, dp.calls, dq.summaries)
				return out, text, nil
			}
			page, err := c.ListCalls(ctx, params)
			if err != nil {
				cancel() // no page to name: stop the lookup
			}
			<-names
			if err != nil {
				return ListCallsOutput{}, "", err
			}
			// An API that ignores maxResults is not amplified: what it sent
			// beyond the page is dropped (and said so), before summaries.
			sent := len(page.Data)
			page.Data = page.Data[:min(sent, params.MaxResults)]
			var sums callSummaries
			if in.IncludeSummaries {
				sums = fetchSummaries(ctx, c, page.Data)
			}
			out, text := renderCallPage(w, d.zone(), num, params, page, sent, sums)
			return out, text, nil
		})
}

// params validates and normalises the arguments into client parameters,
// all but the phone number id, which needs the workspace's numbers: it
// comes back parsed, to be resolved.
func (in *ListCallsArgs) params(region string) (client.ListCallsParams, numberArg, error) {
	var p client.ListCallsParams
	num, err := parseNumberArg(in.PhoneNumberID, region)
	if err != nil {
		return p, num, err
	}
	switch len(in.Participants) {
	case 0:
		return p, num, badArg("participants is required: exactly one other party's phone number, such as [\"+12125550103\"] or [\"(212) 555-0103\"]")
	case 1:
	default:
		return p, num, badArg("participants has %d numbers but the OpenPhone API takes exactly one: call list_calls once per participant, such as [\"+12125550103\"]", len(in.Participants))
	}
	participant, err := normalizePhone("participants[0]", in.Participants[0], region)
	if err != nil {
		return p, num, err
	}
	user, err := parseUserID(in.UserID)
	if err != nil {
		return p, num, err
	}
	after, before, err := timeWindow(in.CreatedAfter, in.CreatedBefore)
	if err != nil {
		return p, num, err
	}
	n, err := pageSize(in.MaxResults, listCallsPage)
	if err != nil {
		return p, num, err
	}
	token, err := in.token("list_calls")
	if err != nil {
		return p, num, err
	}
	return client.ListCallsParams{
		Participants:  []string{participant},
		UserID:        user,
		CreatedAfter:  after,
		CreatedBefore: before,
		MaxResults:    n,
		PageToken:     token,
	}, num, nil
}

// renderCallPage writes a page of calls from v1; sent is how many the API
// sent, more than the page holds when it ignored maxResults.
func renderCallPage(w *directory, loc *time.Location, num client.PhoneNumber, p client.ListCallsParams, page *client.CallPage, sent int, sums callSummaries) (ListCallsOutput, string) {
	return renderListedCalls(w, loc, num, p, page, sent, sums, nil, false)
}

// ListCallsOutput is the structured content of list_calls: the header's
// number, party and user, the calls as their lines have them, the notes and
// the way to the next page.
type ListCallsOutput struct {
	Number NumberRef `json:"number"`
	Party  PartyRef  `json:"party"`
	UserID string    `json:"user,omitempty"`
	UserNames
	Calls         []CallOut `json:"calls,omitempty"`
	Notes         []string  `json:"notes,omitempty"`
	Next          string    `json:"next,omitempty"`
	NextPageToken string    `json:"nextPageToken,omitempty"`
}

// renderListedCalls is renderCallPage for either surface: dated is the
// page's calls as the dated surface listed them (nil on v1), whose lines
// end with what that surface adds (the voicemail; its transcript with
// summaries).
func renderListedCalls(w *directory, loc *time.Location, num client.PhoneNumber, p client.ListCallsParams, page *client.CallPage, sent int, sums callSummaries, dated []history.Call, transcripts bool) (ListCallsOutput, string) {
	var b strings.Builder
	b.Grow(160 + 112*len(page.Data))
	participant := p.Participants[0]
	out := ListCallsOutput{Number: numberRef(num), Party: partyRef(w, num.ID, participant), UserID: p.UserID, Calls: make([]CallOut, 0, len(page.Data))}
	nm := namer{w: w, users: &out.Users}
	writeNumber(&b, num)
	b.WriteString(" with ")
	writeParticipant(&b, w, num.ID, participant)
	if p.UserID != "" {
		nm.user(p.UserID)
		b.WriteString(", user ")
		writeUser(&b, p.UserID, w.userName(p.UserID))
	}
	b.WriteString(", newest first" + timesIn(loc) + ":\n")
	named := map[string]bool{}
	if p.UserID != "" {
		named[p.UserID] = true // named in the header
	}
	for i := range page.Data {
		c := &page.Data[i]
		var o CallOut
		if dated != nil {
			writeListedCallNamed(&b, &dated[i], w, loc, false, named, transcripts)
			o = listedCallOut(&dated[i], w, false, nm, transcripts)
		} else {
			writeCallLineNamed(&b, c, w, loc, false, named)
			o = callOut(c, w, false, nm)
		}
		sums.write(&b, c.ID)
		o.SummaryOut = sums.summaryOut(c.ID)
		out.Calls = append(out.Calls, o)
	}
	if len(page.Data) == 0 {
		var note strings.Builder
		note.WriteString("No calls")
		if !p.CreatedAfter.IsZero() || !p.CreatedBefore.IsZero() {
			note.WriteString(" in this time window; widen createdAfter/createdBefore to look further")
		} else {
			note.WriteString(" with this participant on this number; check the number's spelling and the phoneNumberId")
		}
		note.WriteString(".")
		out.Notes = append(out.Notes, note.String())
		b.WriteString(note.String() + "\n")
	}
	if sent > len(page.Data) && len(page.Data) > 0 {
		// The API's token would skip the calls dropped: the way on is
		// the time of the last call shown.
		out.Next = "More calls: the OpenPhone API sent " + strconv.Itoa(sent) + " calls for maxResults " + strconv.Itoa(p.MaxResults) +
			" and only the first " + strconv.Itoa(len(page.Data)) + " are shown; to list the others, call list_calls with the same arguments but createdBefore " +
			strconv.Quote(stampExact(page.Data[len(page.Data)-1].CreatedAt, loc)) + " and no pageToken."
		b.WriteString(out.Next + "\n")
		return out, b.String()
	}
	out.Next, out.NextPageToken = writePaging(&b, "list_calls", page.NextPageToken)
	return out, b.String()
}
