package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// shape is the kind of event a sample file holds.
type shape int

const (
	httpAPI     shape = iota + 1 // API Gateway HTTP API, payload format 2.0
	restAPI                      // API Gateway REST API, payload format 1.0
	functionURL                  // Lambda function URL
)

// eventFile is one sample event: its file name in events/, the route it is signed for, its
// shape, its body when it is not the route's default, and what it asks of SailPoint when
// that is not to cancel the sample execution.
type eventFile struct {
	name  string
	route string
	shape shape
	body  func(secret string) []byte
	asks  asks
}

// asks is what a sample event makes the function do in SailPoint.
type asks int

const (
	asksCancel  asks = iota // cancel the sample execution
	asksStatus              // read the sample execution's status
	asksNothing             // answer without calling SailPoint (a PING)
)

// eventFiles is every file `-events` writes, and every file the tests expect in events/.
var eventFiles = []eventFile{
	{name: "slack-httpapi.json", route: "slack", shape: httpAPI},
	{name: "slack-rest.json", route: "slack", shape: restAPI},
	{name: "slack-functionurl.json", route: "slack", shape: functionURL},
	{name: "slack-status-httpapi.json", route: "slack", shape: httpAPI,
		body: slackBody("status " + sampleExecutionID), asks: asksStatus},
	{name: "webhook-httpapi.json", route: "webhook", shape: httpAPI},
	{name: "webhook-rest.json", route: "webhook", shape: restAPI},
	{name: "webhook-functionurl.json", route: "webhook", shape: functionURL},
	{name: "teams.json", route: "teams", shape: httpAPI},
	{name: "discord-ping.json", route: "discord", shape: httpAPI, body: discordPingBody,
		asks: asksNothing},
	{name: "discord-command.json", route: "discord", shape: httpAPI},
	{name: "github.json", route: "github", shape: httpAPI},
	{name: "gitlab.json", route: "gitlab", shape: httpAPI},
	{name: "jira.json", route: "jira", shape: httpAPI},
	{name: "pagerduty.json", route: "pagerduty", shape: httpAPI},
	{name: "zendesk.json", route: "zendesk", shape: httpAPI},
	{name: "servicenow.json", route: "servicenow", shape: httpAPI},
	{name: "mattermost.json", route: "mattermost", shape: httpAPI},
}

// Fake identifiers of the sample API and function URL. Nothing ever connects to them.
const (
	sampleAccount   = "123456789012"
	sampleAPIID     = "abc123sample"
	sampleAPIDomain = sampleAPIID + ".execute-api.us-east-1.amazonaws.com"
	sampleURLID     = "sampleurlid0000000000000000000000"
	sampleURLDomain = sampleURLID + ".lambda-url.us-east-1.on.aws"
	sampleSourceIP  = "203.0.113.10" // TEST-NET-3, never routed
)

// userAgents is what each provider calls itself; routes not listed use a generic name.
var userAgents = map[string]string{
	"slack":      "Slackbot 1.0 (+https://api.slack.com/robots)",
	"github":     "GitHub-Hookshot/sample",
	"gitlab":     "GitLab/17.6.0",
	"discord":    "Discord-Interactions/1.0 (+https://discord.com)",
	"jira":       "Atlassian Webhook HTTP Client",
	"pagerduty":  "PagerDuty-Webhook/V3.0",
	"zendesk":    "Zendesk Webhook",
	"mattermost": "Mattermost-Bot/1.1",
}

// writeEvents signs every sample event at now with the secrets in secretFile and writes it
// into dir, with the settings the samples need (sampleSettingsFile), returning how many
// events it wrote.
func writeEvents(dir, secretFile string, now time.Time) (int, error) {
	bundle, err := readBundle(secretFile)
	if err != nil {
		return 0, err
	}
	for i, ef := range eventFiles {
		rt, err := lookupRoute(ef.route)
		if err != nil {
			return i, err
		}
		values := bundle.Values(rt.secretKey)
		if len(values) == 0 {
			return i, fmt.Errorf("%s has no %s, needed for %s", secretFile, rt.secretKey, ef.name)
		}
		raw, err := buildEvent(ef, rt, values[0], now, i+1)
		if err != nil {
			return i, fmt.Errorf("%s: %w", ef.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, ef.name), raw, 0o644); err != nil {
			return i, fmt.Errorf("write event: %w", err)
		}
	}
	if err := writeSampleSettings(dir); err != nil {
		return len(eventFiles), err
	}
	return len(eventFiles), nil
}

// buildEvent signs ef's body and wraps it in ef's event shape. seq makes request ids differ.
func buildEvent(ef eventFile, rt route, key string, now time.Time, seq int) ([]byte, error) {
	makeBody := rt.body
	if ef.body != nil {
		makeBody = ef.body
	}
	body := makeBody(key)

	headers, err := signedHeaders(rt, key, body, now)
	if err != nil {
		return nil, err
	}
	headers["Content-Type"] = rt.contentType
	headers["Content-Length"] = strconv.Itoa(len(body))
	headers["User-Agent"] = userAgent(ef.route)
	headers["X-Forwarded-For"] = sampleSourceIP
	headers["X-Forwarded-Port"] = "443"
	headers["X-Forwarded-Proto"] = "https"

	var ev any
	switch ef.shape {
	case restAPI:
		ev = restEvent(rt.path, headers, body, now, seq)
	case functionURL:
		ev = v2Event(rt, headers, body, now, seq, true)
	default:
		ev = v2Event(rt, headers, body, now, seq, false)
	}
	out, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return append(out, '\n'), nil
}

