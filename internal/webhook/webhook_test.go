package webhook

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	testTolerance = 5 * time.Minute
	discordSeed   = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
	discordSeed2  = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// signCase pairs a Sign scheme with the verifier that must accept its output.
type signCase struct {
	scheme   string
	verifier Verifier
	key      string // secret key the verifier reads
	secret   string // what Sign takes
	other    string // another valid configured value that does not match
	body     string
}

func signCases(t testing.TB) []signCase {
	t.Helper()
	otherDiscord, err := DiscordPublicKey(discordSeed2)
	if err != nil {
		t.Fatal(err)
	}
	const form = "command=%2Fcancel&text=wf-123&user_name=roadrunner"
	const json = `{"action":"cancel","executionId":"wf-123"}`
	return []signCase{
		{SchemeSlack, Slack(testTolerance), keySlack, "slack-secret", "old-slack", form},
		{SchemeStandardWebhooks, StandardWebhooks("webhook_secret", testTolerance),
			"webhook_secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			"whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0", json},
		{SchemeTeams, TeamsOutgoing(), keyTeams,
			"vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=", "b2xkLXRva2Vu", json},
		{SchemeDiscord, Discord(testTolerance), keyDiscord, discordSeed, otherDiscord, `{"type":1}`},
		{SchemeGitHub, GitHub(), keyGitHub, "gh-secret", "old-gh", json},
		{SchemeJira, Jira(), keyJira, "jira-secret", "old-jira", json},
		{SchemeGitLabToken, GitLab(DefaultTolerance), keyGitLabToken, "gl-token", "old-gl-token", json},
		{SchemeGitLabSigning, GitLab(DefaultTolerance), keyGitLabSigning,
			"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_b2xkLXNlY3JldA==", json},
		{SchemePagerDuty, PagerDuty(), keyPagerDuty, "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itB", "old-pd", json},
		{SchemeZendesk, Zendesk(testTolerance), keyZendesk, "zd-secret", "old-zd", json},
		{SchemeMattermost, MattermostToken(), keyMattermost, "mm-token", "old-mm-token", form},
	}
}

// configuredValue is what the verifier reads for the case's Sign secret.
func (c signCase) configuredValue(t testing.TB) string {
	t.Helper()
	if c.scheme != SchemeDiscord {
		return c.secret
	}
	public, err := DiscordPublicKey(c.secret)
	if err != nil {
		t.Fatal(err)
	}
	return public
}

// signed returns the signed request for the case's body at now.
func (c signCase) signed(t testing.TB, now time.Time) (Request, http.Header) {
	t.Helper()
	headers, err := Sign(c.scheme, c.secret, []byte(c.body), now)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	h := http.Header{}
	for name, value := range headers {
		h.Set(name, value)
	}
	return Request{Header: h.Get, Body: []byte(c.body)}, h
}

func wantInvalid(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("want ErrInvalid, got %v", err)
	}
}

func TestSignedRequestsVerify(t *testing.T) {
	for _, c := range signCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			req, _ := c.signed(t, testNow)
			proof, err := c.verifier.Verify(req, secretsOf(c.key, c.configuredValue(t)), testNow)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if proof.ReplayKey == "" {
				t.Error("empty replay key")
			}
		})
	}
}

func TestRotatedSecretMatches(t *testing.T) {
	for _, c := range signCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			req, _ := c.signed(t, testNow)
			secrets := secretsOf(c.key, c.other, c.configuredValue(t))
			if _, err := c.verifier.Verify(req, secrets, testNow); err != nil {
				t.Errorf("second secret should match: %v", err)
			}
			_, err := c.verifier.Verify(req, secretsOf(c.key, c.other), testNow)
			wantInvalid(t, err)
		})
	}
}

func TestTamperedBodyFailsWithoutLeaking(t *testing.T) {
	for _, c := range signCases(t) {
		if c.scheme == SchemeGitLabToken || c.scheme == SchemeMattermost {
			continue // shared tokens sign nothing
		}
		t.Run(c.scheme, func(t *testing.T) {
			req, h := c.signed(t, testNow)
			req.Body = append([]byte(c.body), ' ')
			_, err := c.verifier.Verify(req, secretsOf(c.key, c.configuredValue(t)), testNow)
			wantInvalid(t, err)
			for _, value := range h {
				if strings.Contains(err.Error(), value[0]) {
					t.Errorf("error %q repeats a header value", err)
				}
			}
			if strings.Contains(err.Error(), c.secret) || strings.Contains(err.Error(), c.body) {
				t.Errorf("error %q repeats the secret or body", err)
			}
		})
	}
}

