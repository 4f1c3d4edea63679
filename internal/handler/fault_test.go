package handler

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/secret/secrettest"
)

// secretName is the Secrets Manager secret id the real wiring reads.
const secretName = "wfcancel/test"

// sdkAttempts is how many times the SDK's standard retryer sends a retryable call.
const sdkAttempts = 3

// realEnv is a handler wired as cmd/lambda wires it: the real secret.Store over the real
// Secrets Manager SDK client, aimed at a fake Secrets Manager, and the real SailPoint client
// aimed at the simulator. Both fakes listen on 127.0.0.1.
type realEnv struct {
	t       *testing.T
	sm      *secrettest.Server
	sim     *sailpointtest.Simulator
	tenant  *tenant
	h       *Handler
	logs    *bytes.Buffer
	clock   *testClock
	timeout time.Duration

	mu     sync.Mutex
	sleeps []time.Duration // Retry-After waits the SailPoint client asked for
	sigs   []string        // signature header values sent
	errs   []string        // error texts Invoke returned
}

// testClock is a wall clock that tests can move forward.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// secretDoc is the secret JSON the fake Secrets Manager holds by default.
func secretDoc(extra map[string]any) string {
	doc := map[string]any{
		"client_id":            testClientID,
		"client_secret":        testClientSecret,
		"slack_signing_secret": testSlackSecret,
		"webhook_secret":       testWebhookSecret,
	}
	for _, r := range routeSpecs {
		if r.key != "" {
			doc[r.key] = r.secret
		}
	}
	for k, v := range extra {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	return string(mustJSON(doc))
}

// noWaitRetries keeps the SDK's standard retryer (its attempts and what it retries) but takes
// out the backoff waits and the client-side retry quota, so the tests stay fast and exact.
func noWaitRetries(o *secretsmanager.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = sdkAttempts
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
			return 0, nil
		})
		so.RateLimiter = ratelimit.None
	})
}

func newRealEnv(t *testing.T) *realEnv {
	t.Helper()
	// The SDK client has static credentials, a region and a loopback endpoint, so it reads no
	// shared configuration and asks no metadata service.
	e := &realEnv{t: t, logs: &bytes.Buffer{}, clock: &testClock{}, timeout: 5 * time.Second}

	e.sm = secrettest.NewServer()
	t.Cleanup(e.sm.Close)
	e.sm.SetSecret(secretName, secretDoc(nil))
	sm := e.sm.NewClient(noWaitRetries)
	src := secret.SecretsManager(secretName,
		func(context.Context) (secret.GetSecretValueAPI, error) { return sm, nil })
	store := secret.NewStore(src, 5*time.Minute, e.clock.now)

	e.sim = sailpointtest.New()
	e.sim.SetCredentials(testClientID, testClientSecret)
	e.sim.SetNow(e.clock.now)
	e.sim.AddExecution(sailpoint.Execution{ID: runningID, WorkflowID: "wf-1", Status: "Running",
		StartTime: "2026-12-04T10:00:00Z", RequestID: "41e12a74fa7b4a6a98ae47887b64acdb"})
	e.sim.AddExecution(sailpoint.Execution{ID: finishedID, WorkflowID: "wf-1",
		Status: "Completed", StartTime: "2026-12-04T09:00:00Z",
		CloseTime: "2026-12-04T09:01:00Z"})
	e.tenant = &tenant{sim: e.sim, bearers: map[string]bool{}}
	base := e.tenant.start(t)

	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	client := sailpoint.New(sailpoint.Config{
		BaseURL: base,
		HTTPClient: &http.Client{Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}},
		Credentials: store.Credentials,
		UserAgent:   "wfcancel-test",
		Now:         e.clock.now,
		Sleep: func(_ context.Context, d time.Duration) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.sleeps = append(e.sleeps, d)
			return nil
		},
	})

	log := slog.New(slog.NewJSONHandler(&syncWriter{w: e.logs},
		&slog.HandlerOptions{ReplaceAttr: lambdacontext.ReplaceAttr}))
	e.h = New(Options{
		Secrets:            store,
		SailPoint:          client,
		Logger:             log,
		SignatureTolerance: 5 * time.Minute,
		Now:                e.clock.now,
	})
	return e
}

