package sailpoint_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

const (
	clientID     = "pat-client-id-7c1d"
	clientSecret = "pat-secret-value-do-not-print-3e9a"
	rotated      = "pat-secret-rotated-do-not-print-b44f"
	runningID    = "c17bea3a-574d-453c-9e04-4365fbf5af0b"
	userAgent    = "wfcancel-test/1.0"
)

// fixture is a client wired to a simulator over loopback, with recorded credential reads,
// sleeps and request headers.
type fixture struct {
	t      *testing.T
	sim    *sailpointtest.Simulator
	client *sailpoint.Client
	url    string

	mu       sync.Mutex
	refresh  []bool // the refresh argument of each Credentials call
	slept    []time.Duration
	bearers  []string // access tokens seen on API calls
	headers  []http.Header
	credsErr error
	secrets  func(refresh bool) string
}

// option adjusts a fixture's Config before the client is built.
type option func(*sailpoint.Config)

func newFixture(t *testing.T, opts ...option) *fixture {
	t.Helper()
	f := &fixture{t: t, sim: sailpointtest.New()}
	f.sim.SetCredentials(clientID, clientSecret)
	f.sim.AddExecution(sailpoint.Execution{ID: runningID, Status: "Running"})
	f.secrets = func(bool) string { return clientSecret }

	srv := httptest.NewServer(http.HandlerFunc(f.observe))
	t.Cleanup(srv.Close)
	f.url = srv.URL

	hc := srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg := sailpoint.Config{
		BaseURL:     srv.URL,
		HTTPClient:  hc,
		Credentials: f.credentials,
		UserAgent:   userAgent,
		Sleep:       f.sleep,
	}
	for _, o := range opts {
		o(&cfg)
	}
	f.client = sailpoint.New(cfg)
	return f
}

// observe records headers and bearer tokens, then lets the simulator answer.
func (f *fixture) observe(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.headers = append(f.headers, r.Header.Clone())
	if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		f.bearers = append(f.bearers, token)
	}
	f.mu.Unlock()
	f.sim.ServeHTTP(w, r)
}

func (f *fixture) credentials(_ context.Context, refresh bool) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh = append(f.refresh, refresh)
	if f.credsErr != nil {
		return "", "", f.credsErr
	}
	return clientID, f.secrets(refresh), nil
}

func (f *fixture) sleep(_ context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, d)
	return nil
}

// seen returns copies of what the fixture recorded.
func (f *fixture) seen() (refresh []bool, slept []time.Duration, bearers []string,
	headers []http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bool(nil), f.refresh...), append([]time.Duration(nil), f.slept...),
		append([]string(nil), f.bearers...), append([]http.Header(nil), f.headers...)
}

// counts checks how many token and cancel requests the simulator received.
func (f *fixture) counts(tokens, cancels int) {
	f.t.Helper()
	if got := f.sim.Count(sailpointtest.OpToken); got != tokens {
		f.t.Errorf("token requests = %d, want %d", got, tokens)
	}
	if got := f.sim.Count(sailpointtest.OpCancel); got != cancels {
		f.t.Errorf("cancel requests = %d, want %d", got, cancels)
	}
}

// asError asserts err is an *sailpoint.Error of kind.
func asError(t *testing.T, err error, kind sailpoint.Kind) *sailpoint.Error {
	t.Helper()
	var e *sailpoint.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *sailpoint.Error", err, err)
	}
	if e.Kind != kind {
		t.Fatalf("kind = %v, want %v (error: %v)", e.Kind, kind, err)
	}
	return e
}

func fixtureFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jsonResponse(status int, body string) sailpointtest.Response {
	return sailpointtest.Response{
		Status: status,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	}
}

func TestCancelRunningExecutionSucceeds(t *testing.T) {
	f := newFixture(t)

	if err := f.client.Cancel(context.Background(), runningID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}

	f.counts(1, 1)
	e, _ := f.sim.Execution(runningID)
	if e.Status != "Canceled" || e.CloseTime == "" {
		t.Errorf("execution after cancel = %+v, want Canceled with closeTime", e)
	}
}

