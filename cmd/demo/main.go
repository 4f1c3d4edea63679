// Command demo shows the function working end to end on this machine, with no AWS account and
// no Docker: it builds the real bootstrap and the Lambda Runtime Interface Emulator, starts a
// SailPoint simulator on loopback, runs the bootstrap under the emulator with a local secret
// file, sends it signed requests as Slack and a webhook sender would, and prints what was sent,
// what the function answered and what SailPoint received.
//
// Usage:
//
//	go run ./cmd/demo [-v]
//
// -v also prints the emulator's and the function's own output. The command exits non-zero
// when any answer is not the expected one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

// Sample credentials and signing secrets. They exist only in the simulator and the temporary
// secret file, and are never printed.
const (
	clientID      = "demo-client-id"
	clientSecret  = "demo-client-secret-not-real"
	slackSecret   = "demo-slack-signing-secret-not-real"
	webhookSecret = "whsec_ZGVtby13ZWJob29rLXNlY3JldC1ub3QtcmVhbA=="
)

// The executions the simulated tenant holds.
const (
	runningID   = "c17bea3a-574d-453c-9e04-4365fbf5af0b"
	completedID = "b393f4e2-4785-4d7f-ab27-3a6b8ded4c81"
)

func main() {
	verbose := flag.Bool("v", false, "also print the emulator's and the function's output")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err := run(ctx, os.Stdout, *verbose)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// demo is one run: the simulator and the emulator, and where to print.
type demo struct {
	out io.Writer
	sim *sailpointtest.Simulator
	emu *emulator.Emulator
}

func run(ctx context.Context, out io.Writer, verbose bool) error {
	dir, err := os.MkdirTemp("", "wfcancel-demo-")
	if err != nil {
		return fmt.Errorf("create temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	fmt.Fprintln(out, "Building the bootstrap and the Lambda Runtime Interface Emulator...")
	rie, bootstrap, err := build(ctx, dir)
	if err != nil {
		return err
	}

	sim, baseURL, err := startSimulator()
	if err != nil {
		return err
	}
	defer sim.Close()

	secretFile := filepath.Join(dir, "secret.json")
	if err := writeSecret(secretFile); err != nil {
		return err
	}

	opts := emulator.Options{
		RIE:       rie,
		Bootstrap: bootstrap,
		Env: []string{
			"SAILPOINT_BASE_URL=" + baseURL,
			"SECRET_FILE=" + secretFile,
			"AWS_LAMBDA_LOG_FORMAT=JSON",
		},
	}
	if verbose {
		opts.Stdout = os.Stderr
	}
	emu, err := emulator.Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer emu.Close()

	fmt.Fprintf(out, "SailPoint simulator  %s\n", baseURL)
	fmt.Fprintf(out, "  execution %s  Running\n", runningID)
	fmt.Fprintf(out, "  execution %s  Completed\n", completedID)
	fmt.Fprintf(out, "Function under RIE   %s\n", emu.URL)

	d := &demo{out: out, sim: sim, emu: emu}
	if err := d.steps(ctx); err != nil {
		if !verbose {
			fmt.Fprintf(os.Stderr, "\nemulator output:\n%s\n", emu.Logs())
		}
		return err
	}
	return nil
}

func build(ctx context.Context, dir string) (rie, bootstrap string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if rie, err = emulator.BuildRIE(ctx, dir); err != nil {
		return "", "", err
	}
	if bootstrap, err = emulator.Build(ctx, "./cmd/lambda", dir); err != nil {
		return "", "", err
	}
	return rie, bootstrap, nil
}

// startSimulator starts a simulated tenant that accepts the sample PAT and holds one Running
// and one Completed execution.
func startSimulator() (*sailpointtest.Simulator, string, error) {
	sim := sailpointtest.New()
	sim.SetCredentials(clientID, clientSecret)
	sim.AddExecution(sailpoint.Execution{
		ID: runningID, WorkflowID: "wf-offboarding", Status: "Running",
		StartTime: "2026-12-04T10:00:00Z",
	})
	sim.AddExecution(sailpoint.Execution{
		ID: completedID, WorkflowID: "wf-offboarding", Status: "Completed",
		StartTime: "2026-12-04T09:00:00Z", CloseTime: "2026-12-04T09:01:00Z",
	})
	baseURL, err := sim.Start()
	if err != nil {
		return nil, "", fmt.Errorf("start simulator: %w", err)
	}
	return sim, baseURL, nil
}

// writeSecret writes the sample secret document, readable by this user only.
func writeSecret(path string) error {
	doc := `{"client_id":"` + clientID + `","client_secret":"` + clientSecret +
		`","slack_signing_secret":"` + slackSecret +
		`","webhook_secret":"` + webhookSecret + `"}` + "\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		return fmt.Errorf("write secret file: %w", err)
	}
	return nil
}

// steps sends the requests in order and checks each answer; the first unexpected answer ends
// the demo.
func (d *demo) steps(ctx context.Context) error {
	steps := []step{
		slackStep("cancel "+runningID, "Cancel requested for workflow execution "+runningID),
		webhookStep("status", runningID, 200, "Canceled"),
		webhookStep("cancel", completedID, 409, "Completed"),
	}
	for i, s := range steps {
		if err := d.do(ctx, i+1, s); err != nil {
			return err
		}
	}

	exec, ok := d.sim.Execution(runningID)
	if !ok || exec.Status != "Canceled" {
		return fmt.Errorf("the simulator shows execution %s as %q; want Canceled",
			runningID, exec.Status)
	}
	fmt.Fprintf(d.out, "\nAccording to the simulator, execution %s is now %s.\n",
		runningID, exec.Status)
	return nil
}

func (d *demo) do(ctx context.Context, n int, s step) error {
	event, err := s.event(time.Now())
	if err != nil {
		return fmt.Errorf("step %d: %w", n, err)
	}

	d.sim.Reset()
	raw, err := d.emu.Invoke(ctx, event)
	if err != nil {
		return fmt.Errorf("step %d: invoke: %w", n, err)
	}
	ans, err := decodeAnswer(raw)
	if err != nil {
		return fmt.Errorf("step %d: %w", n, err)
	}

	fmt.Fprintf(d.out, "\n%d. %s\n", n, s.title)
	fmt.Fprintf(d.out, "   %-10s POST %s  %s\n", "sent", s.route, s.shows)
	fmt.Fprintf(d.out, "   %-10s %d %s\n", "answer", ans.StatusCode, ans.Headers["Content-Type"])
	fmt.Fprintf(d.out, "   %-10s %s\n", "", ans.Body)
	d.printCalls()

	if err := s.check(ans); err != nil {
		return fmt.Errorf("step %d (%s): %w", n, s.title, err)
	}
	fmt.Fprintf(d.out, "   %-10s %s\n", "ok", s.expect)
	return nil
}

// printCalls lists the requests the simulator received during the step.
func (d *demo) printCalls() {
	calls := d.sim.Calls()
	if len(calls) == 0 {
		fmt.Fprintf(d.out, "   %-10s (no calls)\n", "SailPoint")
	}
	for i, c := range calls {
		label := ""
		if i == 0 {
			label = "SailPoint"
		}
		fmt.Fprintf(d.out, "   %-10s %-6s %s\n", label, c.Method, c.Path)
	}
}

// errUnexpected marks an answer that is not the one the step expects.
var errUnexpected = errors.New("unexpected answer")
