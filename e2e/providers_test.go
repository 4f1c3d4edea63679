package e2e

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Provider secrets, distinctive so that a leak into the logs is found by searching for them.
// The Teams token is the base64 text Teams shows once; its decoded bytes are the HMAC key.
const (
	githubSecret    = "e2e-github-secret-LEAKCHECK-71c4"
	pagerDutySecret = "e2e-pagerduty-secret-LEAKCHECK-0b9e"
	teamsTokenText  = "e2e-teams-security-token-LEAKCHECK-5d"
	// discordSeed is the private Ed25519 seed the test signs Discord requests with; the
	// function only ever sees the public key derived from it.
	discordSeed = "e2e0d15c0e2d5eed000000000000000000000000000000000000000000004c4b"
)

// teamsToken is the security token as Teams hands it out and as the secret stores it.
var teamsToken = base64.StdEncoding.EncodeToString([]byte(teamsTokenText))

// providerEnv is the bootstrap's configuration for the provider routes: GitHub reads the id
// from the comment and acts only on issue comments; PagerDuty reads it from the title.
var providerEnv = []string{
	"GITHUB_EXECUTION_ID_POINTER=/comment/body",
	"GITHUB_ALLOWED_EVENTS=issue_comment",
	"PAGERDUTY_EXECUTION_ID_POINTER=/event/data/title",
}

// useProviderSecret replaces the stack's secret with one that also configures Teams,
// Discord, GitHub and PagerDuty. Call it before the first invocation.
func (s *stack) useProviderSecret() {
	s.t.Helper()
	discordKey, err := webhook.DiscordPublicKey(discordSeed)
	if err != nil {
		s.t.Fatal(err)
	}
	doc := strings.TrimSuffix(secretJSON(), "}") +
		`,"teams_security_token":"` + teamsToken +
		`","discord_public_key":"` + discordKey +
		`","github_secret":"` + githubSecret +
		`","pagerduty_secret":"` + pagerDutySecret + `"}`
	s.secrets.SetSecret(secretID, doc)
}

func teamsMessage(t *testing.T, text string) request {
	t.Helper()
	body := `{"type":"message","id":"1733300000000","channelId":"msteams",` +
		`"from":{"id":"29:e2e","name":"E2E User"},` +
		`"conversation":{"id":"19:e2e@thread.tacv2"},"text":` + quote(text) + `}`
	return signed(t, "/teams", webhook.SchemeTeams, teamsToken, body,
		"application/json; charset=utf-8", time.Now())
}

func discordPing(t *testing.T) request {
	t.Helper()
	body := `{"id":"1300000000000000001","application_id":"1300000000000000000","type":1,` +
		`"token":"e2e-interaction-token","version":1}`
	return signed(t, "/discord", webhook.SchemeDiscord, discordSeed, body, "application/json",
		time.Now())
}

// discordCommand is `/wfcancel <action> execution_id:<id>` as Discord delivers it.
func discordCommand(t *testing.T, action, id string) request {
	t.Helper()
	body := `{"id":"1300000000000000002","application_id":"1300000000000000000","type":2,` +
		`"guild_id":"1300000000000000010","channel_id":"1300000000000000020",` +
		`"member":{"user":{"id":"1300000000000000030","username":"e2e"}},` +
		`"data":{"id":"1300000000000000040","name":"wfcancel","type":1,"options":[` +
		`{"name":"` + action + `","type":1,"options":[` +
		`{"name":"execution_id","type":3,"value":"` + id + `"}]}]},` +
		`"token":"e2e-interaction-token","version":1}`
	return signed(t, "/discord", webhook.SchemeDiscord, discordSeed, body, "application/json",
		time.Now())
}

// githubDelivery is a GitHub event of type event whose comment body is comment.
func githubDelivery(t *testing.T, event, comment string) request {
	t.Helper()
	body := `{"action":"created","issue":{"number":42,"title":"Stuck workflow"},` +
		`"comment":{"id":1000000001,"body":` + quote(comment) + `,` +
		`"user":{"login":"e2e-user"}},"repository":{"full_name":"e2e-org/identity-ops"},` +
		`"sender":{"login":"e2e-user"}}`
	r := signed(t, "/github", webhook.SchemeGitHub, githubSecret, body, "application/json",
		time.Now())
	r.header["x-github-event"] = event
	r.header["x-github-delivery"] = "8d1c5e40-0000-4000-8000-00000000e2e0"
	return r
}

