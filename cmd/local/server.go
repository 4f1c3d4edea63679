package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// maxRead is the most of a request body the server reads. Bodies up to it go to the
// function, which refuses anything over its own 64 KiB limit, as it would once deployed.
const maxRead = 1 << 20

// functionTimeout is the deployed function's timeout (template.yaml).
const functionTimeout = 29 * time.Second

// invoker is the function: one event in, one answer out.
type invoker interface {
	Invoke(ctx context.Context, raw json.RawMessage) (json.RawMessage, error)
}

// server turns each HTTP request into an event for the function and writes the answer back,
// with one log line per request.
type server struct {
	fn    invoker
	stage string
	out   io.Writer
	now   func() time.Time
	mu    sync.Mutex // serialises lines on out
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	line := &requestLine{}
	status := s.serve(w, r, start, line)
	s.print(start, r, status, line)
}

func (s *server) serve(w http.ResponseWriter, r *http.Request, start time.Time,
	line *requestLine) int {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRead+1))
	if err != nil {
		line.errText = "read body: " + err.Error()
		http.Error(w, "could not read the request body", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	if len(body) > maxRead {
		line.outcome = "too_large"
		http.Error(w, "request body over 1 MiB", http.StatusRequestEntityTooLarge)
		return http.StatusRequestEntityTooLarge
	}

	raw, err := json.Marshal(toEvent(r, body, s.stage, start))
	if err != nil {
		line.errText = "encode event: " + err.Error()
		http.Error(w, "could not build the event", http.StatusInternalServerError)
		return http.StatusInternalServerError
	}

	ctx, cancel := context.WithTimeout(withLine(r.Context(), line), functionTimeout)
	defer cancel()
	answer, err := s.fn.Invoke(ctx, raw)
	if err != nil {
		// API Gateway answers a function error with a bare 500.
		line.errText = "function error: " + err.Error()
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return http.StatusInternalServerError
	}
	status, err := writeResponse(w, answer)
	if err != nil {
		line.errText = err.Error()
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return http.StatusInternalServerError
	}
	return status
}

// print writes the request's line: time, method, path, status, duration, and the outcome
// the function logged, when it logged one.
func (s *server) print(start time.Time, r *http.Request, status int, line *requestLine) {
	text := fmt.Sprintf("%s %s %s %d %s", start.Format("15:04:05.000"), r.Method,
		r.URL.EscapedPath(), status, s.now().Sub(start).Round(time.Millisecond))
	if line.outcome != "" {
		text += " outcome=" + line.outcome
	}
	if line.executionID != "" {
		text += " execution=" + line.executionID
	}
	if line.errText != "" {
		text += fmt.Sprintf(" error=%q", line.errText)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintln(s.out, text)
}

// requestLine gathers what the function's own log line says about one request.
type requestLine struct {
	outcome     string
	executionID string
	errText     string
}

type lineKey struct{}

func withLine(ctx context.Context, line *requestLine) context.Context {
	return context.WithValue(ctx, lineKey{}, line)
}

// lineCatcher is the function's slog handler: it folds the function's per-request line into
// the server's own line, and passes any other record to next.
type lineCatcher struct {
	next slog.Handler
}

func (c lineCatcher) Enabled(ctx context.Context, level slog.Level) bool {
	return c.next.Enabled(ctx, level) || ctx.Value(lineKey{}) != nil
}

func (c lineCatcher) Handle(ctx context.Context, rec slog.Record) error {
	line, ok := ctx.Value(lineKey{}).(*requestLine)
	if !ok || rec.Message != "request" {
		return c.next.Handle(ctx, rec)
	}
	rec.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "outcome":
			line.outcome = a.Value.String()
		case "executionId":
			line.executionID = a.Value.String()
		case "error":
			line.errText = a.Value.String()
		}
		return true
	})
	return nil
}

func (c lineCatcher) WithAttrs(attrs []slog.Attr) slog.Handler {
	return lineCatcher{next: c.next.WithAttrs(attrs)}
}

func (c lineCatcher) WithGroup(name string) slog.Handler {
	return lineCatcher{next: c.next.WithGroup(name)}
}
