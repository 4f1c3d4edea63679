package handler

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// MaxBody is the largest request body accepted, after base64 decoding.
const MaxBody = 64 << 10

// shape is the kind of event the function was invoked with; the answer takes the same shape.
type shape int

const (
	shapeUnknown     shape = iota
	shapeHTTPAPI           // API Gateway HTTP API, payload format 2.0
	shapeREST              // API Gateway REST API, payload format 1.0
	shapeFunctionURL       // Lambda function URL (payload 2.0 with a .lambda-url. domain)
)

func (s shape) String() string {
	switch s {
	case shapeHTTPAPI:
		return "httpapi"
	case shapeREST:
		return "rest"
	case shapeFunctionURL:
		return "functionurl"
	}
	return "unknown"
}

// request is one HTTP request, the same whatever event shape carried it.
type request struct {
	shape  shape
	method string
	route  string
	header map[string][]string // lower-case names

	// body is the raw bytes, base64-decoded when the event said so; it is set by
	// decodeBody, after routing, from the event's text and base64 flag.
	body       []byte
	bodyText   string
	bodyBase64 bool

	// received is when the gateway received the request, when the event says so and the
	// value is plausible; otherwise when the invocation started.
	received time.Time
}

// Header returns the first value of the named header, case-insensitively.
func (r *request) Header(name string) string {
	if v := r.header[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// repeated reports whether the named header came more than once.
func (r *request) repeated(name string) bool {
	return len(r.header[strings.ToLower(name)]) > 1
}

// event is the union of the fields of the three event shapes that routing needs.
type event struct {
	Version           string              `json:"version"`
	RouteKey          string              `json:"routeKey"`
	RawPath           string              `json:"rawPath"`
	Resource          string              `json:"resource"`
	HTTPMethod        string              `json:"httpMethod"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	Deferred          present             `json:"deferred"`
	RequestContext    struct {
		DomainName       string `json:"domainName"`
		Stage            string `json:"stage"`
		TimeEpoch        int64  `json:"timeEpoch"`
		RequestTimeEpoch int64  `json:"requestTimeEpoch"`
		HTTP             struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

// notAnEvent explains a MalformedEvent refusal of the whole event.
const notAnEvent = "the event is not an API Gateway or function URL event"

// present records that a member was there, whatever its value, without decoding it.
type present bool

// UnmarshalJSON marks the member present; encoding/json has already checked its syntax.
func (p *present) UnmarshalJSON([]byte) error {
	*p = true
	return nil
}

// normalise turns a raw event into a request. The outcome is set when the event is not one
// of the three shapes. The body is left as the event's text: its size and base64 are checked
// by decodeBody, once the route and the method are known to be served.
//
// mayDefer reports that the event has a member whose name matches "deferred" (encoding/json
// matches names without regard to case): only then can it be a hand-off, which asDeferred
// decides. Other events, every request among them, are parsed once.
func normalise(raw []byte, now time.Time) (req *request, o *reply.Outcome, mayDefer bool) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fail(reply.MalformedEvent, notAnEvent), bool(ev.Deferred)
	}
	req, o = ev.request(now)
	return req, o, bool(ev.Deferred)
}

// request reads the request out of an event of one of the three shapes.
func (ev *event) request(now time.Time) (*request, *reply.Outcome) {

	r := &request{}
	switch {
	case ev.Version == "2.0" && ev.RequestContext.HTTP.Method != "":
		r.method = ev.RequestContext.HTTP.Method
		if strings.Contains(ev.RequestContext.DomainName, ".lambda-url.") {
			r.shape, r.route = shapeFunctionURL, ev.RawPath
		} else {
			r.shape, r.route = shapeHTTPAPI, httpAPIRoute(ev)
		}
		r.header = singleValued(ev.Headers)
		r.received = plausible(ev.RequestContext.TimeEpoch, now)
	case ev.HTTPMethod != "" && ev.Resource != "" && (ev.Version == "" || ev.Version == "1.0"):
		r.shape, r.method, r.route = shapeREST, ev.HTTPMethod, ev.Resource
		// headers keeps only the last of repeated values; multiValueHeaders keeps them all.
		if len(ev.MultiValueHeaders) > 0 {
			r.header = make(map[string][]string, len(ev.MultiValueHeaders))
			for name, vs := range ev.MultiValueHeaders {
				key := strings.ToLower(name)
				r.header[key] = append(r.header[key], vs...)
			}
		} else {
			r.header = singleValued(ev.Headers)
		}
		r.received = plausible(ev.RequestContext.RequestTimeEpoch, now)
	default:
		return nil, fail(reply.MalformedEvent, notAnEvent)
	}

	r.bodyText, r.bodyBase64 = ev.Body, ev.IsBase64Encoded
	return r, nil
}

// singleValued turns headers of one value each into the request's form, lower-case names
// to values. The values share one backing array, so that a request costs one allocation
// for them rather than one per header.
func singleValued(headers map[string]string) map[string][]string {
	out := make(map[string][]string, len(headers))
	values := make([]string, 0, len(headers))
	for name, v := range headers {
		values = append(values, v)
		out[strings.ToLower(name)] = values[len(values)-1 : len(values) : len(values)]
	}
	return out
}

// httpAPIRoute is the route the HTTP API matched: the path of routeKey ("POST /slack"), or,
// for the $default route, rawPath less the stage prefix.
func httpAPIRoute(ev *event) string {
	if ev.RouteKey != "" && ev.RouteKey != "$default" {
		if _, path, ok := strings.Cut(ev.RouteKey, " "); ok {
			return path
		}
		return ev.RouteKey
	}
	path := ev.RawPath
	if stage := ev.RequestContext.Stage; stage != "" && stage != "$default" {
		if rest, ok := strings.CutPrefix(path, "/"+stage); ok && (rest == "" || rest[0] == '/') {
			path = rest
		}
	}
	return path
}

// decodeBody sets the request's body from the event's text, applying the size limit and
// base64 decoding.
func (r *request) decodeBody() *reply.Outcome {
	body, o := decode(r.bodyText, r.bodyBase64)
	if o != nil {
		return o
	}
	r.body = body
	return nil
}

// decode applies the size limit and base64 decoding. Base64 text longer than the encoded
// size of MaxBody is refused before it is decoded.
func decode(body string, isBase64 bool) ([]byte, *reply.Outcome) {
	if !isBase64 {
		if len(body) > MaxBody {
			return nil, fail(reply.TooLarge, "the body is over 64 KiB")
		}
		return []byte(body), nil
	}
	if len(body) > base64.StdEncoding.EncodedLen(MaxBody) {
		return nil, fail(reply.TooLarge, "the body is over 64 KiB")
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fail(reply.MalformedEvent, "the event body is marked base64 but is not")
	}
	if len(b) > MaxBody {
		return nil, fail(reply.TooLarge, "the body is over 64 KiB")
	}
	return b, nil
}

// plausible turns a gateway epoch in milliseconds into a time, when it lies within the last
// 30 seconds; anything else (absent, in the future, stale as in a sample event) means now.
func plausible(ms int64, now time.Time) time.Time {
	if ms <= 0 {
		return now
	}
	t := time.UnixMilli(ms)
	if t.After(now) || now.Sub(t) > 30*time.Second {
		return now
	}
	return t
}

func fail(k reply.Kind, detail string) *reply.Outcome {
	return &reply.Outcome{Kind: k, Detail: detail}
}
