package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

// Content types of the function's answers.
const (
	contentJSON    = "application/json"
	contentProblem = "application/problem+json"
)

// calls is what the fakes have received: GetSecretValue calls and SailPoint calls per op.
type calls struct {
	secretReads, token, cancel, get int
}

func (s *stack) calls() calls {
	return calls{
		secretReads: s.secrets.Calls(),
		token:       s.sim.Count(sailpointtest.OpToken),
		cancel:      s.sim.Count(sailpointtest.OpCancel),
		get:         s.sim.Count(sailpointtest.OpGet),
	}
}

// expectCalls fails the test unless the fakes received exactly want.
func (s *stack) expectCalls(when string, want calls) {
	s.t.Helper()
	if got := s.calls(); got != want {
		s.t.Errorf("%s: calls = %+v; want %+v", when, got, want)
	}
}

func TestCancelsShareOneSecretReadAndOneToken(t *testing.T) {
	const n = 20
	s := newStack(t, n)
	var sent []request

	for i, id := range s.running {
		if i%2 == 0 {
			r := webhookCall(t, "cancel", id, time.Now())
			sent = append(sent, r)
			a := s.invoke(r.httpAPI())
			expectAnswer(t, a, http.StatusOK, contentJSON)
			f := a.fields(t)
			if f["executionId"] != id || f["status"] != "cancel requested" {
				t.Errorf("webhook cancel %s answered %s", id, a.Body)
			}
			continue
		}
		r := slackCommand(t, "cancel "+id, time.Now())
		sent = append(sent, r)
		a := s.invoke(r.httpAPI())
		expectSlack(t, a, "Cancel requested for workflow execution "+id)
	}

	s.expectCalls("after the cancels", calls{secretReads: 1, token: 1, cancel: n})
	for _, id := range s.running {
		if e, _ := s.sim.Execution(id); e.Status != "Canceled" {
			t.Errorf("execution %s is %q in the simulator; want Canceled", id, e.Status)
		}
	}
	s.waitLogs(t, func(logs string) bool { return len(requestLines(t, logs)) >= n })
	lines := requestLines(t, s.emu.Logs())
	if len(lines) != n {
		t.Fatalf("logs hold %d request lines; want %d", len(lines), n)
	}
	for i, l := range lines {
		wantRoute := map[bool]string{true: "webhook", false: "slack"}[i%2 == 0]
		if l.Route != wantRoute || l.Outcome != "cancel_requested" || l.Status != 200 ||
			l.ExecutionID != s.running[i] {
			t.Errorf("request line %d = %+v; want route %s, cancel_requested for %s",
				i, l, wantRoute, s.running[i])
		}
	}
	expectNoLeaks(t, s, sent)
}

