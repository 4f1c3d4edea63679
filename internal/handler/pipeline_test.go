package handler

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
)

func checkProblem(t *testing.T, r response, status int) map[string]any {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", r.StatusCode, status, r.Body)
	}
	if ct := r.Headers["Content-Type"]; ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	m := r.json(t)
	if m["status"] != float64(status) {
		t.Errorf("problem status %v, want %d", m["status"], status)
	}
	return m
}

func (e *env) noUpstream() {
	e.t.Helper()
	if calls := e.sim.Calls(); len(calls) != 0 {
		e.t.Errorf("SailPoint received %d calls, want none: %+v", len(calls), calls)
	}
}

// TestBeforeVerification covers every answer given before a signature is accepted: each is a
// problem on every route, in every event shape, with no call to SailPoint.
func TestBeforeVerification(t *testing.T) {
	big := []byte(strings.Repeat("a", MaxBody+1))
	rows := []struct {
		name    string
		event   func(e *env, shape string) []byte
		secrets error
		status  int
		header  map[string]string
		reads   int
	}{
		{
			name: "unknown route",
			event: func(e *env, s string) []byte {
				return shapes[s]("POST", "/nowhere", nil, []byte("{}"), false)
			},
			status: 404,
		},
		{
			name: "GET is not allowed",
			event: func(e *env, s string) []byte {
				return shapes[s]("GET", "/webhook", nil, nil, false)
			},
			status: 405, header: map[string]string{"Allow": "POST"},
		},
		{
			name: "method is checked before the secret is read",
			event: func(e *env, s string) []byte {
				return shapes[s]("PUT", "/slack", nil, nil, false)
			},
			secrets: secret.ErrUnavailable, status: 405,
		},
		{
			name: "route is checked before the size",
			event: func(e *env, s string) []byte {
				return shapes[s]("POST", "/nowhere", nil, big, false)
			},
			status: 404,
		},
		{
			name: "route is checked before base64",
			event: func(e *env, s string) []byte {
				ev := map[string]any{}
				json.Unmarshal(shapes[s]("POST", "/nowhere", nil, nil, true), &ev)
				ev["body"] = "!!!"
				return mustJSON(ev)
			},
			status: 404,
		},
		{
			name: "method is checked before the size",
			event: func(e *env, s string) []byte {
				return shapes[s]("GET", "/slack", nil, big, false)
			},
			status: 405, header: map[string]string{"Allow": "POST"},
		},
		{
			name: "size is checked before the secret is read",
			event: func(e *env, s string) []byte {
				return shapes[s]("POST", "/webhook", nil, big, false)
			},
			secrets: secret.ErrUnavailable, status: 413,
		},
		{
			name: "body over 64 KiB",
			event: func(e *env, s string) []byte {
				return shapes[s]("POST", "/webhook", e.sign("/webhook", big), big, false)
			},
			status: 413,
		},
		{
			name: "base64 body over 64 KiB once decoded",
			event: func(e *env, s string) []byte {
				return shapes[s]("POST", "/webhook", e.sign("/webhook", big), big, true)
			},
			status: 413,
		},
		{
			name: "base64 text refused before decoding",
			event: func(e *env, s string) []byte {
				ev := map[string]any{}
				json.Unmarshal(shapes[s]("POST", "/webhook", nil, nil, true), &ev)
				ev["body"] = strings.Repeat("!", base64.StdEncoding.EncodedLen(MaxBody)+1)
				return mustJSON(ev)
			},
			status: 413,
		},
		{
			name: "invalid base64",
			event: func(e *env, s string) []byte {
				ev := map[string]any{}
				json.Unmarshal(shapes[s]("POST", "/webhook", nil, nil, true), &ev)
				ev["body"] = "not base64 at all!"
				return mustJSON(ev)
			},
			status: 400,
		},
		{
			name: "secret unavailable",
			event: func(e *env, s string) []byte {
				b := requestBody("/slack", "cancel", runningID)
				return shapes[s]("POST", "/slack", e.sign("/slack", b), b, false)
			},
			secrets: secret.ErrUnavailable, status: 503, reads: 1,
		},
		{
			name: "bad signature",
			event: func(e *env, s string) []byte {
				b := requestBody("/webhook", "cancel", runningID)
				h := e.sign("/webhook", []byte("something else"))
				return shapes[s]("POST", "/webhook", h, b, false)
			},
			status: 401, reads: 1,
		},
		{
			name: "missing signature on slack",
			event: func(e *env, s string) []byte {
				b := requestBody("/slack", "cancel", runningID)
				return shapes[s]("POST", "/slack", map[string]string{
					"Content-Type": "application/x-www-form-urlencoded"}, b, false)
			},
			status: 401, reads: 1,
		},
		{
			name: "stale timestamp",
			event: func(e *env, s string) []byte {
				b := requestBody("/slack", "cancel", runningID)
				now := e.now
				e.now = now.Add(-6 * time.Minute)
				h := e.sign("/slack", b)
				e.now = now
				return shapes[s]("POST", "/slack", h, b, false)
			},
			status: 401, reads: 1,
		},
	}
	for _, row := range rows {
		for shape := range shapes {
			t.Run(row.name+"/"+shape, func(t *testing.T) {
				e := newEnv(t)
				e.secrets.err = row.secrets
				r := e.invoke(row.event(e, shape))
				m := checkProblem(t, r, row.status)
				for k, v := range row.header {
					if r.Headers[k] != v {
						t.Errorf("header %s = %q, want %q", k, r.Headers[k], v)
					}
				}
				if row.status == 401 && len(m) != 2 {
					t.Errorf("401 says more than its title and status: %s", r.Body)
				}
				if e.secrets.reads != row.reads {
					t.Errorf("secret reads %d, want %d", e.secrets.reads, row.reads)
				}
				e.noUpstream()
			})
		}
	}
}

