package handler

import (
	"encoding/base64"
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
	// decodeBody, after routing, from the event's text (unescaped, in a buffer of its own)
	// and base64 flag.
	body       []byte
	bodyText   []byte
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

// event is the union of the members of the three event shapes that routing needs, as
// readEvent decodes them.
type event struct {
	version           string
	routeKey          string
	rawPath           string
	resource          string
	httpMethod        string
	headers           headerSet
	multiValueHeaders headerSet
	body              []byte
	isBase64Encoded   bool
	deferred          bool // a member named "deferred" was there, whatever its value
	requestContext    struct {
		domainName       string
		stage            string
		timeEpoch        int64
		requestTimeEpoch int64
		httpMethod       string // requestContext.http.method
	}
}

// notAnEvent explains a MalformedEvent refusal of the whole event.
const notAnEvent = "the event is not an API Gateway or function URL event"

// normalise turns a raw event into a request. The outcome is set when the event is not one
// of the three shapes. The body is left as the event's text: its size and base64 are checked
// by decodeBody, once the route and the method are known to be served.
//
// mayDefer reports that the event has a member whose name matches "deferred" (names match
// without regard to case, as in encoding/json): only then can it be a hand-off, which asDeferred
// decides. Other events, every request among them, are parsed once.
func normalise(raw []byte, now time.Time) (req *request, o *reply.Outcome, mayDefer bool) {
	var ev event
	if !readEvent(raw, &ev) {
		return nil, fail(reply.MalformedEvent, notAnEvent), ev.deferred
	}
	req, o = ev.request(now)
	return req, o, ev.deferred
}

// request reads the request out of an event of one of the three shapes.
func (ev *event) request(now time.Time) (*request, *reply.Outcome) {

	r := &request{}
	rc := &ev.requestContext
	switch {
	case ev.version == "2.0" && rc.httpMethod != "":
		r.method = rc.httpMethod
		if strings.Contains(rc.domainName, ".lambda-url.") {
			r.shape, r.route = shapeFunctionURL, ev.rawPath
		} else {
			r.shape, r.route = shapeHTTPAPI, httpAPIRoute(ev)
		}
		r.header = singleValued(ev.headers.list)
		r.received = plausible(rc.timeEpoch, now)
	case ev.httpMethod != "" && ev.resource != "" && (ev.version == "" || ev.version == "1.0"):
		r.shape, r.method, r.route = shapeREST, ev.httpMethod, ev.resource
		// headers keeps only the last of repeated values; multiValueHeaders keeps them all.
		if multi := ev.multiValueHeaders.list; len(multi) > 0 {
			r.header = make(map[string][]string, len(multi))
			for _, h := range multi {
				key := strings.ToLower(h.name)
				r.header[key] = append(r.header[key], h.values...)
			}
		} else {
			r.header = singleValued(ev.headers.list)
		}
		r.received = plausible(rc.requestTimeEpoch, now)
	default:
		return nil, fail(reply.MalformedEvent, notAnEvent)
	}

	r.bodyText, r.bodyBase64 = ev.body, ev.isBase64Encoded
	if r.bodyText == nil {
		r.bodyText = []byte{} // an absent body is an empty one, never nil
	}
	return r, nil
}

// singleValued turns headers of one value each into the request's form, lower-case names
// to values. The values share one backing array, so that a request costs one allocation
// for them rather than one per header.
func singleValued(headers []header) map[string][]string {
	out := make(map[string][]string, len(headers))
	values := make([]string, 0, len(headers))
	for _, h := range headers {
		values = append(values, h.value)
		out[strings.ToLower(h.name)] = values[len(values)-1 : len(values) : len(values)]
	}
	return out
}

// httpAPIRoute is the route the HTTP API matched: the path of routeKey ("POST /slack"), or,
// for the $default route, rawPath less the stage prefix.
func httpAPIRoute(ev *event) string {
	if ev.routeKey != "" && ev.routeKey != "$default" {
		if _, path, ok := strings.Cut(ev.routeKey, " "); ok {
			return path
		}
		return ev.routeKey
	}
	path := ev.rawPath
	if stage := ev.requestContext.stage; stage != "" && stage != "$default" {
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
func decode(body []byte, isBase64 bool) ([]byte, *reply.Outcome) {
	if !isBase64 {
		if len(body) > MaxBody {
			return nil, fail(reply.TooLarge, "the body is over 64 KiB")
		}
		return body, nil
	}
	if len(body) > base64.StdEncoding.EncodedLen(MaxBody) {
		return nil, fail(reply.TooLarge, "the body is over 64 KiB")
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
	n, err := base64.StdEncoding.Decode(b, body)
	b = b[:n]
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
