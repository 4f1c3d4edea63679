package reply

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func decode(t *testing.T, a Answer) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.Body), &m); err != nil {
		t.Fatalf("body %q: %v", a.Body, err)
	}
	return m
}

func TestTeamsIsAnEscaped200Message(t *testing.T) {
	a := Teams(Outcome{Kind: BadCommand, Detail: "I don't know <b>stop</b> & more"})
	m := decode(t, a)
	if a.Status != 200 || m["type"] != "message" {
		t.Fatalf("answer %d %s, want 200 message", a.Status, a.Body)
	}
	if text := m["text"].(string); strings.ContainsAny(text, "<>") ||
		!strings.Contains(text, "&lt;b&gt;") {
		t.Errorf("text %q is not escaped", text)
	}
	if a := Teams(Outcome{Kind: NotFound, ExecutionID: "x"}); a.Status != 200 {
		t.Errorf("a failure answers %d, want 200", a.Status)
	}
}

func TestDiscord(t *testing.T) {
	if a := Discord(Outcome{Kind: Pong}); a.Status != 200 || a.Body != `{"type":1}` {
		t.Errorf("PONG is %d %s", a.Status, a.Body)
	}

	a := Discord(Outcome{Kind: RateLimited})
	m := decode(t, a)
	data := m["data"].(map[string]any)
	if a.Status != 200 || m["type"] != float64(4) || data["flags"] != float64(64) {
		t.Errorf("reply %d %s, want 200 type 4 flags 64", a.Status, a.Body)
	}
	mentions := data["allowed_mentions"].(map[string]any)
	if parse, ok := mentions["parse"].([]any); !ok || len(parse) != 0 {
		t.Errorf("allowed_mentions %v, want no mention parsed", mentions)
	}

	long := Discord(Outcome{Kind: BadCommand, Detail: strings.Repeat("é", 3000)})
	content := decode(t, long)["data"].(map[string]any)["content"].(string)
	if n := utf8.RuneCountInString(content); n > discordContentLimit {
		t.Errorf("content has %d characters, over Discord's %d", n, discordContentLimit)
	}
}

// TestTicketIgnoredIs200: an ignored delivery is pinned to 200 so that providers count it
// as delivered; everything else answers as JSON does.
func TestTicketIgnoredIs200(t *testing.T) {
	a := Ticket(Outcome{Kind: Ignored, Detail: "no id"})
	m := decode(t, a)
	if a.Status != 200 || m["status"] != "ignored" || m["reason"] != "no id" ||
		a.Header["Content-Type"] != ContentTypeJSON {
		t.Errorf("ignored answer %d %v %s", a.Status, a.Header, a.Body)
	}
	o := Outcome{Kind: NotFound, ExecutionID: "x"}
	if got, want := Ticket(o), JSON(o); got.Status != want.Status || got.Body != want.Body {
		t.Errorf("Ticket(%v) = %+v, want JSON's %+v", o.Kind, got, want)
	}
}

func TestMattermostTakesSlacksShape(t *testing.T) {
	for _, o := range []Outcome{{Kind: CancelRequested, ExecutionID: "x"},
		{Kind: Ignored, Detail: "actor \"u\" is not in MATTERMOST_ALLOWED_ACTORS"}} {
		a := Mattermost(o)
		m := decode(t, a)
		if a.Status != 200 || m["response_type"] != "ephemeral" || m["text"] == "" {
			t.Errorf("%v answered %d %s", o.Kind, a.Status, a.Body)
		}
	}
}

func TestNewKindsHaveNames(t *testing.T) {
	if Ignored.String() != "ignored" || Pong.String() != "pong" {
		t.Errorf("names %q %q", Ignored, Pong)
	}
	if (Outcome{Kind: Ignored}).HTTPStatus() != 200 {
		t.Error("Ignored is not 200")
	}
}
