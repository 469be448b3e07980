package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// e164Pattern is the API's pattern for phone numbers.
const e164Pattern = `^\+[1-9]\d{1,14}$`

// ListCallsArgs mirrors the query parameters of GET /v1/calls (without the
// deprecated "since").
type ListCallsArgs struct {
	PhoneNumberID string   `json:"phoneNumberId" jsonschema:"pattern=^PN(.*)$" jsonschema_description:"Id of the OpenPhone number whose calls to list, such as PN123abc."`
	Participants  []string `json:"participants" jsonschema:"minItems=1,maxItems=1" jsonschema_description:"Exactly one other party of the calls, as an E.164 phone number such as +12125550103."`
	UserID        string   `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Optional: only calls placed or received by this OpenPhone user, such as US123abc."`
	CreatedAfter  string   `json:"createdAfter,omitempty" jsonschema:"format=date-time" jsonschema_description:"Optional: only calls created after this RFC 3339 time, such as 2026-11-20T00:00:00Z."`
	CreatedBefore string   `json:"createdBefore,omitempty" jsonschema:"format=date-time" jsonschema_description:"Optional: only calls created before this RFC 3339 time."`
	MaxResults    *int     `json:"maxResults,omitempty" jsonschema:"minimum=1,maximum=100,default=10" jsonschema_description:"Calls per page, 1-100 (default 10)."`
	PageToken     string   `json:"pageToken,omitempty" jsonschema_description:"To get the next page, the pageToken value that the previous list_calls result gave, with the other arguments unchanged."`
}

// JSONSchemaExtend sets what struct tags cannot express cleanly.
func (ListCallsArgs) JSONSchemaExtend(s *jsonschema.Schema) {
	if p, ok := s.Properties.Get("participants"); ok {
		p.Items.Pattern = e164Pattern
	}
}

// CallsOutput is the structured content of list_calls.
type CallsOutput struct {
	PhoneNumberID string        `json:"phoneNumberId"`
	Participant   string        `json:"participant"`
	Calls         []CallSummary `json:"calls"`
	NextPageToken string        `json:"nextPageToken,omitempty" jsonschema_description:"Pass as pageToken to get the next page; absent on the last page."`
}

// CallSummary is one call in structured output: the fields of the API's
// call object that carry information, nulls left out.
type CallSummary struct {
	ID            string `json:"id"`
	CreatedAt     string `json:"createdAt"`
	Direction     string `json:"direction"`
	Status        string `json:"status"`
	Duration      int    `json:"duration" jsonschema_description:"Seconds."`
	UserID        string `json:"userId,omitempty"`
	AnsweredBy    string `json:"answeredBy,omitempty"`
	InitiatedBy   string `json:"initiatedBy,omitempty"`
	ForwardedFrom string `json:"forwardedFrom,omitempty"`
	ForwardedTo   string `json:"forwardedTo,omitempty"`
	CallRoute     string `json:"callRoute,omitempty"`
	AIHandled     string `json:"aiHandled,omitempty"`
}

const listCallsDescription = `List the calls between one of your OpenPhone numbers (phoneNumberId) and one other party (participants: exactly one phone number), newest first.
Use it for "what calls did we have with +1 212 555 0103?". Each line gives the call id (for follow-up tools), UTC time, direction, status, duration and, when present, who answered or placed it, forwarding, routing and AI handling.
Paging: a result that has more calls ends with a pageToken; call list_calls again with the same arguments plus that pageToken. Narrow with createdAfter/createdBefore and userId.`

func listCallsTool(d *Deps) server.ServerTool {
	return typedTool[ListCallsArgs, CallsOutput]("list_calls", listCallsDescription,
		readOnlyAPI("List calls with a participant"), d,
		func(ctx context.Context, c *client.Client, in *ListCallsArgs) (*mcp.CallToolResult, error) {
			params, err := in.params()
			if err != nil {
				return nil, err
			}
			page, err := c.ListCalls(ctx, params)
			if err != nil {
				return nil, err
			}
			return renderCallPage(d, params, page), nil
		})
}