// pagerDutyIncident is a V3 incident.triggered event whose title is title.
func pagerDutyIncident(t *testing.T, title string) request {
	t.Helper()
	body := `{"event":{"id":"01E2EEVENT","event_type":"incident.triggered",` +
		`"resource_type":"incident","occurred_at":"2026-12-04T10:00:00.000Z","agent":null,` +
		`"data":{"id":"Q0E2E","type":"incident","number":42,"title":` + quote(title) +
		`,"status":"triggered"}}}`
	return signed(t, "/pagerduty", webhook.SchemePagerDuty, pagerDutySecret, body,
		"application/json", time.Now())
}

func quote(s string) string {
	return string(mustJSON(s))
}

// tampered returns r with its body changed after signing, so its signature no longer holds.
func tampered(r request) request {
	r.body = strings.Replace(r.body, `"id":`, `"id" :`, 1)
	return r
}

func TestProviderRoutes(t *testing.T) {
	s := newStack(t, 4, providerEnv...)
	s.useProviderSecret()
	teamsID, discordID, githubID, pagerDutyID := s.running[0], s.running[1], s.running[2],
		s.running[3]
	var sent []request
	send := func(r request) answer {
		t.Helper()
		sent = append(sent, r)
		return s.invoke(r.httpAPI())
	}

	a := send(teamsMessage(t, "<at>WFCancel</at> cancel "+teamsID))
	expectAnswer(t, a, http.StatusOK, contentJSON)
	if f := a.fields(t); f["type"] != "message" ||
		f["text"] != "Cancel requested for workflow execution "+teamsID+"." {
		t.Errorf("teams cancel answered %s", a.Body)
	}
	s.expectCalls("after the Teams cancel", calls{secretReads: 1, token: 1, cancel: 1})

	a = send(discordPing(t))
	expectAnswer(t, a, http.StatusOK, contentJSON)
	if a.Body != `{"type":1}` {
		t.Errorf("discord ping answered %s; want {\"type\":1}", a.Body)
	}
	a = send(discordCommand(t, "cancel", discordID))
	expectDiscordMessage(t, a, "Cancel requested for workflow execution "+discordID+".")
	s.expectCalls("after the Discord command", calls{secretReads: 1, token: 1, cancel: 2})

	github := githubDelivery(t, "issue_comment", "/wfcancel cancel "+githubID)
	first := send(github)
	expectAnswer(t, first, http.StatusOK, contentJSON)
	if f := first.fields(t); f["executionId"] != githubID || f["status"] != "cancel requested" {
		t.Errorf("github cancel answered %s", first.Body)
	}
	again := send(github)
	if again.StatusCode != first.StatusCode || again.Body != first.Body {
		t.Errorf("replayed github delivery answered %d %s; want the first answer %d %s",
			again.StatusCode, again.Body, first.StatusCode, first.Body)
	}
	s.expectCalls("after the GitHub delivery and its replay",
		calls{secretReads: 1, token: 1, cancel: 3})

	a = send(githubDelivery(t, "push", "/wfcancel cancel "+githubID))
	expectAnswer(t, a, http.StatusOK, contentJSON)
	if f := a.fields(t); f["status"] != "ignored" {
		t.Errorf("github event outside GITHUB_ALLOWED_EVENTS answered %s; want ignored", a.Body)
	}

	a = send(pagerDutyIncident(t, "Cancel workflow execution "+pagerDutyID))
	expectAnswer(t, a, http.StatusOK, contentJSON)
	if f := a.fields(t); f["executionId"] != pagerDutyID || f["status"] != "cancel requested" {
		t.Errorf("pagerduty cancel answered %s", a.Body)
	}
	s.expectCalls("after the PagerDuty incident", calls{secretReads: 1, token: 1, cancel: 4})

	forged := map[string]request{
		"teams":     tampered(teamsMessage(t, "<at>WFCancel</at> cancel "+teamsID)),
		"discord":   tampered(discordCommand(t, "cancel", discordID)),
		"github":    tampered(githubDelivery(t, "issue_comment", "/wfcancel cancel "+githubID)),
		"pagerduty": tampered(pagerDutyIncident(t, "Cancel workflow execution "+pagerDutyID)),
	}
	for _, name := range []string{"teams", "discord", "github", "pagerduty"} {
		a := send(forged[name])
		expectAnswer(t, a, http.StatusUnauthorized, contentProblem)
		if a.Body != `{"title":"invalid signature","status":401}` {
			t.Errorf("%s with an invalid signature answered %s; want a bare problem", name, a.Body)
		}
	}
	s.expectCalls("after invalid signatures", calls{secretReads: 1, token: 1, cancel: 4})

	for _, id := range s.running {
		if e, _ := s.sim.Execution(id); e.Status != "Canceled" {
			t.Errorf("execution %s is %q in the simulator; want Canceled", id, e.Status)
		}
	}
	awaitRequestLines(t, s, 11)
	expectRequestLines(t, s, []requestLine{
		{Route: "teams", Outcome: "cancel_requested", Status: 200},
		{Route: "discord", Status: 200},
		{Route: "discord", Outcome: "cancel_requested", Status: 200},
		{Route: "github", Outcome: "cancel_requested", Status: 200},
		{Route: "github", Status: 200},
		{Route: "github", Outcome: "ignored", Status: 200},
		{Route: "pagerduty", Outcome: "cancel_requested", Status: 200},
		{Route: "teams", Outcome: "invalid_signature", Status: 401},
		{Route: "discord", Outcome: "invalid_signature", Status: 401},
		{Route: "github", Outcome: "invalid_signature", Status: 401},
		{Route: "pagerduty", Outcome: "invalid_signature", Status: 401},
	})
	replayed := 0
	for _, l := range jsonLines(s.emu.Logs()) {
		if l["message"] == "request" && l["replayed"] == true {
			replayed++
		}
	}
	if replayed != 1 {
		t.Errorf("logs mark %d requests as replayed; want the one GitHub replay", replayed)
	}
	expectNoLeaks(t, s, withoutTimestamps(sent))
	expectNoProviderLeaks(t, s, sent)
}

