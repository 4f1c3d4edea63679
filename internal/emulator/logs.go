package emulator

import (
	"bytes"
	"io"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// maxLogBytes bounds the text kept for Logs; older output is dropped first.
const maxLogBytes = 4 << 20

// initReport matches the line rapid logs once the runtime has initialised,
// for example "[INFO] (rapid) INIT REPORT(durationMs: 5.948000)".
var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// reportInit matches the "Init Duration" field that the emulator adds to the
// first REPORT line; it is used when no INIT REPORT line was seen.
var reportInit = regexp.MustCompile(`^REPORT RequestId: .*\tInit Duration: ([0-9.]+) ms\t`)

// logSink keeps the tail of everything the emulator and the bootstrap print,
// copies it to an optional writer, and notes the init duration as lines pass.
type logSink struct {
	mu      sync.Mutex
	buf     []byte
	partial []byte
	copyTo  io.Writer

	init      time.Duration
	initFound bool
	initExact bool

	// changed is closed and replaced on every write, waking WaitLogs callers.
	changed chan struct{}
}

// wait returns a channel closed at the next write.
func (s *logSink) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// Write implements io.Writer; it never fails, so the child is never blocked.
func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.copyTo != nil {
		_, _ = s.copyTo.Write(p)
	}
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}

	s.buf = append(s.buf, p...)
	if len(s.buf) > maxLogBytes {
		s.buf = append([]byte(nil), s.buf[len(s.buf)-maxLogBytes/2:]...)
	}

	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		s.scanLine(s.partial[:i])
		s.partial = s.partial[i+1:]
	}
	if len(s.partial) > maxLogBytes {
		s.partial = nil
	}
	return len(p), nil
}

// scanLine records the init duration from one complete line. The INIT REPORT
// line measures the runtime's own init and wins over the REPORT field, which
// only measures how long the emulator took to hand the init over.
func (s *logSink) scanLine(line []byte) {
	if m := initReport.FindSubmatch(line); m != nil && !s.initExact {
		s.setInit(m[1], true)
		return
	}
	if m := reportInit.FindSubmatch(line); m != nil && !s.initFound {
		s.setInit(m[1], false)
	}
}

// setInit stores a duration given in milliseconds as text.
func (s *logSink) setInit(ms []byte, exact bool) {
	v, err := strconv.ParseFloat(string(ms), 64)
	if err != nil {
		return
	}
	s.init = time.Duration(v * float64(time.Millisecond))
	s.initFound = true
	s.initExact = exact
}

// String returns the kept output.
func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.buf)
}

// initDuration returns the recorded init duration, if any.
func (s *logSink) initDuration() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.init, s.initFound
}