// params validates and normalises the arguments into client parameters.
func (in *ListCallsArgs) params() (client.ListCallsParams, error) {
	var p client.ListCallsParams
	if in.PhoneNumberID == "" {
		return p, badArg("phoneNumberId is required: the id of one of your OpenPhone numbers, such as \"PN123abc\"")
	}
	if err := checkPrefix("phoneNumberId", in.PhoneNumberID, "PN", "PN123abc"); err != nil {
		return p, err
	}
	switch len(in.Participants) {
	case 0:
		return p, badArg("participants is required: exactly one other party's phone number, such as [\"+12125550103\"]")
	case 1:
	default:
		return p, badArg("participants has %d numbers but the OpenPhone API takes exactly one: call list_calls once per participant, such as [\"+12125550103\"]", len(in.Participants))
	}
	participant, err := normalizePhone("participants[0]", in.Participants[0], DefaultRegion)
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
		PhoneNumberID: in.PhoneNumberID,
		Participants:  []string{participant},
		UserID:        in.UserID,
		CreatedAfter:  after,
		CreatedBefore: before,
		MaxResults:    n,
		PageToken:     in.PageToken,
	}, nil
}

func renderCallPage(d *Deps, p client.ListCallsParams, page *client.CallPage) *mcp.CallToolResult {
	var b strings.Builder
	b.Grow(128 + 96*len(page.Data))
	if d.Demo {
		b.WriteString(demoNote)
	}
	b.WriteString("Calls of ")
	b.WriteString(p.PhoneNumberID)
	b.WriteString(" with ")
	b.WriteString(p.Participants[0])
	if p.UserID != "" {
		b.WriteString(" (user ")
		b.WriteString(p.UserID)
		b.WriteString(")")
	}
	b.WriteString(", newest first, UTC: ")
	b.WriteString(strconv.Itoa(len(page.Data)))
	b.WriteString(" on this page\n")
	out := CallsOutput{PhoneNumberID: p.PhoneNumberID, Participant: p.Participants[0], Calls: make([]CallSummary, 0, len(page.Data))}
	for i := range page.Data {
		c := &page.Data[i]
		writeCallLine(&b, c, nil, false)
		out.Calls = append(out.Calls, summarize(c))
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

const demoNote = "[Demo workspace: simulated data, not a real OpenPhone account]\n"

// writePaging ends every paged result the same way.
func writePaging(b *strings.Builder, tool string, token *string) {
	if token != nil && *token != "" {
		b.WriteString("More calls: call ")
		b.WriteString(tool)
		b.WriteString(" again with the same arguments and pageToken ")
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
	b.WriteString(c.ID)
	b.WriteByte(' ')
	b.WriteString(c.CreatedAt.UTC().Format(time.RFC3339))
	b.WriteByte(' ')
	b.WriteString(c.Direction)
	b.WriteByte(' ')
	b.WriteString(c.Status)
	b.WriteByte(' ')
	b.WriteString(formatDuration(c.Duration))
	if withParty {
		b.WriteString(" with=")
		writeParticipant(b, w, c.PhoneNumberID, otherParty(c, w))
		b.WriteString(" on=")
		b.WriteString(c.PhoneNumberID)
	}
	optUser(b, w, "answeredBy", c.AnsweredBy)
	optUser(b, w, "initiatedBy", c.InitiatedBy)
	optUser(b, w, "forwardedFrom", c.ForwardedFrom)
	optUser(b, w, "forwardedTo", c.ForwardedTo)
	optField(b, "callRoute", c.CallRoute)
	optField(b, "aiHandled", c.AIHandled)
	b.WriteByte('\n')
}

// otherParty is the participant that is not the call's OpenPhone number.
// The API lists up to two numbers in no documented order, so the workspace's
// own number is recognised by its phoneNumberId.
func otherParty(c *client.Call, w *workspace) string {
	own := ""
	if w != nil {
		own = w.numberOf(c.PhoneNumberID)
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
	b.WriteString(number)
	if w == nil {
		return
	}
	if name, ok := w.conversationName(phoneNumberID, number); ok && name != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(cleanText(name, 60)))
	}
}

// optUser writes name=value, and the user's name when value is a US id.
func optUser(b *strings.Builder, w *workspace, name string, v *string) {
	optField(b, name, v)
	if v == nil || w == nil || !strings.HasPrefix(*v, "US") {
		return
	}
	if n := w.userName(*v); n != "" {
		b.WriteString(" (")
		b.WriteString(n)
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
	b.WriteString(*v)
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

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
