package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// knownRoutes are the paths deployed as "POST <path>" routes of the HTTP API; any other
// request reaches the function through the $default route, as it would once deployed.
var knownRoutes = map[string]bool{
	"/slack": true, "/webhook": true, "/teams": true, "/discord": true, "/github": true,
	"/gitlab": true, "/jira": true, "/pagerduty": true, "/zendesk": true,
	"/servicenow": true, "/mattermost": true,
}

// toEvent turns an HTTP request into the HTTP API (payload 2.0) event API Gateway would
// deliver for it, received at now on stage.
//
// Rules, as API Gateway applies them:
//   - header names are lower-cased and repeated headers joined with commas;
//   - Cookie headers become the cookies list and leave the headers;
//   - a body that is not text is base64-encoded, with isBase64Encoded set.
func toEvent(r *http.Request, body []byte, stage string, now time.Time) events.APIGatewayV2HTTPRequest {
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}

	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		key := strings.ToLower(name)
		if key == "cookie" {
			cookies = append(cookies, splitCookies(values)...)
			continue
		}
		headers[key] = strings.Join(values, ",")
	}
	headers["host"] = r.Host
	headers["x-forwarded-for"] = sourceIP
	headers["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	}

	routeKey := "$default"
	if path := stripStage(r.URL.Path, stage); r.Method == http.MethodPost && knownRoutes[path] {
		routeKey = "POST " + path
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       routeKey,
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    "123456789012",
			Stage:        stage,
			RequestID:    fmt.Sprintf("local-%d", now.UnixNano()),
			APIID:        "local",
			DomainName:   r.Host,
			DomainPrefix: "local",
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// splitCookies turns Cookie header values into single "name=value" entries.
func splitCookies(values []string) []string {
	var out []string
	for _, v := range values {
		for _, c := range strings.Split(v, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// stripStage removes a named stage's prefix from path; $default has none.
func stripStage(path, stage string) string {
	if stage == "" || stage == "$default" {
		return path
	}
	if rest, ok := strings.CutPrefix(path, "/"+stage); ok && (rest == "" || rest[0] == '/') {
		return rest
	}
	return path
}

// isText reports whether a body of this content type is passed as text: text/*, JSON, XML
// and forms. Anything else, an absent type included, is base64-encoded.
func isText(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(media, "text/"),
		media == "application/json", strings.HasSuffix(media, "+json"),
		media == "application/xml", strings.HasSuffix(media, "+xml"),
		media == "application/x-www-form-urlencoded":
		return true
	}
	return false
}

// response is the HTTP API answer, as the function returns it.
type response struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// writeResponse writes the function's answer back as an HTTP response.
func writeResponse(w http.ResponseWriter, raw []byte) (int, error) {
	var resp response
	if err := json.Unmarshal(raw, &resp); err != nil {
		return 0, fmt.Errorf("decode function answer: %w", err)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return 0, fmt.Errorf("decode function answer body: %w", err)
		}
		body = b
	}
	if resp.StatusCode == 0 {
		resp.StatusCode = http.StatusOK
	}

	h := w.Header()
	for name, v := range resp.Headers {
		h.Set(name, v)
	}
	for name, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(name, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	_, err := w.Write(body)
	return resp.StatusCode, err
}
