package webhook

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"
)

// fuzzVerifier returns the verifier for a vector scheme name, or GitLab with a signing
// secret for "gitlab-signing", and the secret key to configure.
func fuzzVerifier(scheme string) (Verifier, string, bool) {
	if scheme == SchemeGitLabSigning {
		return GitLab(DefaultTolerance), keyGitLabSigning, true
	}
	v, ok := vectorVerifiers[scheme]
	return v.verifier, v.key, ok
}

// FuzzVerify feeds arbitrary headers, bodies, secrets and clocks to every verifier and to
// Sign. Nothing may panic, and every failure must wrap ErrInvalid.
func FuzzVerify(f *testing.F) {
	for _, v := range loadVectors(f) {
		names := slices.Sorted(maps.Keys(v.Headers))
		var pairs [6]string
		for i, name := range names[:min(len(names), 3)] {
			pairs[2*i], pairs[2*i+1] = name, v.Headers[name]
		}
		req := v.request(f)
		f.Add(v.Scheme, pairs[0], pairs[1], pairs[2], pairs[3], pairs[4], pairs[5],
			req.Body, v.Secret, v.clock(f).Unix())
	}
	f.Add(SchemeGitLabSigning, "webhook-id", "msg_1", "webhook-timestamp", "1700000000",
		"webhook-signature", "v1,AAAA v1, v2,x ,", []byte("{}"), "whsec_", int64(1700000000))

	f.Fuzz(func(t *testing.T, scheme, n1, v1, n2, v2, n3, v3 string,
		body []byte, secret string, now int64) {
		verifier, key, ok := fuzzVerifier(scheme)
		if !ok {
			verifier, key = Slack(time.Minute), keySlack
		}
		h := http.Header{}
		h.Set(n1, v1)
		h.Set(n2, v2)
		h.Set(n3, v3)

		_, err := verifier.Verify(Request{Header: h.Get, Body: body},
			secretsOf(key, secret, "second"), time.Unix(now, 0))
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("error does not wrap ErrInvalid: %v", err)
		}

		for _, name := range Schemes() {
			_, _ = Sign(name, secret, body, time.Unix(now, 0))
		}
		_, _ = DiscordPublicKey(secret)
	})
}
