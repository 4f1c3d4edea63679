package handler

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

// upstream scripts the simulator for one row of the answer table.
type upstream func(sim *sailpointtest.Simulator)

func script(op string, rs ...sailpointtest.Response) upstream {
	return func(sim *sailpointtest.Simulator) {
		for _, r := range rs {
			sim.Script(op, r)
		}
	}
}

func both(us ...upstream) upstream {
	return func(sim *sailpointtest.Simulator) {
		for _, u := range us {
			u(sim)
		}
	}
}

// TestAnswerTable runs every row of the answer table on /webhook and /slack, in all three
// event shapes.
func TestAnswerTable(t *testing.T) {
	rows := []struct {
		name     string
		action   string
		id       string
		upstream upstream
		status   int
		fields   map[string]any // on /webhook
		slack    []string       // substrings of the Slack text
		header   map[string]string
	}{
		{
			name: "cancel accepted", action: "cancel", id: runningID, status: 200,
			fields: map[string]any{"executionId": runningID, "status": "cancel requested"},
			slack:  []string{"Cancel requested", runningID},
		},
		{
			name: "status read", action: "status", id: runningID, status: 200,
			fields: map[string]any{"executionId": runningID, "workflowId": "wf-1",
				"status": "Running", "requestId": "41e12a74fa7b4a6a98ae47887b64acdb",
				"startTime": "2026-12-04T10:00:00Z"},
			slack: []string{runningID, "Running"},
		},
		{
			name: "400 on a finished execution is 409", action: "cancel", id: finishedID,
			status: 409,
			fields: map[string]any{"executionId": finishedID, "executionStatus": "Completed"},
			slack:  []string{"already finished (Completed)", finishedID},
		},
		{
			name: "409 on a finished execution keeps the 400's trackingId", action: "cancel",
			id: finishedID,
			upstream: script("cancel",
				sailpointtest.ErrorResponse(400, "0d6f3b9e2a7c4e1f8b5a9c3d7e2f1a4b", "done")),
			status: 409,
			fields: map[string]any{"executionStatus": "Completed",
				"trackingId": "0d6f3b9e2a7c4e1f8b5a9c3d7e2f1a4b"},
			slack: []string{"already finished (Completed)",
				"0d6f3b9e2a7c4e1f8b5a9c3d7e2f1a4b"},
		},
		{
			name:   "400 on a running execution is 422 with SailPoint's message",
			action: "cancel", id: runningID,
			upstream: script("cancel",
				sailpointtest.ErrorResponse(400, "5c5e1f1f0bde4a4f8f84d8ba1e0fb24e", "bad state")),
			status: 422,
			fields: map[string]any{"trackingId": "5c5e1f1f0bde4a4f8f84d8ba1e0fb24e",
				"detail": "bad state"},
			slack: []string{"5c5e1f1f0bde4a4f8f84d8ba1e0fb24e", "bad state"},
		},
		{
			name: "401 twice is 502 credentials rejected", action: "cancel", id: runningID,
			upstream: script("cancel",
				sailpointtest.Response{Status: 401, Body: sailpointtest.UnauthorizedBody("x")},
				sailpointtest.Response{Status: 401, Body: sailpointtest.UnauthorizedBody("x")}),
			status: 502,
			fields: map[string]any{"title": "SailPoint rejected the credentials"},
			slack:  []string{"SailPoint rejected the credentials"},
		},
		{
			name: "PAT rejected at the token endpoint is 502", action: "cancel", id: runningID,
			upstream: script("token",
				sailpointtest.Response{Status: 401, Body: sailpointtest.OAuthErrorBody(
					"invalid_client", "bad client")},
				sailpointtest.Response{Status: 401, Body: sailpointtest.OAuthErrorBody(
					"invalid_client", "bad client")}),
			status: 502,
			fields: map[string]any{"title": "SailPoint rejected the credentials"},
			slack:  []string{"rejected the credentials"},
		},
		{
			name: "token endpoint 5xx is 502 naming it", action: "cancel", id: runningID,
			upstream: script("token", sailpointtest.ErrorResponse(500, "", "boom")),
			status:   502,
			fields:   map[string]any{"title": "SailPoint's token endpoint failed"},
			slack:    []string{"token endpoint failed"},
		},
		{
			name: "403 names the scope", action: "cancel", id: runningID,
			upstream: script("cancel", sailpointtest.ErrorResponse(403, "t403", "forbidden")),
			status:   502,
			fields:   map[string]any{"scope": "sp:workflow-execute:external"},
			slack:    []string{"sp:workflow-execute:external"},
		},
		{
			name: "403 on a read names the read scopes", action: "status", id: runningID,
			upstream: script("get", sailpointtest.ErrorResponse(403, "t403", "forbidden")),
			status:   502,
			fields:   map[string]any{"scope": "sp:workflow-execution:read or sp:workflow:manage"},
			slack:    []string{"sp:workflow-execution:read"},
		},
		{
			name: "404", action: "cancel", id: missingID, status: 404,
			fields: map[string]any{
				"title": "no such execution (executions are archived after 90 days)"},
			slack: []string{"archived after 90 days", missingID},
		},
		{
			name: "429 beyond the budget", action: "cancel", id: runningID,
			upstream: script("cancel", sailpointtest.RateLimited("600")),
			status:   429, header: map[string]string{"Retry-After": "600"},
			fields: map[string]any{"retryAfter": float64(600)},
			slack:  []string{"600 seconds"},
		},
		{
			name: "429 without Retry-After answers 10", action: "cancel", id: runningID,
			upstream: script("cancel", sailpointtest.Response{Status: 429,
				Body: sailpointtest.RateLimitBody()}),
			status: 429, header: map[string]string{"Retry-After": "10"},
			slack: []string{"10 seconds"},
		},
		{
			name: "429 within the budget waits and retries once", action: "cancel",
			id:       runningID,
			upstream: script("cancel", sailpointtest.RateLimited("1")),
			status:   200,
			fields:   map[string]any{"status": "cancel requested"},
			slack:    []string{"Cancel requested"},
		},
		{
			name: "5xx then the read shows Canceled", action: "cancel", id: runningID,
			upstream: both(
				script("cancel", sailpointtest.ErrorResponse(502, "t502", "bad gateway")),
				script("get", sailpointtest.Response{Status: 200,
					Body: `{"id":"` + runningID + `","workflowId":"wf-1","status":"Canceled"}`})),
			status: 200,
			fields: map[string]any{"executionId": runningID, "status": "Canceled"},
			slack:  []string{"Canceled"},
		},
		{
			name: "5xx and still running is 502", action: "cancel", id: runningID,
			upstream: script("cancel", sailpointtest.ErrorResponse(500, "t500", "fault")),
			status:   502,
			fields:   map[string]any{"trackingId": "t500"},
			slack:    []string{"SailPoint failed", "t500"},
		},
		{
			name: "cancel timeout and still running is 504", action: "cancel", id: runningID,
			upstream: script("cancel", sailpointtest.Response{Delay: time.Minute}),
			status:   504,
			fields:   map[string]any{"title": "SailPoint did not answer in time"},
			slack:    []string{"did not answer in time"},
		},
	}
	for _, row := range rows {
		for _, shape := range []string{"httpapi", "rest", "functionurl"} {
			for _, route := range []string{"/webhook", "/slack"} {
				t.Run(fmt.Sprintf("%s/%s%s", row.name, shape, route), func(t *testing.T) {
					e := newEnv(t)
					e.timeout = 2 * time.Second
					if row.upstream != nil {
						row.upstream(e.sim)
					}
					body := requestBody(route, row.action, row.id)
					ev := shapes[shape]("POST", route, e.sign(route, body), body, false)
					r := e.invoke(ev)
					if route == "/slack" {
						checkSlack(t, r, row.slack)
						return
					}
					checkWebhook(t, r, row.status, row.fields, row.header)
				})
			}
		}
	}
}

