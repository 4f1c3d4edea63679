package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
)

// warmRun is what one bootstrap did over a run of cancels: the latency of each request after
// the first, the upstream calls of the whole run and the peak memory at its end.
type warmRun struct {
	requests  int
	latencies []time.Duration
	calls     calls
	hwm       int64
}

// measureWarmRun sends n cancels of distinct running executions to one bootstrap of ours.
func measureWarmRun(ctx context.Context, b bootstraps, f *fakes, n int) (warmRun, error) {
	emu, err := emulator.Start(ctx, emulator.Options{
		RIE: b.rie, Bootstrap: b.paths[nameOurs], Env: f.env(),
	})
	if err != nil {
		return warmRun{}, err
	}
	defer emu.Close()

	run := warmRun{requests: n}
	before := f.calls()
	for i := range n {
		took, err := timedRequest(ctx, emu, f, nameOurs)
		if err != nil {
			return run, fmt.Errorf("warm run, request %d: %w", i+1, err)
		}
		if i > 0 {
			run.latencies = append(run.latencies, took)
		}
	}
	run.calls = f.calls().minus(before)
	if run.hwm, err = peakRSS(emu.PID()); err != nil {
		return run, err
	}
	return run, nil
}