func TestMalformedEventsAreAnswersNotErrors(t *testing.T) {
	for _, raw := range []string{
		`{}`, `[]`, `"text"`, `null`, `{"version":"2.0"}`, `{"httpMethod":"POST"}`,
		`{"version":"2.0","requestContext":{"http":{"method":"POST"}},"headers":{"a":1}}`,
	} {
		t.Run(raw, func(t *testing.T) {
			e := newEnv(t)
			checkProblem(t, e.invoke([]byte(raw)), 400)
			e.noUpstream()
		})
	}
}

func TestRouting(t *testing.T) {
	body := requestBody("/webhook", "cancel", runningID)
	rows := []struct {
		name  string
		event func(e *env) []byte
		want  int
	}{
		{"http api $default route less the stage prefix", func(e *env) []byte {
			ev := map[string]any{}
			json.Unmarshal(httpAPIEvent("POST", "/webhook", e.sign("/webhook", body), body,
				false), &ev)
			ev["routeKey"] = "$default"
			return mustJSON(ev)
		}, 200},
		{"http api routes on routeKey, not rawPath", func(e *env) []byte {
			ev := map[string]any{}
			json.Unmarshal(httpAPIEvent("POST", "/webhook", e.sign("/webhook", body), body,
				false), &ev)
			ev["rawPath"] = "/prod/elsewhere"
			return mustJSON(ev)
		}, 200},
		{"rest routes on resource, not path", func(e *env) []byte {
			ev := map[string]any{}
			json.Unmarshal(restEvent("POST", "/webhook", e.sign("/webhook", body), body,
				false), &ev)
			ev["path"] = "/prod/elsewhere"
			return mustJSON(ev)
		}, 200},
		{"function url routes on rawPath", func(e *env) []byte {
			return functionURLEvent("POST", "/webhook", e.sign("/webhook", body), body, false)
		}, 200},
		{"function url with another path", func(e *env) []byte {
			return functionURLEvent("POST", "/webhook/x", e.sign("/webhook", body), body,
				false)
		}, 404},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.invoke(row.event(e))
			if r.StatusCode != row.want {
				t.Fatalf("status %d, want %d; body %s", r.StatusCode, row.want, r.Body)
			}
		})
	}
}

