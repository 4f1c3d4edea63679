package handler

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

// rewire rebuilds the env's handler with extra options, keeping its secrets, SailPoint client,
// logger and clock.
func (e *env) rewire(extra func(o *Options)) {
	o := Options{
		Secrets:            e.secrets,
		SailPoint:          e.h.sailpoint,
		Logger:             e.h.log,
		SignatureTolerance: e.h.tolerance,
		Now:                e.h.now,
	}
	extra(&o)
	e.h = New(o)
}

// logLines returns the env's log lines with the given message.
func (e *env) logLines(message string) []map[string]any {
	var out []map[string]any
	for _, raw := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) == nil && m["message"] == message {
			out = append(out, m)
		}
	}
	return out
}

func slackCommandForm(fields map[string]string) []byte {
	form := url.Values{"command": {"/wfcancel"}, "text": {"cancel " + runningID},
		"response_url": {"https://hooks.slack.com/commands/T1/2/3"}}
	for k, v := range fields {
		if v == "" {
			form.Del(k)
		} else {
			form.Set(k, v)
		}
	}
	return []byte(form.Encode())
}

func TestRefuse(t *testing.T) {
	full := config.Access{
		SlackTeams: []string{"T1"}, SlackUsers: []string{"U1"}, SlackChannels: []string{"C1"},
		SlackAppID: "A1", TeamsTenants: []string{"tenant-1"},
		DiscordGuilds: []string{"G1"}, DiscordUsers: []string{"D1"},
		MattermostTeams: []string{"M1"}, MattermostUsers: []string{"MU1"},
	}
	slackOK := caller{team: "T1", user: "U1", channel: "C1", app: "A1", hasApp: true}
	rows := []struct {
		name       string
		access     config.Access
		route      string
		who        caller
		wantReason string // "" means allowed
	}{
		{name: "no lists allow everyone", route: "slack", who: caller{}},
		{name: "slack caller on every list", access: full, route: "slack", who: slackOK},
		{name: "slack team outside the list", access: full, route: "slack",
			who:        caller{team: "T2", user: "U1", channel: "C1", app: "A1", hasApp: true},
			wantReason: `slack team "T2" is not in ALLOWED_SLACK_TEAM_IDS`},
		{name: "slack user outside the list", access: full, route: "slack",
			who:        caller{team: "T1", user: "U9", channel: "C1", app: "A1", hasApp: true},
			wantReason: "ALLOWED_SLACK_USER_IDS"},
		{name: "slack channel outside the list", access: full, route: "slack",
			who:        caller{team: "T1", user: "U1", channel: "C9", app: "A1", hasApp: true},
			wantReason: "ALLOWED_SLACK_CHANNEL_IDS"},
		{name: "slack command without api_app_id while SLACK_APP_ID is set",
			access: config.Access{SlackAppID: "A1"}, route: "slack", who: caller{team: "T1"},
			wantReason: "SLACK_APP_ID"},
		{name: "slack command from another app", access: config.Access{SlackAppID: "A1"},
			route: "slack", who: caller{app: "A2", hasApp: true}, wantReason: "SLACK_APP_ID"},
		{name: "slack ids are matched exactly", access: config.Access{SlackTeams: []string{"T1"}},
			route: "slack", who: caller{team: "t1"}, wantReason: "ALLOWED_SLACK_TEAM_IDS"},
		{name: "slack missing team while the list is set",
			access: config.Access{SlackTeams: []string{"T1"}}, route: "slack", who: caller{},
			wantReason: "ALLOWED_SLACK_TEAM_IDS"},
		{name: "teams tenant on the list", access: full, route: "teams",
			who: caller{tenant: "tenant-1"}},
		{name: "teams tenant outside the list", access: full, route: "teams",
			who: caller{tenant: "tenant-2"}, wantReason: "ALLOWED_TEAMS_TENANT_IDS"},
		{name: "discord guild and user on the lists", access: full, route: "discord",
			who: caller{team: "G1", user: "D1"}},
		{name: "discord direct message while guilds are listed", access: full,
			route: "discord", who: caller{user: "D1"}, wantReason: "ALLOWED_DISCORD_GUILD_IDS"},
		{name: "discord user outside the list", access: full, route: "discord",
			who: caller{team: "G1", user: "D2"}, wantReason: "ALLOWED_DISCORD_USER_IDS"},
		{name: "mattermost team outside the list", access: full, route: "mattermost",
			who: caller{team: "M2", user: "MU1"}, wantReason: "ALLOWED_MATTERMOST_TEAM_IDS"},
		{name: "mattermost user outside the list", access: full, route: "mattermost",
			who: caller{team: "M1", user: "MU2"}, wantReason: "ALLOWED_MATTERMOST_USER_IDS"},
		{name: "webhook has no caller lists", access: full, route: "webhook", who: caller{}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			r := refuse(row.access, routeNamed(t, row.route), row.who)
			if row.wantReason == "" {
				if r != nil {
					t.Fatalf("refused: %+v", r)
				}
				return
			}
			if r == nil || !strings.Contains(r.reason, row.wantReason) || r.tell == "" {
				t.Fatalf("refusal = %+v; want a reason with %q", r, row.wantReason)
			}
			if strings.Contains(r.tell, "ALLOWED_") {
				t.Errorf("the caller is told the variable: %q", r.tell)
			}
		})
	}
}

