package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret/secrettest"
)

// Distinctive values, so that a leak into the logs is found by searching for them.
const (
	clientID      = "e2e-client-id-4c1d"
	clientSecret  = "e2e-client-secret-LEAKCHECK-8a2f"
	slackSecret   = "e2e-slack-signing-secret-LEAKCHECK-3e"
	webhookSecret = "whsec_RTJFLUxFQUtDSEVDSy13ZWJob29rLXNpZ25pbmcta2V5"
	secretID      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wfcancel-e2e-AbCdEf"
)

// Executions the simulator knows at the start of every test.
const (
	completedID = "b393f4e2-4785-4d7f-ab27-3a6b8ded4c81"
	missingID   = "0f0e0d0c-0b0a-4909-8807-060504030201"
)

// bins are the bootstrap and the emulator, built once for the whole test binary.
var bins struct {
	rie, bootstrap string
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "wfcancel-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code, err := buildAndRun(m, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = 1
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func buildAndRun(m *testing.M, dir string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	if bins.rie, err = emulator.BuildRIE(ctx, dir); err != nil {
		return 1, err
	}
	if bins.bootstrap, err = emulator.Build(ctx, "./cmd/lambda", dir); err != nil {
		return 1, err
	}
	return m.Run(), nil
}

// skipShort skips the calling test under -short, where nothing was built.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the bootstrap under the emulator; skipped with -short")
	}
}

// stack is one bootstrap under the emulator, with its fake Secrets Manager and simulator.
type stack struct {
	t       *testing.T
	emu     *emulator.Emulator
	secrets *secrettest.Server
	sim     *sailpointtest.Simulator
	running []string

	mu     sync.Mutex
	tokens map[string]bool // bearer tokens the bootstrap sent to the simulator
}

// newStack starts the fakes and the emulator. The simulator knows the running executions
// (n of them), one Completed execution and no others. extraEnv overrides the defaults.
func newStack(t *testing.T, running int, extraEnv ...string) *stack {
	t.Helper()
	skipShort(t)
	s := &stack{t: t, tokens: map[string]bool{}}

	s.secrets = secrettest.NewServer()
	t.Cleanup(s.secrets.Close)
	s.secrets.SetSecret(secretID, secretJSON())

	s.sim = sailpointtest.New()
	s.sim.SetCredentials(clientID, clientSecret)
	for i := range running {
		id := fmt.Sprintf("c17bea3a-574d-453c-9e04-%012x", i+1)
		s.running = append(s.running, id)
		s.sim.AddExecution(sailpoint.Execution{ID: id, WorkflowID: "wf-e2e", Status: "Running",
			StartTime: "2026-12-04T10:00:00Z"})
	}
	s.sim.AddExecution(sailpoint.Execution{ID: completedID, WorkflowID: "wf-e2e",
		Status: "Completed", StartTime: "2026-12-04T09:00:00Z", CloseTime: "2026-12-04T09:01:00Z"})
	// The simulator is served through a wrapper that notes the bearer tokens it is sent,
	// so the log check can look for them.
	srv := httptest.NewServer(http.HandlerFunc(s.serveSimulator))
	t.Cleanup(srv.Close)

	env := append([]string{
		"SAILPOINT_BASE_URL=" + srv.URL,
		"SECRET_ID=" + secretID,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + s.secrets.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=e2e-access-key",
		"AWS_SECRET_ACCESS_KEY=e2e-secret-access-key",
		"AWS_REGION=us-east-1",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
	}, extraEnv...)
	emu, err := emulator.Start(t.Context(), emulator.Options{
		RIE: bins.rie, Bootstrap: bins.bootstrap, Env: env,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.emu = emu
	t.Cleanup(func() {
		if err := emu.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("emulator output:\n%s", emu.Logs())
		}
	})
	return s
}

func secretJSON() string {
	return `{"client_id":"` + clientID + `","client_secret":"` + clientSecret +
		`","slack_signing_secret":"` + slackSecret + `","webhook_secret":"` + webhookSecret + `"}`
}

func (s *stack) serveSimulator(w http.ResponseWriter, r *http.Request) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		s.mu.Lock()
		s.tokens[tok] = true
		s.mu.Unlock()
	}
	s.sim.ServeHTTP(w, r)
}

// bearerTokens returns the tokens the bootstrap has sent to the simulator so far.
func (s *stack) bearerTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for tok := range s.tokens {
		out = append(out, tok)
	}
	return out
}