// tenant serves the simulator, records the bearer tokens it was shown (for the leak test) and
// can answer a cancel with raw bytes net/http would refuse to write, such as a 204 with a body.
type tenant struct {
	sim *sailpointtest.Simulator

	mu       sync.Mutex
	bearers  map[string]bool
	rawCalls int
	raw      []string // raw HTTP responses for the next cancels
}

func (tn *tenant) start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: tn, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func (tn *tenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tn.mu.Lock()
	if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tn.bearers[token] = true
	}
	var raw string
	if strings.HasSuffix(r.URL.Path, "/cancel") && len(tn.raw) > 0 {
		raw, tn.raw = tn.raw[0], tn.raw[1:]
		tn.rawCalls++
	}
	tn.mu.Unlock()

	if raw == "" {
		tn.sim.ServeHTTP(w, r)
		return
	}
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
}

func (tn *tenant) tokens() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	var out []string
	for t := range tn.bearers {
		out = append(out, t)
	}
	return out
}

// calls counts what reached the fakes.
type calls struct{ secret, token, cancel, get int }

func (c calls) String() string {
	return fmt.Sprintf("secret reads %d, token calls %d, cancels %d, gets %d",
		c.secret, c.token, c.cancel, c.get)
}

func (e *realEnv) calls() calls {
	e.tenant.mu.Lock()
	raw := e.tenant.rawCalls
	e.tenant.mu.Unlock()
	return calls{
		secret: e.sm.Calls(),
		token:  e.sim.Count(sailpointtest.OpToken),
		cancel: e.sim.Count(sailpointtest.OpCancel) + raw,
		get:    e.sim.Count(sailpointtest.OpGet),
	}
}

// tryInvoke runs one event through the handler under the env's deadline. A panic or an
// error returned to the runtime is an error.
func (e *realEnv) tryInvoke(event []byte) (r response, err error) {
	ctx := lambdacontext.NewContext(context.Background(),
		&lambdacontext.LambdaContext{AwsRequestID: "req-fault"})
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("invoke panicked: %v", p)
		}
	}()
	out, err := e.h.Invoke(ctx, event)
	if err != nil {
		e.mu.Lock()
		e.errs = append(e.errs, err.Error())
		e.mu.Unlock()
		return r, fmt.Errorf("invoke returned an error to the runtime: %w", err)
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return r, fmt.Errorf("answer %s: %w", out, err)
	}
	return r, nil
}

// invoke is tryInvoke on the test's goroutine, failing the test on an error.
func (e *realEnv) invoke(event []byte) response {
	e.t.Helper()
	r, err := e.tryInvoke(event)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// noteSignature remembers the signature and token values among headers sent, for the leak
// check.
func (e *realEnv) noteSignature(h map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, v := range h {
		if isSignatureHeader(k) {
			e.sigs = append(e.sigs, v)
		}
	}
}

// lastLog returns the last request log line, parsed.
func (e *realEnv) lastLog() map[string]any {
	e.t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(e.logs.Bytes()))
	sc.Buffer(nil, 1<<20)
	var last map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			e.t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		if m["msg"] == "request" || m["message"] == "request" {
			last = m
		}
	}
	if last == nil {
		e.t.Fatalf("no request log line in %q", e.logs)
	}
	return last
}

// signedEvent is an HTTP API event for route carrying body, signed at the env's clock.
func (e *realEnv) signedEvent(route string, body []byte) []byte {
	e.t.Helper()
	spec := specFor(e.t, route)
	return spec.event(e.t, "httpapi", body, e.clock.now())
}

// faultRow is one row of the fault matrix: what the fakes do, and what the caller, the log
// and the fakes must see.
type faultRow struct {
	name    string
	action  string // cancel (default) or status
	id      string // runningID by default
	timeout time.Duration
	setup   func(e *realEnv)

	status  int            // on /webhook
	fields  map[string]any // on /webhook
	header  map[string]string
	text    []string // in the Slack reply
	early   bool     // answered before the signature is accepted, alike on every route
	outcome string   // in the log line
	logErr  string   // in the log line's error, when set
	calls   calls
	sleeps  []time.Duration
}

func secretFault(f secrettest.Fault) func(e *realEnv) {
	return func(e *realEnv) { e.sm.Fail(f) }
}

