package handler

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Time budget rules.
const (
	// gatewayLimit is API Gateway's integration timeout; function URLs have none.
	gatewayLimit = 29 * time.Second

	// answerMargin is kept back from the budget to write the answer.
	answerMargin = 250 * time.Millisecond

	// readReserve is the most kept back from a cancel for the status read that follows a
	// 5xx or a timeout.
	readReserve = time.Second
)

// dispatch authorizes the caller, then hands the command to an asynchronous invocation
// (deferred mode, routes with a follow-up) or acts on it. It writes the audit line whenever this
// invocation knows the outcome; a command handed off is audited by the invocation that
// does the work, and a repeat answered from the replay memory is not audited at all, since
// nothing was done (its request line says replayed).
func (h *Handler) dispatch(ctx context.Context, req *request, rt *route, cmd command.Command,
	bundle secret.Bundle, proof webhook.Proof, rec *record) reply.Outcome {
	who := h.callerOf(rt, req.body)
	var o reply.Outcome
	if r := refuse(h.access, rt, who); r != nil {
		rec.cause = errors.New(r.reason)
		o = reply.Outcome{Kind: reply.NotAllowed, ExecutionID: cmd.ExecutionID, Detail: r.tell}
	} else if h.defers(rt) && cmd.Action != command.Help {
		o = h.handOffOnce(ctx, req, rt, cmd, who, bundle, proof, rec)
	} else if rt.replay {
		o = h.actOnce(ctx, req, rt, cmd, bundle, proof, rec)
	} else {
		o = h.act(ctx, req, rt, cmd, bundle, rec)
	}

	if cmd.Action != command.Help && o.Kind != reply.Deferred && !rec.replayed {
		h.audit(ctx, auditEntry{provider: rt.name, team: who.team, user: who.user,
			action: string(cmd.Action), outcome: o, cause: rec.cause})
	}
	return o
}

// act carries out a verified, parsed command and returns its outcome.
func (h *Handler) act(ctx context.Context, req *request, rt *route, cmd command.Command,
	bundle secret.Bundle, rec *record) reply.Outcome {
	if cmd.Action == command.Help {
		return reply.Outcome{Kind: reply.Help, Detail: command.HelpText}
	}
	if o := credentialsMissing(bundle, cmd.ExecutionID, rec); o != nil {
		return *o
	}

	return h.run(ctx, cmd, h.budget(ctx, req, rt), rec)
}

// credentialsMissing is the outcome when the secret lacks the SailPoint client id or secret,
// with the missing keys as the request's cause, or nil when both are there.
func credentialsMissing(bundle secret.Bundle, id string, rec *record) *reply.Outcome {
	missing := bundle.MissingCredentials()
	if len(missing) == 0 {
		return nil
	}
	rec.cause = errors.New("secret lacks " + strings.Join(missing, ", "))
	return &reply.Outcome{
		Kind:        reply.CredentialsMissing,
		ExecutionID: id,
		Detail:      "the secret lacks " + strings.Join(missing, " and "),
	}
}

// run does the SailPoint work of a cancel or status command by deadline: the workflow
// check when ALLOWED_WORKFLOW_IDS is set, then the cancel or the read.
func (h *Handler) run(ctx context.Context, cmd command.Command, deadline time.Time,
	rec *record) reply.Outcome {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	began := h.now()
	defer func() { rec.upstream = h.now().Sub(began) }()
	workflow, decided := h.precheck(ctx, cmd, rec)
	if decided != nil {
		return *decided
	}
	if cmd.Action == command.Status {
		return h.status(ctx, cmd.ExecutionID, rec)
	}
	o := h.cancel(ctx, cmd.ExecutionID, deadline, rec)
	if o.WorkflowID == "" {
		o.WorkflowID = workflow
	}
	return o
}

