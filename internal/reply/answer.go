package reply

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Answer is an HTTP answer, independent of the event shape it will be wrapped in.
type Answer struct {
	Status int
	Header map[string]string
	Body   string
}

// Content types of the answers.
const (
	ContentTypeJSON    = "application/json"
	ContentTypeProblem = "application/problem+json"
)

// problem is an RFC 9457 problem document with this API's extension members.
type problem struct {
	Title           string `json:"title"`
	Status          int    `json:"status"`
	Detail          string `json:"detail,omitempty"`
	ExecutionID     string `json:"executionId,omitempty"`
	ExecutionStatus string `json:"executionStatus,omitempty"`
	TrackingID      string `json:"trackingId,omitempty"`
	Scope           string `json:"scope,omitempty"`
	RetryAfter      int    `json:"retryAfter,omitempty"`
}

// Problem answers o as application/problem+json, whatever its kind.
func Problem(o Outcome) Answer {
	p := problem{
		Title:           title(o),
		Status:          o.HTTPStatus(),
		Detail:          detail(o),
		ExecutionID:     o.ExecutionID,
		ExecutionStatus: o.ExecutionStatus,
		TrackingID:      o.TrackingID,
		Scope:           o.Scope,
	}
	header := map[string]string{"Content-Type": ContentTypeProblem}
	switch o.Kind {
	case InvalidSignature:
		// Say nothing about which part failed.
		p = problem{Title: p.Title, Status: p.Status}
	case MethodNotAllowed:
		header["Allow"] = "POST"
	case RateLimited:
		p.RetryAfter = o.RetryAfterSeconds()
		header["Retry-After"] = strconv.Itoa(p.RetryAfter)
	}
	return Answer{Status: p.Status, Header: header, Body: marshal(p)}
}

// JSON answers o for a machine caller (route /webhook): a JSON document for successes and a
// problem for everything else.
func JSON(o Outcome) Answer {
	var doc any
	switch o.Kind {
	case CancelRequested:
		doc = executionState{o.ExecutionID, "cancel requested"}
	case Canceled:
		doc = executionState{o.ExecutionID, o.ExecutionStatus}
	case StatusReport:
		doc = struct {
			ExecutionID string `json:"executionId"`
			WorkflowID  string `json:"workflowId"`
			Status      string `json:"status"`
			StartTime   string `json:"startTime,omitempty"`
			CloseTime   string `json:"closeTime,omitempty"`
			RequestID   string `json:"requestId,omitempty"`
		}{o.ExecutionID, o.WorkflowID, o.ExecutionStatus, o.StartTime, o.CloseTime, o.RequestID}
	case Help:
		doc = map[string]string{"help": detail(o)}
	default:
		return Problem(o)
	}
	return Answer{
		Status: o.HTTPStatus(),
		Header: map[string]string{"Content-Type": ContentTypeJSON},
		Body:   marshal(doc),
	}
}

// executionState is the document of an execution and the state a cancel left it in.
type executionState struct {
	ExecutionID string `json:"executionId"`
	Status      string `json:"status"`
}

// Slack answers o as a Slack slash-command response: always HTTP 200 (Slack shows any other
// status as a failure), an ephemeral message seen only by the user who typed the command.
func Slack(o Outcome) Answer {
	if o.Kind == SSLCheck {
		return Answer{Status: 200}
	}
	msg := struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}{"ephemeral", slackEscape(Text(o))}
	return Answer{
		Status: 200,
		Header: map[string]string{"Content-Type": ContentTypeJSON},
		Body:   marshal(msg),
	}
}

// Text is the one-paragraph chat sentence for o, with the execution id and trackingId when
// known. Chat formats escape it for their own markup.
func Text(o Outcome) string {
	var b strings.Builder
	b.WriteString(sentence(o))
	if o.TrackingID != "" {
		fmt.Fprintf(&b, " (SailPoint trackingId %s)", o.TrackingID)
	}
	return b.String()
}

func sentence(o Outcome) string {
	id := o.ExecutionID
	switch o.Kind {
	case Help, BadCommand, Deferred:
		return detail(o)
	case CancelRequested:
		return fmt.Sprintf("Cancel requested for workflow execution %s.", id)
	case Canceled:
		return fmt.Sprintf("Workflow execution %s is %s.", id, o.ExecutionStatus)
	case StatusReport:
		s := fmt.Sprintf("Workflow execution %s of workflow %s is %s", id, o.WorkflowID,
			o.ExecutionStatus)
		if o.StartTime != "" {
			s += ", started " + o.StartTime
		}
		if o.CloseTime != "" {
			s += ", closed " + o.CloseTime
		}
		return s + "."
	case AlreadyFinished:
		return fmt.Sprintf("Nothing to cancel: workflow execution %s already finished (%s).",
			id, o.ExecutionStatus)
	case NotAllowed:
		return "Not allowed: " + detail(o) + "."
	case RateLimited:
		return fmt.Sprintf("SailPoint is rate limiting requests: try again in %d seconds.",
			o.RetryAfterSeconds())
	}
	s := capitalised(title(o))
	if d := detail(o); d != "" {
		s += ": " + d
	}
	if id != "" {
		s += " (execution " + id + ")"
	}
	return s + "."
}

// capitalised returns s with its first letter in upper case, so that a lower-case problem
// title can open a chat sentence.
func capitalised(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func title(o Outcome) string {
	switch o.Kind {
	case MalformedEvent:
		return "malformed event"
	case UnknownRoute:
		return "not found"
	case MethodNotAllowed:
		return "method not allowed"
	case TooLarge:
		return "request body too large"
	case RepeatedHeader:
		return "repeated header"
	case SecretUnavailable:
		return "credentials unavailable"
	case InvalidSignature:
		return "invalid signature"
	case BadCommand:
		return "bad request"
	case CredentialsMissing:
		return "SailPoint credentials are not configured"
	case AlreadyFinished:
		return "execution already finished"
	case CancelRefused:
		return "SailPoint refused the request"
	case NotFound:
		return "no such execution (executions are archived after 90 days)"
	case CredentialsRejected:
		return "SailPoint rejected the credentials"
	case Forbidden:
		return "the PAT lacks a scope"
	case RateLimited:
		return "rate limited by SailPoint"
	case TokenFailed:
		return "SailPoint's token endpoint failed"
	case TokenTimeout:
		return "SailPoint's token endpoint did not answer in time"
	case UpstreamFailed:
		return "SailPoint failed"
	case UpstreamTimeout:
		return "SailPoint did not answer in time"
	case NotAllowed:
		return "not allowed"
	case HandOffFailed:
		return "the request could not be handed off; try again"
	}
	return o.Kind.String()
}

func detail(o Outcome) string {
	switch o.Kind {
	case Forbidden:
		return "the call needs " + o.Scope
	case AlreadyFinished:
		return fmt.Sprintf("execution %s is %s", o.ExecutionID, o.ExecutionStatus)
	case UpstreamFailed, TokenFailed:
		if o.UpstreamStatus != 0 && o.Detail == "" {
			return fmt.Sprintf("HTTP %d", o.UpstreamStatus)
		}
	}
	return o.Detail
}

// slackEscape escapes the three characters Slack's mrkdwn treats as control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("reply: marshal: " + err.Error())
	}
	return string(b)
}