func simScript(op string, rs ...sailpointtest.Response) func(e *realEnv) {
	return func(e *realEnv) {
		for _, r := range rs {
			e.sim.Script(op, r)
		}
	}
}

func steps(fs ...func(e *realEnv)) func(e *realEnv) {
	return func(e *realEnv) {
		for _, f := range fs {
			f(e)
		}
	}
}

// canceledBody is an execution read showing the cancel took effect.
const canceledBody = `{"id":"` + runningID + `","workflowId":"wf-1","status":"Canceled"}`

var htmlPage = sailpointtest.Response{Status: 503,
	Header: http.Header{"Content-Type": {"text/html"}},
	Body:   "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"}

// faultRows is the fault matrix. Each row runs on /webhook, where the answer table applies,
// and on /slack, which answers the same outcome as a 200 chat reply.
var faultRows = []faultRow{
	// Secrets Manager.
	{
		name:  "secrets manager 500 is retried by the SDK then 503",
		setup: secretFault(secrettest.Fault{Type: "InternalServiceError", Message: "boom"}),
		early: true, status: 503, outcome: "secret_unavailable",
		logErr: "InternalServiceError", calls: calls{secret: sdkAttempts},
	},
	{
		name: "secrets manager 500 once is retried by the SDK and succeeds",
		setup: func(e *realEnv) {
			e.sm.FailNext(1, secrettest.Fault{Type: "InternalServiceError", Message: "blip"})
		},
		status: 200, fields: map[string]any{"status": "cancel requested"},
		text: []string{"Cancel requested"}, outcome: "cancel_requested",
		calls: calls{secret: 2, token: 1, cancel: 1},
	},
	{
		name:  "secrets manager throttling is retried by the SDK then 503",
		setup: secretFault(secrettest.Fault{Type: "ThrottlingException", Message: "slow down"}),
		early: true, status: 503, outcome: "secret_unavailable",
		logErr: "ThrottlingException", calls: calls{secret: sdkAttempts},
	},
	{
		name: "secret not found is 503 after one read",
		setup: secretFault(secrettest.Fault{Type: "ResourceNotFoundException",
			Message: "no such secret"}),
		early: true, status: 503, outcome: "secret_unavailable",
		logErr: "ResourceNotFoundException", calls: calls{secret: 1},
	},
	{
		name: "access denied is 503 after one read",
		setup: secretFault(secrettest.Fault{Type: "AccessDeniedException",
			Message: "not authorized"}),
		early: true, status: 503, outcome: "secret_unavailable",
		logErr: "AccessDeniedException", calls: calls{secret: 1},
	},
	{
		name: "KMS decryption failure is 503 after one read",
		setup: secretFault(secrettest.Fault{Type: "DecryptionFailure",
			Message: "cannot decrypt"}),
		early: true, status: 503, outcome: "secret_unavailable",
		logErr: "DecryptionFailure", calls: calls{secret: 1},
	},
	{
		name:    "secrets manager hanging past the deadline is 503",
		timeout: time.Second,
		setup:   secretFault(secrettest.Fault{Hang: true}),
		early:   true, status: 503, outcome: "secret_unavailable",
		logErr: "deadline exceeded", calls: calls{secret: 1},
	},
	{
		name:  "SecretString that is not JSON is 503",
		setup: func(e *realEnv) { e.sm.SetSecret(secretName, "client_id=x client_secret=y") },
		early: true, status: 503, outcome: "secret_unavailable",
		logErr: "not a JSON object", calls: calls{secret: 1},
	},
	{
		name: "secret JSON without client_secret is 503 naming the key",
		setup: func(e *realEnv) {
			e.sm.SetSecret(secretName, secretDoc(map[string]any{"client_secret": nil}))
		},
		status: 503, fields: map[string]any{"executionId": runningID},
		text: []string{"not configured", "client_secret"}, outcome: "credentials_missing",
		logErr: "client_secret", calls: calls{secret: 1},
	},
	{
		name: "SecretBinary instead of SecretString is 503",
		setup: func(e *realEnv) {
			e.sm.SetBinary(secretName, []byte(secretDoc(nil)))
		},
		early: true, status: 503, outcome: "secret_unavailable",
		logErr: "no SecretString", calls: calls{secret: 1},
	},

	// Token endpoint.
	{
		name: "token 400 invalid_client twice re-reads the secret once then 502",
		setup: simScript("token",
			sailpointtest.Response{Status: 400, Body: sailpointtest.OAuthErrorBody(
				"invalid_client", "Bad client credentials")},
			sailpointtest.Response{Status: 400, Body: sailpointtest.OAuthErrorBody(
				"invalid_client", "Bad client credentials")}),
		status: 502, fields: map[string]any{"title": "SailPoint rejected the credentials"},
		text: []string{"rejected the credentials"}, outcome: "credentials_rejected",
		calls: calls{secret: 2, token: 2},
	},
	{
		name: "token 400 invalid_client once then the re-read PAT works",
		setup: simScript("token", sailpointtest.Response{Status: 400,
			Body: sailpointtest.OAuthErrorBody("invalid_client", "Bad client credentials")}),
		status: 200, fields: map[string]any{"status": "cancel requested"},
		text: []string{"Cancel requested"}, outcome: "cancel_requested",
		calls: calls{secret: 2, token: 2, cancel: 1},
	},
	{
		name: "token 401 with a PAT the tenant does not know is 502",
		setup: func(e *realEnv) {
			e.sim.SetCredentials("someone-else", "other-secret")
		},
		status: 502, fields: map[string]any{"title": "SailPoint rejected the credentials"},
		text: []string{"rejected the credentials"}, outcome: "credentials_rejected",
		calls: calls{secret: 2, token: 2},
	},
	{
		name:   "token 429 with Retry-After 1 waits and fetches again",
		setup:  simScript("token", sailpointtest.RateLimited("1")),
		status: 200, fields: map[string]any{"status": "cancel requested"},
		text: []string{"Cancel requested"}, outcome: "cancel_requested",
		calls: calls{secret: 1, token: 2, cancel: 1}, sleeps: []time.Duration{time.Second},
	},
	{
		name:   "token 429 with Retry-After 600 is 429",
		setup:  simScript("token", sailpointtest.RateLimited("600")),
		status: 429, header: map[string]string{"Retry-After": "600"},
		fields: map[string]any{"retryAfter": float64(600)},
		text:   []string{"600 seconds"}, outcome: "rate_limited",
		calls: calls{secret: 1, token: 1},
	},
	{
		name:   "token 500 is 502 naming the token endpoint",
		setup:  simScript("token", sailpointtest.ErrorResponse(500, "", "token service down")),
		status: 502, fields: map[string]any{"title": "SailPoint's token endpoint failed"},
		text: []string{"token endpoint failed"}, outcome: "token_failed",
		calls: calls{secret: 1, token: 1},
	},
	{
		name:   "token HTML error page is 502 naming the token endpoint",
		setup:  simScript("token", htmlPage),
		status: 502, fields: map[string]any{"title": "SailPoint's token endpoint failed"},
		text: []string{"token endpoint failed"}, outcome: "token_failed",
		calls: calls{secret: 1, token: 1},
	},
	{
		name: "token 200 without access_token is 502",
		setup: simScript("token", sailpointtest.Response{Status: 200,
			Body: `{"token_type":"bearer","expires_in":749}`}),
		status: 502, fields: map[string]any{"title": "SailPoint's token endpoint failed"},
		text: []string{"token endpoint failed"}, outcome: "token_failed",
		calls: calls{secret: 1, token: 1},
	},
	{
		name:    "token endpoint hanging is 504 naming it",
		timeout: 1500 * time.Millisecond,
		setup:   simScript("token", sailpointtest.Response{Delay: time.Minute}),
		status:  504,
		fields:  map[string]any{"title": "SailPoint's token endpoint did not answer in time"},
		text:    []string{"token endpoint did not answer in time"}, outcome: "token_timeout",
		calls: calls{secret: 1, token: 1},
	},

	// Cancel.
	{
		name: "cancel 400 on a running execution reads it then 422",
		setup: simScript("cancel",
			sailpointtest.ErrorResponse(400, "5c5e1f1f0bde4a4f8f84d8ba1e0fb24e", "bad state")),
		status: 422, fields: map[string]any{"detail": "bad state",
			"trackingId": "5c5e1f1f0bde4a4f8f84d8ba1e0fb24e"},
		text: []string{"bad state", "5c5e1f1f0bde4a4f8f84d8ba1e0fb24e"}, outcome: "cancel_refused",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name: "cancel 400 on a finished execution reads it then 409", id: finishedID,
		status: 409, fields: map[string]any{"executionStatus": "Completed"},
		text: []string{"already finished (Completed)"}, outcome: "already_finished",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name: "cancel 401 then 204 refreshes the token once",
		setup: simScript("cancel", sailpointtest.Response{Status: 401,
			Body: sailpointtest.UnauthorizedBody("JWT is expired")}),
		status: 200, fields: map[string]any{"status": "cancel requested"},
		text: []string{"Cancel requested"}, outcome: "cancel_requested",
		calls: calls{secret: 1, token: 2, cancel: 2},
	},
	{
		name: "cancel 401 twice is 502",
		setup: simScript("cancel",
			sailpointtest.Response{Status: 401, Body: sailpointtest.UnauthorizedBody("no")},
			sailpointtest.Response{Status: 401, Body: sailpointtest.UnauthorizedBody("no")}),
		status: 502, fields: map[string]any{"title": "SailPoint rejected the credentials"},
		text: []string{"rejected the credentials"}, outcome: "credentials_rejected",
		calls: calls{secret: 1, token: 2, cancel: 2},
	},
	{
		name:   "cancel 403 is 502 naming the scope",
		setup:  simScript("cancel", sailpointtest.ErrorResponse(403, "t403", "forbidden")),
		status: 502, fields: map[string]any{"scope": "sp:workflow-execute:external",
			"trackingId": "t403"},
		text: []string{"sp:workflow-execute:external"}, outcome: "forbidden",
		calls: calls{secret: 1, token: 1, cancel: 1},
	},
	{
		name: "cancel 404 is 404", id: missingID,
		status: 404, fields: map[string]any{
			"title": "no such execution (executions are archived after 90 days)"},
		text: []string{"archived after 90 days"}, outcome: "not_found",
		calls: calls{secret: 1, token: 1, cancel: 1},
	},
	{
		name:   "cancel 429 with Retry-After 1 waits then 204",
		setup:  simScript("cancel", sailpointtest.RateLimited("1")),
		status: 200, fields: map[string]any{"status": "cancel requested"},
		text: []string{"Cancel requested"}, outcome: "cancel_requested",
		calls: calls{secret: 1, token: 1, cancel: 2}, sleeps: []time.Duration{time.Second},
	},
	{
		name:   "cancel 429 with Retry-After 600 is 429 at once",
		setup:  simScript("cancel", sailpointtest.RateLimited("600")),
		status: 429, header: map[string]string{"Retry-After": "600"},
		fields: map[string]any{"retryAfter": float64(600)},
		text:   []string{"600 seconds"}, outcome: "rate_limited",
		calls: calls{secret: 1, token: 1, cancel: 1},
	},
	{
		name:   "cancel 500 reads the execution then 502",
		setup:  simScript("cancel", sailpointtest.ErrorResponse(500, "t500", "fault")),
		status: 502, fields: map[string]any{"trackingId": "t500"},
		text: []string{"SailPoint failed", "t500"}, outcome: "upstream_failed",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name:   "cancel 502 reads the execution then 502",
		setup:  simScript("cancel", sailpointtest.ErrorResponse(502, "t502", "bad gateway")),
		status: 502, fields: map[string]any{"trackingId": "t502"},
		text: []string{"SailPoint failed"}, outcome: "upstream_failed",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name: "cancel 503 and the read shows Canceled is 200",
		setup: steps(
			simScript("cancel", sailpointtest.ErrorResponse(503, "t503", "unavailable")),
			simScript("get", sailpointtest.Response{Status: 200, Body: canceledBody})),
		status: 200, fields: map[string]any{"status": "Canceled"},
		text: []string{"is Canceled"}, outcome: "canceled",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name:    "cancel hanging reads the execution then 504",
		timeout: 2 * time.Second,
		setup:   simScript("cancel", sailpointtest.Response{Delay: time.Minute}),
		status:  504, fields: map[string]any{"title": "SailPoint did not answer in time"},
		text: []string{"did not answer in time"}, outcome: "upstream_timeout",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name:   "cancel connection reset reads the execution then 504",
		setup:  simScript("cancel", sailpointtest.Response{Reset: true}),
		status: 504, fields: map[string]any{"title": "SailPoint did not answer in time"},
		text: []string{"did not answer in time"}, outcome: "upstream_timeout",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name: "cancel connection reset and the read shows Canceled is 200",
		setup: steps(simScript("cancel", sailpointtest.Response{Reset: true}),
			simScript("get", sailpointtest.Response{Status: 200, Body: canceledBody})),
		status: 200, fields: map[string]any{"status": "Canceled"},
		text: []string{"is Canceled"}, outcome: "canceled",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},
	{
		name: "cancel 204 with an unexpected body is accepted",
		setup: func(e *realEnv) {
			body := `{"surprise":true}`
			e.tenant.raw = append(e.tenant.raw, fmt.Sprintf("HTTP/1.1 204 No Content\r\n"+
				"Content-Type: application/json\r\nContent-Length: %d\r\n"+
				"Connection: close\r\n\r\n%s", len(body), body))
		},
		status: 200, fields: map[string]any{"status": "cancel requested"},
		text: []string{"Cancel requested"}, outcome: "cancel_requested",
		calls: calls{secret: 1, token: 1, cancel: 1},
	},
	{
		name: "cancel 200 with an unexpected body is accepted",
		setup: simScript("cancel", sailpointtest.Response{Status: 200,
			Body: `{"unexpected":["shape"]}`}),
		status: 200, fields: map[string]any{"status": "cancel requested"},
		text: []string{"Cancel requested"}, outcome: "cancel_requested",
		calls: calls{secret: 1, token: 1, cancel: 1},
	},
	{
		name: "cancel 500 with a huge body reads a bounded amount",
		setup: simScript("cancel", sailpointtest.Response{Status: 500,
			Body: `{"trackingId":"thuge","messages":[{"text":"` +
				strings.Repeat("x", 8<<20) + `"}]}`}),
		status: 502, fields: map[string]any{},
		text: []string{"SailPoint failed"}, outcome: "upstream_failed",
		calls: calls{secret: 1, token: 1, cancel: 1, get: 1},
	},

	// Status reads.
	{
		name: "status read 500 is 502", action: "status",
		setup:  simScript("get", sailpointtest.ErrorResponse(500, "tget", "fault")),
		status: 502, fields: map[string]any{"trackingId": "tget"},
		text: []string{"SailPoint failed"}, outcome: "upstream_failed",
		calls: calls{secret: 1, token: 1, get: 1},
	},
	{
		name: "status read hanging is 504", action: "status", timeout: 1500 * time.Millisecond,
		setup:  simScript("get", sailpointtest.Response{Delay: time.Minute}),
		status: 504, fields: map[string]any{"title": "SailPoint did not answer in time"},
		text: []string{"did not answer in time"}, outcome: "upstream_timeout",
		calls: calls{secret: 1, token: 1, get: 1},
	},
}

