// Package emulator runs a Lambda bootstrap under the AWS Lambda Runtime
// Interface Emulator (RIE) on loopback, so tests and demos can invoke the real
// binary the way the Lambda service would, without any AWS account.
//
// The emulator and the bootstrap get a clean environment: only PATH, HOME and
// TMPDIR from the caller, static fake AWS credentials, no shared config files,
// no instance metadata and a default AWS endpoint on a closed loopback port, so
// nothing can reach a real AWS endpoint, least of all with the developer's
// identity.
package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// invokePath is where the emulator accepts invocations for its one function.
const invokePath = "/2015-03-31/functions/function/invocations"

// readyTimeout bounds how long Start waits for the emulator to listen.
const readyTimeout = 15 * time.Second

// readyPoll is the interval between two readiness probes.
const readyPoll = 10 * time.Millisecond

// closedEndpoint is where AWS SDK clients in the bootstrap go unless Options.Env
// names a fake (AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:...): a
// privileged loopback port nobody unprivileged can listen on, so a forgotten
// endpoint fails fast instead of reaching AWS with fake credentials.
const closedEndpoint = "http://127.0.0.1:9"

// FunctionName is the function name the emulator reports unless Options.Env
// sets AWS_LAMBDA_FUNCTION_NAME; it matches the function in template.yaml.
const FunctionName = "CancelFunction"

// Options says what to run and how.
type Options struct {
	// RIE is the path to the emulator binary (see BuildRIE).
	RIE string
	// Bootstrap is the path to the function's bootstrap (see Build).
	Bootstrap string
	// Env is extra environment for the emulator, which forwards it to the
	// bootstrap; entries here override the defaults, e.g.
	// "SAILPOINT_BASE_URL=http://127.0.0.1:41234".
	Env []string
	// Stdout, when set, receives a copy of everything the emulator and the
	// bootstrap print.
	Stdout io.Writer
}

// Emulator is a running emulator with one bootstrap behind it.
type Emulator struct {
	// URL is the invocation endpoint, http://127.0.0.1:<port>/2015-03-31/....
	URL string

	cmd    *exec.Cmd
	logs   *logSink
	client *http.Client
	exited chan struct{}

	invokeMu  sync.Mutex
	closeOnce sync.Once
	closeErr  error
}

// StatusError reports an invocation the emulator answered with a status other
// than 2xx. Its message carries only the status; the payload is in Body.
type StatusError struct {
	StatusCode int
	Body       []byte
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("emulator answered status %d", e.StatusCode)
}

// Start launches the emulator on two free loopback ports and waits until its
// invocation endpoint accepts connections.
//
// Rules:
//   - the emulator starts the bootstrap lazily, on the first Invoke, so Start
//     only proves the emulator listens; a bootstrap that cannot start shows up
//     as an error from the first Invoke, with the reason in Logs;
//   - ports are found by listening on 127.0.0.1:0 and closing the listener,
//     so another process could take one in between; Start then fails rather
//     than talk to a stranger, because the emulator exits when it cannot bind;
//   - the bootstrap runs with its own directory as working directory.
func Start(ctx context.Context, o Options) (*Emulator, error) {
	if o.RIE == "" || o.Bootstrap == "" {
		return nil, errors.New("start emulator: RIE and Bootstrap paths are required")
	}
	bootstrap, err := filepath.Abs(o.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}

	addrs, err := freeAddrs(2)
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	invokeAddr, runtimeAddr := addrs[0], addrs[1]

	logs := &logSink{copyTo: o.Stdout}
	cmd := exec.Command(o.RIE,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		bootstrap,
	)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append(baseEnv(), o.Env...)
	cmd.Stdout = logs
	cmd.Stderr = logs
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}

	e := &Emulator{
		URL:    "http://" + invokeAddr + invokePath,
		cmd:    cmd,
		logs:   logs,
		client: &http.Client{Transport: &http.Transport{Proxy: nil}},
		exited: make(chan struct{}),
	}
	go func() {
		_ = cmd.Wait()
		close(e.exited)
	}()

	if err := e.waitReady(ctx, "http://"+invokeAddr+"/"); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	return e, nil
}

// baseEnv is the clean environment every emulator starts from.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return append(env,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_ENDPOINT_URL="+closedEndpoint,
		"AWS_LAMBDA_FUNCTION_NAME="+FunctionName,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=29",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
	)
}

// freeAddrs returns n distinct loopback addresses whose ports were free a
// moment ago.
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		listeners = append(listeners, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// waitReady polls probeURL until any HTTP answer arrives, the emulator exits,
// ctx ends or readyTimeout passes. The probe path is not the invocation path,
// so it never starts the bootstrap.
func (e *Emulator) waitReady(ctx context.Context, probeURL string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()

	for {
		if e.probe(ctx, probeURL) {
			return nil
		}
		select {
		case <-e.exited:
			return fmt.Errorf("emulator exited before listening: %s", e.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("wait for emulator to listen: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// probe reports whether the emulator answered one HTTP request.
func (e *Emulator) probe(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return true
}

// Invoke sends event to the function and returns its response payload.
//
// Rules:
//   - the emulator serves one invocation at a time, so concurrent calls queue;
//   - a function error comes back as a payload (errorMessage, errorType), not
//     as an error; a status other than 2xx is a *StatusError;
//   - a timeout inside the function comes back as the emulator's text
//     "Task timed out after N.00 seconds" with status 200.
func (e *Emulator) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	e.invokeMu.Lock()
	defer e.invokeMu.Unlock()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(event))
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke: read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return body, &StatusError{StatusCode: resp.StatusCode, Body: body}
	}
	return body, nil
}

// Logs returns everything the emulator and the bootstrap printed so far, up to
// the last few megabytes.
func (e *Emulator) Logs() string {
	return e.logs.String()
}

// WaitLogs waits until done reports true for everything printed so far, or until ctx ends.
// The bootstrap's output reaches the emulator through a pipe of its own, so a line the
// function logged before it answered may arrive after the answer: tests that read the log
// wait for the lines they expect rather than sleep.
func (e *Emulator) WaitLogs(ctx context.Context, done func(logs string) bool) error {
	for {
		changed := e.logs.wait()
		if done(e.logs.String()) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for emulator output: %w", ctx.Err())
		}
	}
}

// InitDuration returns how long the bootstrap took to initialise, read from
// the emulator's "INIT REPORT(durationMs: N)" line, or from the "Init
// Duration" field of the first REPORT line when that is missing. It reports
// false until the first invocation has finished its init.
func (e *Emulator) InitDuration() (time.Duration, bool) {
	return e.logs.initDuration()
}

// PID returns the process id of the bootstrap, a child of the emulator, or 0
// when there is none yet (before the first Invoke) or the platform has no
// /proc to find it in. The emulator's REPORT lines claim the configured memory
// size as "Max Memory Used", so read VmHWM from /proc/<pid>/status instead.
func (e *Emulator) PID() int {
	kids := children(e.cmd.Process.Pid)
	if len(kids) == 0 {
		return 0
	}
	return kids[0]
}

// Close stops the emulator and the bootstrap and waits for the emulator to
// exit. The emulator puts the bootstrap in a process group of its own, so
// Close kills that group as well as the emulator's. Calling it again returns
// the first result.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		for _, pid := range children(e.cmd.Process.Pid) {
			killGroup(pid)
		}
		killGroup(e.cmd.Process.Pid)

		select {
		case <-e.exited:
		case <-time.After(readyTimeout):
			e.closeErr = errors.New("close emulator: process did not exit after SIGKILL")
		}
	})
	return e.closeErr
}
