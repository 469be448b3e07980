package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// ListCallsArgs mirrors the query parameters of GET /v1/calls (without the
// deprecated "since"), with friendlier inputs: phoneNumberId also takes the
// OpenPhone number itself and may be left out when the workspace has one
// number, and participants take phone numbers as people write them. The
// handler normalises both to what the API takes. includeSummaries is this
// server's own addition.
type ListCallsArgs struct {
	PhoneNumberID    string   `json:"phoneNumberId,omitempty" jsonschema_description:"PN id (see list_phone_numbers) or the number, such as +14155550100 or (415) 555-0100. May be omitted if the workspace has one number."`
	Participants     []string `json:"participants" jsonschema:"minItems=1,maxItems=1" jsonschema_description:"Exactly one other party: E.164 (+12125550103) or as people write it ((212) 555-0103)."`
	UserID           string   `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only calls placed or received by this user (US...)."`
	CreatedAfter     string   `json:"createdAfter,omitempty" jsonschema:"format=date-time" jsonschema_description:"Only calls created after this RFC 3339 time, such as 2026-11-20T00:00:00Z."`
	CreatedBefore    string   `json:"createdBefore,omitempty" jsonschema:"format=date-time" jsonschema_description:"Only calls created before this RFC 3339 time."`
	MaxResults       *int     `json:"maxResults,omitempty" jsonschema:"minimum=1,maximum=100,default=10" jsonschema_description:"Calls per page, 1-100."`
	PageToken        string   `json:"pageToken,omitempty" jsonschema_description:"The pageToken of the previous result, to get the next page."`
	IncludeSummaries bool     `json:"includeSummaries,omitempty" jsonschema:"default=false" jsonschema_description:"Add each completed call's AI summary under its line (one extra request per call)."`
}

func (CallsOutput) publishOutputSchema() {}

// CallsOutput is the structured content of list_calls.
type CallsOutput struct {
	PhoneNumberID   string        `json:"phoneNumberId"`
	PhoneNumber     string        `json:"phoneNumber,omitempty" jsonschema_description:"The OpenPhone number in E.164 form."`
	PhoneNumberName string        `json:"phoneNumberName,omitempty"`
	Participant     string        `json:"participant"`
	ParticipantName string        `json:"participantName,omitempty" jsonschema_description:"The name of the conversation with the participant, when it has one."`
	Calls           []CallSummary `json:"calls"`
	NextPageToken   string        `json:"nextPageToken,omitempty" jsonschema_description:"Pass as pageToken to get the next page; absent on the last page."`
}

// CallSummary is one call in structured output: the fields of the API's
// call object that carry information, nulls left out.
type CallSummary struct {
	ID            string         `json:"id"`
	CreatedAt     string         `json:"createdAt"`
	Direction     string         `json:"direction"`
	Status        string         `json:"status"`
	Duration      int            `json:"duration" jsonschema_description:"Seconds."`
	UserID        string         `json:"userId,omitempty"`
	AnsweredBy    string         `json:"answeredBy,omitempty"`
	InitiatedBy   string         `json:"initiatedBy,omitempty"`
	ForwardedFrom string         `json:"forwardedFrom,omitempty"`
	ForwardedTo   string         `json:"forwardedTo,omitempty"`
	CallRoute     string         `json:"callRoute,omitempty"`
	AIHandled     string         `json:"aiHandled,omitempty"`
	Summary       *SummaryOutput `json:"summary,omitempty" jsonschema_description:"The AI summary, with includeSummaries, for completed calls and voicemails."`
}

const listCallsDescription = `Calls between one of your OpenPhone numbers and one other party, newest first: "what calls did we have with (212) 555-0103?". Unknown party or "who called today?": use recent_calls.
Each line: call id (for get_call, get_call_summary, get_call_transcript, get_call_recordings), UTC time, direction, status, duration, then when present: by= the user who answered or placed it, forwarding, callRoute (phone menu), aiHandled.
Paging: a result with more calls ends with a pageToken; call again with the same arguments plus pageToken.`

