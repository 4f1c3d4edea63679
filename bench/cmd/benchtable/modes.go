package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
	"github.com/sailpoint-cancel/wfcancel/internal/invoke/invoketest"
)

// modeRun is what one mode cost upstream over a run of cancels.
type modeRun struct {
	name      string
	cancels   int
	calls     calls
	handOffs  int // asynchronous Lambda invocations
	followUps int // deferred answers posted to the chat provider
}

// perCancel is the upstream calls of the run, per cancel.
func (m modeRun) perCancel() float64 {
	c := m.calls
	n := c.secretReads + c.tokens + c.cancels + c.gets + m.handOffs + m.followUps
	return float64(n) / float64(m.cancels)
}

// measureModes counts upstream calls per cancel with the workflow allow-list set (sync mode)
// and in deferred mode. Deferred answers go to hooks.slack.com in the deployed build, so the
// deferred run uses the build with the e2e tag, whose only difference is that it may answer
// a loopback stand-in instead.
func measureModes(ctx context.Context, dir string, b bootstraps, f *fakes,
	n int) ([]modeRun, error) {
	allow, err := allowListRun(ctx, b, f, n)
	if err != nil {
		return nil, err
	}
	deferred, err := deferredRun(ctx, dir, b, f, n)
	if err != nil {
		return nil, err
	}
	return []modeRun{allow, deferred}, nil
}

// allowListRun sends n webhook cancels in sync mode with ALLOWED_WORKFLOW_IDS set.
func allowListRun(ctx context.Context, b bootstraps, f *fakes, n int) (modeRun, error) {
	env := append(f.env(), "ALLOWED_WORKFLOW_IDS="+benchWorkflow)
	emu, err := emulator.Start(ctx, emulator.Options{
		RIE: b.rie, Bootstrap: b.paths[nameOurs], Env: env,
	})
	if err != nil {
		return modeRun{}, err
	}
	defer emu.Close()

	before := f.calls()
	for i := range n {
		if _, err := timedRequest(ctx, emu, f, nameOurs); err != nil {
			return modeRun{}, fmt.Errorf("allow-list run, request %d: %w", i+1, err)
		}
	}
	return modeRun{name: "sync, ALLOWED_WORKFLOW_IDS set", cancels: n,
		calls: f.calls().minus(before)}, nil
}

// deferredRun sends n Slack cancels in deferred mode: each acknowledgement hands off to the
// fake Lambda API, and the driver then delivers each hand-off to the same bootstrap, as
// Lambda would deliver the asynchronous event.
func deferredRun(ctx context.Context, dir string, b bootstraps, f *fakes,
	n int) (modeRun, error) {
	bin, err := buildTagged(ctx, filepath.Join(dir, "e2e"), "lambda.norpc,e2e")
	if err != nil {
		return modeRun{}, err
	}
	lambdaAPI := invoketest.NewServer()
	defer lambdaAPI.Close()
	var followUps atomic.Int64
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		followUps.Add(1)
	}))
	defer standIn.Close()

	env := append(f.env(), "RESPONSE_MODE=deferred", "AWS_ENDPOINT_URL_LAMBDA="+lambdaAPI.URL)
	emu, err := emulator.Start(ctx, emulator.Options{RIE: b.rie, Bootstrap: bin, Env: env})
	if err != nil {
		return modeRun{}, err
	}
	defer emu.Close()

	before := f.calls()
	for i := range n {
		if err := deferredCancel(ctx, emu, f, lambdaAPI, standIn.URL, i); err != nil {
			return modeRun{}, fmt.Errorf("deferred run, request %d: %w\n%s", i+1, err,
				emu.Logs())
		}
	}
	return modeRun{name: "deferred (Slack)", cancels: n, calls: f.calls().minus(before),
		handOffs: len(lambdaAPI.Invocations()), followUps: int(followUps.Load())}, nil
}

// deferredCancel sends one Slack cancel and then its hand-off, the i-th one.
func deferredCancel(ctx context.Context, emu *emulator.Emulator, f *fakes,
	lambdaAPI *invoketest.Server, replyBase string, i int) error {
	event, err := f.slackCancelEvent(replyBase + "/commands/T0BENCH/1/bench")
	if err != nil {
		return err
	}
	if _, err := emu.Invoke(ctx, event); err != nil {
		return err
	}
	handOffs := lambdaAPI.Invocations()
	if len(handOffs) != i+1 {
		return fmt.Errorf("%d hand-offs after %d commands", len(handOffs), i+1)
	}
	out, err := emu.Invoke(ctx, handOffs[i].Payload)
	if err != nil {
		return err
	}
	var result struct {
		Status    string `json:"status"`
		Delivered bool   `json:"delivered"`
	}
	if json.Unmarshal(out, &result) != nil || result.Status != "done" || !result.Delivered {
		return fmt.Errorf("hand-off answered %.300s", out)
	}
	return nil
}

// buildTagged builds ours for this machine with tags into dir/bootstrap.
func buildTagged(ctx context.Context, dir, tags string) (string, error) {
	goBin, err := goTool()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, goBin, "build", "-tags", tags, "-trimpath", "-o", out,
		bootstrapPackages[nameOurs])
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s with tags %s: %w\n%s", nameOurs, tags, err, msg)
	}
	return out, nil
}