func TestCallerOf(t *testing.T) {
	h := New(Options{})
	rows := []struct {
		name, route, body string
		want              caller
	}{
		{name: "slack form", route: "slack",
			body: "team_id=T1&user_id=U1&channel_id=C1&api_app_id=A1&" +
				"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1",
			want: caller{team: "T1", user: "U1", channel: "C1", app: "A1", hasApp: true,
				replyURL: "https://hooks.slack.com/commands/1"}},
		{name: "slack form without app id", route: "slack", body: "team_id=T1",
			want: caller{team: "T1"}},
		{name: "discord guild member", route: "discord",
			body: `{"guild_id":"G1","application_id":"123","token":"tok-EN_1",` +
				`"member":{"user":{"id":"D1"}}}`,
			want: caller{team: "G1", user: "D1", replyURL: "https://discord.com/api/v10/" +
				"webhooks/123/tok-EN_1/messages/@original"}},
		{name: "discord direct message", route: "discord",
			body: `{"application_id":"123","token":"t","user":{"id":"D2"}}`,
			want: caller{user: "D2", replyURL: "https://discord.com/api/v10/webhooks/123/t/" +
				"messages/@original"}},
		{name: "discord token that would escape the path", route: "discord",
			body: `{"application_id":"123","token":"../x","user":{"id":"D2"}}`,
			want: caller{user: "D2"}},
		{name: "discord token of dots", route: "discord",
			body: `{"application_id":"123","token":"..","user":{"id":"D2"}}`,
			want: caller{user: "D2"}},
		{name: "teams tenant from channelData", route: "teams",
			body: `{"from":{"aadObjectId":"O1"},"channelData":{"tenant":{"id":"tenant-1"}}}`,
			want: caller{user: "O1", tenant: "tenant-1"}},
		{name: "mattermost form", route: "mattermost", body: "team_id=M1&user_id=MU1",
			want: caller{team: "M1", user: "MU1"}},
		{name: "ticket routes have no caller", route: "github", body: `{}`},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			got := h.callerOf(routeNamed(t, row.route), []byte(row.body))
			if got != row.want {
				t.Errorf("caller = %+v; want %+v", got, row.want)
			}
		})
	}
}

func TestSlackAllowListsRefuseBeforeSailPoint(t *testing.T) {
	rows := []struct {
		name   string
		fields map[string]string
	}{
		{name: "team", fields: map[string]string{"team_id": "T9", "user_id": "U1",
			"api_app_id": "A1"}},
		{name: "user", fields: map[string]string{"team_id": "T1", "user_id": "U9",
			"api_app_id": "A1"}},
		{name: "no app id", fields: map[string]string{"team_id": "T1", "user_id": "U1"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			e.rewire(func(o *Options) {
				o.Access = config.Access{SlackTeams: []string{"T1"},
					SlackUsers: []string{"U1"}, SlackAppID: "A1"}
			})
			body := slackCommandForm(row.fields)
			r := e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
			if r.StatusCode != 200 || !strings.Contains(r.json(t)["text"].(string),
				"Not allowed") {
				t.Fatalf("answer %d %s; want a 200 refusal", r.StatusCode, r.Body)
			}
			e.noUpstream()
			audits := e.logLines("audit")
			if len(audits) != 1 || audits[0]["outcome"] != "not_allowed" ||
				audits[0]["reason"] == nil {
				t.Errorf("audit lines = %v; want one not_allowed with a reason", audits)
			}
		})
	}
}

