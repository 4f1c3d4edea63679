package emulator

import (
	"bytes"
	"testing"
	"time"
)

func TestLogSinkInitDuration(t *testing.T) {
	const rapidInit = "04 Dec 2026 16:18:09,839 [INFO] (rapid) INIT REPORT(durationMs: 5.948000)\n"
	const firstReport = "REPORT RequestId: cf25d370\tInit Duration: 1.17 ms\tDuration: 7.33 ms\t" +
		"Billed Duration: 8 ms\tMemory Size: 3008 MB\tMax Memory Used: 3008 MB\t\n"
	const warmReport = "REPORT RequestId: 0e75a0bf\tDuration: 1.19 ms\tBilled Duration: 2 ms\t" +
		"Memory Size: 3008 MB\tMax Memory Used: 3008 MB\t\n"

	tests := []struct {
		name   string
		writes []string
		want   time.Duration
		found  bool
	}{
		{name: "nothing printed yet", writes: nil},
		{name: "warm report only", writes: []string{warmReport}},
		{
			name:   "init report line wins over the report field",
			writes: []string{rapidInit, firstReport},
			want:   5948 * time.Microsecond, found: true,
		},
		{
			name:   "report field when no init report line",
			writes: []string{firstReport, warmReport},
			want:   1170 * time.Microsecond, found: true,
		},
		{
			name:   "line split across writes",
			writes: []string{rapidInit[:40], rapidInit[40:70], rapidInit[70:]},
			want:   5948 * time.Microsecond, found: true,
		},
		{name: "unfinished line is not parsed", writes: []string{rapidInit[:len(rapidInit)-1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var copied bytes.Buffer
			s := &logSink{copyTo: &copied}
			for _, w := range tt.writes {
				if _, err := s.Write([]byte(w)); err != nil {
					t.Fatal(err)
				}
			}

			got, found := s.initDuration()
			if got.Round(time.Microsecond) != tt.want || found != tt.found {
				t.Errorf("initDuration() = %v, %v; want %v, %v", got, found, tt.want, tt.found)
			}
			if s.String() != copied.String() {
				t.Errorf("copy differs from kept logs")
			}
		})
	}
}

func TestLogSinkKeepsTail(t *testing.T) {
	s := &logSink{}
	line := bytes.Repeat([]byte("x"), 1023)
	line = append(line, '\n')
	for range 2 * maxLogBytes / len(line) {
		_, _ = s.Write(line)
	}
	_, _ = s.Write([]byte("last line\n"))

	got := s.String()
	if len(got) > maxLogBytes {
		t.Errorf("kept %d bytes; want at most %d", len(got), maxLogBytes)
	}
	if !bytes.HasSuffix([]byte(got), []byte("last line\n")) {
		t.Errorf("kept logs lost the newest line")
	}
}
