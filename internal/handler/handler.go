// Package handler serves one Lambda invocation: it normalises the API Gateway or function URL
// event into one request, routes it, runs the pipeline (verify, parse, act, answer) and shapes
// the answer for the event type it came from. Expected failures are answers, never errors
// returned to the runtime, which API Gateway would turn into a bare 500 or 502.
package handler

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/metrics"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Secrets is the secret store the handler reads credentials and signing secrets from.
type Secrets interface {
	Get(ctx context.Context) (secret.Bundle, error)
}

// SailPoint is the part of the SailPoint API the handler calls.
type SailPoint interface {
	Cancel(ctx context.Context, executionID string) error
	Get(ctx context.Context, executionID string) (sailpoint.Execution, error)
}

// Options wires a Handler.
type Options struct {
	// Secrets supplies the SailPoint credentials and the routes' signing secrets.
	Secrets Secrets

	// SailPoint cancels and reads workflow executions.
	SailPoint SailPoint

	// Logger receives the request, audit and deferred lines; nil discards them.
	Logger *slog.Logger

	// SignatureTolerance is the allowed skew of signed timestamps, both ways.
	SignatureTolerance time.Duration

	// Now is the clock; time.Now when nil.
	Now func() time.Time

	// Routes holds each route's payload pointers and allow-lists, keyed by route name;
	// a route missing from it reads the documented defaults and allows everything.
	Routes map[string]config.RouteSettings

	// Metrics receives each request's metrics; nil records none.
	Metrics *metrics.Recorder

	// ResponseMode is sync (the default) or deferred: Slack and Discord commands are then
	// acknowledged at once and done by an asynchronous invocation through Invoker.
	ResponseMode config.ResponseMode

	// Invoker starts the asynchronous invocations of deferred mode.
	Invoker Invoker

	// Access holds the chat allow-lists and the workflows that may be acted on.
	Access config.Access

	// ReplyClient posts deferred answers. It is required in deferred mode (New panics
	// without it) and must never follow a redirect, which could lead the answer to a bearer
	// URL elsewhere; it should honour HTTPS_PROXY and NO_PROXY. function.OutboundClient is
	// the one the Lambda uses.
	ReplyClient *http.Client

	// TestReplyHosts is for tests only: it replaces a provider's reply host (hooks.slack.com,
	// discord.com) with a loopback stand-in and then accepts plain http and any port. It is
	// never read from configuration; cmd/lambda sets it only when built with the e2e tag.
	TestReplyHosts map[string]string
}

// Handler serves invocations. It is safe for concurrent use.
type Handler struct {
	secrets   Secrets
	sailpoint SailPoint
	log       *slog.Logger
	now       func() time.Time
	routes    map[string]*route
	replays   *replayMemory
	tolerance time.Duration
	metrics   *metrics.Recorder
	deferred  bool
	invoker   Invoker
	access    config.Access
	replies   *replyTargets
}

// New returns a Handler wired with o. It panics when o.ResponseMode is deferred and
// o.ReplyClient is nil.
func New(o Options) *Handler {
	if o.ResponseMode == config.ResponseDeferred && o.ReplyClient == nil {
		panic("handler: Options.ReplyClient is required in deferred mode")
	}
	all := routes(o.SignatureTolerance, o.Routes)
	h := &Handler{
		secrets:   o.Secrets,
		sailpoint: o.SailPoint,
		log:       o.Logger,
		now:       o.Now,
		routes:    all,
		replays:   newReplayMemory(replayCapacity),
		tolerance: o.SignatureTolerance,
		metrics:   o.Metrics,
		deferred:  o.ResponseMode == config.ResponseDeferred,
		invoker:   o.Invoker,
		access:    o.Access,
		replies:   newReplyTargets(all, o.ReplyClient, o.TestReplyHosts),
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// Invoke serves one event and returns the answer in the event's own response shape. It
// returns an error only when the answer itself cannot be encoded.
func (h *Handler) Invoke(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
	start := h.now()
	req, o, mayDefer := normalise(raw, start)
	if mayDefer {
		if ev, ok := asDeferred(raw); ok {
			return h.serveDeferred(ctx, ev), nil
		}
	}

	rec := &record{}
	var ans reply.Answer
	if o != nil {
		rec.outcome = *o
		ans = reply.Problem(*o)
	} else {
		ans = h.serve(ctx, req, rec)
	}

	rec.duration = h.now().Sub(start)
	h.logRequest(ctx, req, rec)
	return encode(req, ans)
}

// record gathers what the request log line tells about one request.
type record struct {
	route    string
	outcome  reply.Outcome
	upstream time.Duration
	duration time.Duration
	cause    error
	replayed bool // answered from the replay memory
}

// serve runs the pipeline: route, method, body size, secret, configuration, signature, parse
// (with the route's allow-lists), replay check, act.
func (h *Handler) serve(ctx context.Context, req *request, rec *record) reply.Answer {
	rt, ok := h.routes[req.route]
	if !ok {
		rec.outcome = reply.Outcome{Kind: reply.UnknownRoute}
		return reply.Problem(rec.outcome)
	}
	rec.route = rt.name
	if req.method != "POST" {
		rec.outcome = reply.Outcome{Kind: reply.MethodNotAllowed}
		return reply.Problem(rec.outcome)
	}
	if o := req.decodeBody(); o != nil {
		rec.outcome = *o
		return reply.Problem(*o)
	}

	bundle, err := h.secrets.Get(ctx)
	if err != nil {
		rec.outcome, rec.cause = reply.Outcome{Kind: reply.SecretUnavailable}, err
		return reply.Problem(rec.outcome)
	}
	proof, o := h.verify(rt, req, bundle, rec)
	if o != nil {
		rec.outcome = *o
		return reply.Problem(*o)
	}

	cmd, early := rt.parse(req)
	if early != nil {
		rec.outcome = *early
		return rt.answer(*early)
	}
	rec.outcome = h.dispatch(ctx, req, rt, cmd, bundle, proof, rec)
	return rt.answer(rec.outcome)
}

// verify checks that the route is configured and the request is signed by one of its
// secrets. A route without a signing secret answers 404 and accepts nothing. A rejected
// signature is answered with nothing but its title; the verifier's reason (which the webhook
// package keeps free of secrets, signatures and body bytes) goes to rec for the log.
func (h *Handler) verify(rt *route, req *request, bundle secret.Bundle,
	rec *record) (webhook.Proof, *reply.Outcome) {
	configured := false
	for _, key := range rt.verifier.SecretKeys() {
		if len(bundle.Values(key)) > 0 {
			configured = true
		}
	}
	if !configured {
		return webhook.Proof{}, &reply.Outcome{Kind: reply.UnknownRoute}
	}
	for _, name := range rt.verifier.SignedHeaders() {
		if req.repeated(name) {
			return webhook.Proof{},
				fail(reply.RepeatedHeader, "the "+name+" header came more than once")
		}
	}
	wr := webhook.Request{Header: req.Header, Body: req.body}
	proof, err := rt.verifier.Verify(wr, bundle.Values, h.now())
	if err != nil {
		rec.cause = err
		return webhook.Proof{}, &reply.Outcome{Kind: reply.InvalidSignature}
	}
	return proof, nil
}

// mistake is the user-facing explanation of a parse error.
func mistake(err error) string {
	var ce *command.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return "The request could not be read."
}
