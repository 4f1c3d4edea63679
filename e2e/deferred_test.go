package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
	"github.com/sailpoint-cancel/wfcancel/internal/invoke/invoketest"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret/secrettest"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// internalSigningKey signs hand-offs between the two halves of a deferred command.
const internalSigningKey = "e2e-internal-signing-key-LEAKCHECK-6d0c"

// functionARN is what the emulator reports as the invoked function's ARN.
const functionARN = "arn:aws:lambda:us-east-1:012345678912:function:" + emulator.FunctionName

// e2eBootstrap is the bootstrap built with the e2e tag, which lets deferred answers go to a
// loopback stand-in for hooks.slack.com; built once, on first use.
var e2eBootstrap struct {
	once sync.Once
	path string
	err  error
}

func buildE2EBootstrap(ctx context.Context) (string, error) {
	e2eBootstrap.once.Do(func() {
		dir, err := os.MkdirTemp("", "wfcancel-e2e-tag-")
		if err != nil {
			e2eBootstrap.err = err
			return
		}
		out := filepath.Join(dir, "bootstrap")
		goBin := "go"
		if root := os.Getenv("GOROOT"); root != "" {
			goBin = filepath.Join(root, "bin", "go")
		}
		cmd := exec.CommandContext(ctx, goBin, "build", "-tags", "lambda.norpc e2e",
			"-trimpath", "-o", out, "../cmd/lambda")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			e2eBootstrap.err = &buildError{err: err, out: string(msg)}
			return
		}
		e2eBootstrap.path = out
	})
	return e2eBootstrap.path, e2eBootstrap.err
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string {
	return "build e2e bootstrap: " + e.err.Error() + "\n" + e.out
}

// replyStandIn plays hooks.slack.com on loopback and records the follow-ups it receives.
type replyStandIn struct {
	*httptest.Server
	mu       sync.Mutex
	received []followUp
}

type followUp struct {
	method, path string
	body         map[string]any
}

