// Command local serves the function over plain HTTP on loopback, without Docker, the way
// `sam local start-api` does, but with the event API Gateway's HTTP API really sends: header
// names lower-cased, repeated headers joined, cookies split out, binary bodies base64-encoded.
//
// Usage:
//
//	go run ./cmd/local [-addr 127.0.0.1:3000] [-secret-file events/sample-secret.json]
//	    [-sailpoint-url URL | -simulate [-sample-settings events/sample-settings.env]]
//	    [-stage '$default']
//
// -simulate starts the in-repo SailPoint simulator on loopback, accepting the PAT in the
// secret file and holding a few sample executions, whose ids are printed at start. It also
// applies the sample settings file (where cmd/sign's sample payloads put the execution id,
// such as GITHUB_EXECUTION_ID_POINTER) to every variable left unset, and prints them, so
// every signed sample acts on the simulator. Without -simulate, -sailpoint-url or
// SAILPOINT_BASE_URL names the tenant. The other variables cmd/lambda reads
// (SAILPOINT_API_VERSION, SIGNATURE_TOLERANCE, SECRET_TTL, the per-route pointers and
// allow-lists) are honoured; the secret is always read from the file, never from Secrets
// Manager. Only loopback addresses are served.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/function"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
)

// options are the command-line flags.
type options struct {
	addr         string
	secretFile   string
	sailpointURL string
	simulate     bool
	settings     string
	stage        string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if err := checkLoopback(o.addr); err != nil {
		return err
	}

	if o.simulate {
		sim, base, err := startSimulator(o.secretFile, out)
		if err != nil {
			return err
		}
		defer sim.Close()
		o.sailpointURL = base
		if getenv, err = withSampleSettings(o.settings, getenv, out); err != nil {
			return err
		}
	}
	cfg, err := loadConfig(o, getenv)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           newServer(cfg, o.stage, out),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(out, "serving http://%s (SailPoint at %s)\n", ln.Addr(), cfg.BaseURL)

	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:3000", "loopback address to listen on")
	fs.StringVar(&o.secretFile, "secret-file", "events/sample-secret.json",
		"secret JSON file (same content as the Secrets Manager secret)")
	fs.StringVar(&o.sailpointURL, "sailpoint-url", "",
		"SailPoint API origin (default: SAILPOINT_BASE_URL)")
	fs.BoolVar(&o.simulate, "simulate", false, "serve a SailPoint simulator on loopback")
	fs.StringVar(&o.settings, "sample-settings", "events/sample-settings.env",
		"with -simulate: NAME=value settings applied to every variable left unset")
	fs.StringVar(&o.stage, "stage", "$default", "API Gateway stage name")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.simulate && o.sailpointURL != "" {
		return options{}, errors.New("give -simulate or -sailpoint-url, not both")
	}
	return o, nil
}

// checkLoopback refuses any address but a loopback one: the server has no TLS and serves a
// sample secret, so it must not be reachable from the network.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q is not a loopback address: expected e.g. 127.0.0.1:3000", addr)
}

// loadConfig reads the configuration the way cmd/lambda does, with the flags taking the
// place of SAILPOINT_BASE_URL and SECRET_FILE, and SECRET_ID ignored.
func loadConfig(o options, getenv func(string) string) (config.Config, error) {
	cfg, err := config.Load(func(name string) string {
		switch name {
		case "SAILPOINT_BASE_URL":
			if o.sailpointURL != "" {
				return o.sailpointURL
			}
		case "SECRET_ID":
			return ""
		case "SECRET_FILE":
			return o.secretFile
		}
		return getenv(name)
	})
	if err != nil {
		return config.Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// newServer wires the handler as cmd/lambda does, reading the secret from cfg.SecretFile.
func newServer(cfg config.Config, stage string, out io.Writer) *server {
	log := slog.New(lineCatcher{next: slog.NewTextHandler(os.Stderr, nil)})
	// The local server answers every route synchronously: there is no Lambda to hand
	// deferred work to.
	cfg.ResponseMode = config.ResponseSync
	fn := function.New(cfg, function.Parts{
		Secrets:   secret.File(cfg.SecretFile),
		Logger:    log,
		UserAgent: "wfcancel-local",
	})
	return &server{fn: fn, stage: stage, out: out, now: time.Now}
}

// sampleExecutions are what the simulator holds; the first is the one cmd/sign's sample
// payloads name.
var sampleExecutions = []sailpoint.Execution{
	{ID: "5d1f7c2e-8a4b-4c3d-9e6f-1a2b3c4d5e6f", WorkflowID: "sample-workflow",
		Status: sailpoint.StatusRunning, StartTime: "2026-12-04T09:58:00Z",
		RequestID: "4b1e0f6f2a3c4d5e8f9a0b1c2d3e4f50"},
	{ID: "7a2e9c14-3b5d-4f60-8a71-92b3c4d5e6f7", WorkflowID: "sample-workflow",
		Status: sailpoint.StatusRunning, StartTime: "2026-12-04T09:59:00Z"},
	{ID: "0c3d4e5f-6a7b-4c8d-9e0f-a1b2c3d4e5f6", WorkflowID: "sample-workflow",
		Status: sailpoint.StatusCompleted, StartTime: "2026-12-04T09:00:00Z",
		CloseTime: "2026-12-04T09:01:00Z"},
}

// startSimulator serves a SailPoint simulator on loopback that accepts the PAT in the secret
// file and holds sampleExecutions, and prints their ids.
func startSimulator(secretFile string, out io.Writer) (*sailpointtest.Simulator, string, error) {
	raw, err := os.ReadFile(secretFile)
	if err != nil {
		return nil, "", fmt.Errorf("read secret file: %w", err)
	}
	bundle, err := secret.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("secret file %s: %w", secretFile, err)
	}
	if missing := bundle.MissingCredentials(); len(missing) > 0 {
		return nil, "", fmt.Errorf("secret file %s lacks %v", secretFile, missing)
	}

	sim := sailpointtest.New()
	sim.SetCredentials(bundle.ClientID, bundle.ClientSecret)
	for _, e := range sampleExecutions {
		sim.AddExecution(e)
		fmt.Fprintf(out, "simulated execution %s (%s)\n", e.ID, e.Status)
	}
	base, err := sim.Start()
	if err != nil {
		return nil, "", fmt.Errorf("start simulator: %w", err)
	}
	return sim, base, nil
}