func TestEveryHeaderIsRequired(t *testing.T) {
	for _, c := range signCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			_, h := c.signed(t, testNow)
			for name := range h {
				without := h.Clone()
				without.Del(name)
				req := Request{Header: without.Get, Body: []byte(c.body)}
				_, err := c.verifier.Verify(req, secretsOf(c.key, c.configuredValue(t)), testNow)
				wantInvalid(t, err)
			}
		})
	}
}

func TestOversizedHeaderIsRefused(t *testing.T) {
	for _, c := range signCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			_, h := c.signed(t, testNow)
			for name := range h {
				long := h.Clone()
				long.Set(name, h.Get(name)+strings.Repeat(" ", maxHeaderLen))
				req := Request{Header: long.Get, Body: []byte(c.body)}
				_, err := c.verifier.Verify(req, secretsOf(c.key, c.configuredValue(t)), testNow)
				wantInvalid(t, err)
			}
		})
	}
}

func TestPagerDutyHeaderLengthEdge(t *testing.T) {
	c := signCases(t)[8]
	_, h := c.signed(t, testNow)
	valid := h.Get(headerPagerDutySignature)
	secrets := secretsOf(c.key, c.secret)
	for _, tc := range []struct {
		name   string
		length int
		ok     bool
	}{
		{"exactly 8 KiB passes", maxHeaderLen, true},
		{"one byte more fails", maxHeaderLen + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			value := valid + "," + strings.Repeat(" ", tc.length-len(valid)-1)
			req := Request{Header: headerLookup(map[string]string{
				headerPagerDutySignature: value,
			}), Body: []byte(c.body)}
			_, err := c.verifier.Verify(req, secrets, testNow)
			if tc.ok && err != nil {
				t.Errorf("want valid, got %v", err)
			}
			if !tc.ok {
				wantInvalid(t, err)
			}
		})
	}
}

func TestNoSecretConfiguredFailsClosed(t *testing.T) {
	for _, c := range signCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			req, _ := c.signed(t, testNow)
			for name, secrets := range map[string]Secrets{
				"nil func":     nil,
				"unset":        secretsOf("unrelated", c.configuredValue(t)),
				"empty value":  secretsOf(c.key, ""),
				"empty values": secretsOf(c.key),
			} {
				_, err := c.verifier.Verify(req, secrets, testNow)
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: want ErrInvalid, got %v", name, err)
				}
			}
		})
	}
}

func TestNilHeaderFuncFails(t *testing.T) {
	for _, c := range signCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			req := Request{Body: []byte(c.body)}
			_, err := c.verifier.Verify(req, secretsOf(c.key, c.configuredValue(t)), testNow)
			wantInvalid(t, err)
		})
	}
}

func TestToleranceEdges(t *testing.T) {
	for _, c := range signCases(t) {
		if !map[string]bool{
			SchemeSlack: true, SchemeStandardWebhooks: true, SchemeDiscord: true,
			SchemeZendesk: true, SchemeGitLabSigning: true,
		}[c.scheme] {
			continue
		}
		t.Run(c.scheme, func(t *testing.T) {
			req, _ := c.signed(t, testNow)
			secrets := secretsOf(c.key, c.configuredValue(t))
			for _, tc := range []struct {
				name  string
				clock time.Time
				ok    bool
			}{
				{"clock exactly tolerance ahead passes", testNow.Add(testTolerance), true},
				{"clock exactly tolerance behind passes", testNow.Add(-testTolerance), true},
				{"clock one second beyond ahead fails", testNow.Add(testTolerance + time.Second), false},
				{"clock one second beyond behind fails", testNow.Add(-testTolerance - time.Second), false},
			} {
				proof, err := c.verifier.Verify(req, secrets, tc.clock)
				if tc.ok && (err != nil || !proof.Timestamp.Equal(testNow)) {
					t.Errorf("%s: got %v, timestamp %v", tc.name, err, proof.Timestamp)
				}
				if !tc.ok && !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: want ErrInvalid, got %v", tc.name, err)
				}
			}
		})
	}
}

