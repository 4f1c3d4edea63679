// Command load drives the handler with signed requests from a second process and reports
// what it cost: it starts itself with -serve (the handler behind a loopback HTTP server,
// wired to a fake Secrets Manager and the SailPoint simulator), sends a bounded number of
// signed Slack and Standard Webhooks status requests at a fixed concurrency, twice, and
// prints requests, errors, latency percentiles, token fetches, secret reads, and goroutines
// and heap before and after each round.
//
// It exits non-zero when a request failed, when more than one token fetch or secret read
// was made, or when the second round left more goroutines or heap than the first: the
// figures of a handler that shares one fetch among concurrent first requests and leaks
// nothing.
//
// Usage:
//
//	go run ./cmd/load [-n 2000] [-c 50]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

func main() {
	serveMode := flag.Bool("serve", false, "run the server side (started by the generator)")
	n := flag.Int("n", 2000, "requests per round")
	c := flag.Int("c", 50, "concurrent requests")
	flag.Parse()

	var err error
	if *serveMode {
		err = serve()
	} else {
		err = generate(*n, *c, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// Growth allowed between the two rounds: a few goroutines for connections the HTTP
// transports keep, and a little heap for what the GC has not returned.
const (
	goroutineSlack = 8
	heapSlack      = 2 << 20
)

// generate starts the server process, runs two rounds against it and prints the figures.
func generate(n, c int, out io.Writer) error {
	base, stop, err := startServer()
	if err != nil {
		return err
	}
	defer stop()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c},
		Timeout: 30 * time.Second}
	before, err := fetchReport(client, base)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "load: %d requests per round at concurrency %d on %s\n", n, c, base)
	fmt.Fprintf(out, "before:  %s\n", before)

	var reports []report
	failed := false
	for round := 1; round <= 2; round++ {
		res := runRound(client, base, n, c, (round-1)*n)
		client.CloseIdleConnections()
		after, err := settledReport(client, base, before.Goroutines)
		if err != nil {
			return err
		}
		reports = append(reports, after)
		fmt.Fprintf(out, "round %d: %s\n", round, res)
		fmt.Fprintf(out, "after %d: %s\n", round, after)
		failed = failed || res.errors > 0
	}

	last := reports[len(reports)-1]
	var problems []string
	if failed {
		problems = append(problems, "requests failed")
	}
	if last.TokenFetches != 1 {
		problems = append(problems, fmt.Sprintf("%d token fetches, want 1", last.TokenFetches))
	}
	if last.SecretReads != 1 {
		problems = append(problems, fmt.Sprintf("%d secret reads, want 1", last.SecretReads))
	}
	if last.Goroutines > reports[0].Goroutines+goroutineSlack {
		problems = append(problems, fmt.Sprintf("goroutines grew from %d to %d",
			reports[0].Goroutines, last.Goroutines))
	}
	if last.HeapBytes > reports[0].HeapBytes+heapSlack {
		problems = append(problems, fmt.Sprintf("heap grew from %s to %s",
			mib(reports[0].HeapBytes), mib(last.HeapBytes)))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Fprintln(out, "ok: 0 errors, 1 token fetch, 1 secret read, no goroutine or heap growth")
	return nil
}

// startServer runs this program with -serve and returns its URL and a function that stops
// it by closing its stdin and waiting for it.
func startServer() (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-serve")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start server: %w", err)
	}
	stop := func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		stop()
		return "", nil, fmt.Errorf("server did not start: %q", line)
	}
	return base, stop, nil
}

// roundResult is what one round measured.
type roundResult struct {
	requests, errors int
	p50, p99, max    time.Duration
	elapsed          time.Duration
}

func (r roundResult) String() string {
	return fmt.Sprintf("%d requests, %d errors, p50 %v, p99 %v, max %v, %.0f req/s",
		r.requests, r.errors, r.p50.Round(10*time.Microsecond),
		r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond),
		float64(r.requests)/r.elapsed.Seconds())
}

// runRound sends n signed requests, numbered from first, with c in flight at a time.
func runRound(client *http.Client, base string, n, c, first int) roundResult {
	latencies := make([]time.Duration, n)
	var errs atomic.Int64
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := send(client, base, first+i); err != nil {
					if errs.Add(1) <= 3 {
						fmt.Fprintln(os.Stderr, "load:", err)
					}
				}
				latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(n-1))] }
	return roundResult{requests: n, errors: int(errs.Load()), p50: pct(0.50), p99: pct(0.99),
		max: latencies[n-1], elapsed: elapsed}
}

// send makes the i-th request: a status read, on /slack for even i and /webhook for odd i,
// each with a distinct body so that none is answered from the replay memory.
func send(client *http.Client, base string, i int) error {
	id := executionID(i)
	route, scheme, key := "/webhook", webhook.SchemeStandardWebhooks, webhookSecret
	body := []byte(fmt.Sprintf(`{"executionId":%q,"action":"status","seq":%d}`, id, i))
	if i%2 == 0 {
		route, scheme, key = "/slack", webhook.SchemeSlack, slackSecret
		body = []byte("command=%2Fwfcancel&trigger_id=" + fmt.Sprint(i) + "&text=" +
			url.QueryEscape("status "+id))
	}
	headers, err := webhook.Sign(scheme, key, body, time.Now())
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, base+route, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte("Running")) {
		return fmt.Errorf("request %d on %s: status %d: %.200s", i, route, resp.StatusCode,
			answer)
	}
	return nil
}

func fetchReport(client *http.Client, base string) (report, error) {
	var r report
	resp, err := client.Get(base + "/_report")
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return r, fmt.Errorf("read report: %w", err)
	}
	return r, nil
}

// settledReport fetches the report until the goroutines of closed connections have ended
// (at most about two seconds), so that the count reflects what the handler keeps.
func settledReport(client *http.Client, base string, floor int) (report, error) {
	var r report
	var err error
	for range 20 {
		r, err = fetchReport(client, base)
		client.CloseIdleConnections()
		if err != nil || r.Goroutines <= floor+goroutineSlack {
			return r, err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return r, err
}

func (r report) String() string {
	return fmt.Sprintf("secret reads %d, token fetches %d, cancels %d, gets %d, "+
		"goroutines %d, heap %s", r.SecretReads, r.TokenFetches, r.Cancels, r.Gets,
		r.Goroutines, mib(r.HeapBytes))
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
