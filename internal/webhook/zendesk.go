package webhook

import (
	"crypto/hmac"
	"time"
)

const (
	keyZendesk             = "zendesk_secret"
	headerZendeskSignature = "X-Zendesk-Webhook-Signature"
	headerZendeskTimestamp = "X-Zendesk-Webhook-Signature-Timestamp"
)

// Zendesk verifies a Zendesk webhook: X-Zendesk-Webhook-Signature is the base64
// HMAC-SHA256 of X-Zendesk-Webhook-Signature-Timestamp + raw body (no separator), keyed
// with the secret text read from "zendesk_secret" as is. The timestamp is RFC 3339 text
// and must lie within tolerance of now.
func Zendesk(tolerance time.Duration) Verifier {
	return scheme{
		name:          "zendesk",
		secretKeys:    []string{keyZendesk},
		signedHeaders: []string{headerZendeskSignature, headerZendeskTimestamp},
		verify: func(req Request, secrets Secrets, now time.Time) (Proof, error) {
			return verifyZendesk(req, secrets, now, tolerance)
		},
	}
}

func verifyZendesk(
	req Request,
	secrets Secrets,
	now time.Time,
	tolerance time.Duration,
) (Proof, error) {
	values := configured(secrets, keyZendesk)
	if len(values) == 0 {
		return Proof{}, errNoSecret
	}
	signature, err := header(req, headerZendeskSignature)
	if err != nil {
		return Proof{}, err
	}
	stamp, err := header(req, headerZendeskTimestamp)
	if err != nil {
		return Proof{}, err
	}

	ts, err := time.Parse(time.RFC3339, stamp)
	if err != nil {
		return Proof{}, reject("malformed timestamp")
	}
	if err := fresh(ts, now, tolerance); err != nil {
		return Proof{}, err
	}

	given, err := decodeBase64MAC(signature)
	if err != nil {
		return Proof{}, err
	}
	for _, secret := range values {
		if hmac.Equal(given, macSHA256([]byte(secret), []byte(stamp), req.Body)) {
			return Proof{ReplayKey: contentDigest([]byte(stamp), req.Body), Timestamp: ts}, nil
		}
	}
	return Proof{}, reject("signature mismatch")
}