// malformedTimestamps lists timestamp texts that must be refused even when correctly
// signed, with the clock each would mean if it were parsed leniently.
var malformedTimestamps = []struct {
	name  string
	stamp string
	clock int64
}{
	{"plus sign", "+1531420618", 1531420618},
	{"exponent", "1.5e9", 1500000000},
	{"fraction", "1531420618.5", 1531420618},
	{"negative", "-5", -5},
	{"leading space", " 123", 123},
	{"trailing space", "1531420618 ", 1531420618},
	{"comma", "12,34", 1234},
	{"empty", "", 0},
	{"thirteen digits", "0001531420618", 1531420618},
	{"very long", strings.Repeat("9", 40), 0},
	{"hex", "0x5b4785ca", 1531420618},
	{"unicode digit", "١٥٣١٤٢٠٦١٨", 1531420618},
}

func TestMalformedTimestampsAreRefused(t *testing.T) {
	body := []byte(`{"action":"cancel"}`)
	seed := discordSeed
	public, err := DiscordPublicKey(seed)
	if err != nil {
		t.Fatal(err)
	}
	private, err := discordPrivateKey(seed)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("raw-key")
	whsec := "whsec_cmF3LWtleQ==" // base64 of "raw-key"

	schemes := []struct {
		name     string
		verifier Verifier
		secrets  Secrets
		headers  func(stamp string) map[string]string
	}{
		{"slack", Slack(testTolerance), secretsOf(keySlack, "raw-key"),
			func(stamp string) map[string]string {
				mac := macSHA256(key, []byte("v0:"+stamp+":"), body)
				return map[string]string{
					headerSlackTimestamp: stamp,
					headerSlackSignature: slackPrefix + hex.EncodeToString(mac),
				}
			}},
		{"standard webhooks", StandardWebhooks("webhook_secret", testTolerance),
			secretsOf("webhook_secret", whsec),
			func(stamp string) map[string]string {
				mac := macSHA256(key, []byte("msg_1."+stamp+"."), body)
				return map[string]string{
					"webhook-id": "msg_1", "webhook-timestamp": stamp,
					"webhook-signature": "v1," + base64.StdEncoding.EncodeToString(mac),
				}
			}},
		{"discord", Discord(testTolerance), secretsOf(keyDiscord, public),
			func(stamp string) map[string]string {
				sig := ed25519.Sign(private, append([]byte(stamp), body...))
				return map[string]string{
					headerDiscordTimestamp: stamp, headerDiscordSignature: hex.EncodeToString(sig),
				}
			}},
	}
	for _, s := range schemes {
		for _, m := range malformedTimestamps {
			t.Run(s.name+"/"+m.name, func(t *testing.T) {
				req := Request{Header: headerLookup(s.headers(m.stamp)), Body: body}
				_, err := s.verifier.Verify(req, s.secrets, time.Unix(m.clock, 0))
				wantInvalid(t, err)
			})
		}
	}
}

func TestSlackRefusesUppercaseHex(t *testing.T) {
	c := signCases(t)[0]
	_, h := c.signed(t, testNow)
	h.Set(headerSlackSignature, "v0="+strings.ToUpper(strings.TrimPrefix(
		h.Get(headerSlackSignature), "v0=")))
	_, err := c.verifier.Verify(Request{Header: h.Get, Body: []byte(c.body)},
		secretsOf(c.key, c.secret), testNow)
	wantInvalid(t, err)
}

func TestSlackRefusesPrefixVariants(t *testing.T) {
	c := signCases(t)[0]
	_, h := c.signed(t, testNow)
	digits := strings.TrimPrefix(h.Get(headerSlackSignature), "v0=")
	for _, sig := range []string{digits, "V0=" + digits, "v1=" + digits, "v0= " + digits,
		"v0=" + digits + " ", "v0=" + digits + "00"} {
		h.Set(headerSlackSignature, sig)
		_, err := c.verifier.Verify(Request{Header: h.Get, Body: []byte(c.body)},
			secretsOf(c.key, c.secret), testNow)
		wantInvalid(t, err)
	}
}