func TestResponseShapes(t *testing.T) {
	body := requestBody("/webhook", "cancel", runningID)
	for shape, build := range shapes {
		t.Run(shape, func(t *testing.T) {
			e := newEnv(t)
			out, err := e.h.Invoke(t.Context(), build("POST", "/webhook",
				e.sign("/webhook", body), body, false))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			json.Unmarshal(out, &m)
			// Only the payload 2.0 shapes carry cookies.
			_, cookies := m["cookies"]
			if cookies == (shape == "rest") {
				t.Errorf("%s answer is in the wrong shape: %s", shape, out)
			}
		})
	}
}

func TestRepeatedSignedHeaderIsRefused(t *testing.T) {
	for _, name := range []string{"webhook-signature", "webhook-timestamp", "webhook-id"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			body := requestBody("/webhook", "cancel", runningID)
			h := e.sign("/webhook", body)
			ev := map[string]any{}
			json.Unmarshal(restEvent("POST", "/webhook", h, body, false), &ev)
			multi := map[string][]string{}
			for k, v := range h {
				multi[k] = []string{v}
			}
			multi[strings.ToUpper(name)] = []string{h[name]}
			ev["multiValueHeaders"] = multi
			checkProblem(t, e.invoke(mustJSON(ev)), 400)
			e.noUpstream()
		})
	}
}

func TestJoinedTimestampFailsVerification(t *testing.T) {
	e := newEnv(t)
	body := requestBody("/slack", "cancel", runningID)
	h := e.sign("/slack", body)
	h["X-Slack-Request-Timestamp"] += "," + h["X-Slack-Request-Timestamp"]
	checkProblem(t, e.invoke(httpAPIEvent("POST", "/slack", h, body, false)), 401)
	e.noUpstream()
}

func TestRouteWithoutSecretIsNotServed(t *testing.T) {
	for _, route := range []string{"/slack", "/webhook"} {
		t.Run(route, func(t *testing.T) {
			e := newEnv(t)
			e.secrets.bundle = bundle(t, map[string]any{
				"slack_signing_secret": nil, "webhook_secret": nil})
			body := requestBody(route, "cancel", runningID)
			checkProblem(t, e.invoke(httpAPIEvent("POST", route, e.sign(route, body), body,
				false)), 404)
			e.noUpstream()
		})
	}
}

func TestRotatedSecretsAreAllTried(t *testing.T) {
	e := newEnv(t)
	e.secrets.bundle = bundle(t, map[string]any{
		"slack_signing_secret": []string{"new-secret", testSlackSecret}})
	body := requestBody("/slack", "cancel", runningID)
	checkSlack(t, e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body,
		false)), []string{"Cancel requested"})
}

// TestSlackAfterVerification covers the Slack answers that need no SailPoint call.
func TestSlackAfterVerification(t *testing.T) {
	rows := []struct {
		name string
		form string
		want []string
		code int
		body string
	}{
		{"ssl check", "ssl_check=1&token=x", nil, 200, ""},
		{"help", "text=help", []string{"cancel"}, 200, ""},
		{"empty text is help", "text=", []string{"status"}, 200, ""},
		{"no id", "text=cancel", []string{"execution id"}, 200, ""},
		{"malformed id", "text=cancel+..%2F..%2Fetc", nil, 200, ""},
		{"request id", "text=cancel+41e12a74fa7b4a6a98ae47887b64acdb", []string{"requestId"},
			200, ""},
		{"unknown command", "text=reboot+" + runningID, nil, 200, ""},
		{"repeated text", "text=help&text=cancel+" + runningID, []string{"more than once"}, 200,
			""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			body := []byte(row.form)
			r := e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
			if row.name == "ssl check" {
				if r.StatusCode != 200 || r.Body != "" {
					t.Fatalf("ssl_check answered %d %q, want an empty 200", r.StatusCode, r.Body)
				}
			} else {
				checkSlack(t, r, row.want)
			}
			e.noUpstream()
		})
	}
}