func TestCancelSendsHeaders(t *testing.T) {
	f := newFixture(t)
	if err := f.client.Cancel(context.Background(), runningID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}

	_, _, bearers, headers := f.seen()
	for i, h := range headers {
		if h.Get("User-Agent") != userAgent || h.Get("Accept") != "application/json" {
			t.Errorf("request %d: User-Agent %q, Accept %q", i, h.Get("User-Agent"),
				h.Get("Accept"))
		}
	}
	if len(bearers) != 1 || bearers[0] == "" {
		t.Errorf("bearer tokens on API calls = %d, want 1", len(bearers))
	}
}

func TestCancelAnswers(t *testing.T) {
	deadline := 30 * time.Second
	tests := []struct {
		name       string
		script     []sailpointtest.Response
		noDeadline bool
		wantKind   sailpoint.Kind // 0: success
		wantStatus int
		wantTrack  string
		wantMsg    string
		wantScope  string
		wantRetry  time.Duration
		wantSlept  []time.Duration
		tokens     int
		cancels    int
	}{
		{
			name:     "400 is a bad request with tracking id and message",
			script:   []sailpointtest.Response{jsonResponse(400, fixtureFile(t, "error-400.json"))},
			wantKind: sailpoint.KindBadRequest, wantStatus: 400,
			wantTrack: "e7eab60924f64aa284175b9fa3309599",
			wantMsg:   "The request was syntactically correct but its content is semantically invalid.",
			tokens:    1, cancels: 1,
		},
		{
			name:   "401 once refetches the token and retries",
			script: []sailpointtest.Response{jsonResponse(401, fixtureFile(t, "error-401.json"))},
			tokens: 2, cancels: 2,
		},
		{
			name: "401 twice means the credentials are rejected",
			script: []sailpointtest.Response{
				jsonResponse(401, fixtureFile(t, "error-401.json")),
				jsonResponse(401, fixtureFile(t, "error-401.json")),
			},
			wantKind: sailpoint.KindCredentialsRejected, wantStatus: 401,
			wantMsg: "JWT validation failed: JWT is expired",
			tokens:  2, cancels: 2,
		},
		{
			name:     "403 names the cancel scope",
			script:   []sailpointtest.Response{jsonResponse(403, fixtureFile(t, "error-403.json"))},
			wantKind: sailpoint.KindForbidden, wantStatus: 403,
			wantTrack: "b21b1f7ce4da4d639f2c62a57171b427",
			wantMsg:   "The server understood the request but refuses to authorize it.",
			wantScope: "sp:workflow-execute:external",
			tokens:    1, cancels: 1,
		},
		{
			name:     "404 is not found",
			script:   []sailpointtest.Response{jsonResponse(404, fixtureFile(t, "error-404.json"))},
			wantKind: sailpoint.KindNotFound, wantStatus: 404,
			wantTrack: "b21b1f7ce4da4d639f2c62a57171b427",
			wantMsg:   "The server did not find a current representation for the target resource.",
			tokens:    1, cancels: 1,
		},
		{
			name:      "429 with a Retry-After inside the budget waits and retries once",
			script:    []sailpointtest.Response{sailpointtest.RateLimited("1")},
			wantSlept: []time.Duration{time.Second},
			tokens:    1, cancels: 2,
		},
		{
			name:       "429 without a deadline retries when Retry-After is at most 10s",
			script:     []sailpointtest.Response{sailpointtest.RateLimited("10")},
			noDeadline: true,
			wantSlept:  []time.Duration{10 * time.Second},
			tokens:     1, cancels: 2,
		},
		{
			name:       "429 without a deadline and a long Retry-After is not retried",
			script:     []sailpointtest.Response{sailpointtest.RateLimited("11")},
			noDeadline: true,
			wantKind:   sailpoint.KindRateLimited, wantStatus: 429,
			wantRetry: 11 * time.Second, wantMsg: "Rate Limit Exceeded",
			tokens: 1, cancels: 1,
		},
		{
			name: "429 twice is rate limited after one retry",
			script: []sailpointtest.Response{
				sailpointtest.RateLimited("1"), sailpointtest.RateLimited("2"),
			},
			wantKind: sailpoint.KindRateLimited, wantStatus: 429,
			wantRetry: 2 * time.Second, wantMsg: "Rate Limit Exceeded",
			wantSlept: []time.Duration{time.Second},
			tokens:    1, cancels: 2,
		},
		{
			name:     "429 with a Retry-After beyond the budget is not retried",
			script:   []sailpointtest.Response{sailpointtest.RateLimited("600")},
			wantKind: sailpoint.KindRateLimited, wantStatus: 429,
			wantRetry: 600 * time.Second, wantMsg: "Rate Limit Exceeded",
			tokens: 1, cancels: 1,
		},
		{
			name:     "429 with a huge Retry-After reports it capped at a day",
			script:   []sailpointtest.Response{sailpointtest.RateLimited("99999999999")},
			wantKind: sailpoint.KindRateLimited, wantStatus: 429,
			wantRetry: 24 * time.Hour, wantMsg: "Rate Limit Exceeded",
			tokens: 1, cancels: 1,
		},
		{
			name: "429 with a negative Retry-After retries at once",
			script: []sailpointtest.Response{
				sailpointtest.RateLimited("-5"), sailpointtest.RateLimited("20000000000"),
			},
			wantKind: sailpoint.KindRateLimited, wantStatus: 429,
			wantRetry: 24 * time.Hour, wantMsg: "Rate Limit Exceeded",
			wantSlept: []time.Duration{0},
			tokens:    1, cancels: 2,
		},
		{
			name:     "429 without Retry-After is not retried",
			script:   []sailpointtest.Response{sailpointtest.RateLimited("")},
			wantKind: sailpoint.KindRateLimited, wantStatus: 429,
			wantMsg: "Rate Limit Exceeded",
			tokens:  1, cancels: 1,
		},
		{
			name:     "500 is upstream and not retried",
			script:   []sailpointtest.Response{jsonResponse(500, fixtureFile(t, "error-500.json"))},
			wantKind: sailpoint.KindUpstream, wantStatus: 500,
			wantTrack: "b21b1f7ce4da4d639f2c62a57171b427", wantMsg: "An internal fault occurred.",
			tokens: 1, cancels: 1,
		},
		{
			name: "502 html page is upstream without its text",
			script: []sailpointtest.Response{{Status: 502,
				Header: http.Header{"Content-Type": {"text/html"}},
				Body:   fixtureFile(t, "error-gateway.html")}},
			wantKind: sailpoint.KindUpstream, wantStatus: 502,
			tokens: 1, cancels: 1,
		},
		{
			name:     "503 without a body is upstream and not retried",
			script:   []sailpointtest.Response{{Status: 503}},
			wantKind: sailpoint.KindUpstream, wantStatus: 503,
			tokens: 1, cancels: 1,
		},
		{
			name: "404 html page from a gateway is upstream",
			script: []sailpointtest.Response{{Status: 404,
				Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
				Body:   "<html><body>not here</body></html>"}},
			wantKind: sailpoint.KindUpstream, wantStatus: 404,
			tokens: 1, cancels: 1,
		},
		{
			name: "redirect is upstream and not followed",
			script: []sailpointtest.Response{
				{Status: 302, Header: http.Header{"Location": {"/elsewhere"}}},
			},
			wantKind: sailpoint.KindUpstream, wantStatus: 302,
			tokens: 1, cancels: 1,
		},
		{
			name:   "200 with a body is accepted as success",
			script: []sailpointtest.Response{jsonResponse(200, `{"unexpected":true}`)},
			tokens: 1, cancels: 1,
		},
		{
			name:     "reset connection is a timeout and not retried",
			script:   []sailpointtest.Response{{Reset: true}},
			wantKind: sailpoint.KindTimeout,
			tokens:   1, cancels: 1,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, r := range tt.script {
				f.sim.Script(sailpointtest.OpCancel, r)
			}
			ctx := context.Background()
			if !tt.noDeadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, deadline)
				defer cancel()
			}

			err := f.client.Cancel(ctx, runningID)

			f.counts(tt.tokens, tt.cancels)
			if _, slept, _, _ := f.seen(); fmt.Sprint(slept) != fmt.Sprint(tt.wantSlept) {
				t.Errorf("slept %v, want %v", slept, tt.wantSlept)
			}
			if tt.wantKind == 0 {
				if err != nil {
					t.Fatalf("Cancel: %v", err)
				}
				return
			}
			e := asError(t, err, tt.wantKind)
			if e.Op != "cancel" || e.Status != tt.wantStatus || e.TrackingID != tt.wantTrack ||
				e.Message != tt.wantMsg || e.Scope != tt.wantScope || e.RetryAfter != tt.wantRetry {
				t.Errorf("error = %+v\nwant status %d, tracking %q, message %q, scope %q, "+
					"retry %v", *e, tt.wantStatus, tt.wantTrack, tt.wantMsg, tt.wantScope,
					tt.wantRetry)
			}
		})
	}
}

