package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret/secrettest"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Fake credentials the bootstrap reads from the fake Secrets Manager.
const (
	clientID      = "bench-client-id"
	clientSecret  = "bench-client-secret"
	webhookSecret = "whsec_YmVuY2gtd2ViaG9vay1zaWduaW5nLWtleQ=="
	slackSecret   = "bench-slack-signing-secret"
	handOffKey    = "bench-internal-signing-key"
	secretID      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wfcancel-bench-AbCdEf"
)

// fakes are the loopback Secrets Manager and SailPoint tenant every bootstrap talks to. A new
// bootstrap process starts with empty caches, so one pair serves every run.
type fakes struct {
	secrets *secrettest.Server
	sim     *sailpointtest.Simulator
	simURL  string

	mu   sync.Mutex
	next int
}

// calls counts what the fakes received.
type calls struct {
	secretReads, tokens, cancels, gets int
}

func startFakes() (*fakes, error) {
	f := &fakes{secrets: secrettest.NewServer(), sim: sailpointtest.New()}
	f.secrets.SetSecret(secretID, `{"client_id":"`+clientID+`","client_secret":"`+
		clientSecret+`","webhook_secret":"`+webhookSecret+`","slack_signing_secret":"`+
		slackSecret+`","internal_signing_key":"`+handOffKey+`"}`)
	f.sim.SetCredentials(clientID, clientSecret)
	var err error
	if f.simURL, err = f.sim.Start(); err != nil {
		f.secrets.Close()
		return nil, fmt.Errorf("start sailpoint simulator: %w", err)
	}
	return f, nil
}

func (f *fakes) close() {
	_ = f.sim.Close()
	f.secrets.Close()
}

// env is the bootstrap environment pointing the product at the fakes, in sync mode.
func (f *fakes) env() []string {
	return []string{
		"SAILPOINT_BASE_URL=" + f.simURL,
		"SECRET_ID=" + secretID,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + f.secrets.URL,
	}
}

func (f *fakes) calls() calls {
	return calls{
		secretReads: f.secrets.Calls(),
		tokens:      f.sim.Count(sailpointtest.OpToken),
		cancels:     f.sim.Count(sailpointtest.OpCancel),
		gets:        f.sim.Count(sailpointtest.OpGet),
	}
}

func (c calls) minus(d calls) calls {
	return calls{c.secretReads - d.secretReads, c.tokens - d.tokens, c.cancels - d.cancels,
		c.gets - d.gets}
}

// benchWorkflow is the workflow of every execution the driver adds.
const benchWorkflow = "wf-bench"

// running adds a new running execution to the simulator and returns its id.
func (f *fakes) running() string {
	f.mu.Lock()
	f.next++
	id := fmt.Sprintf("be0c4a11-0000-4000-8000-%012x", f.next)
	f.mu.Unlock()
	f.sim.AddExecution(sailpoint.Execution{ID: id, WorkflowID: benchWorkflow,
		Status: "Running", StartTime: "2026-12-04T10:00:00Z"})
	return id
}

// cancelEvent adds a new running execution to the simulator and returns a signed webhook
// asking to cancel it, as an API Gateway HTTP API event.
func (f *fakes) cancelEvent() ([]byte, error) {
	body := `{"executionId":"` + f.running() + `","action":"cancel"}`
	return signedEvent("/webhook", webhook.SchemeStandardWebhooks, webhookSecret,
		"application/json", body)
}

// slackCancelEvent adds a new running execution and returns a signed Slack slash command
// asking to cancel it, whose response_url is replyURL.
func (f *fakes) slackCancelEvent(replyURL string) ([]byte, error) {
	form := url.Values{"team_id": {"T0BENCH"}, "channel_id": {"C0BENCH"},
		"user_id": {"U0BENCH"}, "command": {"/wfcancel"}, "text": {"cancel " + f.running()},
		"response_url": {replyURL}, "trigger_id": {"1.2.bench"}}
	return signedEvent("/slack", webhook.SchemeSlack, slackSecret,
		"application/x-www-form-urlencoded", form.Encode())
}

// signedEvent signs body for route and wraps it in an API Gateway HTTP API event.
func signedEvent(route, scheme, key, contentType, body string) ([]byte, error) {
	signed, err := webhook.Sign(scheme, key, []byte(body), time.Now())
	if err != nil {
		return nil, fmt.Errorf("sign %s event: %w", route, err)
	}
	header := map[string]string{"content-type": contentType, "user-agent": "benchtable"}
	for k, v := range signed {
		header[strings.ToLower(k)] = v
	}
	return json.Marshal(events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST " + route,
		RawPath:  "/prod" + route,
		Headers:  header,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "bench0api.execute-api.us-east-1.amazonaws.com",
			Stage:      "prod",
			RequestID:  "benchtable",
			TimeEpoch:  time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: "/prod" + route, Protocol: "HTTP/1.1",
				SourceIP: "192.0.2.10", UserAgent: "benchtable",
			},
		},
		Body: body,
	})
}

// checkCancelAnswer fails unless out is the 200 answer of a requested cancel: a benchmark of
// failing requests would measure the wrong path.
func checkCancelAnswer(out []byte) error {
	var a struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(out, &a); err != nil || a.StatusCode != 200 ||
		!strings.Contains(a.Body, "cancel requested") {
		return fmt.Errorf("cancel answered %.300s; want 200 cancel requested", out)
	}
	return nil
}