// TestFaultMatrix runs every fault row through the handler with the real clients, on every
// route. The answer is checked exactly on /webhook (the answer table), on /slack (the reply
// text) and on the ticket routes (the same statuses); every route must log the same outcome
// and make exactly the same upstream calls, and no secret, token or signature may leak.
// The routes of one row run at once, so the rows that wait for a deadline cost it once.
func TestFaultMatrix(t *testing.T) {
	specs := servedSpecs(newRealEnv(t).h)
	for _, row := range faultRows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			runs := make([]*faultRun, 0, len(specs))
			for _, spec := range specs {
				if row.action == "status" && !spec.readsAction() {
					continue
				}
				runs = append(runs, &faultRun{spec: spec, env: newRealEnv(t)})
			}
			var wg sync.WaitGroup
			for _, run := range runs {
				wg.Go(func() { run.resp, run.err = runFault(run.env, row, run.spec) })
			}
			wg.Wait()
			for _, run := range runs {
				t.Run(strings.TrimPrefix(run.spec.path, "/"), func(t *testing.T) {
					if run.err != nil {
						t.Fatal(run.err)
					}
					checkFault(t, run.env, row, run.spec, run.resp)
					checkNoLeak(t, run.env, run.resp)
				})
			}
		})
	}
}

// faultRun is one row of the matrix on one route.
type faultRun struct {
	spec routeSpec
	env  *realEnv
	resp response
	err  error
}