func TestAnswers(t *testing.T) {
	s := newStack(t, 3)
	running := s.running[0]
	var sent []request
	send := func(r request, event func(request) []byte) answer {
		t.Helper()
		sent = append(sent, r)
		return s.invoke(event(r))
	}
	httpAPI, rest, functionURL := request.httpAPI, request.rest, request.functionURL

	a := send(webhookCall(t, "status", running, time.Now()), httpAPI)
	expectAnswer(t, a, http.StatusOK, contentJSON)
	if f := a.fields(t); f["executionId"] != running || f["status"] != "Running" ||
		f["workflowId"] != "wf-e2e" {
		t.Errorf("status answered %s", a.Body)
	}
	s.expectCalls("after status", calls{secretReads: 1, token: 1, get: 1})

	a = send(webhookCall(t, "cancel", missingID, time.Now()), httpAPI)
	expectAnswer(t, a, http.StatusNotFound, contentProblem)
	if f := a.fields(t); f["status"] != 404.0 || f["executionId"] != missingID {
		t.Errorf("cancel of an unknown execution answered %s", a.Body)
	}
	s.expectCalls("after a cancel of an unknown execution",
		calls{secretReads: 1, token: 1, get: 1, cancel: 1})

	a = send(webhookCall(t, "cancel", completedID, time.Now()), httpAPI)
	expectAnswer(t, a, http.StatusConflict, contentProblem)
	if f := a.fields(t); f["executionStatus"] != "Completed" {
		t.Errorf("cancel of a completed execution answered %s", a.Body)
	}
	s.expectCalls("after a cancel of a completed execution",
		calls{secretReads: 1, token: 1, get: 2, cancel: 2})

	forged := webhookCall(t, "cancel", running, time.Now())
	forged.body = strings.Replace(forged.body, `"cancel"`, `"status"`, 1)
	a = send(forged, httpAPI)
	expectAnswer(t, a, http.StatusUnauthorized, contentProblem)
	if a.Body != `{"title":"invalid signature","status":401}` {
		t.Errorf("invalid signature answered %s; want a bare problem", a.Body)
	}
	stale := slackCommand(t, "cancel "+running, time.Now().Add(-time.Hour))
	a = send(stale, httpAPI)
	expectAnswer(t, a, http.StatusUnauthorized, contentProblem)
	s.expectCalls("after invalid signatures", calls{secretReads: 1, token: 1, get: 2, cancel: 2})

	unknown := webhookCall(t, "cancel", running, time.Now())
	unknown.route = "/admin"
	a = send(unknown, httpAPI)
	expectAnswer(t, a, http.StatusNotFound, contentProblem)
	s.expectCalls("after an unknown route", calls{secretReads: 1, token: 1, get: 2, cancel: 2})

	a = send(webhookCall(t, "cancel", s.running[1], time.Now()), rest)
	expectAnswer(t, a, http.StatusOK, contentJSON)
	if f := a.fields(t); f["executionId"] != s.running[1] || f["status"] != "cancel requested" {
		t.Errorf("REST cancel answered %s", a.Body)
	}
	a = send(slackCommand(t, "cancel "+s.running[2], time.Now()), functionURL)
	expectSlack(t, a, "Cancel requested for workflow execution "+s.running[2])
	s.expectCalls("after the REST and function URL cancels",
		calls{secretReads: 1, token: 1, get: 2, cancel: 4})

	want := []requestLine{
		{Route: "webhook", Outcome: "status", Status: 200, Event: "httpapi"},
		{Route: "webhook", Outcome: "not_found", Status: 404, Event: "httpapi"},
		{Route: "webhook", Outcome: "already_finished", Status: 409, Event: "httpapi"},
		{Route: "webhook", Outcome: "invalid_signature", Status: 401, Event: "httpapi"},
		{Route: "slack", Outcome: "invalid_signature", Status: 401, Event: "httpapi"},
		{Route: "", Outcome: "unknown_route", Status: 404, Event: "httpapi"},
		{Route: "webhook", Outcome: "cancel_requested", Status: 200, Event: "rest"},
		{Route: "slack", Outcome: "cancel_requested", Status: 200, Event: "functionurl"},
	}
	s.waitLogs(t, func(logs string) bool { return len(requestLines(t, logs)) >= len(want) })
	got := requestLines(t, s.emu.Logs())
	if len(got) != len(want) {
		t.Fatalf("logs hold %d request lines; want %d", len(got), len(want))
	}
	for i, l := range got {
		w := want[i]
		if l.Route != w.Route || l.Outcome != w.Outcome || l.Status != w.Status ||
			l.Event != w.Event {
			t.Errorf("request line %d = %+v; want %+v", i, l, w)
		}
	}
	expectNoLeaks(t, s, sent)
}