func TestSlackTextIsEscaped(t *testing.T) {
	e := newEnv(t)
	e.sim.Script("cancel", sailpointtest.ErrorResponse(400, "trk", "a & b <c>"))
	body := requestBody("/slack", "cancel", runningID)
	r := e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
	checkSlack(t, r, []string{"a &amp; b &lt;c&gt;"})
}

func TestWebhookMistakesAre400WithoutUpstreamCalls(t *testing.T) {
	rows := []struct{ name, body, detail string }{
		{"not json", `executionId=1`, ""},
		{"no id", `{"action":"cancel"}`, ""},
		{"malformed id", `{"executionId":"../../x"}`, ""},
		{"request id", `{"executionId":"41e12a74fa7b4a6a98ae47887b64acdb"}`, "requestId"},
		{"unknown action", `{"executionId":"` + runningID + `","action":"delete"}`, ""},
		{"duplicate keys", `{"executionId":"` + runningID + `","executionId":"` + finishedID +
			`"}`, ""},
		{"keys equal but for case", `{"executionId":"` + runningID + `","ExecutionId":"` +
			finishedID + `"}`, ""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			body := []byte(row.body)
			m := checkProblem(t, e.invoke(httpAPIEvent("POST", "/webhook",
				e.sign("/webhook", body), body, false)), 400)
			if d, _ := m["detail"].(string); !strings.Contains(d, row.detail) {
				t.Errorf("detail %q does not mention %q", d, row.detail)
			}
			e.noUpstream()
		})
	}
}

func TestMissingCredentials(t *testing.T) {
	for _, route := range []string{"/webhook", "/slack"} {
		t.Run(route, func(t *testing.T) {
			e := newEnv(t)
			e.secrets.bundle = bundle(t, map[string]any{"client_secret": nil})
			body := requestBody(route, "cancel", runningID)
			r := e.invoke(httpAPIEvent("POST", route, e.sign(route, body), body, false))
			if route == "/slack" {
				checkSlack(t, r, []string{"not configured"})
			} else {
				checkProblem(t, r, 503)
			}
			if !strings.Contains(e.logs.String(), "client_secret") {
				t.Errorf("log does not name the missing key: %s", e.logs)
			}
			e.noUpstream()
		})
	}
	t.Run("help needs no credentials", func(t *testing.T) {
		e := newEnv(t)
		e.secrets.bundle = bundle(t, map[string]any{"client_secret": nil, "client_id": nil})
		body := []byte("text=help")
		checkSlack(t, e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body,
			false)), []string{"cancel"})
	})
}

func TestOneTokenForManyCancels(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 20; i++ {
		// Distinct bodies: a repeat of the same delivery would be answered from memory.
		body := []byte(fmt.Sprintf(`{"executionId": %q, "action": "status", "n": %d}`,
			runningID, i))
		r := e.invoke(httpAPIEvent("POST", "/webhook", e.sign("/webhook", body), body, false))
		if r.StatusCode != 200 {
			t.Fatalf("status %d: %s", r.StatusCode, r.Body)
		}
	}
	if n := e.sim.Count("token"); n != 1 {
		t.Errorf("token fetches %d, want 1", n)
	}
	if n := e.sim.Count("get"); n != 20 {
		t.Errorf("reads %d, want 20", n)
	}
}

func TestRequestLogLine(t *testing.T) {
	e := newEnv(t)
	body := requestBody("/webhook", "cancel", runningID)
	h := e.sign("/webhook", body)
	e.invoke(httpAPIEvent("POST", "/webhook", h, body, false))

	// The audit line of the action comes first; the request line closes the invocation.
	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2: %s", len(lines), e.logs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"route": "webhook", "outcome": "cancel_requested",
		"executionId": runningID, "message": "request"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("log %s = %v, want %v", k, m[k], v)
		}
	}
	for _, leak := range []string{testClientSecret, testWebhookSecret, h["webhook-signature"],
		string(body)} {
		if strings.Contains(e.logs.String(), leak) {
			t.Errorf("log contains a secret, signature or body: %s", e.logs)
		}
	}
}

