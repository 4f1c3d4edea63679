package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// Targets, from the issue that asked for these figures.
const (
	targetInitVsFloor  = 1.10
	targetHandlerRatio = 2.0
	targetSizeVsHello  = 1.80
	targetPeakRSS      = 20_000_000
)

// results are all the figures of one run.
type results struct {
	machine  string
	cold     coldResults
	warm     warmRun
	modes    []modeRun
	variants []variantResult
	handler  handlerBench
	elapsed  time.Duration
}

// describeMachine names the CPU model, the core count and the Go version.
func describeMachine() string {
	model := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(info)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s %s/%s", model, runtime.NumCPU(), runtime.Version(),
		runtime.GOOS, runtime.GOARCH)
}

// printTable writes the figures as Markdown: the main table, then what each module adds and
// the packages whose init dominates the floor.
func printTable(w io.Writer, r results) {
	fmt.Fprintf(w, "Machine: %s. Timings on this machine; sizes for linux/arm64. ", r.machine)
	fmt.Fprintf(w, "Run took %s.\n\n", r.elapsed.Round(time.Second))
	fmt.Fprintln(w, "| # | figure | ours | floor | hello | ratio | target | met |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	initRows(w, r)
	requestRows(w, r)
	callRows(w, r)
	handlerRows(w, r)
	sizeRows(w, r)
	memoryRows(w, r)

	fmt.Fprintln(w)
	variantTable(w, r)
	fmt.Fprintln(w)
	floorPackages(w, r)
}

func row(w io.Writer, num, figure, ours, floor, hello, ratio, target, met string) {
	fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
		num, figure, ours, floor, hello, ratio, target, met)
}

func initRows(w io.Writer, r results) {
	inits := func(name string) []time.Duration {
		var ds []time.Duration
		for _, run := range r.cold[name] {
			ds = append(ds, run.init)
		}
		return ds
	}
	ours, floor, hello := inits(nameOurs), inits(nameFloor), inits(nameHello)
	vsFloor := median(ratios(ours, floor))
	row(w, "1", fmt.Sprintf("init, INIT REPORT, median of %d fresh starts", len(ours)),
		ms(median(ours)), ms(median(floor)), ms(median(hello)),
		fmt.Sprintf("ours/floor %.2fx, ours/hello %.2fx, floor/hello %.2fx "+
			"(medians of per-round ratios)", vsFloor, median(ratios(ours, hello)),
			median(ratios(floor, hello))),
		fmt.Sprintf("ours ≤ %.2fx floor", targetInitVsFloor), met(vsFloor <= targetInitVsFloor))

	trace := map[string]time.Duration{}
	for _, v := range r.variants {
		trace[v.name] = v.trace.total
	}
	row(w, "1b", "package init alone, GODEBUG=inittrace=1 sum, median",
		ms(trace[nameOurs]), ms(trace[nameFloor]), ms(trace[nameHello]),
		fmt.Sprintf("ours/floor %.2fx, floor/hello %.2fx",
			ratio(trace[nameOurs], trace[nameFloor]), ratio(trace[nameFloor], trace[nameHello])),
		"", "")
}

func requestRows(w io.Writer, r results) {
	firsts := func(name string) []time.Duration {
		var ds []time.Duration
		for _, run := range r.cold[name] {
			ds = append(ds, run.first)
		}
		return ds
	}
	var seconds []time.Duration
	for _, run := range r.cold[nameOurs] {
		seconds = append(seconds, run.second)
	}
	row(w, "2", "first request after a cold start (ours: secret read + token + cancel; "+
		"incl. process start and init)", ms(median(firsts(nameOurs))),
		ms(median(firsts(nameFloor))), ms(median(firsts(nameHello))),
		fmt.Sprintf("ours/hello %.2fx", median(ratios(firsts(nameOurs), firsts(nameHello)))),
		"", "")
	row(w, "2b", fmt.Sprintf("warm request (cancel), median of the %d after the first "+
		"in the warm run; p99", len(r.warm.latencies)),
		fmt.Sprintf("%s; p99 %s", ms(median(r.warm.latencies)),
			ms(percentile(r.warm.latencies, 99))), "", "",
		fmt.Sprintf("second request after each cold start: %s", ms(median(seconds))), "", "")
}

