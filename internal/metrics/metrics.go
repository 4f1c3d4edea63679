// Package metrics writes the function's CloudWatch metrics as Embedded Metric Format (EMF)
// lines: one JSON object per line and per metric, which CloudWatch Logs turns into metrics
// when the lines reach it through the function's stdout. No AWS call is made, so recording a
// metric costs one small write and cannot slow or fail a request.
//
// The metrics, all in one namespace:
//
//   - Requests (Count; Route, Outcome): every request, by route and outcome.
//   - SignatureRejections (Count; Route): requests whose signature was refused.
//   - SailPointResponses (Count; Status): the status of the SailPoint answer that decided
//     each request that called SailPoint.
//   - UpstreamLatency (Milliseconds; Route): the time spent on SailPoint per request.
//   - ColdStart (Count; no dimension): the first request each execution environment serves.
package metrics

import (
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DefaultNamespace is the CloudWatch namespace used when none is configured.
const DefaultNamespace = "SailPointCancel"

// Dimension values with a fixed meaning.
const (
	// Unmatched is the Route of a request that matched no route. A caller's raw path is
	// never a dimension value, so that callers cannot create metrics at will.
	Unmatched = "unmatched"

	// StatusSuccess is the Status of a SailPoint answer known only to be a 2xx.
	StatusSuccess = "2xx"

	// StatusNoResponse is the Status of a SailPoint call that got no HTTP answer (a timeout
	// or a network failure).
	StatusNoResponse = "none"
)

// Request is what one served request contributes to the metrics.
type Request struct {
	// Route is the matched route's name ("slack"); empty when no route matched.
	Route string

	// Outcome names what happened ("cancel_requested").
	Outcome string

	// SignatureRejected is set when the request's signature was refused.
	SignatureRejected bool

	// SailPointStatus is the status of the SailPoint answer that decided the outcome: an HTTP
	// status such as "404", StatusSuccess or StatusNoResponse. Empty means SailPoint was not
	// called, and then no SailPointResponses or UpstreamLatency is recorded.
	SailPointStatus string

	// Upstream is the time spent on SailPoint, token included.
	Upstream time.Duration
}

// Recorder writes metrics to one writer. It is safe for concurrent use; a nil *Recorder
// records nothing.
type Recorder struct {
	namespace string
	now       func() time.Time
	served    atomic.Bool

	mu  sync.Mutex // guards w and buf; one line is one Write
	w   io.Writer
	buf []byte
}

// New returns a Recorder that writes EMF lines to w (os.Stdout under Lambda) in namespace,
// stamped with now (time.Now when nil). An empty namespace means DefaultNamespace.
func New(w io.Writer, namespace string, now func() time.Time) *Recorder {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	if now == nil {
		now = time.Now
	}
	return &Recorder{namespace: namespace, now: now, w: w, buf: make([]byte, 0, 512)}
}

// Record writes the metrics of one request. A write error is dropped: metrics never fail
// a request.
func (r *Recorder) Record(req Request) {
	if r == nil {
		return
	}
	route := req.Route
	if route == "" {
		route = Unmatched
	}
	ts := r.now().UnixMilli()

	r.mu.Lock()
	defer r.mu.Unlock()

	if r.served.CompareAndSwap(false, true) {
		r.emit(ts, "ColdStart", "Count", 1)
	}
	r.emit(ts, "Requests", "Count", 1, dim{"Route", route}, dim{"Outcome", req.Outcome})
	if req.SignatureRejected {
		r.emit(ts, "SignatureRejections", "Count", 1, dim{"Route", route})
	}
	if req.SailPointStatus != "" {
		r.emit(ts, "SailPointResponses", "Count", 1, dim{"Status", req.SailPointStatus})
		r.emit(ts, "UpstreamLatency", "Milliseconds", milliseconds(req.Upstream),
			dim{"Route", route})
	}
}

// dim is one dimension: its name and this line's value of it.
type dim struct{ name, value string }

// emit writes one EMF line holding one metric. The caller holds r.mu.
func (r *Recorder) emit(ts int64, metric, unit string, value float64, dims ...dim) {
	b := r.buf[:0]
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, r.namespace)
	b = append(b, `,"Dimensions":[[`...)
	for i, d := range dims {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, d.name)
	}
	b = append(b, `]],"Metrics":[{"Name":`...)
	b = appendString(b, metric)
	b = append(b, `,"Unit":`...)
	b = appendString(b, unit)
	b = append(b, `}]}]}`...)
	for _, d := range dims {
		b = append(b, ',')
		b = appendString(b, d.name)
		b = append(b, ':')
		b = appendString(b, d.value)
	}
	b = append(b, ',')
	b = appendString(b, metric)
	b = append(b, ':')
	b = strconv.AppendFloat(b, value, 'f', -1, 64)
	b = append(b, "}\n"...)

	r.buf = b
	_, _ = r.w.Write(b)
}

// milliseconds converts d to milliseconds, keeping microseconds; a negative d counts as 0.
func milliseconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d.Microseconds()) / 1000
}

// appendString appends s as a JSON string. Control characters are escaped and invalid UTF-8
// becomes U+FFFD, so that no value can break the line.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
