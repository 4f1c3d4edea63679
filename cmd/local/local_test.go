package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

const sampleSecretFile = "../../events/sample-secret.json"

// recorder is a function that keeps the last event and answers with a canned response.
type recorder struct {
	event  []byte
	answer string
}

func (r *recorder) Invoke(_ context.Context, raw json.RawMessage) (json.RawMessage, error) {
	r.event = append([]byte(nil), raw...)
	return json.RawMessage(r.answer), nil
}

// eventOf sends req through a server whose function records the event, and decodes it.
func eventOf(t *testing.T, req *http.Request) map[string]any {
	t.Helper()
	fn := &recorder{answer: `{"statusCode":204}`}
	srv := &server{fn: fn, stage: "$default", out: io.Discard, now: time.Now}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d, want the function's 204", rec.Code)
	}
	var ev map[string]any
	if err := json.Unmarshal(fn.event, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestEventFromRequest(t *testing.T) {
	req := httptest.NewRequest("POST", "http://127.0.0.1:3000/slack?a=1&b=2",
		strings.NewReader("text=help"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Add("X-Repeated", "one")
	req.Header.Add("X-Repeated", "two")
	req.Header.Add("Cookie", "session=abc; theme=dark")
	req.Header.Add("Cookie", "lang=en")
	ev := eventOf(t, req)

	headers := ev["headers"].(map[string]any)
	ctx := ev["requestContext"].(map[string]any)
	httpCtx := ctx["http"].(map[string]any)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"version is 2.0", ev["version"], "2.0"},
		{"known route gets its route key", ev["routeKey"], "POST /slack"},
		{"raw path is the path", ev["rawPath"], "/slack"},
		{"raw query string is kept", ev["rawQueryString"], "a=1&b=2"},
		{"repeated headers are joined with commas", headers["x-repeated"], "one,two"},
		{"header names are lower case", headers["content-type"],
			"application/x-www-form-urlencoded"},
		{"cookies leave the headers", headers["cookie"], nil},
		{"form bodies stay text", ev["body"], "text=help"},
		{"text bodies are not base64", ev["isBase64Encoded"], false},
		{"method is in the context", httpCtx["method"], "POST"},
		{"path is in the context", httpCtx["path"], "/slack"},
		{"source ip is the peer", httpCtx["sourceIp"], "192.0.2.1"},
		{"stage is $default", ctx["stage"], "$default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}

	var cookies []string
	for _, c := range ev["cookies"].([]any) {
		cookies = append(cookies, c.(string))
	}
	if want := []string{"session=abc", "theme=dark", "lang=en"}; !slices.Equal(cookies, want) {
		t.Fatalf("cookies %v, want %v", cookies, want)
	}
	if ms, _ := ctx["timeEpoch"].(float64); ms <= 0 {
		t.Fatal("timeEpoch is not set")
	}
}

func TestBodyEncoding(t *testing.T) {
	binary := []byte{0x00, 0xff, 0x10, 'x'}
	tests := []struct {
		name        string
		contentType string
		wantBase64  bool
	}{
		{"json is text", "application/json; charset=utf-8", false},
		{"problem json is text", "application/problem+json", false},
		{"xml is text", "application/xml", false},
		{"plain text is text", "text/plain", false},
		{"octet stream is base64", "application/octet-stream", true},
		{"an absent type is base64", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "http://127.0.0.1:3000/webhook",
				bytes.NewReader(binary))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			ev := eventOf(t, req)
			if ev["isBase64Encoded"] != tt.wantBase64 {
				t.Fatalf("isBase64Encoded %v, want %v", ev["isBase64Encoded"], tt.wantBase64)
			}
			body := []byte(ev["body"].(string))
			if tt.wantBase64 {
				if body, _ = base64.StdEncoding.DecodeString(string(body)); !bytes.Equal(
					body, binary) {
					t.Fatal("base64 body does not decode to the bytes sent")
				}
			}
		})
	}
}

func TestUnknownPathUsesDefaultRoute(t *testing.T) {
	ev := eventOf(t, httptest.NewRequest("GET", "http://127.0.0.1:3000/slack", nil))
	if ev["routeKey"] != "$default" {
		t.Fatalf("routeKey %v, want $default for a GET", ev["routeKey"])
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:3000", true},
		{"[::1]:3000", true},
		{"localhost:3000", true},
		{"0.0.0.0:3000", false},
		{":3000", false},
		{"192.0.2.1:3000", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := checkLoopback(tt.addr); (err == nil) != tt.ok {
				t.Fatalf("checkLoopback(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
			}
		})
	}
}

func TestSimulatedCancel(t *testing.T) {
	var out bytes.Buffer
	sim, base, err := startSimulator(sampleSecretFile, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	cfg, err := loadConfig(options{secretFile: sampleSecretFile, sailpointURL: base},
		func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(newServer(cfg, "$default", &out))
	t.Cleanup(ts.Close)

	id := sampleExecutions[0].ID
	body := []byte(`{"executionId":"` + id + `","action":"cancel"}`)
	headers, err := webhook.Sign(webhook.SchemeStandardWebhooks,
		sampleValue(t, "webhook_secret"), body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", ts.URL+"/webhook", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for name, v := range headers {
		req.Header.Set(name, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if resp.StatusCode/100 != 2 {
		t.Fatalf("status %d, want 2xx", resp.StatusCode)
	}
	if e, _ := sim.Execution(id); e.Status != sailpoint.StatusCanceled {
		t.Fatalf("execution status %q, want %q", e.Status, sailpoint.StatusCanceled)
	}
	log := out.String()
	if !strings.Contains(log, "POST /webhook "+resp.Status[:3]) ||
		!strings.Contains(log, "outcome=cancel_requested") {
		t.Fatalf("request line missing or without outcome:\n%s", log)
	}
	if strings.Contains(log, headers["webhook-signature"]) {
		t.Fatal("the request line holds the signature")
	}
}

func sampleValue(t *testing.T, key string) string {
	t.Helper()
	raw, err := os.ReadFile(sampleSecretFile)
	if err != nil {
		t.Fatal(err)
	}
	b, err := secret.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b.Values(key)[0]
}