func newReplyStandIn(t *testing.T) *replyStandIn {
	r := &replyStandIn{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(io.LimitReader(req.Body, 64<<10))
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		r.mu.Lock()
		r.received = append(r.received, followUp{req.Method, req.URL.Path, body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *replyStandIn) followUps() []followUp {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]followUp(nil), r.received...)
}

// deferredStack is a stack whose bootstrap runs in deferred mode, built with the e2e tag,
// its Lambda client pointed at a fake Invoke API.
func deferredStack(t *testing.T) (*stack, *invoketest.Server) {
	t.Helper()
	skipShort(t)
	path, err := buildE2EBootstrap(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	lambdaAPI := invoketest.NewServer()
	t.Cleanup(lambdaAPI.Close)

	// newStack starts bins.bootstrap; the e2e tests run one at a time, so it can be swapped
	// for the tagged build while this stack starts.
	plain := bins.bootstrap
	bins.bootstrap = path
	s := newStack(t, 1, "RESPONSE_MODE=deferred", "AWS_ENDPOINT_URL_LAMBDA="+lambdaAPI.URL)
	bins.bootstrap = plain

	s.secrets.SetSecret(secretID, strings.TrimSuffix(secretJSON(), "}")+
		`,"internal_signing_key":"`+internalSigningKey+`"}`)
	return s, lambdaAPI
}

// slackCommandTo is a signed Slack slash command whose response_url is replyURL.
func slackCommandTo(t *testing.T, text, replyURL string) request {
	t.Helper()
	form := url.Values{
		"team_id":      {"T0E2E"},
		"channel_id":   {"C0E2E"},
		"user_id":      {"U0E2E"},
		"command":      {"/wfcancel"},
		"text":         {text},
		"response_url": {replyURL},
		"trigger_id":   {"1.2.e2e"},
	}
	return signed(t, "/slack", webhook.SchemeSlack, slackSecret, form.Encode(),
		"application/x-www-form-urlencoded", time.Now())
}

func TestDeferredSlackCancel(t *testing.T) {
	s, lambdaAPI := deferredStack(t)
	standIn := newReplyStandIn(t)
	id := s.running[0]
	replyURL := standIn.URL + "/commands/T0E2E/1/e2e-LEAKCHECK-reply-token"

	// The synchronous half: verified, acknowledged, handed off; SailPoint untouched.
	a := s.invoke(slackCommandTo(t, "cancel "+id, replyURL).httpAPI())
	expectSlack(t, a, "Cancelling "+id+"…")
	s.expectCalls("after the acknowledgement", calls{secretReads: 1})
	handOffs := lambdaAPI.Invocations()
	if len(handOffs) != 1 {
		t.Fatalf("the fake Lambda API received %d invocations; want 1", len(handOffs))
	}
	h := handOffs[0]
	if h.FunctionName != functionARN || h.InvocationType != "Event" {
		t.Errorf("invocation = %s %s; want %s Event", h.FunctionName, h.InvocationType,
			functionARN)
	}

	// The asynchronous half: the same bootstrap receives the event Lambda would deliver.
	out, err := s.emu.Invoke(t.Context(), h.Payload)
	if err != nil {
		t.Fatalf("deferred invoke: %v", err)
	}
	var result map[string]any
	if err := json.Unmarshal(out, &result); err != nil || result["status"] != "done" ||
		result["delivered"] != true {
		t.Errorf("deferred invocation answered %s", out)
	}
	s.expectCalls("after the deferred work", calls{secretReads: 1, token: 1, cancel: 1})
	if e, _ := s.sim.Execution(id); e.Status != "Canceled" {
		t.Errorf("execution is %q in the simulator; want Canceled", e.Status)
	}

	got := standIn.followUps()
	if len(got) != 1 {
		t.Fatalf("the reply stand-in received %d follow-ups; want 1", len(got))
	}
	f := got[0]
	text, _ := f.body["text"].(string)
	if f.method != http.MethodPost || f.path != "/commands/T0E2E/1/e2e-LEAKCHECK-reply-token" ||
		f.body["response_type"] != "ephemeral" ||
		!strings.HasPrefix(text, "Cancel requested for workflow execution "+id) {
		t.Errorf("follow-up = %+v", f)
	}

	// A replayed or altered hand-off is refused: no SailPoint call, no follow-up.
	var ev map[string]map[string]string
	if err := json.Unmarshal(h.Payload, &ev); err != nil {
		t.Fatal(err)
	}
	ev["deferred"]["payload"] = strings.Replace(ev["deferred"]["payload"], `"cancel"`,
		`"status"`, 1)
	out, err = s.emu.Invoke(t.Context(), mustJSON(ev))
	if err != nil || !strings.Contains(string(out), `"refused"`) {
		t.Errorf("altered hand-off answered %s, %v; want refused", out, err)
	}
	s.expectCalls("after an altered hand-off", calls{secretReads: 1, token: 1, cancel: 1})
	if n := len(standIn.followUps()); n != 1 {
		t.Errorf("the stand-in received %d follow-ups; want still 1", n)
	}

	s.waitLogs(t, func(logs string) bool { return strings.Contains(logs, `"message":"audit"`) })
	logs := s.emu.Logs()
	for _, secretText := range []string{internalSigningKey, "e2e-LEAKCHECK-reply-token",
		ev["deferred"]["mac"]} {
		if strings.Contains(logs, secretText) {
			t.Errorf("logs contain %q", secretText)
		}
	}
	var audit bool
	for _, l := range jsonLines(logs) {
		if l["message"] == "audit" && l["provider"] == "slack" && l["user"] == "U0E2E" &&
			l["executionId"] == id && l["outcome"] == "cancel_requested" {
			audit = true
		}
	}
	if !audit {
		t.Error("logs lack the audit line of the deferred cancel")
	}
}

func TestDeferredSlackRefusesAForeignReplyURL(t *testing.T) {
	s, lambdaAPI := deferredStack(t)
	id := s.running[0]

	a := s.invoke(slackCommandTo(t, "cancel "+id, "https://hooks.slack.com.evil.example/x").
		httpAPI())

	expectSlack(t, a, "Not allowed")
	if n := len(lambdaAPI.Invocations()); n != 0 {
		t.Errorf("the fake Lambda API received %d invocations; want 0", n)
	}
	s.expectCalls("after a refused reply address", calls{secretReads: 1})
}

// BenchmarkColdStartToAcknowledgement measures, per iteration, a fresh emulator and
// bootstrap in deferred mode answering its first Slack command: init, secret read, hand-off
// and acknowledgement. Slack gives up after 3 s.
func BenchmarkColdStartToAcknowledgement(b *testing.B) {
	if testing.Short() {
		b.Skip("runs the bootstrap under the emulator; skipped with -short")
	}
	path, err := buildE2EBootstrap(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	secrets := secrettest.NewServer()
	defer secrets.Close()
	secrets.SetSecret(secretID, strings.TrimSuffix(secretJSON(), "}")+
		`,"internal_signing_key":"`+internalSigningKey+`"}`)
	sim := sailpointtest.New()
	sim.SetCredentials(clientID, clientSecret)
	id := "c17bea3a-574d-453c-9e04-0000000000b1"
	sim.AddExecution(sailpoint.Execution{ID: id, WorkflowID: "wf-e2e", Status: "Running"})
	base, err := sim.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	lambdaAPI := invoketest.NewServer()
	defer lambdaAPI.Close()

	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		emu, err := emulator.Start(b.Context(), emulator.Options{RIE: bins.rie, Bootstrap: path,
			Env: []string{"SAILPOINT_BASE_URL=" + base, "SECRET_ID=" + secretID,
				"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + secrets.URL,
				"AWS_ENDPOINT_URL_LAMBDA=" + lambdaAPI.URL, "RESPONSE_MODE=deferred",
				"AWS_LAMBDA_LOG_FORMAT=JSON"}})
		if err != nil {
			b.Fatal(err)
		}
		event := benchCommand(b, id)
		b.StartTimer()

		began := time.Now()
		out, err := emu.Invoke(b.Context(), event)
		elapsed := time.Since(began)

		b.StopTimer()
		_ = emu.Close()
		if err != nil || !strings.Contains(string(out), "Cancelling") {
			b.Fatalf("first command answered %s, %v", out, err)
		}
		total += elapsed
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/ack")
}

// benchCommand is a freshly signed Slack command for the benchmark. Its reply address is a
// closed loopback port, which the e2e build accepts; the acknowledgement never uses it.
func benchCommand(b *testing.B, id string) []byte {
	form := url.Values{"team_id": {"T0E2E"}, "user_id": {"U0E2E"}, "text": {"cancel " + id},
		"response_url": {"http://127.0.0.1:9/commands/T0E2E/1/bench"}}
	body := form.Encode()
	h, err := webhook.Sign(webhook.SchemeSlack, slackSecret, []byte(body), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	header := map[string]string{"content-type": "application/x-www-form-urlencoded"}
	for k, v := range h {
		header[strings.ToLower(k)] = v
	}
	return request{route: "/slack", header: header, body: body}.httpAPI()
}