// budget is when the SailPoint work must be done: the least of the invocation's deadline, API
// Gateway's 29 s (not for function URLs) and the caller's own limit, counted from when the
// gateway received the request, less a margin to write the answer.
func (h *Handler) budget(ctx context.Context, req *request, rt *route) time.Time {
	end := req.received.Add(24 * time.Hour)
	if dl, ok := ctx.Deadline(); ok {
		end = dl
	}
	if req.shape != shapeFunctionURL {
		end = earliest(end, req.received.Add(gatewayLimit))
	}
	if rt.deadline > 0 {
		end = earliest(end, req.received.Add(rt.deadline))
	}
	return end.Add(-answerMargin)
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// cancel asks SailPoint to cancel the execution. It never retries the cancel after a 5xx or
// a timeout; it reads the execution instead, which may show the cancel took effect.
func (h *Handler) cancel(ctx context.Context, id string, deadline time.Time,
	rec *record) reply.Outcome {
	reserve := min(readReserve, time.Until(deadline)/4)
	cctx, stop := context.WithDeadline(ctx, deadline.Add(-reserve))
	err := h.sailpoint.Cancel(cctx, id)
	stop()
	if err == nil {
		return reply.Outcome{Kind: reply.CancelRequested, ExecutionID: id}
	}
	rec.cause = err

	var se *sailpoint.Error
	if !errors.As(err, &se) || se.Op == sailpoint.OpToken {
		return failure(err, id)
	}
	switch se.Kind {
	case sailpoint.KindBadRequest:
		exec, gerr := h.sailpoint.Get(ctx, id)
		if gerr == nil && exec.Finished() {
			return reply.Outcome{Kind: reply.AlreadyFinished, ExecutionID: id,
				ExecutionStatus: exec.Status, TrackingID: se.TrackingID,
				UpstreamStatus: se.Status}
		}
		return reply.Outcome{Kind: reply.CancelRefused, ExecutionID: id,
			Detail: se.Message, TrackingID: se.TrackingID, UpstreamStatus: se.Status}
	case sailpoint.KindUpstream, sailpoint.KindTimeout:
		exec, gerr := h.sailpoint.Get(ctx, id)
		if gerr == nil && exec.Status == sailpoint.StatusCanceled {
			return reply.Outcome{Kind: reply.Canceled, ExecutionID: id,
				ExecutionStatus: exec.Status}
		}
	}
	return failure(err, id)
}

// status reads the execution.
func (h *Handler) status(ctx context.Context, id string, rec *record) reply.Outcome {
	exec, err := h.sailpoint.Get(ctx, id)
	if err != nil {
		rec.cause = err
		return failure(err, id)
	}
	return statusReport(id, exec)
}

// statusReport is the outcome of a successful read of an execution.
func statusReport(id string, exec sailpoint.Execution) reply.Outcome {
	return reply.Outcome{
		Kind:            reply.StatusReport,
		ExecutionID:     id,
		WorkflowID:      exec.WorkflowID,
		ExecutionStatus: exec.Status,
		StartTime:       exec.StartTime,
		CloseTime:       exec.CloseTime,
		RequestID:       exec.RequestID,
	}
}

// failure maps an error from the SailPoint client or the secret store to its outcome.
func failure(err error, id string) reply.Outcome {
	o := reply.Outcome{ExecutionID: id}
	var se *sailpoint.Error
	switch {
	case errors.As(err, &se):
		o.TrackingID, o.UpstreamStatus, o.Detail = se.TrackingID, se.Status, se.Message
		o.Kind = sailpointKind(se)
		o.RetryAfter, o.Scope = se.RetryAfter, se.Scope
		if o.Kind == reply.CredentialsRejected || o.Kind == reply.Forbidden {
			o.Detail = ""
		}
	case errors.Is(err, secret.ErrUnavailable):
		o.Kind = reply.SecretUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		o.Kind = reply.UpstreamTimeout
	default:
		o.Kind = reply.UpstreamFailed
	}
	return o
}

func sailpointKind(se *sailpoint.Error) reply.Kind {
	switch se.Kind {
	case sailpoint.KindBadRequest:
		return reply.CancelRefused
	case sailpoint.KindCredentialsRejected:
		return reply.CredentialsRejected
	case sailpoint.KindForbidden:
		return reply.Forbidden
	case sailpoint.KindNotFound:
		return reply.NotFound
	case sailpoint.KindRateLimited:
		return reply.RateLimited
	case sailpoint.KindTimeout:
		if se.Op == sailpoint.OpToken {
			return reply.TokenTimeout
		}
		return reply.UpstreamTimeout
	}
	if se.Op == sailpoint.OpToken {
		return reply.TokenFailed
	}
	return reply.UpstreamFailed
}
