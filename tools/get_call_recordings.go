// get_call_recordings.go: the get_call_recordings tool, the audio
// recordings of a call with their URLs, or why there are none.

package tools

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
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
			out, text := renderRecordings(id, recs, call, d.zone())
			return out, text, nil
		})
}

// GetCallRecordingsOutput is the structured content of get_call_recordings:
// the recordings as their lines have them, or the one line that says why
// there are none.
type GetCallRecordingsOutput struct {
	CallID     string         `json:"callId,omitempty"`
	Recordings []RecordingOut `json:"recordings,omitempty"`
	Note       string         `json:"note,omitempty"`
}

// RecordingOut is one recording as its line has it: [id, start (UTC),
// duration, status, media type, URL], each but the id only when known,
// which its form tells (as on the line).
type RecordingOut []string

func (RecordingOut) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string"}, Description: "[id, start (UTC), duration, status, type, URL], each when known"}
}

// renderRecordings renders recs; call, when given, says why there are none.
func renderRecordings(id string, recs []client.CallRecording, call *client.Call, loc *time.Location) (GetCallRecordingsOutput, string) {
	var b strings.Builder
	var out GetCallRecordingsOutput
	if len(recs) == 0 && call != nil {
		why := explainAbsence("recordings", client.StatusAbsent, call, loc)
		out.Note = why.note()
		return out, why.text
	}
	if len(recs) == 0 {
		out.Note = "No recordings for call " + id + ": it was not answered or not recorded (recording may be off for the number), or its recordings were deleted."
		return out, out.Note + "\n"
	}
	out.CallID = id
	b.WriteString("Recordings of call ")
	b.WriteString(id)
	b.WriteString(", oldest first" + timesIn(loc) + ": ")
	b.WriteString(strconv.Itoa(len(recs)))
	b.WriteByte('\n')
	for _, r := range recs {
		status, typ, url := cleanText(deref(r.Status), 20), cleanText(deref(r.Type), 40), cleanText(deref(r.URL), 2000)
		o := RecordingOut{r.ID}
		b.WriteString(lineID(r.ID, "CR"))
		if r.StartTime != nil {
			o = append(o, r.StartTime.UTC().Format(time.RFC3339))
			b.WriteString(" " + stamp(*r.StartTime, loc))
		}
		if r.Duration != nil {
			o = append(o, formatDuration(*r.Duration))
			b.WriteString(" " + formatDuration(*r.Duration))
		}
		for _, f := range []string{status, typ, url} {
			if f != "" {
				o = append(o, f)
			}
		}
		if status != "" {
			b.WriteString(" " + apiText(status))
		}
		if typ != "" {
			b.WriteString(" " + apiText(typ))
		}
		b.WriteByte(' ')
		switch {
		case url != "":
			b.WriteString(apiText(url))
		case status == "in-progress" || status == "processing" || status == "paused" || status == "stopping":
			b.WriteString("(no URL yet: the recording is " + apiText(status) + "; try again shortly)")
		default:
			b.WriteString("(no URL available)")
		}
		b.WriteByte('\n')
		out.Recordings = append(out.Recordings, o)
	}
	return out, b.String()
}
