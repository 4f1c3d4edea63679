package main

import (
	"encoding/json"
	"fmt"
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
		clientSecret+`","webhook_secret":"`+webhookSecret+`"}`)
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

// cancelEvent adds a new running execution to the simulator and returns a signed webhook
// asking to cancel it, as an API Gateway HTTP API event.
func (f *fakes) cancelEvent() ([]byte, error) {
	f.mu.Lock()
	f.next++
	id := fmt.Sprintf("be0c4a11-0000-4000-8000-%012x", f.next)
	f.mu.Unlock()
	f.sim.AddExecution(sailpoint.Execution{ID: id, WorkflowID: "wf-bench", Status: "Running",
		StartTime: "2026-12-04T10:00:00Z"})

	body := `{"executionId":"` + id + `","action":"cancel"}`
	signed, err := webhook.Sign(webhook.SchemeStandardWebhooks, webhookSecret, []byte(body),
		time.Now())
	if err != nil {
		return nil, fmt.Errorf("sign cancel event: %w", err)
	}
	header := map[string]string{"content-type": "application/json", "user-agent": "benchtable"}
	for k, v := range signed {
		header[strings.ToLower(k)] = v
	}
	return json.Marshal(events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST /webhook",
		RawPath:  "/prod/webhook",
		Headers:  header,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "bench0api.execute-api.us-east-1.amazonaws.com",
			Stage:      "prod",
			RequestID:  "benchtable",
			TimeEpoch:  time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: "/prod/webhook", Protocol: "HTTP/1.1",
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
