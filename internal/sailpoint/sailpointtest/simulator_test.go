package sailpointtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

// harness is a started simulator with helpers to speak its wire protocol directly.
type harness struct {
	t    *testing.T
	sim  *sailpointtest.Simulator
	base string
}

func start(t *testing.T) *harness {
	t.Helper()
	sim := sailpointtest.New()
	sim.SetCredentials("id", "secret")
	base, err := sim.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base URL %q is not on 127.0.0.1", base)
	}
	return &harness{t: t, sim: sim, base: base}
}

// do sends a request and returns the status, header and decoded JSON body (nil when empty).
func (h *harness) do(
	method, path, bearer string,
	form url.Values,
) (int, http.Header, map[string]any) {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.base+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var decoded map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &decoded); err != nil {
			h.t.Fatalf("%s %s: body %q is not a JSON object", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header, decoded
}

func (h *harness) token(id, secret string) (int, map[string]any) {
	status, _, body := h.do("POST", "/oauth/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
	})
	return status, body
}

func (h *harness) bearer() string {
	status, body := h.token("id", "secret")
	if status != 200 {
		h.t.Fatalf("token status %d", status)
	}
	return body["access_token"].(string)
}

var trackingID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestTokenEndpoint(t *testing.T) {
	tests := []struct {
		name       string
		id, secret string
		wantStatus int
		wantError  string
	}{
		{name: "accepted PAT gets a bearer token", id: "id", secret: "secret", wantStatus: 200},
		{name: "wrong secret is invalid_client", id: "id", secret: "nope", wantStatus: 401,
			wantError: "invalid_client"},
		{name: "unknown id is invalid_client", id: "other", secret: "secret", wantStatus: 401,
			wantError: "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			status, body := h.token(tt.id, tt.secret)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d (%v)", status, tt.wantStatus, body)
			}
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Errorf("error = %v, want %s", body["error"], tt.wantError)
				}
				return
			}
			if body["token_type"] != "bearer" || body["access_token"] == "" ||
				body["expires_in"].(float64) < 1 {
				t.Errorf("token body = %v", body)
			}
		})
	}
}

func TestAddCredentialsAcceptsBothPATs(t *testing.T) {
	h := start(t)
	h.sim.AddCredentials("id2", "secret2")
	for _, pat := range [][2]string{{"id", "secret"}, {"id2", "secret2"}} {
		if status, _ := h.token(pat[0], pat[1]); status != 200 {
			t.Errorf("PAT %s: status %d", pat[0], status)
		}
	}
}

func TestBearerIsChecked(t *testing.T) {
	now := time.Now()
	h := start(t)
	h.sim.SetNow(func() time.Time { return now })
	h.sim.SetTokenLifetime(time.Minute)
	h.sim.AddExecution(sailpoint.Execution{ID: "x", Status: "Running"})
	token := h.bearer()

	for _, bearer := range []string{"", "forged"} {
		status, _, body := h.do("GET", "/v3/workflow-executions/x", bearer, nil)
		if status != 401 || !strings.HasPrefix(body["error"].(string), "JWT validation failed") {
			t.Errorf("bearer %q: status %d body %v", bearer, status, body)
		}
	}

	now = now.Add(time.Minute)
	status, _, body := h.do("POST", "/v3/workflow-executions/x/cancel", token, nil)
	if status != 401 || body["error"] != "JWT validation failed: JWT is expired" {
		t.Errorf("expired token: status %d body %v", status, body)
	}
}

