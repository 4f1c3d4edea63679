package webhook

import (
	"crypto/hmac"
	"encoding/hex"
	"strings"
	"time"
)

const (
	keySlack             = "slack_signing_secret"
	headerSlackSignature = "X-Slack-Signature"
	headerSlackTimestamp = "X-Slack-Request-Timestamp"
	slackPrefix          = "v0="
)

// Slack verifies Slack's request signing: X-Slack-Signature must be exactly "v0=" followed
// by 64 lower-case hex digits of HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + body),
// and X-Slack-Request-Timestamp must lie within tolerance of now. The secret is read from
// the key "slack_signing_secret".
func Slack(tolerance time.Duration) Verifier {
	return scheme{
		name:          "slack",
		secretKeys:    []string{keySlack},
		signedHeaders: []string{headerSlackSignature, headerSlackTimestamp},
		verify: func(req Request, secrets Secrets, now time.Time) (Proof, error) {
			return verifySlack(req, secrets, now, tolerance)
		},
	}
}

func verifySlack(
	req Request,
	secrets Secrets,
	now time.Time,
	tolerance time.Duration,
) (Proof, error) {
	values := configured(secrets, keySlack)
	if len(values) == 0 {
		return Proof{}, errNoSecret
	}
	signature, err := header(req, headerSlackSignature)
	if err != nil {
		return Proof{}, err
	}
	stamp, err := header(req, headerSlackTimestamp)
	if err != nil {
		return Proof{}, err
	}

	ts, err := unixTimestamp(stamp, now, tolerance)
	if err != nil {
		return Proof{}, err
	}

	// Slack always sends lower-case hex; anything else is refused rather than normalised so
	// that one delivery has exactly one accepted spelling.
	digits, ok := strings.CutPrefix(signature, slackPrefix)
	if !ok || len(digits) != 64 || !isLowerHex(digits) {
		return Proof{}, reject("malformed signature")
	}
	given, err := hex.DecodeString(digits)
	if err != nil {
		return Proof{}, reject("malformed signature")
	}

	prefix := []byte("v0:" + stamp + ":")
	for _, secret := range values {
		if hmac.Equal(given, macSHA256([]byte(secret), prefix, req.Body)) {
			return Proof{ReplayKey: contentDigest(prefix, req.Body), Timestamp: ts}, nil
		}
	}
	return Proof{}, reject("signature mismatch")
}

// isLowerHex reports whether s holds only the digits 0-9 and a-f.
func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