func TestCancelRetryAfterHTTPDate(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	f := newFixture(t, func(c *sailpoint.Config) { c.Now = func() time.Time { return now } })
	later := now.Add(3 * time.Second).UTC().Format(http.TimeFormat)
	f.sim.Script(sailpointtest.OpCancel, sailpointtest.RateLimited(later))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if err := f.client.Cancel(ctx, runningID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if _, slept, _, _ := f.seen(); len(slept) != 1 || slept[0] != 3*time.Second {
		t.Errorf("slept %v, want [3s]", slept)
	}
	f.counts(1, 2)
}

func TestCancelRateLimitedHTTPDateBeyondBudget(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	f := newFixture(t, func(c *sailpoint.Config) { c.Now = func() time.Time { return now } })
	later := now.Add(time.Hour).UTC().Format(http.TimeFormat)
	f.sim.Script(sailpointtest.OpCancel, sailpointtest.RateLimited(later))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	e := asError(t, f.client.Cancel(ctx, runningID), sailpoint.KindRateLimited)
	if e.RetryAfter != time.Hour {
		t.Errorf("RetryAfter = %v, want 1h", e.RetryAfter)
	}
	f.counts(1, 1)
}

func TestCancelHangTimesOut(t *testing.T) {
	f := newFixture(t)
	f.sim.Script(sailpointtest.OpCancel, sailpointtest.Response{Delay: time.Minute, Status: 204})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	e := asError(t, f.client.Cancel(ctx, runningID), sailpoint.KindTimeout)
	if e.Op != "cancel" || !errors.Is(e, context.DeadlineExceeded) {
		t.Errorf("error = %v, want cancel op wrapping context.DeadlineExceeded", e)
	}
	f.counts(1, 1)
}

func TestCancelIgnoresBodyOn204(t *testing.T) {
	// Go's server will not send a body with 204, so this server writes the bytes itself.
	sim := sailpointtest.New()
	sim.SetCredentials(clientID, clientSecret)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			sim.ServeHTTP(w, r)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n" +
			"Connection: close\r\n\r\nsurprise!")
		_ = buf.Flush()
	}))
	defer srv.Close()
	c := sailpoint.New(sailpoint.Config{
		BaseURL:    srv.URL,
		HTTPClient: srv.Client(),
		Credentials: func(context.Context, bool) (string, string, error) {
			return clientID, clientSecret, nil
		},
	})

	if err := c.Cancel(context.Background(), runningID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
}

