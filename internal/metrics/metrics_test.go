package metrics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// line is one EMF document as CloudWatch reads it.
type line struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
	Members map[string]any `json:"-"`
}

// parse reads every line of out as an EMF document and checks the rules CloudWatch applies:
// one directive, every dimension and metric present as a root member.
func parse(t *testing.T, out string) []line {
	t.Helper()
	var lines []line
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		if err := json.Unmarshal(sc.Bytes(), &l.Members); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if len(l.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("line %q: want one metric directive", sc.Text())
		}
		d := l.AWS.CloudWatchMetrics[0]
		for _, set := range d.Dimensions {
			for _, name := range set {
				if _, ok := l.Members[name].(string); !ok {
					t.Errorf("line %q: dimension %s is not a string member", sc.Text(), name)
				}
			}
		}
		for _, m := range d.Metrics {
			if _, ok := l.Members[m.Name].(float64); !ok {
				t.Errorf("line %q: metric %s is not a number member", sc.Text(), m.Name)
			}
		}
		lines = append(lines, l)
	}
	return lines
}

// summary is a line reduced to what a test compares: "Name Unit dim=value ... = value".
func summary(l line) string {
	d := l.AWS.CloudWatchMetrics[0]
	m := d.Metrics[0]
	parts := []string{m.Name, m.Unit}
	for _, name := range d.Dimensions[0] {
		parts = append(parts, name+"="+l.Members[name].(string))
	}
	v, _ := json.Marshal(l.Members[m.Name])
	return strings.Join(parts, " ") + " = " + string(v)
}

func fixedClock() time.Time { return time.UnixMilli(1_700_000_000_123) }

func TestRecord(t *testing.T) {
	rows := []struct {
		name string
		req  Request
		want []string
	}{
		{
			name: "a cancel counts the request, the SailPoint answer and its latency",
			req: Request{Route: "slack", Outcome: "cancel_requested",
				SailPointStatus: StatusSuccess, Upstream: 1500 * time.Microsecond},
			want: []string{
				"Requests Count Route=slack Outcome=cancel_requested = 1",
				"SailPointResponses Count Status=2xx = 1",
				"UpstreamLatency Milliseconds Route=slack = 1.5",
			},
		},
		{
			name: "a refused signature counts a rejection and no SailPoint call",
			req: Request{Route: "webhook", Outcome: "invalid_signature",
				SignatureRejected: true},
			want: []string{
				"Requests Count Route=webhook Outcome=invalid_signature = 1",
				"SignatureRejections Count Route=webhook = 1",
			},
		},
		{
			name: "an unmatched request is counted under a fixed route name",
			req:  Request{Outcome: "unknown_route"},
			want: []string{"Requests Count Route=unmatched Outcome=unknown_route = 1"},
		},
		{
			name: "an upstream status names the dimension value",
			req: Request{Route: "slack", Outcome: "not_found", SailPointStatus: "404",
				Upstream: 40 * time.Millisecond},
			want: []string{
				"Requests Count Route=slack Outcome=not_found = 1",
				"SailPointResponses Count Status=404 = 1",
				"UpstreamLatency Milliseconds Route=slack = 40",
			},
		},
		{
			name: "a negative latency from a stepped clock is recorded as zero",
			req: Request{Route: "slack", Outcome: "upstream_timeout",
				SailPointStatus: StatusNoResponse, Upstream: -time.Second},
			want: []string{
				"Requests Count Route=slack Outcome=upstream_timeout = 1",
				"SailPointResponses Count Status=none = 1",
				"UpstreamLatency Milliseconds Route=slack = 0",
			},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			var out bytes.Buffer
			r := New(&out, "Test/Cancel", fixedClock)
			r.served.Store(true) // the cold start has its own test

			r.Record(row.req)

			var got []string
			for _, l := range parse(t, out.String()) {
				if l.AWS.Timestamp != 1_700_000_000_123 {
					t.Errorf("Timestamp %d", l.AWS.Timestamp)
				}
				if ns := l.AWS.CloudWatchMetrics[0].Namespace; ns != "Test/Cancel" {
					t.Errorf("Namespace %q", ns)
				}
				got = append(got, summary(l))
			}
			if !reflect.DeepEqual(got, row.want) {
				t.Errorf("lines:\n got %q\nwant %q", got, row.want)
			}
		})
	}
}

