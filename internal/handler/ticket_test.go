package handler

import (
	"net/url"
	"strings"
	"testing"
)

// TestTicketExecutionID covers how a ticket route finds the execution id: ignored deliveries
// are 200 {"status": "ignored"} and reach nothing; several ids are a 400.
func TestTicketExecutionID(t *testing.T) {
	const otherID = "11111111-2222-4333-8444-555555555555"
	rows := []struct {
		name    string
		vars    map[string]string
		route   string
		body    string
		header  map[string]string
		status  int
		ignored bool
		cancels int
	}{
		{name: "id in surrounding text", route: "/jira",
			body: `{"executionId":"please cancel ` + runningID + ` now"}`, status: 200, cancels: 1},
		{name: "repeats of one id count once", route: "/pagerduty",
			body:   `{"executionId":"` + runningID + " and " + strings.ToUpper(runningID) + `"}`,
			status: 200, cancels: 1},
		{name: "absent field is ignored", route: "/github", body: `{"zen":"ping"}`,
			status: 200, ignored: true},
		{name: "a number is ignored", route: "/gitlab", body: `{"executionId":42}`,
			status: 200, ignored: true},
		{name: "null is ignored", route: "/zendesk", body: `{"executionId":null}`,
			status: 200, ignored: true},
		{name: "a requestId alone is ignored", route: "/servicenow",
			body: `{"executionId":"41e12a74fa7b4a6a98ae47887b64acdb"}`, status: 200, ignored: true},
		{name: "several distinct ids are a 400", route: "/jira",
			body: `{"executionId":"` + runningID + " " + otherID + `"}`, status: 400},
		{name: "duplicate keys are a 400", route: "/jira",
			body: `{"executionId":"` + runningID + `","executionId":"x"}`, status: 400},
		{name: "not JSON is a 400", route: "/pagerduty", body: `executionId=` + runningID,
			status: 400},
		{name: "pointer variable", route: "/jira",
			vars:   map[string]string{"JIRA_EXECUTION_ID_POINTER": "/issue/fields/customfield_10050"},
			body:   `{"issue":{"fields":{"customfield_10050":"` + runningID + `"}}}`,
			status: 200, cancels: 1},
		{name: "pointer variable ignores the default field", route: "/jira",
			vars:   map[string]string{"JIRA_EXECUTION_ID_POINTER": "/issue/key"},
			body:   `{"executionId":"` + runningID + `","issue":{"key":"OPS-1"}}`,
			status: 200, ignored: true},
		{name: "action pointer selects status", route: "/gitlab",
			vars:   map[string]string{"GITLAB_ACTION_POINTER": "/object_attributes/action"},
			body:   `{"executionId":"` + runningID + `","object_attributes":{"action":"Status"}}`,
			status: 200},
		{name: "an unknown action is ignored", route: "/servicenow",
			body: `{"executionId":"` + runningID + `","action":"delete"}`, status: 200,
			ignored: true},
		{name: "GitHub form delivery reads its payload field", route: "/github",
			body:   "payload=" + url.QueryEscape(`{"executionId":"`+runningID+`"}`),
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			status: 200, cancels: 1},
		{name: "GitHub form without payload is a 400", route: "/github", body: "a=b",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			status: 400},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newProviderEnv(t, row.vars)
			r := e.post(row.route, []byte(row.body), row.header)
			checkTicket(t, r, row.status, row.ignored)
			if n := e.sim.Count("cancel"); n != row.cancels {
				t.Errorf("cancels %d, want %d", n, row.cancels)
			}
			if row.ignored {
				e.noUpstream()
			}
		})
	}
}

// checkTicket checks a ticket route's answer; an ignored delivery is pinned to 200 with
// {"status": "ignored", "reason": ...}.
func checkTicket(t *testing.T, r response, status int, ignored bool) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", r.StatusCode, status, r.Body)
	}
	want := "application/json"
	if status >= 400 {
		want = "application/problem+json"
	}
	if ct := r.Headers["Content-Type"]; ct != want {
		t.Errorf("Content-Type %q, want %q", ct, want)
	}
	m := r.json(t)
	if got := m["status"] == "ignored"; got != ignored {
		t.Errorf("ignored %v, want %v; body %s", got, ignored, r.Body)
	}
	if ignored && m["reason"] == "" {
		t.Errorf("an ignored answer gives no reason: %s", r.Body)
	}
}