func TestHexSignatureCaseDoesNotChangeReplayKey(t *testing.T) {
	c := signCases(t)[4] // github
	_, h := c.signed(t, testNow)
	lower := h.Get(headerHubSHA256)
	upper := h.Clone()
	upper.Set(headerHubSHA256, "sha256="+strings.ToUpper(strings.TrimPrefix(lower, "sha256=")))

	secrets := secretsOf(c.key, c.secret)
	a, errA := c.verifier.Verify(Request{Header: h.Get, Body: []byte(c.body)}, secrets, testNow)
	b, errB := c.verifier.Verify(Request{Header: upper.Get, Body: []byte(c.body)}, secrets, testNow)
	if errA != nil || errB != nil {
		t.Fatalf("verify: %v, %v", errA, errB)
	}
	if a.ReplayKey != b.ReplayKey {
		t.Errorf("replay keys differ: %q, %q", a.ReplayKey, b.ReplayKey)
	}
}

// signingCases are the sign cases whose scheme signs content (not shared tokens).
func signingCases(t testing.TB) []signCase {
	var cases []signCase
	for _, c := range signCases(t) {
		if c.scheme != SchemeGitLabToken && c.scheme != SchemeMattermost {
			cases = append(cases, c)
		}
	}
	return cases
}

// otherSecret is what Sign takes to produce signatures that c.other verifies.
func (c signCase) otherSecret() string {
	if c.scheme == SchemeDiscord {
		return discordSeed2
	}
	return c.other
}

// replayKey verifies a request carrying headers and body against both of the case's
// secrets and returns its replay key.
func (c signCase) replayKey(
	t *testing.T,
	headers http.Header,
	body string,
	now time.Time,
) string {
	t.Helper()
	secrets := secretsOf(c.key, c.other, c.configuredValue(t))
	proof, err := c.verifier.Verify(Request{Header: headers.Get, Body: []byte(body)}, secrets, now)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return proof.ReplayKey
}

// signedWith returns the headers Sign gives body under secret at now.
func (c signCase) signedWith(t *testing.T, secret, body string, now time.Time) http.Header {
	t.Helper()
	headers, err := Sign(c.scheme, secret, []byte(body), now)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	h := http.Header{}
	for name, value := range headers {
		h.Set(name, value)
	}
	return h
}

func TestReplayKeyIsTheSameWhicheverSecretSigned(t *testing.T) {
	for _, c := range signingCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			current := c.signedWith(t, c.secret, c.body, testNow)
			rotated := c.signedWith(t, c.otherSecret(), c.body, testNow)
			a := c.replayKey(t, current, c.body, testNow)
			b := c.replayKey(t, rotated, c.body, testNow)
			if a != b {
				t.Errorf("same content, other secret: replay keys %q and %q differ", a, b)
			}
		})
	}
}

func TestReplayKeyIgnoresWhichSignatureEntryMatched(t *testing.T) {
	for _, tc := range []struct {
		scheme    string
		header    string
		separator string
	}{
		{SchemePagerDuty, headerPagerDutySignature, ","},
		{SchemeStandardWebhooks, standardHeaders.signature, " "},
		{SchemeGitLabSigning, standardHeaders.signature, " "},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			var c signCase
			for _, sc := range signCases(t) {
				if sc.scheme == tc.scheme {
					c = sc
				}
			}
			current := c.signedWith(t, c.secret, c.body, testNow)
			rotated := c.signedWith(t, c.otherSecret(), c.body, testNow)
			a, b := current.Get(tc.header), rotated.Get(tc.header)

			var keys []string
			for _, value := range []string{a + tc.separator + b, b + tc.separator + a, a, b} {
				h := current.Clone()
				h.Set(tc.header, value)
				keys = append(keys, c.replayKey(t, h, c.body, testNow))
			}
			for i, key := range keys[1:] {
				if key != keys[0] {
					t.Errorf("signature header %d: replay key %q, want %q", i+1, key, keys[0])
				}
			}
		})
	}
}

// timestamped names the schemes that sign a timestamp.
var timestamped = map[string]bool{
	SchemeSlack: true, SchemeStandardWebhooks: true, SchemeDiscord: true,
	SchemeGitLabSigning: true, SchemeZendesk: true,
}