func TestColdStartIsRecordedOnceWithNoDimension(t *testing.T) {
	var out bytes.Buffer
	r := New(&out, "", fixedClock)

	r.Record(Request{Route: "slack", Outcome: "help"})
	r.Record(Request{Route: "slack", Outcome: "help"})

	var cold []line
	for _, l := range parse(t, out.String()) {
		if l.AWS.CloudWatchMetrics[0].Metrics[0].Name == "ColdStart" {
			cold = append(cold, l)
		}
	}
	if len(cold) != 1 {
		t.Fatalf("%d ColdStart lines, want 1:\n%s", len(cold), out.String())
	}
	if got := summary(cold[0]); got != "ColdStart Count = 1" {
		t.Errorf("ColdStart line %q", got)
	}
	if ns := cold[0].AWS.CloudWatchMetrics[0].Namespace; ns != DefaultNamespace {
		t.Errorf("empty namespace gave %q, want %q", ns, DefaultNamespace)
	}
}

func TestValuesCannotBreakTheLine(t *testing.T) {
	var out bytes.Buffer
	r := New(&out, `Name"space\`, fixedClock)
	r.served.Store(true)

	r.Record(Request{Route: "a\"b\nc\x00\xff", Outcome: "é"})

	lines := parse(t, out.String())
	if len(lines) != 1 {
		t.Fatalf("%d lines from one request:\n%s", len(lines), out.String())
	}
	if got := lines[0].Members["Route"]; got != "a\"b\nc\x00\uFFFD" {
		t.Errorf("Route %q", got)
	}
	if got := lines[0].AWS.CloudWatchMetrics[0].Namespace; got != `Name"space\` {
		t.Errorf("Namespace %q", got)
	}
}

type failingWriter struct{ calls int }

func (w *failingWriter) Write([]byte) (int, error) {
	w.calls++
	return 0, errors.New("stdout closed")
}

func TestAWriteErrorIsDropped(t *testing.T) {
	w := &failingWriter{}
	r := New(w, "", fixedClock)

	r.Record(Request{Route: "slack", Outcome: "help"})
	r.Record(Request{Route: "slack", Outcome: "help"})

	if w.calls != 3 {
		t.Errorf("%d writes, want 3 (cold start and two requests)", w.calls)
	}
}

func TestNilRecorderRecordsNothing(t *testing.T) {
	var r *Recorder
	r.Record(Request{Route: "slack"})
}

// lineWriter checks that every Write is whole lines, as concurrent writers must not interleave.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	bad int
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) == 0 || p[len(p)-1] != '\n' || bytes.Count(p, []byte("\n")) != 1 {
		w.bad++
	}
	return w.buf.Write(p)
}

func TestConcurrentRecordsWriteWholeLines(t *testing.T) {
	w := &lineWriter{}
	r := New(w, "", fixedClock)

	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				r.Record(Request{Route: "webhook", Outcome: "cancel_requested",
					SailPointStatus: "202", Upstream: time.Millisecond})
			}
		})
	}
	wg.Wait()

	if w.bad != 0 {
		t.Errorf("%d writes were not exactly one line", w.bad)
	}
	if got, want := len(parse(t, w.buf.String())), 1+16*50*3; got != want {
		t.Errorf("%d lines, want %d", got, want)
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	r := New(discard{}, "", fixedClock)
	req := Request{Route: "slack", Outcome: "cancel_requested", SailPointStatus: "2xx",
		Upstream: time.Millisecond}
	r.Record(req)

	if n := testing.AllocsPerRun(100, func() { r.Record(req) }); n != 0 {
		t.Errorf("Record allocates %v times per call", n)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
