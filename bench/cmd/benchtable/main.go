// Command benchtable measures the function's speed and cost and prints every figure in one
// table, side by side with a hello-world aws-lambda-go function and the floor (the hello
// world with the product's required modules linked in; see bench/floor):
//
//   - init time under the Lambda Runtime Interface Emulator, from its INIT REPORT line, over
//     fresh starts in rotating order;
//   - the first request after a cold start and warm requests, against loopback fakes of
//     Secrets Manager and SailPoint;
//   - the upstream calls made by a run of warm cancels, and the bootstrap's peak memory;
//   - the handler's own overhead, from the Go benchmarks in internal/handler;
//   - the arm64 binary size, and what each required module adds to size and package init.
//
// Everything runs on loopback; nothing reaches AWS or SailPoint. Run it from the module
// root (make bench); progress goes to standard error, the table to standard output.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
)

// options are the command-line settings.
type options struct {
	rounds    int
	requests  int
	modeRuns  int
	traces    int
	benchtime string
	count     int
}

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 15, "cold starts of each bootstrap, in rotating order")
	flag.IntVar(&o.requests, "requests", 1000, "cancels sent to one warm bootstrap")
	flag.IntVar(&o.modeRuns, "mode-requests", 200,
		"cancels sent with the workflow allow-list set, and in deferred mode")
	flag.IntVar(&o.traces, "traces", 5, "GODEBUG=inittrace=1 runs of each build variant")
	flag.StringVar(&o.benchtime, "benchtime", "1s", "-benchtime of the handler benchmarks")
	flag.IntVar(&o.count, "count", 5, "pairs of handler benchmark runs, alternating")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// run builds what it measures in a temporary directory, measures, and prints the table.
func run(ctx context.Context, o options) error {
	if o.rounds < 1 || o.requests < 2 || o.modeRuns < 1 || o.traces < 1 || o.count < 1 {
		return fmt.Errorf("rounds, mode-requests, traces and count must be at least 1, " +
			"requests at least 2")
	}
	dir, err := os.MkdirTemp("", "benchtable-")
	if err != nil {
		return fmt.Errorf("make build directory: %w", err)
	}
	defer os.RemoveAll(dir)
	start := time.Now()

	progress("building the emulator and the three bootstraps")
	bins, err := buildBootstraps(ctx, dir)
	if err != nil {
		return err
	}
	f, err := startFakes()
	if err != nil {
		return err
	}
	defer f.close()

	var r results
	r.machine = describeMachine()
	progress("cold starts: %d rounds of ours, floor and hello", o.rounds)
	if r.cold, err = measureColdStarts(ctx, bins, f, o.rounds); err != nil {
		return err
	}
	progress("warm run: %d cancels through one bootstrap", o.requests)
	if r.warm, err = measureWarmRun(ctx, bins, f, o.requests); err != nil {
		return err
	}
	progress("upstream calls: %d cancels with the allow-list, %d deferred", o.modeRuns,
		o.modeRuns)
	if r.modes, err = measureModes(ctx, dir, bins, f, o.modeRuns); err != nil {
		return err
	}
	progress("build variants: arm64 sizes and package init traces")
	if r.variants, err = measureVariants(ctx, dir, o.traces); err != nil {
		return err
	}
	progress("handler benchmarks: %d alternating pairs", o.count)
	if r.handler, err = runHandlerBenchmarks(ctx, dir, o.benchtime, o.count); err != nil {
		return err
	}
	r.elapsed = time.Since(start)

	printTable(os.Stdout, r)
	return nil
}

// bootstraps are the host binaries run under the emulator.
type bootstraps struct {
	rie   string
	paths map[string]string // bootstrap name -> path
}

// Names of the three bootstraps, in the order the first round starts them.
const (
	nameOurs  = "ours"
	nameFloor = "floor"
	nameHello = "hello"
)

var bootstrapNames = []string{nameOurs, nameFloor, nameHello}

// bootstrapPackages maps each bootstrap to its main package.
var bootstrapPackages = map[string]string{
	nameOurs:  "./cmd/lambda",
	nameFloor: "./bench/floor",
	nameHello: "./bench/hello",
}

// buildBootstraps builds the emulator and the three bootstraps for this machine.
func buildBootstraps(ctx context.Context, dir string) (bootstraps, error) {
	b := bootstraps{paths: map[string]string{}}
	var err error
	if b.rie, err = emulator.BuildRIE(ctx, dir); err != nil {
		return b, err
	}
	for _, name := range bootstrapNames {
		sub := dir + "/" + name
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return b, fmt.Errorf("make build directory: %w", err)
		}
		if b.paths[name], err = emulator.Build(ctx, bootstrapPackages[name], sub); err != nil {
			return b, err
		}
	}
	return b, nil
}

// progress tells the person waiting what is being measured.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...)
}
