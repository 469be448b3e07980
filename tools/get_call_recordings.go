// get_call_recordings.go: the get_call_recordings tool, the audio
// recordings of a call with their URLs, or why there are none.

package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/openphone-mcp/openphone-mcp/client"
)

func init() { registerTool(getCallRecordingsTool) }

const getCallRecordingsDescription = `The audio recordings of a call by id, oldest first: start time, duration, status, type and URL. For the words: get_call_transcript. Not paged.`

func getCallRecordingsTool(d *Deps) server.ServerTool {
	return typedTool[CallIDArgs, GetCallRecordingsOutput]("get_call_recordings", getCallRecordingsDescription, readOnlyAPI("Get a call's recordings"), d,
		func(ctx context.Context, c *client.Client, in *CallIDArgs) (GetCallRecordingsOutput, string, error) {
			id, err := in.id()
			if err != nil {
				return GetCallRecordingsOutput{}, "", err
			}
			recs, err := c.GetCallRecordings(ctx, id)
			// A 404 may be a real call with no recordings: the call says which.
			if err != nil && !isNotFound(err) {
				return GetCallRecordingsOutput{}, "", callNotFound("recordings", id, err)
			}
			var call *client.Call
			if len(recs) == 0 {
				// One request more, and only when there are none: why.
				fetched, callErr := c.GetCall(ctx, id)
				if callErr != nil {
					d.logger().Info("call unavailable to say why it has no recordings", "callId", id, "error", callErr)
				}
				if call, err = callForAbsence("recordings", id, err, fetched, callErr); err != nil {
					return GetCallRecordingsOutput{}, "", err
				}
			}
			out, text := renderRecordings(id, recs, call)
			return out, text, nil
		})
}

// renderRecordings renders recs; call, when given, says why there are none.
func renderRecordings(id string, recs []client.CallRecording, call *client.Call) (GetCallRecordingsOutput, string) {
	var b strings.Builder
	out := GetCallRecordingsOutput{CallID: id, Recordings: make([]RecordingOutput, 0, len(recs))}
	if len(recs) == 0 && call != nil {
		why := explainAbsence("recordings", client.StatusAbsent, call)
		out.Reason, out.Call = why.reason, why.call
		return out, why.text
	}
	if len(recs) == 0 {
		b.WriteString("No recordings for call " + id + ": it was not answered or not recorded (recording may be off for the number), or its recordings were deleted.\n")
		return out, b.String()
	}
	b.WriteString("Recordings of call ")
	b.WriteString(id)
	b.WriteString(", oldest first, UTC: ")
	b.WriteString(strconv.Itoa(len(recs)))
	b.WriteByte('\n')
	for _, r := range recs {
		o := RecordingOutput{ID: r.ID, Duration: r.Duration, Status: cleanText(deref(r.Status), 20),
			Type: cleanText(deref(r.Type), 40), URL: cleanText(deref(r.URL), 2000)}
		b.WriteString(lineID(r.ID, "CR"))
		if r.StartTime != nil {
			o.StartTime = r.StartTime.UTC().Format(time.RFC3339)
			b.WriteByte(' ')
			b.WriteString(o.StartTime)
		}
		if r.Duration != nil {
			b.WriteByte(' ')
			b.WriteString(formatDuration(*r.Duration))
		}
		if o.Status != "" {
			b.WriteByte(' ')
			b.WriteString(apiText(o.Status))
		}
		if o.Type != "" {
			b.WriteByte(' ')
			b.WriteString(apiText(o.Type))
		}
		b.WriteByte(' ')
		switch {
		case o.URL != "":
			b.WriteString(apiText(o.URL))
		case o.Status == "in-progress" || o.Status == "processing" || o.Status == "paused" || o.Status == "stopping":
			b.WriteString("(no URL yet: the recording is " + apiText(o.Status) + "; try again shortly)")
		default:
			b.WriteString("(no URL available)")
		}
		b.WriteByte('\n')
		out.Recordings = append(out.Recordings, o)
	}
	return out, b.String()
}