func listCallsTool(d *Deps) server.ServerTool {
	return typedTool[ListCallsArgs, CallsOutput]("list_calls", listCallsDescription,
		readOnlyAPI("List calls with a participant"), d,
		func(ctx context.Context, c *client.Client, in *ListCallsArgs) (*mcp.CallToolResult, error) {
			// Everything that needs no API request is checked first, so bad
			// input costs nothing.
			params, err := in.params(d.region())
			if err != nil {
				return nil, err
			}
			w := d.workspace(c)
			num, err := resolveNumberArg(ctx, d, w, in.PhoneNumberID)
			if err != nil {
				return nil, err
			}
			params.PhoneNumberID = num.ID
			participant := params.Participants[0]
			if num.Number != "" && participant == num.Number {
				return nil, badArg("participants[0] %s is the OpenPhone number %s itself: give the other party's number, such as [\"+12125550103\"]", participant, num.ID)
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
			page, err := c.ListCalls(ctx, params)
			if err != nil {
				cancel() // no page to name: stop the lookup
			}
			<-names
			if err != nil {
				return nil, err
			}
			var sums callSummaries
			if in.IncludeSummaries {
				sums = fetchSummaries(ctx, c, page.Data)
			}
			return renderCallPage(d, w, num, params, page, sums), nil
		})
}

// params validates and normalises the arguments into client parameters,
// all but the phone number id, which needs the workspace's numbers.
func (in *ListCallsArgs) params(region string) (client.ListCallsParams, error) {
	var p client.ListCallsParams
	if err := checkNumberArg(in.PhoneNumberID, region); err != nil {
		return p, err
	}
	switch len(in.Participants) {
	case 0:
		return p, badArg("participants is required: exactly one other party's phone number, such as [\"+12125550103\"] or [\"(212) 555-0103\"]")
	case 1:
	default:
		return p, badArg("participants has %d numbers but the OpenPhone API takes exactly one: call list_calls once per participant, such as [\"+12125550103\"]", len(in.Participants))
	}
	participant, err := normalizePhone("participants[0]", in.Participants[0], region)
	if err != nil {
		return p, err
	}
	if in.UserID != "" {
		if err := checkPrefix("userId", in.UserID, "US", "US123abc"); err != nil {
			return p, err
		}
	}
	after, before, err := timeWindow(in.CreatedAfter, in.CreatedBefore)
	if err != nil {
		return p, err
	}
	n, err := pageSize(in.MaxResults, 10)
	if err != nil {
		return p, err
	}
	return client.ListCallsParams{
		Participants:  []string{participant},
		UserID:        in.UserID,
		CreatedAfter:  after,
		CreatedBefore: before,
		MaxResults:    n,
		PageToken:     in.PageToken,
	}, nil
}

func renderCallPage(d *Deps, w *workspace, num client.PhoneNumber, p client.ListCallsParams, page *client.CallPage, sums callSummaries) *mcp.CallToolResult {
	var b strings.Builder
	b.Grow(160 + 112*len(page.Data))
	if d.Demo {
		b.WriteString(demoNote)
	}
	participant := p.Participants[0]
	writeNumber(&b, num)
	b.WriteString(" with ")
	writeParticipant(&b, w, num.ID, participant)
	if p.UserID != "" {
		b.WriteString(", user ")
		b.WriteString(apiText(p.UserID))
		writeName(&b, w.userName(p.UserID))
	}
	b.WriteString(", newest first, UTC:\n")
	out := CallsOutput{PhoneNumberID: num.ID, PhoneNumber: num.Number, PhoneNumberName: cleanText(num.Name, 60),
		Participant: participant, Calls: make([]CallSummary, 0, len(page.Data))}
	if name, ok := w.conversationName(num.ID, participant); ok {
		out.ParticipantName = cleanText(name, 60)
	}
	named := map[string]bool{}
	if p.UserID != "" {
		named[p.UserID] = true // named in the header
	}
	for i := range page.Data {
		c := &page.Data[i]
		writeCallLineNamed(&b, c, w, false, named)
		sums.write(&b, c.ID)
		cs := summarize(c)
		cs.Summary = sums.output(c.ID)
		out.Calls = append(out.Calls, cs)
	}
	if len(page.Data) == 0 {
		b.WriteString("No calls")
		if !p.CreatedAfter.IsZero() || !p.CreatedBefore.IsZero() {
			b.WriteString(" in this time window; widen createdAfter/createdBefore to look further")
		} else {
			b.WriteString(" with this participant on this number; check the number's spelling and the phoneNumberId")
		}
		b.WriteString(".\n")
	}
	writePaging(&b, "list_calls", page.NextPageToken)
	if page.NextPageToken != nil {
		out.NextPageToken = *page.NextPageToken
	}
	return mcp.NewToolResultStructured(out, b.String())
}

// writeNumber names an OpenPhone number: "Sales (+14155550100, PN123)", or
// just its id when the workspace's list does not hold it.
func writeNumber(b *strings.Builder, n client.PhoneNumber) {
	if n.Number == "" {
		b.WriteString(apiText(n.ID))
		return
	}
	if name := cleanText(n.Name, 60); name != "" {
		b.WriteString(name)
		b.WriteByte(' ')
	}
	b.WriteByte('(')
	b.WriteString(apiText(n.Number))
	b.WriteString(", ")
	b.WriteString(apiText(n.ID))
	b.WriteByte(')')
}

const demoNote = "[Demo workspace: simulated data]\n"

// writePaging ends every paged result the same way.
func writePaging(b *strings.Builder, tool string, token *string) {
	if token != nil && *token != "" {
		b.WriteString("More calls: ")
		b.WriteString(tool)
		b.WriteString(" with the same arguments and pageToken ")
		b.WriteString(strconv.Quote(*token))
		b.WriteString(".\n")
		return
	}
	b.WriteString("Last page.\n")
}

// writeCallLine renders one call on one line; optional fields only when
// set. With w, user ids get the user's name beside them. withParty adds the
// other party and the OpenPhone number, for results that span several.
func writeCallLine(b *strings.Builder, c *client.Call, w *workspace, withParty bool) {
	writeCallLineNamed(b, c, w, withParty, nil)
}

// writeCallLineNamed is writeCallLine for lists: with a non-nil named, a
// user's name is given beside its id the first time the id appears in the
// result only, which keeps long lists compact.
func writeCallLineNamed(b *strings.Builder, c *client.Call, w *workspace, withParty bool, named map[string]bool) {
	b.WriteString(apiText(c.ID))
	b.WriteByte(' ')
	b.WriteString(c.CreatedAt.UTC().Format(time.RFC3339))
	b.WriteByte(' ')
	b.WriteString(apiText(c.Direction))
	b.WriteByte(' ')
	b.WriteString(apiText(c.Status))
	b.WriteByte(' ')
	b.WriteString(formatDuration(c.Duration))
	if withParty {
		b.WriteString(" with=")
		writeParticipant(b, w, c.PhoneNumberID, otherParty(c, w))
		b.WriteString(" on=")
		b.WriteString(apiText(c.PhoneNumberID))
	}
	// The user who answered an incoming call or placed an outgoing one: the
	// direction already says which, so one short key does for both.
	if (c.AnsweredBy == nil) != (c.InitiatedBy == nil) {
		optUser(b, w, named, "by", orPtr(c.AnsweredBy, c.InitiatedBy))
	} else {
		optUser(b, w, named, "answeredBy", c.AnsweredBy)
		optUser(b, w, named, "initiatedBy", c.InitiatedBy)
	}
	optUser(b, w, named, "forwardedFrom", c.ForwardedFrom)
	optUser(b, w, named, "forwardedTo", c.ForwardedTo)
	if c.CallRoute != nil && *c.CallRoute != routeDirect {
		optField(b, "callRoute", c.CallRoute)
	}
	optField(b, "aiHandled", c.AIHandled)
	b.WriteByte('\n')
}

// routeDirect is the callRoute of a call that rang the number directly, the
// common case; lines name only the unusual route (a phone menu). The
// structured output keeps every value.
const routeDirect = "phone-number"

// otherParty is the participant that is not the call's OpenPhone number.
// The API lists up to two numbers in no documented order, so the workspace's
// own number is recognised by its phoneNumberId.
func otherParty(c *client.Call, w *workspace) string {
	own := ""
	if w != nil {
		own = w.numberByID(c.PhoneNumberID).Number
	}
	for _, p := range c.Participants {
		if p != own {
			return p
		}
	}
	return "unknown"
}

// writeParticipant writes a number and, when known, its conversation name
// quoted (quoting keeps a hostile name from reading as the server's text).
func writeParticipant(b *strings.Builder, w *workspace, phoneNumberID, number string) {
	b.WriteString(apiText(number))
	if w == nil {
		return
	}
	if name, ok := w.conversationName(phoneNumberID, number); ok && name != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(cleanText(name, 60)))
	}
}

