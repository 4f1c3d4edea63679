package handler

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
)

// seedEvents adds the sample events of events/ and a few hand-made edge cases to a corpus.
func seedEvents(f *testing.F) {
	f.Helper()
	paths, err := filepath.Glob("../../events/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	body := []byte(`{"executionId":"` + runningID + `"}`)
	for _, build := range shapes {
		f.Add(build("POST", "/webhook", map[string]string{"webhook-id": "msg_1"}, body, false))
		f.Add(build("POST", "/slack", nil, body, true))
		f.Add(build("GET", "/nowhere", nil, nil, false))
	}
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `"2.0"`,
		`{"version":"2.0","routeKey":"$default","rawPath":"/prod/webhook",` +
			`"requestContext":{"stage":"prod","http":{"method":"POST"}}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"POST"}},` +
			`"isBase64Encoded":true,"body":"@@"}`,
		`{"httpMethod":"POST","resource":"/slack","multiValueHeaders":` +
			`{"X-Slack-Signature":["a","b"]},"body":"text=help"}`,
		`{"version":"1.0","httpMethod":"POST","resource":"/webhook",` +
			`"requestContext":{"requestTimeEpoch":-1}}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzNormalise checks that any raw event either becomes a request within the limits or is
// refused as malformed or too large, and never panics.
func FuzzNormalise(f *testing.F) {
	seedEvents(f)
	now := time.Unix(1_780_000_000, 0)
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, o, _ := normalise(raw, now)
		if o == nil && req == nil {
			t.Fatal("no request and no outcome")
		}
		if o == nil {
			o = req.decodeBody()
		}
		if o != nil {
			if o.Kind != reply.MalformedEvent && o.Kind != reply.TooLarge {
				t.Fatalf("refused as %v; want malformed_event or too_large", o.Kind)
			}
			return
		}
		if req.shape == shapeUnknown || req.method == "" {
			t.Fatalf("accepted an event without a shape or method: %+v", req)
		}
		if len(req.body) > MaxBody {
			t.Fatalf("accepted a body of %d bytes", len(req.body))
		}
		for name := range req.header {
			if name != strings.ToLower(name) {
				t.Fatalf("header name %q is not lower-case", name)
			}
		}
		if req.received.After(now) || now.Sub(req.received) > 30*time.Second {
			t.Fatalf("received %v is not within the last 30 s of %v", req.received, now)
		}
	})
}

// refusingSailPoint counts calls it should never get.
type refusingSailPoint struct{ calls atomic.Int64 }

func (r *refusingSailPoint) Cancel(context.Context, string) error {
	r.calls.Add(1)
	return &sailpoint.Error{Kind: sailpoint.KindUpstream, Op: "cancel"}
}

func (r *refusingSailPoint) Get(context.Context, string) (sailpoint.Execution, error) {
	r.calls.Add(1)
	return sailpoint.Execution{}, &sailpoint.Error{Kind: sailpoint.KindUpstream, Op: "get"}
}

// FuzzInvoke checks the whole handler on arbitrary events: it never returns an error to the
// runtime, always answers a JSON response with a status it documents, and, since no
// fuzzed event carries a valid signature, never calls SailPoint.
func FuzzInvoke(f *testing.F) {
	seedEvents(f)
	sp := &refusingSailPoint{}
	h := New(Options{
		Secrets:            &fixedSecrets{bundle: bundleFor(f)},
		SailPoint:          sp,
		SignatureTolerance: 5 * time.Minute,
	})
	statuses := map[int]bool{200: true, 400: true, 401: true, 404: true, 405: true, 413: true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := h.Invoke(context.Background(), raw)
		if err != nil {
			t.Fatalf("Invoke returned an error to the runtime: %v", err)
		}
		var r response
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("answer %q is not JSON: %v", out, err)
		}
		if !statuses[r.StatusCode] {
			t.Fatalf("status %d; body %s", r.StatusCode, r.Body)
		}
		if n := sp.calls.Load(); n != 0 {
			t.Fatalf("SailPoint was called %d times for an unsigned event", n)
		}
	})
}

// bundleFor is the test bundle with every route configured, for a fuzz target.
func bundleFor(f *testing.F) secret.Bundle {
	f.Helper()
	b, err := secret.Parse([]byte(secretDoc(nil)))
	if err != nil {
		f.Fatal(err)
	}
	return b
}
