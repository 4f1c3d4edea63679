package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Distinctive values, so that a leak would be found by searching for them.
const (
	testClientID      = "client-id-7f3a"
	testClientSecret  = "client-secret-LEAKCHECK-91d2"
	testSlackSecret   = "slack-signing-secret-LEAKCHECK-5b"
	testWebhookSecret = "whsec_TEVBS0NIRUNLLXdlYmhvb2stc2VjcmV0LWtleQ=="
	runningID         = "c17bea3a-574d-453c-9e04-4365fbf5af0b"
	finishedID        = "b393f4e2-4785-4d7f-ab27-3a6b8ded4c81"
	missingID         = "0f0e0d0c-0b0a-4909-8807-060504030201"
)

// fixedSecrets is a secret store that never changes and counts its reads.
type fixedSecrets struct {
	mu     sync.Mutex
	bundle secret.Bundle
	err    error
	reads  int
}

func (f *fixedSecrets) Get(context.Context) (secret.Bundle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return f.bundle, f.err
}

// env is a handler wired to a SailPoint simulator on loopback.
type env struct {
	t       *testing.T
	sim     *sailpointtest.Simulator
	secrets *fixedSecrets
	h       *Handler
	logs    *bytes.Buffer
	now     time.Time

	// timeout is the invocation's deadline, as the Lambda context would carry it.
	timeout time.Duration
}

func bundle(t *testing.T, extra map[string]any) secret.Bundle {
	t.Helper()
	doc := map[string]any{
		"client_id":            testClientID,
		"client_secret":        testClientSecret,
		"slack_signing_secret": testSlackSecret,
		"webhook_secret":       testWebhookSecret,
	}
	for k, v := range extra {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := secret.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sim := sailpointtest.New()
	sim.SetCredentials(testClientID, testClientSecret)
	sim.AddExecution(sailpoint.Execution{ID: runningID, WorkflowID: "wf-1", Status: "Running",
		StartTime: "2026-12-04T10:00:00Z", RequestID: "41e12a74fa7b4a6a98ae47887b64acdb"})
	sim.AddExecution(sailpoint.Execution{ID: finishedID, WorkflowID: "wf-1", Status: "Completed",
		StartTime: "2026-12-04T09:00:00Z", CloseTime: "2026-12-04T09:01:00Z"})
	base, err := sim.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })

	e := &env{t: t, sim: sim, logs: &bytes.Buffer{}, now: time.Now(), timeout: 10 * time.Second}
	e.secrets = &fixedSecrets{bundle: bundle(t, nil)}
	client := sailpoint.New(sailpoint.Config{
		BaseURL: base,
		Credentials: func(ctx context.Context, refresh bool) (string, string, error) {
			b, err := e.secrets.Get(ctx)
			return b.ClientID, b.ClientSecret, err
		},
		UserAgent: "wfcancel-test",
		Sleep:     func(context.Context, time.Duration) error { return nil },
	})
	log := slog.New(slog.NewJSONHandler(&syncWriter{w: e.logs},
		&slog.HandlerOptions{ReplaceAttr: lambdacontext.ReplaceAttr}))
	e.h = New(Options{
		Secrets:            e.secrets,
		SailPoint:          client,
		Logger:             log,
		SignatureTolerance: 5 * time.Minute,
		Now:                func() time.Time { return e.now },
	})
	return e
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// response is the part of all three response shapes the tests read.
type response struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.Body, err)
	}
	return m
}

func (e *env) invoke(event []byte) response {
	e.t.Helper()
	ctx := lambdacontext.NewContext(context.Background(),
		&lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	out, err := e.h.Invoke(ctx, event)
	if err != nil {
		e.t.Fatalf("Invoke returned an error to the runtime: %v", err)
	}
	var r response
	if err := json.Unmarshal(out, &r); err != nil {
		e.t.Fatalf("answer %s: %v", out, err)
	}
	return r
}

// sign returns headers that make body valid on route at the env's clock.
func (e *env) sign(route string, body []byte) map[string]string {
	e.t.Helper()
	scheme, key := webhook.SchemeStandardWebhooks, testWebhookSecret
	if route == "/slack" {
		scheme, key = webhook.SchemeSlack, testSlackSecret
	}
	h, err := webhook.Sign(scheme, key, body, e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// shapes builds one event per event shape for a request.
var shapes = map[string]func(method, route string, header map[string]string, body []byte,
	b64 bool) []byte{
	"httpapi":     httpAPIEvent,
	"rest":        restEvent,
	"functionurl": functionURLEvent,
}

func lowerHeaders(h map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[strings.ToLower(k)] = v
	}
	return out
}

func encodeBody(body []byte, b64 bool) string {
	if b64 {
		return base64.StdEncoding.EncodeToString(body)
	}
	return string(body)
}

func httpAPIEvent(method, route string, header map[string]string, body []byte, b64 bool) []byte {
	return mustJSON(map[string]any{
		"version":  "2.0",
		"routeKey": method + " " + route,
		"rawPath":  "/prod" + route,
		"headers":  lowerHeaders(header),
		"requestContext": map[string]any{
			"domainName": "abc123.execute-api.us-east-1.amazonaws.com",
			"stage":      "prod",
			"http":       map[string]any{"method": method, "path": "/prod" + route},
		},
		"body":            encodeBody(body, b64),
		"isBase64Encoded": b64,
	})
}

func restEvent(method, route string, header map[string]string, body []byte, b64 bool) []byte {
	multi := map[string][]string{}
	for k, v := range header {
		multi[k] = []string{v}
	}
	return mustJSON(map[string]any{
		"resource":          route,
		"path":              route,
		"httpMethod":        method,
		"headers":           header,
		"multiValueHeaders": multi,
		"requestContext":    map[string]any{"stage": "prod", "httpMethod": method},
		"body":              encodeBody(body, b64),
		"isBase64Encoded":   b64,
	})
}

func functionURLEvent(method, route string, header map[string]string, body []byte,
	b64 bool) []byte {
	return mustJSON(map[string]any{
		"version":  "2.0",
		"routeKey": "$default",
		"rawPath":  route,
		"headers":  lowerHeaders(header),
		"requestContext": map[string]any{
			"domainName": "abcdefg.lambda-url.us-east-1.on.aws",
			"stage":      "$default",
			"http":       map[string]any{"method": method, "path": route},
		},
		"body":            encodeBody(body, b64),
		"isBase64Encoded": b64,
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