func TestCancelAndGet(t *testing.T) {
	tests := []struct {
		name       string
		status     string // "" means the execution does not exist
		wantStatus int
		wantAfter  string
	}{
		{name: "running is canceled", status: "Running", wantStatus: 204, wantAfter: "Canceled"},
		{name: "queued is canceled", status: "Queued", wantStatus: 204, wantAfter: "Canceled"},
		{name: "unlisted status is canceled", status: "Executing", wantStatus: 204,
			wantAfter: "Canceled"},
		{name: "completed is a bad request", status: "Completed", wantStatus: 400,
			wantAfter: "Completed"},
		{name: "canceled is a bad request", status: "Canceled", wantStatus: 400,
			wantAfter: "Canceled"},
		{name: "unknown is not found", wantStatus: 404},
	}
	for _, tt := range tests {
		for _, prefix := range []string{"/v3/workflow-executions/", "/beta/workflow-executions/",
			"/workflow-executions/v1/"} {
			t.Run(tt.name+" "+prefix, func(t *testing.T) {
				h := start(t)
				if tt.status != "" {
					h.sim.AddExecution(sailpoint.Execution{ID: "e-1", Status: tt.status})
				}
				token := h.bearer()

				status, _, body := h.do("POST", prefix+"e-1/cancel", token, nil)

				if status != tt.wantStatus {
					t.Fatalf("cancel status %d, want %d (%v)", status, tt.wantStatus, body)
				}
				if status != 204 {
					if !trackingID.MatchString(body["trackingId"].(string)) ||
						len(body["messages"].([]any)) != 1 {
						t.Errorf("error body %v is not an ErrorResponseDto", body)
					}
					if tt.status == "" {
						return
					}
				}
				status, _, body = h.do("GET", prefix+"e-1", token, nil)
				if status != 200 || body["status"] != tt.wantAfter || body["id"] != "e-1" {
					t.Errorf("get: status %d body %v, want status %s", status, body, tt.wantAfter)
				}
				if tt.wantStatus == 204 && body["closeTime"] == "" {
					t.Errorf("canceled execution has no closeTime: %v", body)
				}
			})
		}
	}
}

func TestScriptIsFIFOThenNormal(t *testing.T) {
	h := start(t)
	h.sim.AddExecution(sailpoint.Execution{ID: "e", Status: "Running"})
	h.sim.Script(sailpointtest.OpGet, sailpointtest.RateLimited("5"))
	h.sim.Script(sailpointtest.OpGet, sailpointtest.ErrorResponse(500, "abc", "boom"))
	token := h.bearer()

	status, header, body := h.do("GET", "/v3/workflow-executions/e", token, nil)
	if status != 429 || header.Get("Retry-After") != "5" ||
		body["message"] != " Rate Limit Exceeded " {
		t.Errorf("first: %d %v %v", status, header, body)
	}
	status, _, body = h.do("GET", "/v3/workflow-executions/e", token, nil)
	if status != 500 || body["trackingId"] != "abc" || body["detailCode"] != "500.0 Internal Fault" {
		t.Errorf("second: %d %v", status, body)
	}
	if status, _, _ = h.do("GET", "/v3/workflow-executions/e", token, nil); status != 200 {
		t.Errorf("third: %d, want normal 200", status)
	}
}

func TestCallsAreRecorded(t *testing.T) {
	h := start(t)
	token := h.bearer()
	h.do("GET", "/v3/workflows", token, nil)
	h.do("POST", "/workflow-executions/v1/a%2Fb/cancel", token, nil)

	calls := h.sim.Calls()
	want := []sailpointtest.Call{
		{Op: "token", Method: "POST", Path: "/oauth/token"},
		{Op: "other", Method: "GET", Path: "/v3/workflows"},
		{Op: "cancel", Method: "POST", Path: "/workflow-executions/v1/a%2Fb/cancel",
			ExecutionID: "a/b"},
	}
	if len(calls) != len(want) {
		t.Fatalf("calls = %+v", calls)
	}
	for i := range want {
		got := calls[i]
		got.At = time.Time{}
		if got != want[i] || calls[i].At.IsZero() {
			t.Errorf("call %d = %+v, want %+v", i, calls[i], want[i])
		}
	}
	if h.sim.Count("cancel") != 1 || h.sim.Count("token") != 1 {
		t.Errorf("counts: cancel %d token %d", h.sim.Count("cancel"), h.sim.Count("token"))
	}

	h.sim.Reset()
	if len(h.sim.Calls()) != 0 {
		t.Errorf("calls after Reset = %+v", h.sim.Calls())
	}
}