// TestAllowLists covers who may act: an event or actor outside a set list is ignored with
// the reason logged, and nothing reaches SailPoint; unset lists allow every verified event.
func TestAllowLists(t *testing.T) {
	id := `"executionId":"` + runningID + `"`
	rows := []struct {
		name   string
		vars   map[string]string
		route  string
		body   string
		header map[string]string
		acts   bool
	}{
		{name: "unset lists allow everything", route: "/github",
			body:   `{` + id + `,"sender":{"login":"mallory"}}`,
			header: map[string]string{"X-GitHub-Event": "issue_comment"}, acts: true},
		{name: "GitHub event in the list", route: "/github",
			vars: map[string]string{"GITHUB_ALLOWED_EVENTS": " issues , issue_comment"},
			body: `{` + id + `}`, header: map[string]string{"X-GitHub-Event": "issue_comment"},
			acts: true},
		{name: "GitHub event outside the list", route: "/github",
			vars: map[string]string{"GITHUB_ALLOWED_EVENTS": "issues"},
			body: `{` + id + `}`, header: map[string]string{"X-GitHub-Event": "issue_comment"}},
		{name: "GitHub event missing", route: "/github",
			vars: map[string]string{"GITHUB_ALLOWED_EVENTS": "issues"}, body: `{` + id + `}`},
		{name: "GitHub actor in the list", route: "/github",
			vars: map[string]string{"GITHUB_ALLOWED_ACTORS": "alice,bob"},
			body: `{` + id + `,"sender":{"login":"bob"}}`, acts: true},
		{name: "GitHub actor outside the list", route: "/github",
			vars: map[string]string{"GITHUB_ALLOWED_ACTORS": "alice,bob"},
			body: `{` + id + `,"sender":{"login":"Bob"}}`},
		{name: "GitHub actor missing", route: "/github",
			vars: map[string]string{"GITHUB_ALLOWED_ACTORS": "alice"}, body: `{` + id + `}`},
		{name: "GitLab event header", route: "/gitlab",
			vars: map[string]string{"GITLAB_ALLOWED_EVENTS": "Note Hook"},
			body: `{` + id + `}`, header: map[string]string{"X-Gitlab-Event": "Issue Hook"}},
		{name: "GitLab actor", route: "/gitlab",
			vars: map[string]string{"GITLAB_ALLOWED_ACTORS": "alice"},
			body: `{` + id + `,"user":{"username":"alice"}}`, acts: true},
		{name: "Jira webhookEvent in the list", route: "/jira",
			vars: map[string]string{"JIRA_ALLOWED_EVENTS": "jira:issue_updated",
				"JIRA_ALLOWED_ACTORS": "557058:abc"},
			body: `{` + id + `,"webhookEvent":"jira:issue_updated",` +
				`"user":{"accountId":"557058:abc"}}`, acts: true},
		{name: "Jira webhookEvent outside the list", route: "/jira",
			vars: map[string]string{"JIRA_ALLOWED_EVENTS": "jira:issue_updated"},
			body: `{` + id + `,"webhookEvent":"comment_created"}`},
		{name: "PagerDuty event type and agent", route: "/pagerduty",
			vars: map[string]string{"PAGERDUTY_ALLOWED_EVENTS": "incident.annotated",
				"PAGERDUTY_ALLOWED_ACTORS": "PLH1HKV"},
			body: `{` + id + `,"event":{"event_type":"incident.annotated",` +
				`"agent":{"id":"PLH1HKV"}}}`, acts: true},
		{name: "PagerDuty agent outside the list", route: "/pagerduty",
			vars: map[string]string{"PAGERDUTY_ALLOWED_ACTORS": "PLH1HKV"},
			body: `{` + id + `,"event":{"agent":{"id":"PXXXXXX"}}}`},
		{name: "Zendesk event pointer", route: "/zendesk",
			vars: map[string]string{"ZENDESK_EVENT_POINTER": "/type",
				"ZENDESK_ALLOWED_EVENTS": "zen:event-type:ticket.status_changed"},
			body: `{` + id + `,"type":"zen:event-type:ticket.created"}`},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newProviderEnv(t, row.vars)
			r := e.post(row.route, []byte(row.body), row.header)
			checkTicket(t, r, 200, !row.acts)
			if !row.acts {
				e.noUpstream()
				if !strings.Contains(e.logs.String(), `"reason":`) {
					t.Errorf("the refusal's reason is not logged: %s", e.logs)
				}
			} else if n := e.sim.Count("cancel"); n != 1 {
				t.Errorf("cancels %d, want 1", n)
			}
		})
	}
}

