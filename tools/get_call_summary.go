// get_call_summary.go: the get_call_summary tool, the AI summary of a call
// (summary, next steps, AI job results), or why there is none.

package tools

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/openphone-mcp/openphone-mcp/client"
)

func init() { registerTool(getCallSummaryTool) }

// itemWidth bounds one line of a summary, next steps or AI result.
const itemWidth = 1000

const getCallSummaryDescription = `The AI summary of a call by id: summary, next steps, AI job results. Says why when there is none (then try get_call_transcript). Not paged.`

func getCallSummaryTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, GetCallSummaryOutput]("get_call_summary", getCallSummaryDescription, readOnlyAPI("Get a call's AI summary"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (GetCallSummaryOutput, string, error) {
			id, err := in.id()
			if err != nil {
				return GetCallSummaryOutput{}, "", err
			}
			sum, err := c.GetCallSummary(ctx, id)
			// A 404 may be a real call with no summary: the call says which.
			if err != nil && !isNotFound(err) {
				return GetCallSummaryOutput{}, "", callNotFound("summary", id, err)
			}
			if err != nil {
				sum = &client.CallSummary{CallID: id, Status: client.StatusAbsent}
			}
			var call *client.Call
			if status := orStr(sum.Status, client.StatusAbsent); status == client.StatusAbsent || status == client.StatusFailed {
				// One request more, and only when there is no summary: why.
				fetched, callErr := c.GetCall(ctx, id)
				if callErr != nil {
					d.logger().Info("call unavailable to say why it has no summary", "callId", id, "error", callErr)
				}
				if call, err = callForAbsence("summary", id, err, fetched, callErr); err != nil {
					return GetCallSummaryOutput{}, "", err
				}
			}
			out, text := renderSummary(id, sum, call, d.zone())
			return out, text, nil
		})
}

// GetCallSummaryOutput is the structured content of get_call_summary: the
// summary, next steps and AI job results as the text lists them, or the
// one line that says why there are none.
type GetCallSummaryOutput struct {
	CallID    string     `json:"callId,omitempty"`
	Summary   []string   `json:"summary,omitempty"`
	NextSteps []string   `json:"nextSteps,omitempty"`
	Jobs      []AIJobOut `json:"jobs,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// AIJobOut is one AI job's results, each [name, value] (a string, number
// or boolean), in the API's order.
type AIJobOut struct {
	Name    string  `json:"name,omitempty"`
	Results [][]any `json:"results,omitempty" jsonschema_description:"[name, value] each"`
}

// renderSummary renders s; call, when given, says why there is none.
func renderSummary(id string, s *client.CallSummary, call *client.Call, loc *time.Location) (GetCallSummaryOutput, string) {
	var b strings.Builder
	status := orStr(s.Status, client.StatusAbsent)
	var out GetCallSummaryOutput
	if call != nil && status != client.StatusCompleted {
		why := explainAbsence("summary", status, call, loc)
		out.Note = why.note()
		return out, why.text
	}
	switch status {
	case client.StatusCompleted:
		out.CallID = id
		b.WriteString("Summary of call ")
		b.WriteString(id)
		b.WriteString(":\n")
		out.Summary = writeItems(&b, s.Summary)
		if len(s.Summary) == 0 {
			out.Note = "(empty: OpenPhone summarised nothing)"
			b.WriteString(out.Note + "\n")
		}
		if len(s.NextSteps) > 0 {
			b.WriteString("Next steps:\n")
			out.NextSteps = writeItems(&b, s.NextSteps)
		}
		if len(s.Jobs) > 0 {
			b.WriteString("AI job results:\n")
			for _, j := range s.Jobs {
				out.Jobs = append(out.Jobs, writeJob(&b, j))
			}
		}
		return out, b.String()
	case client.StatusInProgress:
		b.WriteString("The summary of call " + id + " is not ready yet; try again in a few minutes.\n")
	case client.StatusFailed:
		b.WriteString("OpenPhone failed to summarise call " + id + ", so there is no summary; get_call_transcript may still have what was said.\n")
	case client.StatusAbsent:
		b.WriteString("No summary for call " + id + ": the call was not completed/answered, or the workspace's plan has no AI features.\n")
	default:
		b.WriteString("The summary of call " + id + " has status " + quoted(status, 40) + ", which this server does not know; try get_call_transcript.\n")
	}
	out.Note = strings.TrimSuffix(b.String(), "\n")
	return out, b.String()
}

// writeItems writes one "- \"item\"" line per item, quoted, and returns
// the cleaned items.
func writeItems(b *strings.Builder, items []string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		it = cleanText(it, itemWidth)
		if it == "" {
			continue
		}
		b.WriteString("- ")
		b.WriteString(strconv.Quote(it))
		b.WriteByte('\n')
		out = append(out, it)
	}
	return out
}

// writeJob writes an AI job's results on one line, every name and text
// quoted: `- "Name": "a"="x"; "b"=12`.
func writeJob(b *strings.Builder, j client.AIJob) AIJobOut {
	out := AIJobOut{Name: cleanText(j.Name, 80)}
	b.WriteString("- ")
	if out.Name == "" {
		b.WriteString("(unnamed job)")
	} else {
		b.WriteString(strconv.Quote(out.Name))
	}
	b.WriteString(":")
	for i, f := range j.Result.Data {
		if i > 0 {
			b.WriteByte(';')
		}
		name := cleanText(f.Name, 80)
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(name))
		b.WriteByte('=')
		var v any
		_ = json.Unmarshal(f.Value, &v)
		switch x := v.(type) {
		case float64, bool:
			raw, _ := json.Marshal(x)
			b.Write(raw)
		default: // a string, or anything else the API may send, as text
			str, ok := x.(string)
			if !ok {
				str = string(f.Value)
			}
			str = cleanText(str, itemWidth)
			b.WriteString(strconv.Quote(str))
			v = str
		}
		out.Results = append(out.Results, []any{name, v})
	}
	if len(j.Result.Data) == 0 {
		b.WriteString(" no results")
	}
	b.WriteByte('\n')
	return out
}
