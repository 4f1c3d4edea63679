package handler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sailpoint-cancel/wfcancel/internal/handler"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Fake credentials shared by the benchmark's secret store and simulator.
const (
	benchClientID      = "bench-client-id"
	benchClientSecret  = "bench-client-secret"
	benchWebhookSecret = "whsec_YmVuY2gtd2ViaG9vay1zaWduaW5nLWtleQ=="
)

// benchStack is a SailPoint simulator on loopback and the one HTTP client both benchmarks
// send through, so the only difference between them is the handler's own work.
type benchStack struct {
	sim    *sailpointtest.Simulator
	base   string
	client *http.Client
}

func newBenchStack(b *testing.B) *benchStack {
	b.Helper()
	sim := sailpointtest.New()
	sim.SetCredentials(benchClientID, benchClientSecret)
	base, err := sim.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sim.Close() })
	return &benchStack{sim: sim, base: base, client: &http.Client{
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
	}}
}

// running adds n running executions to the simulator and returns their ids.
func (s *benchStack) running(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("be0c4a11-0000-4000-8000-%012x", i+1)
		s.sim.AddExecution(sailpoint.Execution{ID: ids[i], WorkflowID: "wf-bench",
			Status: "Running", StartTime: "2026-12-04T10:00:00Z"})
	}
	return ids
}

// benchSecrets always returns the same bundle, as the secret store does while it is fresh.
type benchSecrets struct{ bundle secret.Bundle }

func (s benchSecrets) Get(context.Context) (secret.Bundle, error) { return s.bundle, nil }

// BenchmarkHandlerCancel measures one signed webhook cancel through handler.Invoke, from the
// API Gateway event to the encoded answer, with a warm secret and token: verification,
// parsing, the cancel POST to the simulator, the answer and the request log line.
func BenchmarkHandlerCancel(b *testing.B) {
	s := newBenchStack(b)
	bundle, err := secret.Parse([]byte(`{"client_id":"` + benchClientID +
		`","client_secret":"` + benchClientSecret + `","webhook_secret":"` +
		benchWebhookSecret + `"}`))
	if err != nil {
		b.Fatal(err)
	}
	client := sailpoint.New(sailpoint.Config{
		BaseURL:    s.base,
		HTTPClient: s.client,
		Credentials: func(context.Context, bool) (string, string, error) {
			return benchClientID, benchClientSecret, nil
		},
		UserAgent: "wfcancel-bench",
	})
	h := handler.New(handler.Options{
		Secrets:   benchSecrets{bundle: bundle},
		SailPoint: client,
		Logger: slog.New(slog.NewJSONHandler(io.Discard,
			&slog.HandlerOptions{ReplaceAttr: lambdacontext.ReplaceAttr})),
		SignatureTolerance: 5 * time.Minute,
	})
	ids := s.running(b.N + 1)
	eventList := make([][]byte, len(ids))
	for i, id := range ids {
		eventList[i] = cancelEvent(b, id)
	}
	ctx := lambdacontext.NewContext(context.Background(),
		&lambdacontext.LambdaContext{AwsRequestID: "bench"})
	invoke := func(event []byte) {
		out, err := h.Invoke(ctx, event)
		if err != nil || !strings.Contains(string(out), `"statusCode":200`) {
			b.Fatalf("Invoke = %s, %v; want a 200 answer", out, err)
		}
	}
	invoke(eventList[b.N]) // fetch the token before timing

	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		invoke(eventList[i])
	}
}

// BenchmarkBareCancelPOST measures the least a cancel can cost: one POST of
// /v3/workflow-executions/{id}/cancel with a bearer token to the same simulator, through the
// same kind of HTTP client, reading the answer.
func BenchmarkBareCancelPOST(b *testing.B) {
	s := newBenchStack(b)
	token := fetchToken(b, s)
	ids := s.running(b.N)

	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
			s.base+"/v3/workflow-executions/"+ids[i]+"/cancel", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		resp, err := s.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			b.Fatalf("cancel answered %d; want 204", resp.StatusCode)
		}
	}
}

// fetchToken gets an access token from the simulator with the client credentials grant.
func fetchToken(b *testing.B, s *benchStack) string {
	b.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {benchClientID},
		"client_secret": {benchClientSecret}}
	resp, err := s.client.PostForm(s.base+"/oauth/token", form)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("token answer %d: %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// cancelEvent is an API Gateway HTTP API event carrying a Standard Webhooks delivery that asks
// to cancel id, signed now.
func cancelEvent(b *testing.B, id string) []byte {
	b.Helper()
	body := `{"executionId":"` + id + `","action":"cancel"}`
	signed, err := webhook.Sign(webhook.SchemeStandardWebhooks, benchWebhookSecret,
		[]byte(body), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	header := map[string]string{"content-type": "application/json"}
	for k, v := range signed {
		header[strings.ToLower(k)] = v
	}
	event, err := json.Marshal(events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST /webhook",
		RawPath:  "/prod/webhook",
		Headers:  header,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: "prod",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: "/prod/webhook",
			},
		},
		Body: body,
	})
	if err != nil {
		b.Fatal(err)
	}
	return event
}
