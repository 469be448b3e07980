package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClient_GetCallVoicemail(t *testing.T) {
	c, seen := datedFake(t, func(r *http.Request) (int, string) {
		switch r.URL.Path {
		case "/v1/call-voicemails/AC1":
			return 200, `{"data":{"id":"VM1","status":"completed","duration":14,"transcript":"Call me back","recordingUrl":"https://files.example/vm1"}}`
		case "/v1/call-voicemails/AC2":
			return 200, `{"data":{"id":"VM2","status":"in-progress","duration":null,"transcript":null,"recordingUrl":null}}`
		default:
			return 404, `{"message":"Voicemail not found ` + testKey + `","code":"1200404","status":404,"title":"Not Found"}`
		}
	})
	ctx := context.Background()
	vm, err := c.GetCallVoicemail(ctx, "AC1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Voicemail{ID: "VM1", Status: VoicemailCompleted, Duration: ptr(14.0), Transcript: ptr("Call me back"),
		RecordingURL: ptr("https://files.example/vm1")}, vm); diff != "" {
		t.Errorf("voicemail (-want +got):\n%s", diff)
	}
	vm, err = c.GetCallVoicemail(ctx, "AC2")
	if err != nil || vm.Status != VoicemailInProgress || vm.Duration != nil || vm.Transcript != nil || vm.RecordingURL != nil {
		t.Errorf("a voicemail in progress: %+v, %v", vm, err)
	}
	_, err = c.GetCallVoicemail(ctx, "AC3")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "1200404" || ae.Path != "/v1/call-voicemails/AC3" || strings.Contains(err.Error(), testKey) {
		t.Errorf("a missing voicemail: %v", err)
	}
	if r := seen(); len(r) != 3 || r[0].uri != "/v1/call-voicemails/AC1" || r[0].version != "" {
		t.Errorf("requests %+v, want v1 paths without Quo-Api-Version", r)
	}
	if _, err := c.GetCallVoicemail(ctx, ".."); err == nil || len(seen()) != 3 {
		t.Error("an id of .. was sent")
	}
}
