package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sailpoint-cancel/wfcancel/internal/handler"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/secret/secrettest"
)

// Load-test values. They sign and authorise nothing outside this tool's own processes.
const (
	secretID      = "wfcancel/load"
	clientID      = "load-client"
	clientSecret  = "load-client-secret"
	slackSecret   = "load-slack-signing-secret"
	webhookSecret = "whsec_bG9hZC13ZWJob29rLXNpZ25pbmcta2V5" // "load-webhook-signing-key"
	executions    = 100
)

// report is what the server says about itself and its fakes at GET /_report.
type report struct {
	SecretReads  int    `json:"secretReads"`
	TokenFetches int    `json:"tokenFetches"`
	Cancels      int    `json:"cancels"`
	Gets         int    `json:"gets"`
	Goroutines   int    `json:"goroutines"`
	HeapBytes    uint64 `json:"heapBytes"`
}

// executionID is the id of the i-th sample execution.
func executionID(i int) string {
	return fmt.Sprintf("6a1b2c3d-4e5f-4a6b-8c7d-%012d", i%executions)
}

// serve runs the handler as cmd/lambda wires it (the real secret store over the real Secrets
// Manager client, the real SailPoint client) against a fake Secrets Manager and the SailPoint
// simulator, behind a loopback HTTP server that turns each request into an HTTP API event.
// It prints the server's URL on stdout and runs until stdin closes.
func serve() error {
	sm := secrettest.NewServer()
	defer sm.Close()
	doc, err := json.Marshal(map[string]string{
		"client_id": clientID, "client_secret": clientSecret,
		"slack_signing_secret": slackSecret, "webhook_secret": webhookSecret,
	})
	if err != nil {
		return err
	}
	sm.SetSecret(secretID, string(doc))
	smClient := sm.NewClient()
	store := secret.NewStore(secret.SecretsManager(secretID,
		func(context.Context) (secret.GetSecretValueAPI, error) { return smClient, nil }),
		5*time.Minute, time.Now)

	sim := sailpointtest.New()
	sim.SetCredentials(clientID, clientSecret)
	for i := range executions {
		sim.AddExecution(sailpoint.Execution{ID: executionID(i), WorkflowID: "wf-load",
			Status: "Running", StartTime: "2026-12-04T10:00:00Z"})
	}
	base, err := sim.Start()
	if err != nil {
		return fmt.Errorf("start simulator: %w", err)
	}
	defer sim.Close()

	h := handler.New(handler.Options{
		Secrets: store,
		SailPoint: sailpoint.New(sailpoint.Config{
			BaseURL:     base,
			Credentials: store.Credentials,
			UserAgent:   "wfcancel-load",
		}),
		Logger:             slog.New(slog.NewJSONHandler(io.Discard, nil)),
		SignatureTolerance: 5 * time.Minute,
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_report", func(w http.ResponseWriter, _ *http.Request) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		_ = json.NewEncoder(w).Encode(report{
			SecretReads:  sm.Calls(),
			TokenFetches: sim.Count(sailpointtest.OpToken),
			Cancels:      sim.Count(sailpointtest.OpCancel),
			Gets:         sim.Count(sailpointtest.OpGet),
			Goroutines:   runtime.NumGoroutine(),
			HeapBytes:    ms.HeapAlloc,
		})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { invoke(h, w, r) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	fmt.Printf("listening http://%s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // the generator closes stdin to stop the server
	return nil
}

// invoke serves one HTTP request through the handler as an HTTP API event.
func invoke(h *handler.Handler, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	headers := map[string]string{}
	for name, values := range r.Header {
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: r.Method + " " + r.URL.Path,
		RawPath:  r.URL.Path,
		Headers:  headers,
		Body:     string(body),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "load.execute-api.localhost",
			Stage:      "$default",
			TimeEpoch:  time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path,
			},
		},
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		http.Error(w, "encode event", http.StatusInternalServerError)
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), 29*time.Second)
	defer cancel()
	out, err := h.Invoke(ctx, raw)
	if err != nil {
		http.Error(w, "handler error", http.StatusBadGateway)
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		http.Error(w, "decode answer", http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.WriteString(w, resp.Body)
}
