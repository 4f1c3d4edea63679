package handler

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// TestReplayIsAnsweredWithTheFirstAnswer sends the same signed delivery twice on every route
// that remembers: SailPoint sees one cancel, and the second answer is the first.
func TestReplayIsAnsweredWithTheFirstAnswer(t *testing.T) {
	for route := range providers(t) {
		t.Run(route, func(t *testing.T) {
			e := newProviderEnv(t, nil)
			body := commandBody(route, "cancel", runningID)
			h := e.signFor(route, body)
			first := e.invoke(httpAPIEvent("POST", route, h, body, false))
			e.now = e.now.Add(time.Second)
			second := e.invoke(restEvent("POST", route, h, body, false))
			if first.StatusCode != second.StatusCode || first.Body != second.Body {
				t.Errorf("second answer %d %s, want the first %d %s", second.StatusCode,
					second.Body, first.StatusCode, first.Body)
			}
			if n := e.sim.Count("cancel"); n != 1 {
				t.Errorf("cancels %d, want 1", n)
			}
			if !strings.Contains(e.logs.String(), `"replayed":true`) {
				t.Errorf("the replay is not logged: %s", e.logs)
			}
		})
	}
}

// TestAReplayIsNotAuditedAgain: the audit log holds one line per action, so a repeat
// answered from memory, which did nothing, writes none (its request line says replayed).
func TestAReplayIsNotAuditedAgain(t *testing.T) {
	routes := []string{"/webhook"}
	for route := range providers(t) {
		routes = append(routes, route)
	}
	for _, route := range routes {
		t.Run(route, func(t *testing.T) {
			e := newProviderEnv(t, nil)
			var body []byte
			var h map[string]string
			if route == "/webhook" {
				body = requestBody(route, "cancel", runningID)
				h = e.sign(route, body)
			} else {
				body = commandBody(route, "cancel", runningID)
				h = e.signFor(route, body)
			}
			for range 3 {
				e.invoke(httpAPIEvent("POST", route, h, body, false))
			}
			if audits := e.logLines("audit"); len(audits) != 1 {
				t.Errorf("audit lines %d for one cancel, want 1: %v", len(audits), audits)
			}
		})
	}
}

func TestWebhookRouteRemembersToo(t *testing.T) {
	e := newEnv(t)
	body := requestBody("/webhook", "cancel", runningID)
	h := e.sign("/webhook", body)
	for range 3 {
		checkWebhook(t, e.invoke(httpAPIEvent("POST", "/webhook", h, body, false)), 200,
			map[string]any{"status": "cancel requested"}, nil)
	}
	if n := e.sim.Count("cancel"); n != 1 {
		t.Errorf("cancels %d, want 1", n)
	}
}

func TestSlackIsNotRemembered(t *testing.T) {
	e := newEnv(t)
	body := requestBody("/slack", "cancel", runningID)
	h := e.sign("/slack", body)
	for range 2 {
		e.invoke(httpAPIEvent("POST", "/slack", h, body, false))
	}
	if n := e.sim.Count("cancel"); n != 2 {
		t.Errorf("cancels %d, want 2", n)
	}
}

func TestDifferentDeliveriesAreActedOn(t *testing.T) {
	e := newProviderEnv(t, nil)
	e.post("/github", []byte(`{"executionId":"`+runningID+`"}`), nil)
	e.post("/github", []byte(`{"executionId":"`+runningID+`", "n": 2}`), nil)
	if n := e.sim.Count("cancel"); n != 2 {
		t.Errorf("cancels %d, want 2", n)
	}
}

// TestOnlyWhatReachedSailPointIsRemembered: a delivery that failed before SailPoint's API
// (token endpoint down, credentials missing) is acted on again when redelivered.
func TestOnlyWhatReachedSailPointIsRemembered(t *testing.T) {
	e := newProviderEnv(t, nil)
	body := []byte(`{"executionId":"` + runningID + `"}`)
	e.sim.Script("token", sailpointtest.ErrorResponse(500, "", "down"))
	checkWebhook(t, e.post("/pagerduty", body, nil), 502, nil, nil)
	checkWebhook(t, e.post("/pagerduty", body, nil), 200,
		map[string]any{"status": "cancel requested"}, nil)
	if n := e.sim.Count("cancel"); n != 1 {
		t.Errorf("cancels %d, want 1", n)
	}
}

