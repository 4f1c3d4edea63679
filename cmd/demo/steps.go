package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// step is one request of the demo and what its answer must be.
type step struct {
	title  string
	route  string
	shows  string // what is printed of the request: never a secret or a signature
	expect string // the expected answer, in words

	// event builds the signed API Gateway event at now.
	event func(now time.Time) ([]byte, error)

	// check returns an error wrapping errUnexpected when the answer is not the expected one.
	check func(answer) error
}

// answer is an API Gateway HTTP API response.
type answer struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func decodeAnswer(raw []byte) (answer, error) {
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil || a.StatusCode == 0 {
		return a, fmt.Errorf("%w: not an API Gateway response: %.200s", errUnexpected, raw)
	}
	return a, nil
}

// slackStep sends a slash command with text and expects an ephemeral reply beginning with want.
func slackStep(text, want string) step {
	form := url.Values{
		"team_id":      {"T0DEMO"},
		"channel_id":   {"C0DEMO"},
		"user_id":      {"U0DEMO"},
		"user_name":    {"demo"},
		"command":      {"/wfcancel"},
		"text":         {text},
		"response_url": {"https://hooks.slack.com/commands/T0DEMO/1/demo"},
	}
	return step{
		title:  "Slack slash command",
		route:  "/slack",
		shows:  fmt.Sprintf("text=%q", text),
		expect: "200, ephemeral reply: " + want,
		event: func(now time.Time) ([]byte, error) {
			return signedEvent("/slack", webhook.SchemeSlack, slackSecret,
				"application/x-www-form-urlencoded", form.Encode(), now)
		},
		check: func(a answer) error {
			var msg struct {
				ResponseType string `json:"response_type"`
				Text         string `json:"text"`
			}
			err := json.Unmarshal([]byte(a.Body), &msg)
			if err != nil || a.StatusCode != 200 || msg.ResponseType != "ephemeral" ||
				!strings.HasPrefix(msg.Text, want) {
				return fmt.Errorf("%w: want %s", errUnexpected, "200 and "+want)
			}
			return nil
		},
	}
}

// webhookStep sends a Standard Webhooks request for action on id and expects status with the
// execution status executionStatus in the body (status for 200, executionStatus for problems).
func webhookStep(action, id string, status int, executionStatus string) step {
	body := `{"executionId":"` + id + `","action":"` + action + `"}`
	expect := fmt.Sprintf("%d, execution %s", status, executionStatus)
	return step{
		title:  "Standard Webhooks request, " + action,
		route:  "/webhook",
		shows:  body,
		expect: expect,
		event: func(now time.Time) ([]byte, error) {
			return signedEvent("/webhook", webhook.SchemeStandardWebhooks, webhookSecret,
				"application/json", body, now)
		},
		check: func(a answer) error {
			var doc struct {
				Status          any    `json:"status"`
				ExecutionStatus string `json:"executionStatus"`
			}
			if err := json.Unmarshal([]byte(a.Body), &doc); err != nil {
				return fmt.Errorf("%w: body is not JSON", errUnexpected)
			}
			got := doc.ExecutionStatus
			if s, ok := doc.Status.(string); ok {
				got = s
			}
			if a.StatusCode != status || got != executionStatus {
				return fmt.Errorf("%w: want %s", errUnexpected, expect)
			}
			return nil
		},
	}
}

// signedEvent signs body for scheme at now and wraps it in an API Gateway HTTP API event, as
// the gateway would deliver it to the function.
func signedEvent(route, scheme, key, contentType, body string, now time.Time) ([]byte, error) {
	signed, err := webhook.Sign(scheme, key, []byte(body), now)
	if err != nil {
		return nil, fmt.Errorf("sign %s request: %w", scheme, err)
	}
	header := map[string]string{"content-type": contentType, "user-agent": "wfcancel-demo"}
	for k, v := range signed {
		header[strings.ToLower(k)] = v
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST " + route,
		RawPath:  route,
		Headers:  header,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "demo.execute-api.us-east-1.amazonaws.com",
			Stage:      "$default",
			RequestID:  "demo",
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: route, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1",
				UserAgent: "wfcancel-demo",
			},
		},
		Body: body,
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return b, nil
}