// TestChatAllowLists covers <ROUTE>_ALLOWED_ACTORS on the chat routes: a refused user gets a
// reply in the provider's format, and nothing reaches SailPoint.
func TestChatAllowLists(t *testing.T) {
	rows := []struct {
		route string
		vars  map[string]string
		acts  bool
	}{
		{"/teams", map[string]string{"TEAMS_ALLOWED_ACTORS": "aad-alice"}, true},
		{"/teams", map[string]string{"TEAMS_ALLOWED_ACTORS": "aad-bob"}, false},
		{"/discord", map[string]string{"DISCORD_ALLOWED_ACTORS": "1001"}, true},
		{"/discord", map[string]string{"DISCORD_ALLOWED_ACTORS": "2002"}, false},
		{"/mattermost", map[string]string{"MATTERMOST_ALLOWED_ACTORS": "u-alice"}, true},
		{"/mattermost", map[string]string{"MATTERMOST_ALLOWED_ACTORS": "u-bob"}, false},
	}
	for _, row := range rows {
		t.Run(row.route+map[bool]string{true: " allowed", false: " refused"}[row.acts],
			func(t *testing.T) {
				e := newProviderEnv(t, row.vars)
				r := e.post(row.route, commandBody(row.route, "cancel", runningID), nil)
				text := chatText(t, row.route, r)
				if row.acts {
					if e.sim.Count("cancel") != 1 {
						t.Errorf("no cancel; reply %q", text)
					}
					return
				}
				if !strings.Contains(text, "not in") {
					t.Errorf("reply %q does not say why", text)
				}
				e.noUpstream()
			})
	}
}

func TestDiscordPing(t *testing.T) {
	e := newProviderEnv(t, nil)
	r := e.post("/discord", []byte(`{"type":1,"id":"1","application_id":"2"}`), nil)
	if r.StatusCode != 200 || r.Body != `{"type":1}` {
		t.Fatalf("PING answered %d %s, want 200 {\"type\":1}", r.StatusCode, r.Body)
	}

	// Discord probes with bad signatures and drops endpoints that do not answer 401.
	h := e.signFor("/discord", []byte(`{"type":1}`))
	r = e.invoke(httpAPIEvent("POST", "/discord", h, []byte(`{"type":1} `), false))
	checkProblem(t, r, 401)
	e.noUpstream()
}

func TestDiscordCommands(t *testing.T) {
	rows := []struct {
		name     string
		body     string
		want     string
		upstream bool
	}{
		{"subcommand status", string(commandBody("/discord", "status", runningID)), "Running",
			true},
		{"command named cancel", `{"type":2,"user":{"id":"1"},"data":{"name":"cancel",` +
			`"options":[{"name":"execution_id","type":3,"value":"` + runningID + `"}]}}`,
			"Cancel requested", true},
		{"missing option", `{"type":2,"data":{"name":"cancel","options":[]}}`,
			"execution_id", false},
		{"malformed id", string(commandBody("/discord", "cancel", "1234")), "1234", false},
		{"help", `{"type":2,"data":{"name":"wfcancel","options":[{"name":"help","type":1}]}}`,
			"Commands", false},
		{"component interaction", `{"type":3,"data":{}}`, "not supported", false},
		{"unknown subcommand is explained, not a cancel",
			string(commandBody("/discord", "list", runningID)), "Unknown command", false},
		{"unknown command name is explained, not a cancel", `{"type":2,"user":{"id":"1"},` +
			`"data":{"name":"stop","options":[{"name":"execution_id","type":3,"value":"` +
			runningID + `"}]}}`, "Unknown command", false},
		{"execution_id without a subcommand is explained, not a cancel",
			`{"type":2,"user":{"id":"1"},"data":{"name":"wfcancel","options":[{"name":` +
				`"execution_id","type":3,"value":"` + runningID + `"}]}}`, "Unknown command",
			false},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newProviderEnv(t, nil)
			text := chatText(t, "/discord", e.post("/discord", []byte(row.body), nil))
			if !strings.Contains(text, row.want) {
				t.Errorf("reply %q does not contain %q", text, row.want)
			}
			if !row.upstream {
				e.noUpstream()
			}
		})
	}
}

func TestTeamsCommandText(t *testing.T) {
	rows := []struct {
		name string
		text string
		want string
	}{
		{"mention removed", "<at>Cancel Bot</at> status " + runningID, "Running"},
		{"markup and entities removed", "<p><at>Bot</at>&nbsp;status&nbsp;" + runningID +
			"</p>", "Running"},
		{"mistake explained", "<at>Bot</at> stop " + runningID, "don&#39;t know"},
		{"vector text", "<at>CancelBot</at> cancel wf-123", "wf-123"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newProviderEnv(t, nil)
			body := mustJSON(map[string]any{"type": "message", "text": row.text})
			text := chatText(t, "/teams", e.post("/teams", body, nil))
			if !strings.Contains(text, row.want) {
				t.Errorf("reply %q does not contain %q", text, row.want)
			}
		})
	}
}