func TestBadBaseURLStopsTheBootstrap(t *testing.T) {
	s := newStack(t, 1, "SAILPOINT_BASE_URL=https://acme.identitynow.com")

	_, err := s.emu.Invoke(t.Context(), slackCommand(t, "cancel "+s.running[0], time.Now()).httpAPI())

	// The emulator answers an invocation whose runtime exited during init with a bare 502.
	var se *emulator.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusBadGateway {
		t.Fatalf("invoke error = %v; want the emulator's 502", err)
	}
	s.waitLogs(t, func(logs string) bool {
		return strings.Contains(logs, "Init failed") && strings.Contains(logs, "Runtime.ExitError") &&
			strings.Contains(logs, "invalid configuration")
	})
	logs := s.emu.Logs()
	for _, want := range []string{"SAILPOINT_BASE_URL", "Runtime.ExitError", "Init failed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	var cfgLine bool
	for _, l := range jsonLines(logs) {
		if l["message"] == "invalid configuration" && l["level"] == "ERROR" &&
			strings.Contains(l["error"].(string), "SAILPOINT_BASE_URL") {
			cfgLine = true
		}
	}
	if !cfgLine {
		t.Error("logs lack the JSON line naming SAILPOINT_BASE_URL")
	}
	s.expectCalls("after a refused start", calls{})
}

func expectAnswer(t *testing.T, a answer, status int, contentType string) {
	t.Helper()
	if a.StatusCode != status || a.Headers["Content-Type"] != contentType {
		t.Errorf("answer = %d %q %s; want %d %q", a.StatusCode, a.Headers["Content-Type"],
			a.Body, status, contentType)
	}
}

// expectSlack checks an ephemeral Slack message whose text begins with prefix.
func expectSlack(t *testing.T, a answer, prefix string) {
	t.Helper()
	expectAnswer(t, a, http.StatusOK, contentJSON)
	f := a.fields(t)
	text, _ := f["text"].(string)
	if f["response_type"] != "ephemeral" || !strings.HasPrefix(text, prefix) {
		t.Errorf("slack answer = %s; want an ephemeral %q", a.Body, prefix)
	}
}

// requestLine is the function's one log line per request.
type requestLine struct {
	Route       string `json:"route"`
	Outcome     string `json:"outcome"`
	Status      int    `json:"status"`
	Event       string `json:"event"`
	ExecutionID string `json:"executionId"`
	RequestID   string `json:"requestId"`
}

// requestLines returns the request lines in the logs, failing the test if one lacks the
// invocation's request id or the emulator reported another id for it.
func requestLines(t *testing.T, logs string) []requestLine {
	t.Helper()
	var out []requestLine
	for _, raw := range strings.Split(logs, "\n") {
		var l struct {
			Message string `json:"message"`
			requestLine
		}
		if json.Unmarshal([]byte(raw), &l) != nil || l.Message != "request" {
			continue
		}
		if l.RequestID == "" || !strings.Contains(logs, "START RequestId: "+l.RequestID) {
			t.Errorf("request line %s lacks the invocation's requestId", raw)
		}
		out = append(out, l.requestLine)
	}
	return out
}

func jsonLines(logs string) []map[string]any {
	var out []map[string]any
	for _, raw := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// waitLogs waits, for at most a few seconds, until done accepts the emulator's output: the
// bootstrap's lines may arrive after its answer.
func (s *stack) waitLogs(t *testing.T, done func(logs string) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := s.emu.WaitLogs(ctx, done); err != nil {
		t.Logf("%v; checking what arrived", err)
	}
}

// expectNoLeaks fails the test if the logs hold a secret, a bearer token the bootstrap sent
// or a signature of a request sent.
func expectNoLeaks(t *testing.T, s *stack, sent []request) {
	t.Helper()
	logs := s.emu.Logs()
	check := func(what, value string) {
		t.Helper()
		if strings.Contains(logs, value) {
			t.Errorf("logs contain the %s", what)
		}
	}

	check("client secret", clientSecret)
	check("Slack signing secret", slackSecret)
	check("webhook secret", strings.TrimPrefix(webhookSecret, "whsec_"))

	tokens := s.bearerTokens()
	if len(tokens) == 0 {
		t.Error("the simulator saw no bearer token; the token check proves nothing")
	}
	for _, tok := range tokens {
		check("bearer token", tok)
	}
	for _, r := range sent {
		for _, sig := range r.signatures() {
			check("signature of a request", sig)
		}
	}
}
