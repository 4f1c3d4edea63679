package handler

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// secretValues are the values that must never appear in a log line, an answer or an error
// text: the PAT secret, every route's signing secret (and the key inside a whsec_ secret).
func secretValues() []string {
	out := []string{testClientSecret}
	for _, s := range routeSpecs {
		if s.scheme == "discord" {
			continue // the route holds the public key; the seed never reaches the handler
		}
		out = append(out, s.secret)
		if key, ok := strings.CutPrefix(s.secret, "whsec_"); ok {
			if raw, err := base64.StdEncoding.DecodeString(key); err == nil {
				out = append(out, key, string(raw))
			}
		}
	}
	return out
}

// signatureValues picks the signature and token values out of the headers sent: the whole
// value and, for "scheme value" forms, the value alone.
func signatureValues(sent []string) []string {
	var out []string
	for _, v := range sent {
		out = append(out, v)
		for _, part := range strings.FieldsFunc(v, func(r rune) bool {
			return r == ' ' || r == ','
		}) {
			part = strings.TrimPrefix(strings.TrimPrefix(part, "v0="), "sha256=")
			if len(part) >= 16 {
				out = append(out, part)
			}
		}
	}
	return out
}

// checkNoLeak fails when a secret, an access token or a signature sent appears in the env's
// log, in the answer (body or headers) or in an error Invoke returned.
func checkNoLeak(t *testing.T, e *realEnv, answers ...response) {
	t.Helper()
	e.mu.Lock()
	sent := append([]string(nil), e.sigs...)
	errs := strings.Join(e.errs, "\n")
	e.mu.Unlock()

	var seen strings.Builder
	seen.WriteString(e.logs.String())
	seen.WriteString(errs)
	for _, r := range answers {
		seen.WriteString(r.Body)
		for k, v := range r.Headers {
			seen.WriteString(k + ": " + v + "\n")
		}
	}
	text := seen.String()

	check := func(what string, values []string) {
		for _, v := range values {
			if v != "" && strings.Contains(text, v) {
				t.Errorf("%s %.12q… appears in a log line, an answer or an error", what, v)
			}
		}
	}
	check("secret", secretValues())
	check("access token", e.tenant.tokens())
	check("signature", signatureValues(sent))
}

// isSignatureHeader reports whether a header carries a signature or a shared token.
func isSignatureHeader(name string) bool {
	n := strings.ToLower(name)
	return (strings.Contains(n, "signature") || strings.Contains(n, "authorization") ||
		strings.Contains(n, "token")) && !strings.Contains(n, "timestamp")
}

// TestNoLeakOnEveryRoute runs, on every route and in every event shape, the requests that do
// not come from the fault matrix (which checks its own rows): accepted cancels and reads,
// help, bad signatures, stale signatures, malformed commands, rejected credentials and
// re-read secrets.
func TestNoLeakOnEveryRoute(t *testing.T) {
	requests := []struct {
		name  string
		setup func(e *realEnv)
		send  func(e *realEnv, spec routeSpec, shape string) response
	}{
		{name: "cancel", send: signedRequest("cancel", runningID, "")},
		{name: "status", send: signedRequest("status", runningID, "")},
		{name: "help", send: signedRequest("help", "", "")},
		{name: "malformed id", send: signedRequest("cancel", "not-an-id", "")},
		{name: "bad signature", send: signedRequest("cancel", runningID, "tamper")},
		{name: "stale signature", send: signedRequest("cancel", runningID, "stale")},
		{
			name:  "PAT rejected, secret re-read",
			setup: func(e *realEnv) { e.sim.SetCredentials("other", "other-secret") },
			send:  signedRequest("cancel", runningID, ""),
		},
		{
			name:  "token revoked mid-flight",
			setup: func(e *realEnv) { e.sim.RevokeTokens() },
			send:  signedRequest("cancel", finishedID, ""),
		},
	}
	e := newRealEnv(t)
	for _, spec := range servedSpecs(e.h) {
		for _, shape := range []string{"httpapi", "rest", "functionurl"} {
			t.Run(spec.path+"/"+shape, func(t *testing.T) {
				e := newRealEnv(t)
				var answers []response
				for _, req := range requests {
					if req.setup != nil {
						req.setup(e)
					}
					answers = append(answers, req.send(e, spec, shape))
				}
				if e.calls().token == 0 {
					t.Fatal("no token was issued: the leak check would prove nothing")
				}
				checkNoLeak(t, e, answers...)
			})
		}
	}
}

// signedRequest sends a command on the route; how "tamper" breaks the signature and "stale"
// signs it an hour ago.
func signedRequest(action, id, how string) func(e *realEnv, spec routeSpec,
	shape string) response {
	return func(e *realEnv, spec routeSpec, shape string) response {
		e.t.Helper()
		body := spec.body(action, id)
		at := e.clock.now()
		if how == "stale" {
			at = at.Add(-time.Hour)
		}
		h := spec.signature(e.t, body, at)
		for k, v := range h {
			if isSignatureHeader(k) {
				e.noteSignature(map[string]string{k: v})
			}
		}
		if how == "tamper" {
			body = append(body, ' ')
		}
		return e.invoke(shapes[shape]("POST", spec.path, h, body, false))
	}
}