func TestRejectedSignatureLogsTheReasonButAnswersOnlyTheTitle(t *testing.T) {
	e := newEnv(t)
	body := requestBody("/slack", "cancel", runningID)
	now := e.now
	e.now = now.Add(-6 * time.Minute)
	h := e.sign("/slack", body)
	e.now = now

	r := e.invoke(httpAPIEvent("POST", "/slack", h, body, false))
	if want := `{"title":"invalid signature","status":401}`; r.Body != want {
		t.Errorf("answer %s, want %s", r.Body, want)
	}
	lines := e.logLines("request")
	if len(lines) != 1 {
		t.Fatalf("%d request lines, want 1: %s", len(lines), e.logs)
	}
	want := "slack: timestamp outside tolerance: invalid signature"
	if got := lines[0]["error"]; got != want {
		t.Errorf("log error = %v, want %q", got, want)
	}
	leaks := []string{testSlackSecret, string(body)}
	for k, v := range h {
		if isSignatureHeader(k) {
			leaks = append(leaks, v)
		}
	}
	if len(leaks) == 2 {
		t.Fatal("no signature header was sent: the leak check would prove nothing")
	}
	for _, leak := range leaks {
		if strings.Contains(e.logs.String(), leak) {
			t.Errorf("log contains a secret, signature or body: %s", e.logs)
		}
	}
	e.noUpstream()
}

// vector is one entry of testdata/webhook-vectors.json.
type vector struct {
	Scheme          string            `json:"scheme"`
	Secret          string            `json:"secret"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	Expected        string            `json:"expected"`
	Now             int64             `json:"now"`
	Note            string            `json:"note"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile("../webhook/testdata/webhook-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestVectorsThroughTheHandler sends every Slack and Standard Webhooks vector through the
// whole pipeline: valid ones pass verification, invalid ones get 401 and reach nothing.
func TestVectorsThroughTheHandler(t *testing.T) {
	routes := map[string]struct{ route, key string }{
		"slack":             {"/slack", "slack_signing_secret"},
		"standard-webhooks": {"/webhook", "webhook_secret"},
	}
	for _, v := range loadVectors(t) {
		rt, ok := routes[v.Scheme]
		if !ok {
			continue
		}
		for _, shape := range []string{"httpapi", "rest"} {
			t.Run(v.Scheme+"/"+shape+"/"+v.Note[:min(40,
				len(v.Note))], func(t *testing.T) {
				e := newEnv(t)
				e.now = time.Unix(v.Now, 0)
				e.secrets.bundle = bundle(t, map[string]any{rt.key: v.Secret})
				body := []byte(v.Body)
				if v.IsBase64Encoded {
					var err error
					if body, err = base64.StdEncoding.DecodeString(v.Body); err != nil {
						t.Fatal(err)
					}
				}
				r := e.invoke(shapes[shape]("POST", rt.route, v.Headers, body,
					v.IsBase64Encoded))
				if v.Expected == "valid" && r.StatusCode == 401 {
					t.Fatalf("valid vector refused: %s (%s)", r.Body, v.Note)
				}
				if v.Expected == "invalid" {
					checkProblem(t, r, 401)
					e.noUpstream()
				}
			})
		}
	}
}

func TestHandlerNeverReturnsAnError(t *testing.T) {
	e := newEnv(t)
	e.secrets.err = errors.New("boom")
	for _, raw := range []string{"", "{", `{"version":"2.0","requestContext":{"http":{}}}`} {
		if _, err := e.h.Invoke(t.Context(), json.RawMessage(raw)); err != nil {
			t.Errorf("Invoke(%q) returned %v", raw, err)
		}
	}
}