// expectDiscordMessage checks an ephemeral Discord message (type 4, flags 64) saying text.
func expectDiscordMessage(t *testing.T, a answer, text string) {
	t.Helper()
	expectAnswer(t, a, http.StatusOK, contentJSON)
	f := a.fields(t)
	data, _ := f["data"].(map[string]any)
	if f["type"] != 4.0 || data["flags"] != 64.0 || data["content"] != text {
		t.Errorf("discord answer = %s; want an ephemeral message %q", a.Body, text)
	}
}

// awaitRequestLines waits, for a few seconds at most, until the emulator's output holds n
// request lines. The bootstrap's stdout reaches the emulator through pipes and may trail the
// last invocation's answer; the emulator offers no event to wait for, so this polls.
func awaitRequestLines(t *testing.T, s *stack, n int) {
	t.Helper()
	s.waitLogs(t, func(logs string) bool { return countRequestLines(logs) >= n })
}

func countRequestLines(logs string) int {
	n := 0
	for _, l := range jsonLines(logs) {
		if l["message"] == "request" {
			n++
		}
	}
	return n
}

// expectRequestLines checks the route, status and, where want names one, the outcome of
// each request line. Outcomes left empty are not checked (a PING, a replay).
func expectRequestLines(t *testing.T, s *stack, want []requestLine) {
	t.Helper()
	got := requestLines(t, s.emu.Logs())
	if len(got) != len(want) {
		t.Fatalf("logs hold %d request lines; want %d: %+v", len(got), len(want), got)
	}
	for i, l := range got {
		w := want[i]
		if l.Route != w.Route || l.Status != w.Status ||
			(w.Outcome != "" && l.Outcome != w.Outcome) {
			t.Errorf("request line %d = %+v; want %+v", i, l, w)
		}
	}
}

// expectNoProviderLeaks fails the test if the logs hold a provider secret, the Discord public
// key's seed or a Teams HMAC, which travels in Authorization rather than a signature header.
func expectNoProviderLeaks(t *testing.T, s *stack, sent []request) {
	t.Helper()
	logs := s.emu.Logs()
	check := func(what, value string) {
		t.Helper()
		if strings.Contains(logs, value) {
			t.Errorf("logs contain the %s", what)
		}
	}

	check("GitHub secret", githubSecret)
	check("PagerDuty secret", pagerDutySecret)
	check("Teams security token", teamsToken)
	check("decoded Teams security token", teamsTokenText)
	check("Discord seed", discordSeed)
	check("Discord interaction token", "e2e-interaction-token")
	for _, r := range sent {
		if mac, ok := strings.CutPrefix(r.header["authorization"], "HMAC "); ok {
			check("Teams HMAC of a request", mac)
		}
	}
}

// withoutTimestamps returns copies of sent without their signature timestamp headers
// (X-Signature-Timestamp), which expectNoLeaks would otherwise take for signatures: a Unix
// second is no secret and also appears in every metrics line.
func withoutTimestamps(sent []request) []request {
	out := make([]request, 0, len(sent))
	for _, r := range sent {
		header := make(map[string]string, len(r.header))
		for k, v := range r.header {
			if !strings.HasSuffix(k, "-timestamp") {
				header[k] = v
			}
		}
		r.header = header
		out = append(out, r)
	}
	return out
}