func TestReplayKeyFollowsSignedContent(t *testing.T) {
	for _, c := range signingCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			h := c.signedWith(t, c.secret, c.body, testNow)
			key := c.replayKey(t, h, c.body, testNow)
			if again := c.replayKey(t, h, c.body, testNow); again != key {
				t.Errorf("same delivery twice: replay keys %q and %q", key, again)
			}

			other := c.body + " "
			if k := c.replayKey(t, c.signedWith(t, c.secret, other, testNow), other, testNow); k == key {
				t.Errorf("other body gave the same replay key %q", k)
			}

			if !timestamped[c.scheme] {
				return
			}
			later := testNow.Add(time.Second)
			if k := c.replayKey(t, c.signedWith(t, c.secret, c.body, later), c.body, later); k == key {
				t.Errorf("other timestamp gave the same replay key %q", k)
			}
		})
	}
}

func TestStandardWebhooksReplayKeyCoversWebhookID(t *testing.T) {
	c := signCases(t)[1]
	key, err := decodeStandardSecret(c.secret)
	if err != nil {
		t.Fatal(err)
	}
	stamp := unixText(testNow)
	sign := func(id string) http.Header {
		mac := macSHA256(key, []byte(id+"."+stamp+"."), []byte(c.body))
		return http.Header{
			"Webhook-Id":        {id},
			"Webhook-Timestamp": {stamp},
			"Webhook-Signature": {"v1," + base64.StdEncoding.EncodeToString(mac)},
		}
	}
	a := c.replayKey(t, sign("msg_one"), c.body, testNow)
	b := c.replayKey(t, sign("msg_two"), c.body, testNow)
	if a == b {
		t.Errorf("different webhook-id gave the same replay key %q", a)
	}
}

func TestStandardWebhooksPrefersWebhookHeadersOverSvix(t *testing.T) {
	c := signCases(t)[1]
	_, h := c.signed(t, testNow)
	secrets := secretsOf(c.key, c.secret)

	svix := http.Header{}
	for _, part := range []string{"id", "timestamp", "signature"} {
		svix.Set("svix-"+part, h.Get("webhook-"+part))
	}
	if _, err := c.verifier.Verify(Request{Header: svix.Get, Body: []byte(c.body)},
		secrets, testNow); err != nil {
		t.Errorf("svix names alone: %v", err)
	}

	mixed := svix.Clone()
	mixed.Set("webhook-id", "msg_other")
	_, err := c.verifier.Verify(Request{Header: mixed.Get, Body: []byte(c.body)}, secrets, testNow)
	wantInvalid(t, err)
}

func TestStandardWebhooksSkipsUndecodableSecret(t *testing.T) {
	c := signCases(t)[1]
	req, _ := c.signed(t, testNow)
	secrets := secretsOf(c.key, "whsec_not base64!", c.secret)
	if _, err := c.verifier.Verify(req, secrets, testNow); err != nil {
		t.Errorf("valid second secret: %v", err)
	}
	_, err := c.verifier.Verify(req, secretsOf(c.key, "whsec_not base64!"), testNow)
	wantInvalid(t, err)
}

func TestGitLabSigningSecretRequiresSignature(t *testing.T) {
	body := []byte(`{"object_kind":"push"}`)
	signingSecret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	both := func(key string) []string {
		switch key {
		case keyGitLabToken:
			return []string{"gl-token"}
		case keyGitLabSigning:
			return []string{signingSecret}
		}
		return nil
	}
	signed, err := Sign(SchemeGitLabSigning, signingSecret, body, testNow)
	if err != nil {
		t.Fatal(err)
	}

	tokenOnly := Request{Header: headerLookup(map[string]string{headerGitLab: "gl-token"}), Body: body}
	_, err = GitLab(DefaultTolerance).Verify(tokenOnly, both, testNow)
	wantInvalid(t, err)

	withToken := maps.Clone(signed)
	withToken[headerGitLab] = "gl-token"
	if _, err := GitLab(DefaultTolerance).Verify(Request{Header: headerLookup(withToken), Body: body},
		both, testNow); err != nil {
		t.Errorf("signed request: %v", err)
	}

	svix := map[string]string{}
	for _, part := range []string{"id", "timestamp", "signature"} {
		svix["svix-"+part] = signed["webhook-"+part]
	}
	_, err = GitLab(DefaultTolerance).Verify(Request{Header: headerLookup(svix), Body: body}, both, testNow)
	wantInvalid(t, err)
}