// runFault sets the fakes up for row and sends one signed request on the route. It reports
// a panic or an error returned to the runtime as an error, since it runs off the test's
// goroutine.
func runFault(e *realEnv, row faultRow, spec routeSpec) (response, error) {
	if row.timeout > 0 {
		e.timeout = row.timeout
	}
	if row.setup != nil {
		row.setup(e)
	}
	action, id := row.action, row.id
	if action == "" {
		action = "cancel"
	}
	if id == "" {
		id = runningID
	}
	body := spec.body(action, id)
	h, err := spec.trySign(body, e.clock.now())
	if err != nil {
		return response{}, err
	}
	e.noteSignature(h)
	return e.tryInvoke(httpAPIEvent("POST", spec.path, h, body, false))
}

func checkFault(t *testing.T, e *realEnv, row faultRow, spec routeSpec, r response) {
	t.Helper()
	switch {
	case row.early:
		checkProblem(t, r, row.status)
	case spec.path == "/slack":
		checkSlack(t, r, row.text)
	case spec.kind == chatRoute:
		if r.StatusCode != 200 {
			t.Errorf("status %d, want 200; body %s", r.StatusCode, r.Body)
		}
	default:
		checkWebhook(t, r, row.status, row.fields, row.header)
	}

	line := e.lastLog()
	if line["outcome"] != row.outcome {
		t.Errorf("log outcome %v, want %s", line["outcome"], row.outcome)
	}
	if line["status"] != float64(row.status) {
		t.Errorf("log status %v, want %d", line["status"], row.status)
	}
	if row.logErr != "" {
		if msg, _ := line["error"].(string); !strings.Contains(msg, row.logErr) {
			t.Errorf("log error %q does not mention %q", msg, row.logErr)
		}
	}
	if got := e.calls(); got != row.calls {
		t.Errorf("upstream calls: %v; want %v", got, row.calls)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if fmt.Sprint(e.sleeps) != fmt.Sprint(row.sleeps) {
		t.Errorf("Retry-After waits %v, want %v", e.sleeps, row.sleeps)
	}
}

// TestHugeErrorBodyIsCapped checks that SailPoint's message from a huge error body reaches
// neither the answer nor the log beyond a few hundred bytes.
func TestHugeErrorBodyIsCapped(t *testing.T) {
	e := newRealEnv(t)
	e.sim.Script("cancel", sailpointtest.Response{Status: 500,
		Body: `{"messages":[{"text":"` + strings.Repeat("y", 4<<20) + `"}]}`})
	r := e.invoke(e.signedEvent("/webhook", requestBody("/webhook", "cancel", runningID)))
	if len(r.Body) > 2048 {
		t.Errorf("answer is %d bytes, want a capped message", len(r.Body))
	}
	if n := e.logs.Len(); n > 4096 {
		t.Errorf("log is %d bytes, want a capped message", n)
	}
}

// TestShortLivedTokenIsFetchedAgain: a token that expires in 1 s is used, then replaced once
// it has expired.
func TestShortLivedTokenIsFetchedAgain(t *testing.T) {
	e := newRealEnv(t)
	e.sim.SetTokenLifetime(time.Second)
	for i := range 2 {
		id := runningID
		if i == 1 {
			id = finishedID
			e.clock.advance(2 * time.Second)
		}
		body := requestBody("/webhook", "status", id)
		r := e.invoke(e.signedEvent("/webhook", body))
		if r.StatusCode != 200 {
			t.Fatalf("request %d: status %d: %s", i, r.StatusCode, r.Body)
		}
	}
	want := calls{secret: 1, token: 2, get: 2}
	if got := e.calls(); got != want {
		t.Errorf("upstream calls: %v; want %v", got, want)
	}
}

// TestSecretFailureIsRemembered: while Secrets Manager fails, a burst of requests costs one
// read (with the SDK's retries), not one per request.
func TestSecretFailureIsRemembered(t *testing.T) {
	e := newRealEnv(t)
	e.sm.Fail(secrettest.Fault{Type: "AccessDeniedException", Message: "denied"})
	for range 20 {
		r := e.invoke(e.signedEvent("/webhook", requestBody("/webhook", "cancel", runningID)))
		checkProblem(t, r, 503)
	}
	if got := e.sm.Calls(); got != 1 {
		t.Errorf("secret reads %d, want 1", got)
	}
}