func TestErrorBodiesAreBounded(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantMsg func(string) bool
	}{
		{
			name: "long message is capped",
			body: sailpointtest.ErrorBody(400, strings.Repeat("é", 5000)),
			wantMsg: func(m string) bool {
				return len(m) <= 300+len("…") && strings.HasPrefix(m, "éé")
			},
		},
		{
			name:    "body beyond the read limit yields no message",
			body:    `{"error":"` + strings.Repeat("x", 4<<20) + `"}`,
			wantMsg: func(m string) bool { return m == "" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.sim.Script(sailpointtest.OpCancel, jsonResponse(400, tt.body))

			e := asError(t, f.client.Cancel(context.Background(), runningID),
				sailpoint.KindBadRequest)
			if !tt.wantMsg(e.Message) {
				t.Errorf("message of %d bytes: %.80q", len(e.Message), e.Message)
			}
			if len(e.Error()) > 500 {
				t.Errorf("error text is %d bytes", len(e.Error()))
			}
		})
	}
}

func TestGet(t *testing.T) {
	want := sailpoint.Execution{
		ID:         "b393f4e2-4785-4d7f-ab27-3a6b8ded4c81",
		WorkflowID: "d201c5d9-d37b-4a2f-af14-66414f39d568",
		RequestID:  "41e12a74fa7b4a6a98ae47887b64acdb",
		Status:     "Completed",
		StartTime:  "2022-02-07T20:13:29.356648026Z",
		CloseTime:  "2022-02-07T20:13:31.682410165Z",
	}
	tests := []struct {
		name     string
		script   *sailpointtest.Response
		want     sailpoint.Execution
		wantKind sailpoint.Kind
	}{
		{name: "object from the simulator", want: want},
		{name: "object", script: ptr(jsonResponse(200, fixtureFile(t, "execution.json"))), want: want},
		{
			name:   "one-element array",
			script: ptr(jsonResponse(200, fixtureFile(t, "execution-array.json"))),
			want:   want,
		},
		{
			name:     "empty array is upstream",
			script:   ptr(jsonResponse(200, `[]`)),
			wantKind: sailpoint.KindUpstream,
		},
		{
			name:     "undecodable body is upstream",
			script:   ptr(jsonResponse(200, `{"id":`)),
			wantKind: sailpoint.KindUpstream,
		},
		{
			name: "html page with 200 is upstream",
			script: ptr(sailpointtest.Response{Status: 200,
				Header: http.Header{"Content-Type": {"text/html"}},
				Body:   fixtureFile(t, "error-gateway.html")}),
			wantKind: sailpoint.KindUpstream,
		},
		{
			name:     "403 names the read scopes",
			script:   ptr(jsonResponse(403, fixtureFile(t, "error-403.json"))),
			wantKind: sailpoint.KindForbidden,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.sim.AddExecution(want)
			if tt.script != nil {
				f.sim.Script(sailpointtest.OpGet, *tt.script)
			}

			got, err := f.client.Get(context.Background(), want.ID)

			if tt.wantKind != 0 {
				e := asError(t, err, tt.wantKind)
				if e.Op != "get" {
					t.Errorf("op = %q, want get", e.Op)
				}
				if tt.wantKind == sailpoint.KindForbidden &&
					e.Scope != "sp:workflow-execution:read or sp:workflow:manage" {
					t.Errorf("scope = %q", e.Scope)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if got != tt.want {
				t.Errorf("Get = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestExecutionFinished(t *testing.T) {
	tests := []struct {
		status string
		want   bool
	}{
		{"Completed", true}, {"Failed", true}, {"Canceled", true},
		{"Running", false}, {"Queued", false}, {"Executing", false}, {"", false},
	}
	for _, tt := range tests {
		if got := (sailpoint.Execution{Status: tt.status}).Finished(); got != tt.want {
			t.Errorf("Finished(%q) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestPathsPerAPIVersion(t *testing.T) {
	v3 := "/v3/workflow-executions/" + runningID
	beta := "/beta/workflow-executions/" + runningID
	v1 := "/workflow-executions/v1/" + runningID
	tests := []struct {
		version    string
		wantCancel string
		wantGet    string
	}{
		{"", v3 + "/cancel", v3},
		{"v3", v3 + "/cancel", v3},
		{"beta", beta + "/cancel", beta},
		{"v1", v1 + "/cancel", v1},
	}
	for _, tt := range tests {
		t.Run("version "+tt.version, func(t *testing.T) {
			f := newFixture(t, func(c *sailpoint.Config) { c.APIVersion = tt.version })

			if err := f.client.Cancel(context.Background(), runningID); err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			got, err := f.client.Get(context.Background(), runningID)
			if err != nil || got.Status != "Canceled" {
				t.Fatalf("Get = %+v, %v; want Canceled", got, err)
			}

			calls := f.sim.Calls()
			if len(calls) != 3 || calls[1].Method != "POST" || calls[1].Path != tt.wantCancel ||
				calls[2].Method != "GET" || calls[2].Path != tt.wantGet {
				t.Errorf("calls = %+v", calls)
			}
		})
	}
}

func TestExecutionIDIsEscaped(t *testing.T) {
	const odd = "a b/c?d#e%f"
	f := newFixture(t)
	f.sim.AddExecution(sailpoint.Execution{ID: odd, Status: "Queued"})

	if err := f.client.Cancel(context.Background(), odd); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	calls := f.sim.Calls()
	last := calls[len(calls)-1]
	if last.Path != "/v3/workflow-executions/a%20b%2Fc%3Fd%23e%25f/cancel" ||
		last.ExecutionID != odd {
		t.Errorf("call = %+v", last)
	}
}
