package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
)

// coldRun is one fresh bootstrap: its init, its first request (which under the emulator
// includes starting the process and init) and a second, warm request.
type coldRun struct {
	init, first, second time.Duration
	hwm                 int64 // VmHWM in bytes after the two requests
}

// coldResults holds every run, per bootstrap name, in round order.
type coldResults map[string][]coldRun

// measureColdStarts starts each bootstrap fresh rounds times. Round r starts with the r-th
// name, so no bootstrap always runs first (cold caches) or last.
func measureColdStarts(ctx context.Context, b bootstraps, f *fakes, rounds int) (coldResults,
	error) {
	res := coldResults{}
	for r := range rounds {
		for i := range bootstrapNames {
			name := bootstrapNames[(r+i)%len(bootstrapNames)]
			run, err := coldStart(ctx, b, f, name)
			if err != nil {
				return nil, fmt.Errorf("cold start %d of %s: %w", r+1, name, err)
			}
			res[name] = append(res[name], run)
		}
	}
	return res, nil
}

// coldStart runs one bootstrap under a fresh emulator for two requests: ours gets two cancels
// (the first reads the secret and fetches a token), the others an empty event.
func coldStart(ctx context.Context, b bootstraps, f *fakes, name string) (coldRun, error) {
	emu, err := emulator.Start(ctx, emulator.Options{
		RIE: b.rie, Bootstrap: b.paths[name], Env: f.env(),
	})
	if err != nil {
		return coldRun{}, err
	}
	defer emu.Close()

	before := f.calls()
	var run coldRun
	if run.first, err = timedRequest(ctx, emu, f, name); err != nil {
		return run, err
	}
	if run.second, err = timedRequest(ctx, emu, f, name); err != nil {
		return run, err
	}

	var ok bool
	if run.init, ok = emu.InitDuration(); !ok {
		return run, fmt.Errorf("no INIT REPORT in the emulator output:\n%s", emu.Logs())
	}
	if run.hwm, err = peakRSS(emu.PID()); err != nil {
		return run, err
	}
	if name == nameOurs {
		got := f.calls().minus(before)
		if got != (calls{secretReads: 1, tokens: 1, cancels: 2}) {
			return run, fmt.Errorf("two cancels made %+v upstream calls; want 1 secret read, "+
				"1 token and 2 cancels", got)
		}
	}
	return run, nil
}

// timedRequest invokes one request and returns how long the emulator took to answer.
func timedRequest(ctx context.Context, emu *emulator.Emulator, f *fakes,
	name string) (time.Duration, error) {
	event := []byte(`{}`)
	if name == nameOurs {
		var err error
		if event, err = f.cancelEvent(); err != nil {
			return 0, err
		}
	}

	start := time.Now()
	out, err := emu.Invoke(ctx, event)
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%w\n%s", err, emu.Logs())
	}
	if name == nameOurs {
		if err := checkCancelAnswer(out); err != nil {
			return 0, err
		}
	}
	return took, nil
}

// peakRSS reads VmHWM, the peak resident set size, of process pid from /proc.
func peakRSS(pid int) (int64, error) {
	if pid == 0 {
		return 0, errors.New("peak memory: the bootstrap process was not found")
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	for line := range strings.Lines(string(status)) {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("peak memory: VmHWM %q: %w", rest, err)
		}
		return kb << 10, nil
	}
	return 0, errors.New("peak memory: no VmHWM in /proc status")
}
