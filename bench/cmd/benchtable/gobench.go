package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Benchmarks in internal/handler/bench_test.go: one full request through the handler, and one
// bare POST of a cancel to the same simulator with the same HTTP client.
const (
	benchHandler = "BenchmarkHandlerCancel"
	benchBare    = "BenchmarkBareCancelPOST"
)

// benchFigure is the median ns/op and allocs/op of one benchmark over its -count runs.
type benchFigure struct {
	nsPerOp     float64
	allocsPerOp float64
	bytesPerOp  float64
}

// handlerBench holds both benchmarks.
type handlerBench struct {
	handler, bare benchFigure
}

// benchLine matches "BenchmarkX-2   123   4567 ns/op   890 B/op   12 allocs/op".
var benchLine = regexp.MustCompile(
	`^(Benchmark\w+)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op\s+([0-9.]+) B/op\s+([0-9.]+) allocs/op`)

// runHandlerBenchmarks runs the two handler benchmarks with go test and reads their medians.
func runHandlerBenchmarks(ctx context.Context, benchtime string, count int) (handlerBench,
	error) {
	goBin, err := goTool()
	if err != nil {
		return handlerBench{}, err
	}
	cmd := exec.CommandContext(ctx, goBin, "test", "-run", "^$",
		"-bench", "^("+benchHandler+"|"+benchBare+")$", "-benchmem",
		"-benchtime", benchtime, "-count", strconv.Itoa(count), "./internal/handler")
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return handlerBench{}, fmt.Errorf("go test -bench: %w\n%s", err, out)
	}

	runs := map[string][][3]float64{}
	for line := range strings.Lines(string(out)) {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var v [3]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(m[i+2], 64)
		}
		runs[m[1]] = append(runs[m[1]], v)
	}
	var hb handlerBench
	for name, fig := range map[string]*benchFigure{benchHandler: &hb.handler, benchBare: &hb.bare} {
		if len(runs[name]) == 0 {
			return hb, fmt.Errorf("go test -bench printed no result for %s:\n%s", name, out)
		}
		var ns, bytes, allocs []float64
		for _, v := range runs[name] {
			ns, bytes, allocs = append(ns, v[0]), append(bytes, v[1]), append(allocs, v[2])
		}
		*fig = benchFigure{nsPerOp: median(ns), bytesPerOp: median(bytes),
			allocsPerOp: median(allocs)}
	}
	return hb, nil
}
