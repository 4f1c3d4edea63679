package reply

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFollowUps(t *testing.T) {
	o := Outcome{Kind: NotAllowed, ExecutionID: "c17bea3a-574d-453c-9e04-4365fbf5af0b",
		Detail: "workflow <wf&1> may not be acted on here"}
	rows := []struct {
		name string
		body []byte
		want map[string]any
	}{
		{name: "slack is ephemeral, escaped and added after the acknowledgement",
			body: SlackFollowUp(o),
			want: map[string]any{"response_type": "ephemeral", "replace_original": false,
				"text": "Not allowed: workflow &lt;wf&amp;1&gt; may not be acted on here."}},
		{name: "discord edits the content and resolves no mention",
			body: DiscordFollowUp(Outcome{Kind: CancelRequested, ExecutionID: "@everyone"}),
			want: map[string]any{
				"content":          "Cancel requested for workflow execution @everyone.",
				"allowed_mentions": map[string]any{"parse": []any{}}}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			var got map[string]any
			if err := json.Unmarshal(row.body, &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(row.want) {
				t.Errorf("body %s has other members than %v", row.body, row.want)
			}
			for k, v := range row.want {
				if g, _ := json.Marshal(got[k]); string(g) != mustMarshal(t, v) {
					t.Errorf("%s = %s, want %s", k, g, mustMarshal(t, v))
				}
			}
		})
	}
}

func TestDiscordFollowUpIsCapped(t *testing.T) {
	long := Outcome{Kind: BadCommand, Detail: strings.Repeat("x", 3000)}
	var got struct{ Content string }
	if err := json.Unmarshal(DiscordFollowUp(long), &got); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(got.Content)); n != discordContentLimit {
		t.Errorf("content has %d characters, want %d", n, discordContentLimit)
	}
}

func TestDeferredAcknowledgements(t *testing.T) {
	o := Outcome{Kind: Deferred, ExecutionID: "id-1", Detail: "Cancelling id-1…"}
	if got := Discord(o).Body; got != `{"data":{"flags":64},"type":5}` {
		t.Errorf("Discord = %s; want a deferred ephemeral response", got)
	}
	if got := Slack(o).Body; got != `{"response_type":"ephemeral","text":"Cancelling id-1…"}` {
		t.Errorf("Slack = %s", got)
	}
	if s := (Outcome{Kind: NotAllowed}).HTTPStatus(); s != 403 {
		t.Errorf("NotAllowed is %d, want 403", s)
	}
	if s := (Outcome{Kind: HandOffFailed}).HTTPStatus(); s != 503 {
		t.Errorf("HandOffFailed is %d, want 503", s)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