// TestRefusalsThatInviteARetryAreNotRemembered: when SailPoint rate-limits, forbids or
// rejects the credentials, it did nothing, so the provider's redelivery is acted on.
func TestRefusalsThatInviteARetryAreNotRemembered(t *testing.T) {
	unauthorized := sailpointtest.Response{Status: 401,
		Body: sailpointtest.UnauthorizedBody("x")}
	rows := []struct {
		name       string
		refusal    []sailpointtest.Response
		wantStatus int
	}{
		{name: "429 beyond the budget", wantStatus: 429,
			refusal: []sailpointtest.Response{sailpointtest.RateLimited("600")}},
		{name: "403 forbidden", wantStatus: 502,
			refusal: []sailpointtest.Response{
				sailpointtest.ErrorResponse(403, "t403", "forbidden")}},
		{name: "401 after a new token", wantStatus: 502,
			refusal: []sailpointtest.Response{unauthorized, unauthorized}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newProviderEnv(t, nil)
			body := []byte(`{"executionId":"` + runningID + `"}`)
			for _, r := range row.refusal {
				e.sim.Script("cancel", r)
			}
			checkWebhook(t, e.post("/pagerduty", body, nil), row.wantStatus, nil, nil)
			cancels := e.sim.Count("cancel")

			checkWebhook(t, e.post("/pagerduty", body, nil), 200,
				map[string]any{"status": "cancel requested"}, nil)
			if n := e.sim.Count("cancel"); n != cancels+1 {
				t.Errorf("cancels %d after the redelivery, want %d", n, cancels+1)
			}
			if strings.Contains(e.logs.String(), `"replayed":true`) {
				t.Error("the redelivery was answered from memory")
			}
		})
	}
}

func TestFailedCancelIsRememberedAndNotRetried(t *testing.T) {
	e := newProviderEnv(t, nil)
	body := []byte(`{"executionId":"` + runningID + `"}`)
	e.sim.Script("cancel", sailpointtest.ErrorResponse(500, "t500", "fault"))
	for range 2 {
		checkWebhook(t, e.post("/jira", body, nil), 502,
			map[string]any{"trackingId": "t500"}, nil)
	}
	if n := e.sim.Count("cancel"); n != 1 {
		t.Errorf("cancels %d, want 1 (a cancel is never sent again after a 5xx)", n)
	}
}

// TestConcurrentDuplicatesCallOnce runs the same delivery at once from several goroutines
// while SailPoint is slow: one cancel, one answer for all.
func TestConcurrentDuplicatesCallOnce(t *testing.T) {
	e := newProviderEnv(t, nil)
	e.sim.Script("cancel", sailpointtest.Response{Status: 204, Delay: 200 * time.Millisecond})
	body := []byte(`{"executionId":"` + runningID + `"}`)
	event := httpAPIEvent("POST", "/github", e.signFor("/github", body), body, false)

	answers := make([]string, 5)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			out, err := e.h.Invoke(ctx, event)
			if err != nil {
				t.Error(err)
				return
			}
			answers[i] = string(out)
		}()
	}
	wg.Wait()
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Errorf("answers differ: %s vs %s", a, answers[0])
		}
	}
	var r response
	if err := json.Unmarshal([]byte(answers[0]), &r); err != nil || r.StatusCode != 200 {
		t.Errorf("answer %s, want 200", answers[0])
	}
	if n := e.sim.Count("cancel"); n != 1 {
		t.Errorf("cancels %d, want 1", n)
	}
}

func TestReplayMemoryExpiresAndIsBounded(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newReplayMemory(2)
	o := reply.Outcome{Kind: reply.CancelRequested}

	e, first := m.claim("a", now)
	if !first {
		t.Fatal("a new key is not first")
	}
	m.settle(e, o, now.Add(time.Minute))
	if _, first := m.claim("a", now.Add(59*time.Second)); first {
		t.Error("a remembered key is first again before it expires")
	}
	e, first = m.claim("a", now.Add(time.Minute))
	if !first {
		t.Error("an expired key is not first again")
	}
	m.settle(e, o, now.Add(time.Hour))

	for _, k := range []string{"b", "c"} {
		e, _ := m.claim(k, now)
		m.settle(e, o, now.Add(time.Hour))
	}
	if _, first := m.claim("a", now); !first {
		t.Error("the least recently seen key is kept beyond the capacity")
	}
	if _, first := m.claim("c", now); first {
		t.Error("a recent key was evicted")
	}
}

func TestReplayExpiry(t *testing.T) {
	e := newEnv(t)
	now := e.now
	if got := e.h.replayExpiry(proofAt(time.Time{}), now); got != now.Add(replayUntimed) {
		t.Errorf("untimed expiry %v, want %v", got, now.Add(replayUntimed))
	}
	ts := now.Add(-time.Minute)
	if got := e.h.replayExpiry(proofAt(ts), now); got.Before(ts.Add(5 * time.Minute)) {
		t.Errorf("timed expiry %v is before the end of the tolerance window", got)
	}
}

func proofAt(ts time.Time) webhook.Proof { return webhook.Proof{ReplayKey: "k", Timestamp: ts} }