func TestWorkflowAllowList(t *testing.T) {
	otherID := "5f2b6a4e-0d9c-4f7e-8b1a-2c3d4e5f6a7b"
	unauthorized := sailpointtest.Response{Status: 401, Body: sailpointtest.UnauthorizedBody("x")}
	rows := []struct {
		name, action, id string
		upstream         upstream
		wantStatus       int
		wantKind         string
		wantCancels      int
		wantReads        int
		wantFields       map[string]any
		wantHeader       map[string]string
	}{
		{name: "allowed workflow is read then cancelled", action: "cancel", id: runningID,
			wantStatus: 200, wantKind: "cancel_requested", wantCancels: 1, wantReads: 1},
		{name: "allowed workflow status needs one read", action: "status", id: runningID,
			wantStatus: 200, wantKind: "status", wantReads: 1},
		{name: "other workflow is refused", action: "cancel", id: otherID,
			wantStatus: http.StatusForbidden, wantKind: "not_allowed", wantReads: 1},
		{name: "other workflow status is refused", action: "status", id: otherID,
			wantStatus: http.StatusForbidden, wantKind: "not_allowed", wantReads: 1},
		{name: "finished execution is not cancelled", action: "cancel", id: finishedID,
			wantStatus: http.StatusConflict, wantKind: "already_finished", wantReads: 1},
		{name: "unknown execution", action: "cancel", id: missingID,
			wantStatus: http.StatusNotFound, wantKind: "not_found", wantReads: 1},
		{name: "read failing with a 5xx is 502 and cancels nothing", action: "cancel",
			id: runningID, wantReads: 1,
			upstream:   script(sailpointtest.OpGet, sailpointtest.ErrorResponse(500, "t500", "boom")),
			wantStatus: http.StatusBadGateway, wantKind: "upstream_failed",
			wantFields: map[string]any{"trackingId": "t500"}},
		{name: "read rate-limited beyond the budget is 429 with Retry-After", action: "cancel",
			id: runningID, wantReads: 1,
			upstream:   script(sailpointtest.OpGet, sailpointtest.RateLimited("30")),
			wantStatus: http.StatusTooManyRequests, wantKind: "rate_limited",
			wantHeader: map[string]string{"Retry-After": "30"}},
		{name: "read forbidden is 502 naming the read scope", action: "cancel", id: runningID,
			wantReads: 1,
			upstream: script(sailpointtest.OpGet,
				sailpointtest.ErrorResponse(403, "t403", "forbidden")),
			wantStatus: http.StatusBadGateway, wantKind: "forbidden",
			wantFields: map[string]any{
				"scope": "sp:workflow-execution:read or sp:workflow:manage"}},
		{name: "read with credentials rejected after a new token is 502", action: "status",
			id: runningID, wantReads: 2,
			upstream:   script(sailpointtest.OpGet, unauthorized, unauthorized),
			wantStatus: http.StatusBadGateway, wantKind: "credentials_rejected",
			wantFields: map[string]any{"title": "SailPoint rejected the credentials"}},
		{name: "token endpoint failing is 502 naming it", action: "cancel", id: runningID,
			upstream:   script(sailpointtest.OpToken, sailpointtest.ErrorResponse(500, "", "down")),
			wantStatus: http.StatusBadGateway, wantKind: "token_failed",
			wantFields: map[string]any{"title": "SailPoint's token endpoint failed"}},
		{name: "read timing out is 504", action: "cancel", id: runningID, wantReads: 1,
			upstream: script(sailpointtest.OpGet,
				sailpointtest.Response{Delay: time.Minute}),
			wantStatus: http.StatusGatewayTimeout, wantKind: "upstream_timeout"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			e.timeout = time.Second
			e.sim.AddExecution(sailpoint.Execution{ID: otherID, WorkflowID: "wf-other",
				Status: "Running"})
			e.rewire(func(o *Options) { o.Access = config.Access{Workflows: []string{"wf-1"}} })
			if row.upstream != nil {
				row.upstream(e.sim)
			}
			body := requestBody("/webhook", row.action, row.id)
			r := e.invoke(httpAPIEvent("POST", "/webhook", e.sign("/webhook", body), body,
				false))
			if r.StatusCode != row.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, row.wantStatus, r.Body)
			}
			checkWebhook(t, r, row.wantStatus, row.wantFields, row.wantHeader)
			if n := e.sim.Count(sailpointtest.OpCancel); n != row.wantCancels {
				t.Errorf("cancels %d, want %d", n, row.wantCancels)
			}
			if n := e.sim.Count(sailpointtest.OpGet); n != row.wantReads {
				t.Errorf("reads %d, want %d, all before acting", n, row.wantReads)
			}
			audits := e.logLines("audit")
			if len(audits) != 1 || audits[0]["outcome"] != row.wantKind {
				t.Fatalf("audit lines %v; want one %s", audits, row.wantKind)
			}
		})
	}
}

