package handler

import (
	"context"
	"log/slog"
	"strconv"
	"unicode"

	"github.com/sailpoint-cancel/wfcancel/internal/metrics"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// maxLogValue caps any value that came from the caller before it is logged.
const maxLogValue = 128

// logRequest writes the one line per request: route, outcome, upstream status and
// durations, execution id. It never carries secrets, tokens, signatures or bodies; the cause
// is an error text from this program's packages, which keep those out of their errors. The
// request's metrics are recorded with it.
func (h *Handler) logRequest(ctx context.Context, req *request, rec *record) {
	o := rec.outcome
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("route", rec.route),
		slog.String("outcome", o.Kind.String()),
		slog.Int("status", o.HTTPStatus()),
		slog.Int64("durationMs", rec.duration.Milliseconds()),
	)
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
	h.recordMetrics(rec)
}

// auditEntry is one action for the audit log.
type auditEntry struct {
	provider, team, user, action string
	outcome                      reply.Outcome
	cause                        error
}

// audit writes the one audit line per action. Values from the caller are capped and
// stripped of control characters, so they cannot forge a line.
func (h *Handler) audit(ctx context.Context, e auditEntry) {
	attrs := []slog.Attr{
		slog.String("provider", e.provider),
		slog.String("team", clean(e.team)),
		slog.String("user", clean(e.user)),
		slog.String("action", clean(e.action)),
		slog.String("executionId", clean(e.outcome.ExecutionID)),
		slog.String("workflowId", clean(e.outcome.WorkflowID)),
		slog.String("outcome", e.outcome.Kind.String()),
		slog.String("trackingId", clean(e.outcome.TrackingID)),
	}
	if e.outcome.Kind == reply.NotAllowed && e.cause != nil {
		attrs = append(attrs, slog.String("reason", clean(e.cause.Error())))
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
}

// recordMetrics hands the request's metrics to the recorder. Route is the matched route's
// name, never the caller's path.
func (h *Handler) recordMetrics(rec *record) {
	if h.metrics == nil {
		return
	}
	h.metrics.Record(metrics.Request{
		Route:             rec.route,
		Outcome:           rec.outcome.Kind.String(),
		SignatureRejected: rec.outcome.Kind == reply.InvalidSignature,
		SailPointStatus:   sailpointStatus(rec),
		Upstream:          rec.upstream,
	})
}

// sailpointStatus is the status of the SailPoint answer that decided the outcome, or "" when
// the request did not call SailPoint (answered before acting, or from the replay memory).
// The client reports a status only for failures; a success is any 2xx.
func sailpointStatus(rec *record) string {
	o := rec.outcome
	if rec.replayed {
		return ""
	}
	switch o.Kind {
	case reply.CancelRequested, reply.Canceled, reply.StatusReport, reply.AlreadyFinished:
		return metrics.StatusSuccess
	case reply.CancelRefused, reply.NotFound, reply.CredentialsRejected, reply.Forbidden,
		reply.RateLimited, reply.TokenFailed, reply.TokenTimeout, reply.UpstreamFailed,
		reply.UpstreamTimeout:
		if o.UpstreamStatus != 0 {
			return strconv.Itoa(o.UpstreamStatus)
		}
		return metrics.StatusNoResponse
	}
	return ""
}

// clean caps a value and replaces control characters, so that no value can forge a log line
// or flood the log.
func clean(s string) string {
	if printableASCII(s) && len(s) <= maxLogValue {
		return s
	}
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

// printableASCII reports whether s holds only printable ASCII, which clean leaves as it is.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