// optUser writes name=value, and the user's name when value is a US id
// (unless named says the name was given already).
func optUser(b *strings.Builder, w *workspace, named map[string]bool, name string, v *string) {
	optField(b, name, v)
	if v == nil || w == nil || !strings.HasPrefix(*v, "US") || named[*v] {
		return
	}
	if named != nil {
		named[*v] = true
	}
	writeName(b, w.userName(*v))
}

// writeName follows an id with its name in parentheses, when it has one.
func writeName(b *strings.Builder, name string) {
	if name != "" {
		b.WriteString(" (")
		b.WriteString(name)
		b.WriteByte(')')
	}
}

func optField(b *strings.Builder, name string, v *string) {
	if v == nil || *v == "" {
		return
	}
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(apiText(*v))
}

// formatDuration renders seconds as 0s, 45s, 4m12s, 1h02m03s.
func formatDuration(secs int) string {
	if secs < 60 {
		return strconv.Itoa(secs) + "s"
	}
	if secs < 3600 {
		return strconv.Itoa(secs/60) + "m" + pad2(secs%60) + "s"
	}
	return strconv.Itoa(secs/3600) + "h" + pad2(secs%3600/60) + "m" + pad2(secs%60) + "s"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func summarize(c *client.Call) CallSummary {
	return CallSummary{
		ID:            c.ID,
		CreatedAt:     c.CreatedAt.UTC().Format(time.RFC3339),
		Direction:     c.Direction,
		Status:        c.Status,
		Duration:      c.Duration,
		UserID:        c.UserID,
		AnsweredBy:    deref(c.AnsweredBy),
		InitiatedBy:   deref(c.InitiatedBy),
		ForwardedFrom: deref(c.ForwardedFrom),
		ForwardedTo:   deref(c.ForwardedTo),
		CallRoute:     deref(c.CallRoute),
		AIHandled:     deref(c.AIHandled),
	}
}

func orPtr(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
