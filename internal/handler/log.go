package handler

import (
	"context"
	"log/slog"
	"unicode"

	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// maxLogValue caps any value that came from the caller before it is logged.
const maxLogValue = 128

// logRequest writes the one line per request: route, outcome, upstream status and
// durations, execution id. It never carries secrets, tokens, signatures or bodies; the cause
// is an error text from this program's packages, which keep those out of their errors.
func (h *Handler) logRequest(ctx context.Context, req *request, rec *record) {
	o := rec.outcome
	attrs := []slog.Attr{
		slog.String("route", rec.route),
		slog.String("outcome", o.Kind.String()),
		slog.Int("status", o.HTTPStatus()),
		slog.Int64("durationMs", rec.duration.Milliseconds()),
	}
	if req != nil {
		attrs = append(attrs, slog.String("event", req.shape.String()))
	}
	if o.ExecutionID != "" {
		attrs = append(attrs, slog.String("executionId", clean(o.ExecutionID)))
	}
	if o.UpstreamStatus != 0 {
		attrs = append(attrs, slog.Int("upstreamStatus", o.UpstreamStatus))
	}
	if rec.upstream > 0 {
		attrs = append(attrs, slog.Int64("upstreamMs", rec.upstream.Milliseconds()))
	}
	if o.Kind == reply.Ignored && o.Detail != "" {
		attrs = append(attrs, slog.String("reason", clean(o.Detail)))
	}
	if rec.replayed {
		attrs = append(attrs, slog.Bool("replayed", true))
	}
	if o.TrackingID != "" {
		attrs = append(attrs, slog.String("trackingId", clean(o.TrackingID)))
	}
	level := slog.LevelInfo
	if rec.cause != nil {
		attrs = append(attrs, slog.String("error", clean(rec.cause.Error())))
		level = slog.LevelWarn
	}
	h.log.LogAttrs(ctx, level, "request", attrs...)
}

// clean caps a value and replaces control characters, so that no value can forge a log line
// or flood the log.
func clean(s string) string {
	out := make([]rune, 0, min(len(s), maxLogValue))
	for _, r := range s {
		if len(out) == maxLogValue {
			out = append(out, '…')
			break
		}
		if unicode.IsControl(r) {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}