func callRows(w io.Writer, r results) {
	c := r.warm.calls
	perCancel := float64(c.secretReads+c.tokens+c.cancels+c.gets) / float64(r.warm.requests)
	row(w, "3", fmt.Sprintf("upstream calls over %d cancels in one environment, sync mode "+
		"(secret reads, tokens, cancels, gets)", r.warm.requests),
		fmt.Sprintf("%d, %d, %d, %d", c.secretReads, c.tokens, c.cancels, c.gets), "", "",
		fmt.Sprintf("%.3f calls per cancel", perCancel),
		fmt.Sprintf("1, 1, %d, 0", r.warm.requests),
		met(c == calls{secretReads: 1, tokens: 1, cancels: r.warm.requests}))
	for i, m := range r.modes {
		c := m.calls
		row(w, fmt.Sprintf("3%c", 'b'+i), fmt.Sprintf("upstream calls over %d cancels, %s "+
			"(secret reads, tokens, cancels, gets, Lambda hand-offs, chat follow-ups)",
			m.cancels, m.name),
			fmt.Sprintf("%d, %d, %d, %d, %d, %d", c.secretReads, c.tokens, c.cancels, c.gets,
				m.handOffs, m.followUps), "", "",
			fmt.Sprintf("%.3f calls per cancel", m.perCancel()), "", "")
	}
}

func handlerRows(w io.Writer, r results) {
	h, b := r.handler.handler, r.handler.bare
	rt := r.handler.ratio
	row(w, "4", "one request through handler.Invoke vs a bare POST to the same simulator "+
		"with the same client",
		fmt.Sprintf("%.0f ns/op, %.0f allocs/op, %.0f B/op", h.nsPerOp, h.allocsPerOp,
			h.bytesPerOp), "",
		fmt.Sprintf("bare POST: %.0f ns/op, %.0f allocs/op, %.0f B/op", b.nsPerOp,
			b.allocsPerOp, b.bytesPerOp),
		fmt.Sprintf("%.2fx time (median of per-pair ratios), %.2fx allocs", rt,
			h.allocsPerOp/b.allocsPerOp),
		fmt.Sprintf("≤ %.1fx", targetHandlerRatio), met(rt <= targetHandlerRatio))
}

func sizeRows(w io.Writer, r results) {
	size := map[string]int64{}
	for _, v := range r.variants {
		size[v.name] = v.size
	}
	vsHello := float64(size[nameOurs]) / float64(size[nameHello])
	row(w, "5", "binary size, linux/arm64, -tags lambda.norpc -trimpath -s -w",
		mb(size[nameOurs]), mb(size[nameFloor]), mb(size[nameHello]),
		fmt.Sprintf("ours/hello %.2fx, floor/hello %.2fx", vsHello,
			float64(size[nameFloor])/float64(size[nameHello])),
		fmt.Sprintf("ours ≤ %.2fx hello", targetSizeVsHello), met(vsHello <= targetSizeVsHello))
}

func memoryRows(w io.Writer, r results) {
	hwm := func(name string) int64 {
		var xs []int64
		for _, run := range r.cold[name] {
			xs = append(xs, run.hwm)
		}
		return median(xs)
	}
	row(w, "6", fmt.Sprintf("peak RSS (VmHWM) of the bootstrap: ours after %d requests; "+
		"floor and hello after 2", r.warm.requests),
		mb(r.warm.hwm), mb(hwm(nameFloor)), mb(hwm(nameHello)),
		fmt.Sprintf("ours after 2 requests: %s", mb(hwm(nameOurs))),
		"≤ 20 MB", met(r.warm.hwm <= targetPeakRSS))
}

// variantTable shows what each module adds on its own to the hello world, and what leaving
// it out saves from the floor (modules share dependencies, so the two differ).
func variantTable(w io.Writer, r results) {
	byName := map[string]variantResult{}
	for _, v := range r.variants {
		byName[v.name] = v
	}
	hello, floor := byName[nameHello], byName[nameFloor]
	fmt.Fprintln(w, "| module | adds to hello: size | adds to hello: package init "+
		"| floor without it: size | floor without it: package init |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, m := range floorModules {
		alone, without := byName["hello + "+m.name], byName["floor - "+m.name]
		fmt.Fprintf(w, "| %s | %+d kB | %+.2f ms | %s (%+d kB) | %s (%+.2f ms) |\n", m.name,
			(alone.size-hello.size)/1000, msf(alone.trace.total-hello.trace.total),
			mb(without.size), (without.size-floor.size)/1000,
			ms(without.trace.total), msf(without.trace.total-floor.trace.total))
	}
}

// floorPackages lists the packages whose init costs the floor most.
func floorPackages(w io.Writer, r results) {
	for _, v := range r.variants {
		if v.name != nameFloor {
			continue
		}
		var parts []string
		for _, p := range v.trace.topPackages(8) {
			parts = append(parts, fmt.Sprintf("%s %s", p, ms(v.trace.packages[p])))
		}
		fmt.Fprintf(w, "Floor package init, longest first (of %s in total): %s.\n\n",
			ms(v.trace.total), strings.Join(parts, ", "))
	}
}

// ratios returns a[i]/b[i] for each round both have.
func ratios(a, b []time.Duration) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		out = append(out, ratio(a[i], b[i]))
	}
	return out
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func msf(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

func mb(n int64) string {
	return fmt.Sprintf("%.2f MB", float64(n)/1e6)
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
