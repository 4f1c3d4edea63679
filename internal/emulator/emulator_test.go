package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// binDir holds the binaries built once for the whole test binary.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "emulator-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	rieBin    string
	helloBin  string
	buildErr  error
)

// binaries builds the emulator and the hello bootstrap once, and skips the
// calling test under -short because building takes a few seconds.
func binaries(t *testing.T) (rie, bootstrap string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the emulator and a bootstrap; skipped with -short")
	}
	buildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		rieBin, buildErr = BuildRIE(ctx, binDir)
		if buildErr == nil {
			helloBin, buildErr = Build(ctx, "./internal/emulator/testdata/hello", binDir)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return rieBin, helloBin
}

// start runs hello under the emulator and closes it when the test ends.
func start(t *testing.T, env ...string) *Emulator {
	t.Helper()
	rie, bootstrap := binaries(t)
	e, err := Start(t.Context(), Options{RIE: rie, Bootstrap: bootstrap, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("emulator output:\n%s", e.Logs())
		}
	})
	return e
}

// invokeJSON invokes e with event and decodes the answer into v.
func invokeJSON(t *testing.T, e *Emulator, event string, v any) {
	t.Helper()
	out, err := e.Invoke(t.Context(), []byte(event))
	if err != nil {
		t.Fatalf("invoke %s: %v", event, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("decode answer %q: %v", out, err)
	}
}

// helloAnswer mirrors the answer of testdata/hello.
type helloAnswer struct {
	Echo json.RawMessage   `json:"echo"`
	Env  map[string]string `json:"env"`
}

func TestInvokeTwiceReachesSameBootstrap(t *testing.T) {
	e := start(t, "HELLO_GREETING=bonjour")

	var first, second helloAnswer
	invokeJSON(t, e, `{"n":1}`, &first)
	pid := e.PID()
	invokeJSON(t, e, `{"n":2}`, &second)

	if string(first.Echo) != `{"n":1}` || string(second.Echo) != `{"n":2}` {
		t.Errorf("echoes = %s, %s; want the events back", first.Echo, second.Echo)
	}
	if pid == 0 || e.PID() != pid {
		t.Errorf("bootstrap pid = %d then %d; want one warm process", pid, e.PID())
	}
	logs := e.Logs()
	for _, want := range []string{"HELLO_GREETING=bonjour", "START RequestId: ", "REPORT RequestId: "} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	if n := strings.Count(logs, "REPORT RequestId: "); n != 2 {
		t.Errorf("logs hold %d REPORT lines; want 2", n)
	}
	if d, ok := e.InitDuration(); !ok || d <= 0 {
		t.Errorf("InitDuration() = %v, %v; want a positive duration", d, ok)
	}
}

func TestEnvironmentHidesCallersAWSIdentity(t *testing.T) {
	t.Setenv("AWS_PROFILE", "developer")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY")
	t.Setenv("AWS_SESSION_TOKEN", "real-session")
	e := start(t, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512")

	var got helloAnswer
	invokeJSON(t, e, `{"env":["AWS_PROFILE","AWS_ACCESS_KEY_ID","AWS_SESSION_TOKEN",
		"AWS_REGION","AWS_EC2_METADATA_DISABLED","AWS_SHARED_CREDENTIALS_FILE",
		"AWS_LAMBDA_FUNCTION_NAME","AWS_LAMBDA_FUNCTION_MEMORY_SIZE","AWS_ENDPOINT_URL"]}`, &got)

	want := map[string]string{
		"AWS_PROFILE":                     "",
		"AWS_ACCESS_KEY_ID":               "test",
		"AWS_SESSION_TOKEN":               "",
		"AWS_REGION":                      "us-east-1",
		"AWS_EC2_METADATA_DISABLED":       "true",
		"AWS_SHARED_CREDENTIALS_FILE":     os.DevNull,
		"AWS_LAMBDA_FUNCTION_NAME":        FunctionName,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
		"AWS_ENDPOINT_URL":                closedEndpoint,
	}
	for k, v := range want {
		if got.Env[k] != v {
			t.Errorf("bootstrap sees %s=%q; want %q", k, got.Env[k], v)
		}
	}
}

func TestFunctionErrorComesBackAsPayload(t *testing.T) {
	e := start(t)

	out, err := e.Invoke(t.Context(), []byte(`{"fail":true}`))

	var status *StatusError
	if err != nil && !errors.As(err, &status) {
		t.Fatalf("invoke: %v", err)
	}
	if !strings.Contains(string(out), "asked to fail") {
		t.Errorf("answer = %q (err %v); want the function's error message", out, err)
	}
}

func TestCloseLeavesNoProcess(t *testing.T) {
	rie, bootstrap := binaries(t)
	e, err := Start(t.Context(), Options{RIE: rie, Bootstrap: bootstrap})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Invoke(t.Context(), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	pids := []int{e.cmd.Process.Pid, e.PID()}

	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close() = %v; want nil", err)
	}

	for _, pid := range pids {
		if running(pid) {
			t.Errorf("process %d still runs after Close", pid)
		}
	}
}

// running reports whether pid names a live (not zombie) process. A killed
// orphan may linger as a zombie when the container's init does not reap.
func running(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && !strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

func TestStartFails(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{name: "without paths", opts: Options{}},
		{name: "when the emulator cannot run", opts: Options{
			RIE: "/nonexistent/aws-lambda-rie", Bootstrap: "/nonexistent/bootstrap",
		}},
		{name: "when the emulator exits at once", opts: Options{
			RIE: "/bin/false", Bootstrap: "/nonexistent/bootstrap",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Start(t.Context(), tt.opts)
			if err == nil {
				_ = e.Close()
				t.Fatal("Start succeeded; want an error")
			}
		})
	}
}
