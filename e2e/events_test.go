package e2e

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// request is one HTTP request as a provider would send it, before a gateway wraps it.
type request struct {
	route  string
	header map[string]string
	body   string
}

// slackCommand returns a Slack slash command with text, signed with the Slack signing secret
// at now.
func slackCommand(t *testing.T, text string, now time.Time) request {
	t.Helper()
	form := url.Values{
		"token":        {"e2e-legacy-verification-token"},
		"team_id":      {"T0E2E"},
		"channel_id":   {"C0E2E"},
		"user_id":      {"U0E2E"},
		"user_name":    {"e2e"},
		"command":      {"/wfcancel"},
		"text":         {text},
		"response_url": {"https://hooks.slack.com/commands/T0E2E/1/e2e"},
		"trigger_id":   {"1.2.e2e"},
	}
	return signed(t, "/slack", webhook.SchemeSlack, slackSecret, form.Encode(),
		"application/x-www-form-urlencoded", now)
}

// webhookCall returns a Standard Webhooks request asking for action on id, signed at now.
func webhookCall(t *testing.T, action, id string, now time.Time) request {
	t.Helper()
	body := `{"executionId":"` + id + `","action":"` + action + `"}`
	return signed(t, "/webhook", webhook.SchemeStandardWebhooks, webhookSecret, body,
		"application/json", now)
}

func signed(t *testing.T, route, scheme, key, body, contentType string, now time.Time) request {
	t.Helper()
	h, err := webhook.Sign(scheme, key, []byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	header := map[string]string{"content-type": contentType, "user-agent": "e2e"}
	for k, v := range h {
		header[strings.ToLower(k)] = v
	}
	return request{route: route, header: header, body: body}
}

// signatures returns the signature values of r's signed headers, for the log check.
func (r request) signatures() []string {
	var out []string
	for k, v := range r.header {
		if strings.Contains(k, "signature") {
			out = append(out, v)
			// Standard Webhooks sends "v1,<base64>"; look for the MAC alone too.
			if _, mac, ok := strings.Cut(v, ","); ok {
				out = append(out, mac)
			}
		}
	}
	return out
}

// httpAPI wraps r in an API Gateway HTTP API (payload 2.0) event on stage prod.
func (r request) httpAPI() []byte {
	return mustJSON(events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST " + r.route,
		RawPath:  "/prod" + r.route,
		Headers:  r.header,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "e2e0api.execute-api.us-east-1.amazonaws.com",
			Stage:      "prod",
			RequestID:  "e2e-httpapi",
			TimeEpoch:  time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: "/prod" + r.route, Protocol: "HTTP/1.1",
				SourceIP: "192.0.2.10", UserAgent: "e2e",
			},
		},
		Body: r.body,
	})
}

// rest wraps r in an API Gateway REST API (payload 1.0) proxy event.
func (r request) rest() []byte {
	multi := map[string][]string{}
	for k, v := range r.header {
		multi[k] = []string{v}
	}
	return mustJSON(events.APIGatewayProxyRequest{
		Resource:          r.route,
		Path:              r.route,
		HTTPMethod:        "POST",
		Headers:           r.header,
		MultiValueHeaders: multi,
		RequestContext: events.APIGatewayProxyRequestContext{
			Stage: "prod", HTTPMethod: "POST", RequestID: "e2e-rest",
			RequestTimeEpoch: time.Now().UnixMilli(),
		},
		Body: r.body,
	})
}

// functionURL wraps r in a Lambda function URL event.
func (r request) functionURL() []byte {
	return mustJSON(events.LambdaFunctionURLRequest{
		Version: "2.0",
		RawPath: r.route,
		Headers: r.header,
		RequestContext: events.LambdaFunctionURLRequestContext{
			DomainName: "e2e0url.lambda-url.us-east-1.on.aws",
			RequestID:  "e2e-functionurl",
			TimeEpoch:  time.Now().UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: "POST", Path: r.route, Protocol: "HTTP/1.1",
				SourceIP: "192.0.2.10", UserAgent: "e2e",
			},
		},
		Body: r.body,
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// answer is the part of the three response shapes the tests read.
type answer struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// fields decodes the answer's JSON body.
func (a answer) fields(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.Body), &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", a.Body, err)
	}
	return m
}

// invoke sends event through the emulator and decodes the answer.
func (s *stack) invoke(event []byte) answer {
	s.t.Helper()
	out, err := s.emu.Invoke(s.t.Context(), event)
	if err != nil {
		var se *emulator.StatusError
		if errors.As(err, &se) {
			s.t.Fatalf("invoke: %v: %s", err, se.Body)
		}
		s.t.Fatalf("invoke: %v", err)
	}
	var a answer
	if err := json.Unmarshal(out, &a); err != nil {
		s.t.Fatalf("answer %s: %v", out, err)
	}
	return a
}
