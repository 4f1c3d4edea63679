package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// variant is one build measured for size and package init: a bootstrap, or the floor with
// some modules left out by its build tags.
type variant struct {
	name string
	pkg  string
	tags []string
}

// floorModules are the floor's modules with the tag that leaves each out.
var floorModules = []struct{ name, tag string }{
	{"config", "bench.noconfig"},
	{"secretsmanager", "bench.nosecretsmanager"},
	{"service/lambda", "bench.nolambda"},
	{"x/oauth2", "bench.nooauth2"},
}

// variants lists the builds: ours, the floor and hello; hello plus each module alone; and the
// floor without each module.
func variants() []variant {
	vs := []variant{
		{name: nameOurs, pkg: bootstrapPackages[nameOurs]},
		{name: nameFloor, pkg: bootstrapPackages[nameFloor]},
		{name: nameHello, pkg: bootstrapPackages[nameHello]},
	}
	for _, m := range floorModules {
		var others []string
		for _, o := range floorModules {
			if o != m {
				others = append(others, o.tag)
			}
		}
		vs = append(vs, variant{name: "hello + " + m.name, pkg: "./bench/floor", tags: others})
	}
	for _, m := range floorModules {
		vs = append(vs, variant{name: "floor - " + m.name, pkg: "./bench/floor",
			tags: []string{m.tag}})
	}
	return vs
}

// variantResult is one variant's arm64 release size and its package init on this machine.
type variantResult struct {
	variant
	size  int64
	trace initTrace
}

// measureVariants builds every variant twice, for linux/arm64 with the release flags (size)
// and for this machine (init trace), and runs the latter traces times.
func measureVariants(ctx context.Context, dir string, traces int) ([]variantResult, error) {
	var out []variantResult
	for i, v := range variants() {
		sub := filepath.Join(dir, "variants", strconv.Itoa(i))
		arm, err := buildVariant(ctx, v, filepath.Join(sub, "arm64"), "linux", "arm64")
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(arm)
		if err != nil {
			return nil, fmt.Errorf("size of %s: %w", v.name, err)
		}
		host, err := buildVariant(ctx, v, filepath.Join(sub, "host"), "", "")
		if err != nil {
			return nil, err
		}
		trace, err := traceInit(ctx, host, traces)
		if err != nil {
			return nil, fmt.Errorf("init trace of %s: %w", v.name, err)
		}
		out = append(out, variantResult{variant: v, size: info.Size(), trace: trace})
	}
	return out, nil
}

// buildVariant builds v as the deployed bootstrap is built (make build-arm64): static,
// without the RPC entry point, trimmed paths, no symbol table or DWARF. Empty goos and goarch
// mean this machine.
func buildVariant(ctx context.Context, v variant, out, goos, goarch string) (string, error) {
	goBin, err := goTool()
	if err != nil {
		return "", err
	}
	tags := strings.Join(append([]string{"lambda.norpc"}, v.tags...), ",")
	cmd := exec.CommandContext(ctx, goBin, "build", "-tags", tags, "-trimpath",
		"-ldflags", "-s -w", "-o", out, v.pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if goos != "" {
		cmd.Env = append(cmd.Env, "GOOS="+goos, "GOARCH="+goarch)
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", v.name, err, msg)
	}
	return out, nil
}

// goTool finds the go command as the emulator package does: $GOROOT/bin, then PATH.
func goTool() (string, error) {
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("find the go command: %w", err)
	}
	return p, nil
}

// initTrace is the package initialisation of one binary, as GODEBUG=inittrace=1 reports it:
// the median over several runs of the total wall-clock time, and of each package's.
type initTrace struct {
	total    time.Duration
	packages map[string]time.Duration
}

// inittraceLine matches "init net/http @1.2 ms, 0.35 ms clock, 1234 bytes, 12 allocs".
var inittraceLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock`)

// traceInit runs bin directly, outside the emulator, with GODEBUG=inittrace=1. Package init
// runs before main, so the trace is complete even though main then stops for want of a
// Lambda runtime API to talk to.
func traceInit(ctx context.Context, bin string, runs int) (initTrace, error) {
	totals := make([]time.Duration, 0, runs)
	perPackage := map[string][]time.Duration{}
	for range runs {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cmd := exec.CommandContext(ctx, bin)
		cmd.Env = []string{"GODEBUG=inittrace=1", "PATH=/usr/bin:/bin"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run() // exits non-zero without AWS_LAMBDA_RUNTIME_API
		cancel()

		var total time.Duration
		for line := range strings.Lines(stderr.String()) {
			m := inittraceLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			ms, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				continue
			}
			d := time.Duration(ms * float64(time.Millisecond))
			total += d
			perPackage[m[1]] = append(perPackage[m[1]], d)
		}
		if total == 0 {
			return initTrace{}, fmt.Errorf("no inittrace lines in:\n%.2000s", stderr.String())
		}
		totals = append(totals, total)
	}

	t := initTrace{total: median(totals), packages: map[string]time.Duration{}}
	for pkg, ds := range perPackage {
		t.packages[pkg] = median(ds)
	}
	return t, nil
}

// topPackages returns the n packages with the longest init, longest first.
func (t initTrace) topPackages(n int) []string {
	pkgs := make([]string, 0, len(t.packages))
	for p := range t.packages {
		pkgs = append(pkgs, p)
	}
	slices.SortFunc(pkgs, func(a, b string) int {
		if c := t.packages[b] - t.packages[a]; c != 0 {
			return int(c)
		}
		return strings.Compare(a, b)
	})
	return pkgs[:min(n, len(pkgs))]
}
