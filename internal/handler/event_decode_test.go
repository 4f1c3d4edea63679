package handler

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// referenceEvent is the event as encoding/json decodes it: the reference readEvent must match.
type referenceEvent struct {
	Version           string              `json:"version"`
	RouteKey          string              `json:"routeKey"`
	RawPath           string              `json:"rawPath"`
	Resource          string              `json:"resource"`
	HTTPMethod        string              `json:"httpMethod"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	Deferred          referencePresent    `json:"deferred"`
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

// referencePresent records that a member was there, whatever its value.
type referencePresent bool

func (p *referencePresent) UnmarshalJSON([]byte) error {
	*p = true
	return nil
}

// referenceRequest is what the encoding/json normalise made of an event.
type referenceRequest struct {
	shape      shape
	method     string
	route      string
	received   time.Time
	body       string
	bodyBase64 bool
	// header holds, for each lower-case name, the values of each member whose name lowers to
	// it: encoding/json's maps leave the order of such members to chance.
	header map[string][][]string
}

// referenceNormalise is normalise as it was with one json.Unmarshal into referenceEvent.
func referenceNormalise(raw []byte, now time.Time) (*referenceRequest, *reply.Outcome, bool) {
	var ev referenceEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fail(reply.MalformedEvent, notAnEvent), bool(ev.Deferred)
	}
	rc := &ev.RequestContext
	r := &referenceRequest{header: map[string][][]string{}}
	single := func() {
		for name, v := range ev.Headers {
			key := strings.ToLower(name)
			r.header[key] = append(r.header[key], []string{v})
		}
	}
	switch {
	case ev.Version == "2.0" && rc.HTTP.Method != "":
		r.method = rc.HTTP.Method
		if strings.Contains(rc.DomainName, ".lambda-url.") {
			r.shape, r.route = shapeFunctionURL, ev.RawPath
		} else {
			r.shape = shapeHTTPAPI
			r.route = httpAPIRoute(&event{routeKey: ev.RouteKey, rawPath: ev.RawPath,
				requestContext: struct {
					domainName       string
					stage            string
					timeEpoch        int64
					requestTimeEpoch int64
					httpMethod       string
				}{stage: rc.Stage}})
		}
		single()
		r.received = plausible(rc.TimeEpoch, now)
	case ev.HTTPMethod != "" && ev.Resource != "" && (ev.Version == "" || ev.Version == "1.0"):
		r.shape, r.method, r.route = shapeREST, ev.HTTPMethod, ev.Resource
		if len(ev.MultiValueHeaders) > 0 {
			for name, vs := range ev.MultiValueHeaders {
				key := strings.ToLower(name)
				r.header[key] = append(r.header[key], vs)
			}
		} else {
			single()
		}
		r.received = plausible(rc.RequestTimeEpoch, now)
	default:
		return nil, fail(reply.MalformedEvent, notAnEvent), bool(ev.Deferred)
	}
	r.body, r.bodyBase64 = ev.Body, ev.IsBase64Encoded
	return r, nil, bool(ev.Deferred)
}

// referenceDecode is decode as it was, on the body as a string.
func referenceDecode(body string, isBase64 bool) ([]byte, *reply.Outcome) {
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

// checkSameAsReference fails the test when normalise and decodeBody read raw differently
// from the encoding/json reference.
func checkSameAsReference(t *testing.T, raw []byte, now time.Time) {
	t.Helper()
	req, o, mayDefer := normalise(raw, now)
	want, wantO, wantDefer := referenceNormalise(raw, now)
	if mayDefer != wantDefer {
		t.Fatalf("mayDefer = %t; the reference says %t", mayDefer, wantDefer)
	}
	if !sameOutcome(o, wantO) {
		t.Fatalf("outcome = %+v; the reference says %+v", o, wantO)
	}
	if o != nil {
		return
	}
	if req.shape != want.shape || req.method != want.method || req.route != want.route ||
		!req.received.Equal(want.received) || req.bodyBase64 != want.bodyBase64 {
		t.Fatalf("request %v %q %q %v base64 %t; the reference says %v %q %q %v base64 %t",
			req.shape, req.method, req.route, req.received, req.bodyBase64,
			want.shape, want.method, want.route, want.received, want.bodyBase64)
	}
	if string(req.bodyText) != want.body || req.bodyText == nil {
		t.Fatalf("body text %q; the reference says %q", req.bodyText, want.body)
	}
	checkHeaders(t, req.header, want.header)

	o = req.decodeBody()
	body, wantO := referenceDecode(want.body, want.bodyBase64)
	if !sameOutcome(o, wantO) {
		t.Fatalf("body outcome = %+v; the reference says %+v", o, wantO)
	}
	if o == nil && (!bytes.Equal(req.body, body) || req.body == nil) {
		t.Fatalf("body %q; the reference says %q", req.body, body)
	}
}

// checkHeaders compares headers with the reference's. Where several members' names lower to
// one name, the reference's result depends on map order, so any of its orders is accepted.
func checkHeaders(t *testing.T, got map[string][]string, want map[string][][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("headers %q; the reference has %d names: %q", got, len(want), want)
	}
	for name, members := range want {
		values, ok := got[name]
		if !ok {
			t.Fatalf("header %q is missing; the reference has %q", name, members)
		}
		if !anyOrder(values, members, len(members) > 0 && len(members[0]) == 1 &&
			len(values) == 1) {
			t.Fatalf("header %q = %q; the reference has %q", name, values, members)
		}
	}
}

// anyOrder reports whether values is the members' values joined in some order or, for
// single-valued headers (single), one of them.
func anyOrder(values []string, members [][]string, single bool) bool {
	if single && slices.ContainsFunc(members, func(m []string) bool {
		return len(m) == 1 && m[0] == values[0]
	}) {
		return true
	}
	var all []string
	for _, m := range members {
		all = append(all, m...)
	}
	if len(members) == 1 {
		return slices.Equal(values, all)
	}
	a, b := slices.Clone(values), all
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sameOutcome(a, b *reply.Outcome) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.Detail == b.Detail
}

// TestNormaliseMatchesEncodingJSON checks the event reader against encoding/json on events
// chosen for the corners where a hand-written reader could differ from it.
func TestNormaliseMatchesEncodingJSON(t *testing.T) {
	now := time.Unix(1_780_000_000, 0)
	const http = `"version":"2.0","requestContext":{"http":{"method":"POST"}}`
	const rest = `"httpMethod":"POST","resource":"/slack"`
	events := map[string]string{
		"not json":                       `{"version":`,
		"empty":                          ``,
		"white space only":               " \t\r\n",
		"top-level null":                 `null`,
		"top-level array":                `[]`,
		"top-level string":               `"2.0"`,
		"top-level number":               `12`,
		"trailing garbage":               `{` + http + `} x`,
		"two values":                     `{` + http + `}{}`,
		"trailing white space":           `{` + http + `} ` + "\n",
		"names in other case":            `{"VERSION":"2.0","RequestContext":{"HTTP":{"Method":"PUT"}}}`,
		"long s folds to s":              `{"ver\u017fion":"2.0","requestContext":{"http":{"method":"PUT"}}}`,
		"kelvin sign folds to k":         `{"version":"2.0","route\u212aey":"POST /k","requestContext":{"http":{"method":"PUT"}}}`,
		"kelvin sign unescaped":          "{\"version\":\"2.0\",\"route\u212aey\":\"POST /k\",\"requestContext\":{\"http\":{\"method\":\"PUT\"}}}",
		"escaped name":                   `{` + http + `,"bod\u0079":"escaped"}`,
		"escaped name in json":           `{` + http + `,"bod\\u0079":"escaped"}`,
		"last duplicate wins":            `{` + http + `,"body":"a","body":"b","Body":"c"}`,
		"null leaves a string":           `{` + http + `,"body":"a","body":null}`,
		"null leaves the context":        `{"version":"2.0","requestContext":{"http":{"method":"PUT"}},"requestContext":null}`,
		"contexts merge":                 `{"version":"2.0","requestContext":{"stage":"p"},"requestContext":{"http":{"method":"PUT"}},"routeKey":"$default","rawPath":"/p/x"}`,
		"headers merge":                  `{` + http + `,"headers":{"a":"1"},"headers":{"b":"2"}}`,
		"null empties headers":           `{` + http + `,"headers":{"a":"1"},"headers":null,"headers":{"b":"2"}}`,
		"null header value":              `{` + http + `,"headers":{"a":null}}`,
		"header repeated exactly":        `{` + http + `,"headers":{"a":"1","a":"2"}}`,
		"header repeated in other case":  `{` + http + `,"headers":{"A":"1","a":"2","A":"3"}}`,
		"header number":                  `{` + http + `,"headers":{"a":1}}`,
		"headers array":                  `{` + http + `,"headers":["a"]}`,
		"many headers":                   `{` + http + `,"headers":{` + manyHeaders(40) + `}}`,
		"multi headers":                  `{` + rest + `,"multiValueHeaders":{"A":["1","2"],"a":["3"],"b":[],"c":null,"d":[null,"x"]}}`,
		"multi repeated exactly":         `{` + rest + `,"multiValueHeaders":{"a":["1"],"A":["2"],"a":["3"]}}`,
		"multi with a number":            `{` + rest + `,"multiValueHeaders":{"a":[1]}}`,
		"multi not a list":               `{` + rest + `,"multiValueHeaders":{"a":"1"}}`,
		"multi empty falls back":         `{` + rest + `,"multiValueHeaders":{},"headers":{"X":"1"}}`,
		"only empty multi lists":         `{` + rest + `,"multiValueHeaders":{"x":[]},"headers":{"X":"1"}}`,
		"string method number":           `{"version":"2.0","requestContext":{"http":{"method":5}}}`,
		"body number":                    `{` + http + `,"body":5}`,
		"body object":                    `{` + http + `,"body":{"a":1}}`,
		"base64 flag string":             `{` + http + `,"isBase64Encoded":"true"}`,
		"base64 flag null":               `{` + http + `,"isBase64Encoded":true,"isBase64Encoded":null,"body":"aGk="}`,
		"base64 body":                    `{` + http + `,"isBase64Encoded":true,"body":"aGVsbG8="}`,
		"base64 body broken":             `{` + http + `,"isBase64Encoded":true,"body":"aGVsbG8"}`,
		"base64 escaped":                 `{` + http + `,"isBase64Encoded":true,"body":"aGVs\u0062G8="}`,
		"epoch fraction":                 `{"version":"2.0","requestContext":{"http":{"method":"PUT"},"timeEpoch":1.5}}`,
		"epoch exponent":                 `{"version":"2.0","requestContext":{"http":{"method":"PUT"},"timeEpoch":1e3}}`,
		"epoch overflow":                 `{"version":"2.0","requestContext":{"http":{"method":"PUT"},"timeEpoch":9223372036854775808}}`,
		"epoch minimum":                  `{"version":"2.0","requestContext":{"http":{"method":"PUT"},"timeEpoch":-9223372036854775808}}`,
		"epoch negative zero":            `{"version":"2.0","requestContext":{"http":{"method":"PUT"},"timeEpoch":-0}}`,
		"epoch plausible":                `{"version":"2.0","requestContext":{"http":{"method":"PUT"},"timeEpoch":1779999990000}}`,
		"epoch string":                   `{` + rest + `,"requestContext":{"requestTimeEpoch":"1"}}`,
		"rest epoch plausible":           `{` + rest + `,"requestContext":{"requestTimeEpoch":1779999995000}}`,
		"context array":                  `{` + rest + `,"requestContext":[]}`,
		"http string":                    `{"version":"2.0","requestContext":{"http":"POST"}}`,
		"deferred alone":                 `{"deferred":{"x":1}}`,
		"deferred null":                  `{"deferred":null}`,
		"deferred other case":            `{"DEFERRED":1}`,
		"deferred and a type error":      `{"deferred":1,"body":5}`,
		"type error then deferred":       `{"body":5,"deferred":1}`,
		"deferred then syntax error":     `{"deferred":1,"body":}`,
		"deferred nested is not":         `{"requestContext":{"deferred":1}}`,
		"escapes":                        `{` + http + `,"body":"\"\\\/\b\f\n\r\t\u00e9\u20ac"}`,
		"surrogate pair":                 `{` + http + `,"body":"\ud83d\ude00"}`,
		"lone high surrogate":            `{` + http + `,"body":"\ud83dx"}`,
		"high surrogate then escape":     `{` + http + `,"body":"\ud83d\u0041"}`,
		"two high surrogates":            `{` + http + `,"body":"\ud83d\ud83d\ude00"}`,
		"lone low surrogate":             `{` + http + `,"body":"\ude00"}`,
		"high surrogate at end":          `{` + http + `,"body":"\ud83d"}`,
		"invalid utf-8":                  "{" + http + ",\"body\":\"a\xffb\xed\xa0\x80c\xe2\x82\"}",
		"invalid utf-8 in a name":        "{" + http + ",\"bod\xff\":\"x\",\"headers\":{\"\xfe\":\"v\xc0\"}}",
		"valid utf-8":                    `{` + http + `,"body":"héllo €"}`,
		"control character":              "{" + http + ",\"body\":\"a\nb\"}",
		"bad escape":                     `{` + http + `,"body":"\x"}`,
		"short unicode escape":           `{` + http + `,"body":"\u12"}`,
		"bad hex":                        `{` + http + `,"body":"\u12g4"}`,
		"unterminated string":            `{` + http + `,"body":"abc`,
		"numbers skipped":                `{` + http + `,"x":[0,-1,1.5,1e5,1E-5,-0.0e+1]}`,
		"bad number leading zero":        `{` + http + `,"x":01}`,
		"bad number dot":                 `{` + http + `,"x":1.}`,
		"bad number exponent":            `{` + http + `,"x":1e}`,
		"bad number minus":               `{` + http + `,"x":-}`,
		"bad number plus":                `{` + http + `,"x":+1}`,
		"literals skipped":               `{` + http + `,"x":[true,false,null]}`,
		"bad literal":                    `{` + http + `,"x":tru}`,
		"trailing comma in object":       `{` + http + `,}`,
		"trailing comma in array":        `{` + http + `,"x":[1,]}`,
		"missing colon":                  `{` + http + `,"x" 1}`,
		"single quotes":                  `{'version':'2.0'}`,
		"nested skip":                    `{` + http + `,"x":{"a":[{"b":{}},[],[[]]],"c":"d"}}`,
		"deep but allowed":               `{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
		"too deep":                       `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
		"too deep in headers":            `{"multiValueHeaders":{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}}`,
		"deep headers allowed":           `{"multiValueHeaders":{"a":[` + strings.Repeat("[", 9996) + strings.Repeat("]", 9996) + `]}}`,
		"function url":                   `{"version":"2.0","routeKey":"$default","rawPath":"/slack","requestContext":{"domainName":"x.lambda-url.us-east-1.on.aws","http":{"method":"POST"}}}`,
		"version 1.0 rest":               `{"version":"1.0",` + rest + `}`,
		"version 3 rest":                 `{"version":"3",` + rest + `}`,
		"white space everywhere":         " {\n\"version\" : \"2.0\" ,\t\"requestContext\":{ \"http\" : { \"method\" : \"GET\" } } } ",
		"body with an escaped quote":     `{` + http + `,"body":"{\"executionId\":\"x\"}"}`,
		"body over the limit":            `{` + http + `,"body":"` + strings.Repeat("a", MaxBody+1) + `"}`,
		"base64 body over the limit":     `{` + http + `,"isBase64Encoded":true,"body":"` + strings.Repeat("QUFB", MaxBody/3+1) + `"}`,
		"empty body":                     `{` + http + `,"body":""}`,
		"stage prefix":                   `{"version":"2.0","routeKey":"$default","rawPath":"/prod/webhook","requestContext":{"stage":"prod","http":{"method":"POST"}}}`,
		"routeKey without a space":       `{"version":"2.0","routeKey":"webhook","requestContext":{"http":{"method":"POST"}}}`,
		"names differing in length only": `{"versions":"2.0","version":"2.0","requestContext":{"http":{"method":"POST"}}}`,
	}
	for name, raw := range events {
		t.Run(name, func(t *testing.T) {
			checkSameAsReference(t, []byte(raw), now)
		})
	}
}

// manyHeaders is n members of a headers object, some repeated and in different case, enough
// that the reader indexes them.
func manyHeaders(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		name := string(rune('a' + i%26))
		if i%3 == 0 {
			name = strings.ToUpper(name)
		}
		b.WriteString(`"h-` + name + `":"` + strings.Repeat("v", i) + `"`)
	}
	return b.String()
}

// BenchmarkNormalise measures decoding a signed webhook event of the HTTP API.
func BenchmarkNormalise(b *testing.B) {
	raw, err := json.Marshal(events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /webhook", RawPath: "/prod/webhook",
		Headers: map[string]string{
			"content-type":      "application/json",
			"webhook-id":        "msg_2abcdefghijkl",
			"webhook-timestamp": "1780000000",
			"webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "prod",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: "/prod/webhook",
			}},
		Body: `{"executionId":"be0c4a11-0000-4000-8000-000000000001","action":"cancel"}`,
	})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if req, o, _ := normalise(raw, now); o != nil || req.decodeBody() != nil {
			b.Fatal("the event was refused")
		}
	}
}
