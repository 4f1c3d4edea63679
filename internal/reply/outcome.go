// Package reply turns the outcome of one request into the answer its caller understands: an
// RFC 9457 problem or a JSON document for machine callers, an ephemeral message for chat.
// Each outcome is mapped to an HTTP status once, here; nothing else decides statuses.
package reply

import (
	"math"
	"net/http"
	"time"
)

// Kind names what happened to one request.
type Kind int

// The outcomes, in pipeline order. The ones before InvalidSignature and SecretUnavailable are
// decided before the signature is accepted and are answered as problems on every route.
const (
	MalformedEvent Kind = iota + 1
	UnknownRoute
	MethodNotAllowed
	TooLarge
	RepeatedHeader
	SecretUnavailable
	InvalidSignature

	SSLCheck
	Help
	BadCommand
	CredentialsMissing
	CancelRequested
	Canceled
	StatusReport
	AlreadyFinished
	CancelRefused
	NotFound
	CredentialsRejected
	Forbidden
	RateLimited
	TokenFailed
	TokenTimeout
	UpstreamFailed
	UpstreamTimeout

	// Ignored is a verified request deliberately not acted on (no execution id, an event or
	// actor outside the route's allow-lists); Pong answers a provider's liveness probe.
	Ignored
	Pong

	// NotAllowed is a verified request from a caller, or about a workflow, outside the
	// allow-lists; Deferred acknowledges a command whose work goes on in another invocation;
	// HandOffFailed is a command that could not be handed to that invocation.
	NotAllowed
	Deferred
	HandOffFailed

	// HandOffRefused is a hand-off the asynchronous invocation would not act on: a missing
	// or wrong MAC, a stale one, a foreign reply address, or one already served.
	HandOffRefused
)

var kindNames = map[Kind]string{
	MalformedEvent:      "malformed_event",
	UnknownRoute:        "unknown_route",
	MethodNotAllowed:    "method_not_allowed",
	TooLarge:            "too_large",
	RepeatedHeader:      "repeated_header",
	SecretUnavailable:   "secret_unavailable",
	InvalidSignature:    "invalid_signature",
	SSLCheck:            "ssl_check",
	Help:                "help",
	BadCommand:          "bad_command",
	CredentialsMissing:  "credentials_missing",
	CancelRequested:     "cancel_requested",
	Canceled:            "canceled",
	StatusReport:        "status",
	AlreadyFinished:     "already_finished",
	CancelRefused:       "cancel_refused",
	NotFound:            "not_found",
	CredentialsRejected: "credentials_rejected",
	Forbidden:           "forbidden",
	RateLimited:         "rate_limited",
	TokenFailed:         "token_failed",
	TokenTimeout:        "token_timeout",
	UpstreamFailed:      "upstream_failed",
	UpstreamTimeout:     "upstream_timeout",
	Ignored:             "ignored",
	Pong:                "pong",
	NotAllowed:          "not_allowed",
	Deferred:            "deferred",
	HandOffFailed:       "hand_off_failed",
	HandOffRefused:      "hand_off_refused",
}

// String is the outcome's name in logs and metrics.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// Outcome is what happened to one request, with what the answer may tell about it.
type Outcome struct {
	Kind Kind

	// ExecutionID is the workflow execution the request named, once parsed.
	ExecutionID string

	// TrackingID is SailPoint's id for the failed call, for support tickets.
	TrackingID string

	// Detail is a short human explanation: the user's mistake or SailPoint's message.
	Detail string

	// Execution fields, from a status read.
	WorkflowID      string
	ExecutionStatus string
	StartTime       string
	CloseTime       string
	RequestID       string

	// RetryAfter is how long SailPoint asked callers to wait (RateLimited).
	RetryAfter time.Duration

	// Scope is the PAT scope the failed call needs (Forbidden).
	Scope string

	// UpstreamStatus is SailPoint's HTTP status, when the outcome came from one.
	UpstreamStatus int
}

// DefaultRetryAfter is what a 429 answer says when SailPoint gave no Retry-After.
const DefaultRetryAfter = 10 * time.Second

// HTTPStatus is the status this outcome gets on a route that answers in HTTP terms.
func (o Outcome) HTTPStatus() int {
	switch o.Kind {
	case MalformedEvent, RepeatedHeader, BadCommand:
		return http.StatusBadRequest
	case UnknownRoute, NotFound:
		return http.StatusNotFound
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case InvalidSignature:
		return http.StatusUnauthorized
	case NotAllowed:
		return http.StatusForbidden
	case HandOffFailed:
		return http.StatusServiceUnavailable
	case SecretUnavailable, CredentialsMissing:
		return http.StatusServiceUnavailable
	case AlreadyFinished:
		return http.StatusConflict
	case CancelRefused:
		return http.StatusUnprocessableEntity
	case RateLimited:
		return http.StatusTooManyRequests
	case CredentialsRejected, Forbidden, TokenFailed, UpstreamFailed:
		return http.StatusBadGateway
	case TokenTimeout, UpstreamTimeout:
		return http.StatusGatewayTimeout
	default:
		return http.StatusOK
	}
}

// RetryAfterSeconds is the Retry-After value to send: SailPoint's, rounded up to whole
// seconds, or DefaultRetryAfter when it sent none.
func (o Outcome) RetryAfterSeconds() int {
	d := o.RetryAfter
	if d <= 0 {
		d = DefaultRetryAfter
	}
	return int(math.Ceil(d.Seconds()))
}