func userAgent(route string) string {
	if ua, ok := userAgents[strings.TrimSuffix(route, "-signing")]; ok {
		return ua
	}
	return "sample-client/1.0"
}

// v2Request is an HTTP API (payload 2.0) or function URL event, fields in AWS's order.
type v2Request struct {
	Version         string            `json:"version"`
	RouteKey        string            `json:"routeKey"`
	RawPath         string            `json:"rawPath"`
	RawQueryString  string            `json:"rawQueryString"`
	Headers         map[string]string `json:"headers"`
	RequestContext  v2Context         `json:"requestContext"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

type v2Context struct {
	AccountID    string `json:"accountId"`
	APIID        string `json:"apiId"`
	DomainName   string `json:"domainName"`
	DomainPrefix string `json:"domainPrefix"`
	HTTP         v2HTTP `json:"http"`
	RequestID    string `json:"requestId"`
	RouteKey     string `json:"routeKey"`
	Stage        string `json:"stage"`
	Time         string `json:"time"`
	TimeEpoch    int64  `json:"timeEpoch"`
}

type v2HTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// v2Event builds the payload 2.0 event. Header names are lower case, as both gateways send
// them. Form bodies are base64-encoded, as HTTP APIs and function URLs deliver them.
func v2Event(rt route, headers map[string]string, body []byte, now time.Time, seq int,
	furl bool) v2Request {
	lower := make(map[string]string, len(headers))
	for name, v := range headers {
		lower[strings.ToLower(name)] = v
	}
	account, apiID, domain, routeKey := sampleAccount, sampleAPIID, sampleAPIDomain,
		"POST "+rt.path
	if furl {
		account, apiID, domain, routeKey = "anonymous", sampleURLID, sampleURLDomain, "$default"
	}
	lower["host"] = domain

	ev := v2Request{
		Version:  "2.0",
		RouteKey: routeKey,
		RawPath:  rt.path,
		Headers:  lower,
		RequestContext: v2Context{
			AccountID:    account,
			APIID:        apiID,
			DomainName:   domain,
			DomainPrefix: apiID,
			HTTP: v2HTTP{Method: "POST", Path: rt.path, Protocol: "HTTP/1.1",
				SourceIP: sampleSourceIP, UserAgent: headers["User-Agent"]},
			RequestID: fmt.Sprintf("Sample%04dRequestId=", seq),
			RouteKey:  routeKey,
			Stage:     "$default",
			Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
		},
		Body: string(body),
	}
	if rt.contentType == contentForm {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

// restRequest is a REST API (payload 1.0) event, fields in AWS's order.
type restRequest struct {
	Resource          string              `json:"resource"`
	Path              string              `json:"path"`
	HTTPMethod        string              `json:"httpMethod"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	QueryString       map[string]string   `json:"queryStringParameters"`
	MultiValueQuery   map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters    map[string]string   `json:"pathParameters"`
	StageVariables    map[string]string   `json:"stageVariables"`
	RequestContext    restContext         `json:"requestContext"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

type restContext struct {
	ResourceID       string       `json:"resourceId"`
	ResourcePath     string       `json:"resourcePath"`
	HTTPMethod       string       `json:"httpMethod"`
	RequestTime      string       `json:"requestTime"`
	Path             string       `json:"path"`
	AccountID        string       `json:"accountId"`
	Protocol         string       `json:"protocol"`
	Stage            string       `json:"stage"`
	DomainPrefix     string       `json:"domainPrefix"`
	RequestTimeEpoch int64        `json:"requestTimeEpoch"`
	RequestID        string       `json:"requestId"`
	Identity         restIdentity `json:"identity"`
	DomainName       string       `json:"domainName"`
	APIID            string       `json:"apiId"`
}

type restIdentity struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// restEvent builds the payload 1.0 event. Header names keep the case the caller sent, and
// every header also appears in multiValueHeaders, as REST APIs send them.
func restEvent(path string, headers map[string]string, body []byte, now time.Time,
	seq int) restRequest {
	headers["Host"] = sampleAPIDomain
	multi := make(map[string][]string, len(headers))
	for name, v := range headers {
		multi[name] = []string{v}
	}
	return restRequest{
		Resource:          path,
		Path:              path,
		HTTPMethod:        "POST",
		Headers:           headers,
		MultiValueHeaders: multi,
		RequestContext: restContext{
			ResourceID:       "smpl01",
			ResourcePath:     path,
			HTTPMethod:       "POST",
			RequestTime:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			Path:             "/prod" + path,
			AccountID:        sampleAccount,
			Protocol:         "HTTP/1.1",
			Stage:            "prod",
			DomainPrefix:     sampleAPIID,
			RequestTimeEpoch: now.UnixMilli(),
			RequestID:        fmt.Sprintf("00000000-0000-4000-8000-%012d", seq),
			Identity:         restIdentity{SourceIP: sampleSourceIP, UserAgent: headers["User-Agent"]},
			DomainName:       sampleAPIDomain,
			APIID:            sampleAPIID,
		},
		Body: string(body),
	}
}