func TestGitLabTokenIsComparedExactly(t *testing.T) {
	secrets := secretsOf(keyGitLabToken, "gl-token")
	for _, token := range []string{"gl-token ", " gl-token", "GL-TOKEN", "gl-toke", "gl-token\x00"} {
		req := Request{Header: headerLookup(map[string]string{headerGitLab: token})}
		_, err := GitLab(DefaultTolerance).Verify(req, secrets, testNow)
		wantInvalid(t, err)
	}
}

func TestMattermostToken(t *testing.T) {
	secrets := secretsOf(keyMattermost, "token-a", "token-b")
	for _, tc := range []struct {
		name string
		auth string
		body string
		ok   bool
	}{
		{"header only passes", "Token token-a", "text=hi", true},
		{"form only passes", "", "text=hi&token=token-a", true},
		{"both matching passes", "Token token-a", "token=token-a", true},
		{"both matching different configured tokens passes", "Token token-a", "token=token-b", true},
		{"header right, form wrong fails", "Token token-a", "token=wrong", false},
		{"form right, header wrong fails", "Token wrong", "token=token-a", false},
		{"neither present fails", "", "text=hi", false},
		{"repeated form field fails", "", "token=token-a&token=token-a", false},
		{"empty form token fails", "", "token=", false},
		{"other auth scheme fails", "Bearer token-a", "text=hi", false},
		{"header without token fails", "Token", "text=hi", false},
		{"malformed form fails", "Token token-a", "text=%zz", false},
		{"semicolon form fails", "Token token-a", "text=a;token=token-a", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{}
			if tc.auth != "" {
				headers[headerAuthorization] = tc.auth
			}
			req := Request{Header: headerLookup(headers), Body: []byte(tc.body)}
			proof, err := MattermostToken().Verify(req, secrets, testNow)
			if tc.ok && (err != nil || proof.ReplayKey != contentDigest(req.Body)) {
				t.Errorf("want valid, got %v (replay key %q)", err, proof.ReplayKey)
			}
			if !tc.ok {
				wantInvalid(t, err)
			}
		})
	}
}

func TestTeamsKeyIsDecodedToken(t *testing.T) {
	c := signCases(t)[2]
	body := []byte(c.body)
	mac := macSHA256([]byte(c.secret), body) // token text, not its decoding
	req := Request{Header: headerLookup(map[string]string{
		headerAuthorization: "HMAC " + base64.StdEncoding.EncodeToString(mac),
	}), Body: body}
	_, err := c.verifier.Verify(req, secretsOf(c.key, c.secret), testNow)
	wantInvalid(t, err)
}

func TestSignRefusesUnusableInput(t *testing.T) {
	for _, tc := range []struct{ scheme, secret string }{
		{"unknown", "secret"},
		{SchemeSlack, ""},
		{SchemeDiscord, "abcd"},
		{SchemeDiscord, strings.Repeat("zz", 32)},
		{SchemeTeams, "not base64!"},
		{SchemeStandardWebhooks, "whsec_not base64!"},
	} {
		if _, err := Sign(tc.scheme, tc.secret, nil, testNow); err == nil {
			t.Errorf("Sign(%q, %q) succeeded", tc.scheme, tc.secret)
		} else if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
			t.Errorf("error %q repeats the secret", err)
		}
	}
}

func TestSchemesAreAllSignable(t *testing.T) {
	cases := map[string]bool{}
	for _, c := range signCases(t) {
		cases[c.scheme] = true
	}
	for _, name := range Schemes() {
		if !cases[name] {
			t.Errorf("scheme %q has no round-trip case", name)
		}
		if _, ok := signers[name]; !ok {
			t.Errorf("scheme %q has no signer", name)
		}
	}
	if len(Schemes()) != len(signers) {
		t.Errorf("Schemes lists %d names, signers has %d", len(Schemes()), len(signers))
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	v := Slack(testTolerance)
	v.SecretKeys()[0] = "changed"
	v.SignedHeaders()[0] = "changed"
	if v.SecretKeys()[0] != keySlack || v.SignedHeaders()[0] != headerSlackSignature {
		t.Error("verifier state changed through a returned slice")
	}
}
