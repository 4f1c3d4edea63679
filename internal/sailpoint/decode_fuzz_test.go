package sailpoint

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeErrorShapes(t *testing.T) {
	tests := []struct {
		name string
		file string
		want decodedError
	}{
		{
			name: "ErrorResponseDto",
			file: "error-404.json",
			want: decodedError{
				trackingID: "b21b1f7ce4da4d639f2c62a57171b427",
				detailCode: "404 Not found",
				message:    "The server did not find a current representation for the target resource.",
			},
		},
		{
			name: "error field of a 401",
			file: "error-401.json",
			want: decodedError{message: "JWT validation failed: JWT is expired"},
		},
		{
			name: "message field of a 429 is trimmed",
			file: "error-429.json",
			want: decodedError{message: "Rate Limit Exceeded"},
		},
		{name: "html page yields nothing", file: "error-gateway.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeError(body); got != tt.want {
				t.Errorf("decodeError = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeErrorPrefersFirstNonEmptyMessage(t *testing.T) {
	body := `{"messages":[{"text":"  "},{"text":" second\nline "}],"error":"e","message":"m"}`
	if got := decodeError([]byte(body)).message; got != "second line" {
		t.Errorf("message = %q, want %q", got, "second line")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-3", 0, true},
		{"-99999999999999999999", 0, true},
		{"86400", 24 * time.Hour, true},
		{"86401", 24 * time.Hour, true},
		{"99999999999", 24 * time.Hour, true},
		{"99999999999999999999", 24 * time.Hour, true},
		{"soon", 0, false},
		{"1.5", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Fri, 31 Dec 9999 23:59:59 GMT", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "error-*"))
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"messages":null,"error":{"nested":true},"message":7}`))
	f.Add([]byte(`{"messages":[{"text":"\u0000\u202e` + strings.Repeat("é", 400) + `"}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{0xff, 0xfe, '{'})

	f.Fuzz(func(t *testing.T, body []byte) {
		d := decodeError(body)
		if len(d.message) > maxMessage+len("…") || !utf8.ValidString(d.message) {
			t.Errorf("message of %d bytes, valid utf-8 %v", len(d.message),
				utf8.ValidString(d.message))
		}
		if strings.ContainsAny(d.message+d.trackingID+d.detailCode, "\r\n") {
			t.Errorf("decoded fields hold a line break: %+v", d)
		}
		e := statusError(OpCancel, 400, http.Header{}, body, time.Now())
		_ = e.Error()
	})
}