// TestAFailedWorkflowCheckIsNotRemembered: a workflow check whose read SailPoint did not
// answer changed nothing, so the same delivery sent again is checked and acted on.
func TestAFailedWorkflowCheckIsNotRemembered(t *testing.T) {
	e := newEnv(t)
	e.rewire(func(o *Options) { o.Access = config.Access{Workflows: []string{"wf-1"}} })
	e.sim.Script(sailpointtest.OpGet, sailpointtest.ErrorResponse(500, "t500", "boom"))
	body := requestBody("/webhook", "cancel", runningID)
	event := httpAPIEvent("POST", "/webhook", e.sign("/webhook", body), body, false)

	checkWebhook(t, e.invoke(event), http.StatusBadGateway, nil, nil)
	checkWebhook(t, e.invoke(event), 200, map[string]any{"status": "cancel requested"}, nil)
	if n := e.sim.Count(sailpointtest.OpCancel); n != 1 {
		t.Errorf("cancels %d, want 1", n)
	}
}

func TestAuditLine(t *testing.T) {
	rows := []struct {
		name  string
		entry auditEntry
		want  map[string]string
	}{
		{name: "every key is present even when empty",
			entry: auditEntry{provider: "webhook", action: "cancel",
				outcome: reply.Outcome{Kind: reply.CancelRequested, ExecutionID: runningID}},
			want: map[string]string{"provider": "webhook", "team": "", "user": "",
				"action": "cancel", "executionId": runningID, "workflowId": "",
				"outcome": "cancel_requested", "trackingId": ""}},
		{name: "workflow and tracking id",
			entry: auditEntry{provider: "slack", team: "T1", user: "U1", action: "cancel",
				outcome: reply.Outcome{Kind: reply.CancelRefused, ExecutionID: runningID,
					WorkflowID: "wf-1", TrackingID: "trk-1"}},
			want: map[string]string{"team": "T1", "user": "U1", "workflowId": "wf-1",
				"outcome": "cancel_refused", "trackingId": "trk-1"}},
		{name: "control characters cannot forge a line",
			entry: auditEntry{provider: "slack", team: "T1\n{\"outcome\":\"ok\"}",
				user: "U1\r\x1b[31m", action: "cancel",
				outcome: reply.Outcome{Kind: reply.NotAllowed}},
			want: map[string]string{"team": "T1?{\"outcome\":\"ok\"}", "user": "U1??[31m",
				"outcome": "not_allowed"}},
		{name: "long values are capped",
			entry: auditEntry{provider: "discord", user: strings.Repeat("u", 500),
				action: "status", outcome: reply.Outcome{Kind: reply.StatusReport}},
			want: map[string]string{"user": strings.Repeat("u", maxLogValue) + "…"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			e.h.audit(t.Context(), row.entry)
			lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d lines, want 1: %s", len(lines), e.logs)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
				t.Fatal(err)
			}
			for k, v := range row.want {
				if got, ok := m[k]; !ok || got != v {
					t.Errorf("%s = %q (present %t), want %q", k, got, ok, v)
				}
			}
		})
	}
}

// routeNamed is the route the handler serves under name.
func routeNamed(t *testing.T, name string) *route {
	t.Helper()
	for _, rt := range routes(0, nil) {
		if rt.name == name {
			return rt
		}
	}
	t.Fatalf("no route named %s", name)
	return nil
}
