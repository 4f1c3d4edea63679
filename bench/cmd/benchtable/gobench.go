package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// Benchmarks in internal/handler/bench_test.go: one full request through the handler, and one
// bare POST of a cancel to the same simulator with the same HTTP client.
const (
	benchHandler = "BenchmarkHandlerCancel"
	benchBare    = "BenchmarkBareCancelPOST"
)

// benchFigure is one benchmark result.
type benchFigure struct {
	nsPerOp     float64
	allocsPerOp float64
	bytesPerOp  float64
}

// handlerBench holds the medians of both benchmarks and the median of the per-pair ratios.
type handlerBench struct {
	handler, bare benchFigure
	ratio         float64
}

// benchLine matches "BenchmarkX-2   123   4567 ns/op   890 B/op   12 allocs/op".
var benchLine = regexp.MustCompile(
	`(?m)^(Benchmark\w+)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op\s+([0-9.]+) B/op\s+([0-9.]+) allocs/op`)

// runHandlerBenchmarks compiles the handler's test binary once and runs the two benchmarks
// alternately, count pairs, so that a change in the machine's load touches both alike.
func runHandlerBenchmarks(ctx context.Context, dir, benchtime string,
	count int) (handlerBench, error) {
	goBin, err := goTool()
	if err != nil {
		return handlerBench{}, err
	}
	bin := filepath.Join(dir, "handler.test")
	build := exec.CommandContext(ctx, goBin, "test", "-c", "-o", bin, "./internal/handler")
	if msg, err := build.CombinedOutput(); err != nil {
		return handlerBench{}, fmt.Errorf("go test -c ./internal/handler: %w\n%s", err, msg)
	}

	var handler, bare []benchFigure
	var ratios []float64
	for range count {
		h, err := runBenchmark(ctx, bin, benchHandler, benchtime)
		if err != nil {
			return handlerBench{}, err
		}
		b, err := runBenchmark(ctx, bin, benchBare, benchtime)
		if err != nil {
			return handlerBench{}, err
		}
		handler, bare = append(handler, h), append(bare, b)
		ratios = append(ratios, h.nsPerOp/b.nsPerOp)
	}
	return handlerBench{handler: medianFigure(handler), bare: medianFigure(bare),
		ratio: median(ratios)}, nil
}

// runBenchmark runs one benchmark of the test binary bin once and reads its result.
func runBenchmark(ctx context.Context, bin, name, benchtime string) (benchFigure, error) {
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.bench", "^"+name+"$",
		"-test.benchmem", "-test.benchtime", benchtime)
	cmd.Dir = filepath.Join(mustGetwd(), "internal", "handler")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return benchFigure{}, fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	m := benchLine.FindSubmatch(out)
	if m == nil || string(m[1]) != name {
		return benchFigure{}, fmt.Errorf("%s printed no result:\n%s", name, out)
	}
	var v [3]float64
	for i := range v {
		v[i], _ = strconv.ParseFloat(string(m[i+2]), 64)
	}
	return benchFigure{nsPerOp: v[0], bytesPerOp: v[1], allocsPerOp: v[2]}, nil
}

// medianFigure takes the median of each measure separately.
func medianFigure(fs []benchFigure) benchFigure {
	var ns, bytes, allocs []float64
	for _, f := range fs {
		ns, bytes, allocs = append(ns, f.nsPerOp), append(bytes, f.bytesPerOp),
			append(allocs, f.allocsPerOp)
	}
	return benchFigure{nsPerOp: median(ns), bytesPerOp: median(bytes),
		allocsPerOp: median(allocs)}
}

// mustGetwd returns the working directory, the module root under make bench.
func mustGetwd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}