func requestBody(route, action, id string) []byte {
	if route == "/slack" {
		return []byte("token=x&team_id=T1&user_id=U1&command=%2Fwfcancel&text=" + action +
			"+" + id + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2%2F3")
	}
	return []byte(fmt.Sprintf(`{"executionId": %q, "action": %q}`, id, action))
}

func checkWebhook(t *testing.T, r response, status int, fields map[string]any,
	header map[string]string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", r.StatusCode, status, r.Body)
	}
	ct := r.Headers["Content-Type"]
	if status >= 400 && ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if status < 400 && ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	m := r.json(t)
	if status >= 400 && m["status"] != float64(status) {
		t.Errorf("problem status %v, want %d", m["status"], status)
	}
	for k, want := range fields {
		if m[k] != want {
			t.Errorf("%s = %v, want %v (body %s)", k, m[k], want, r.Body)
		}
	}
	for k, want := range header {
		if got := r.Headers[k]; got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
}

func checkSlack(t *testing.T, r response, want []string) {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.StatusCode, r.Body)
	}
	m := r.json(t)
	if m["response_type"] != "ephemeral" {
		t.Errorf("response_type %v, want ephemeral", m["response_type"])
	}
	text, _ := m["text"].(string)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("text %q does not contain %q", text, w)
		}
	}
}
