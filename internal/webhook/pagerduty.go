package webhook

import (
	"crypto/hmac"
	"strings"
	"time"
)

const (
	keyPagerDuty             = "pagerduty_secret"
	headerPagerDutySignature = "X-PagerDuty-Signature"
	pagerDutyPrefix          = "v1="
)

// PagerDuty verifies a PagerDuty V3 webhook: X-PagerDuty-Signature is a comma-separated
// list of "v1=<hex>" entries (several while PagerDuty rotates its secret), each the
// HMAC-SHA256 of the raw body keyed with the secret text read from "pagerduty_secret".
// The secret looks like base64 but is used as is. Any matching entry passes; other
// entries are ignored.
func PagerDuty() Verifier {
	return scheme{
		name:          "pagerduty",
		secretKeys:    []string{keyPagerDuty},
		signedHeaders: []string{headerPagerDutySignature},
		verify:        verifyPagerDuty,
	}
}

func verifyPagerDuty(req Request, secrets Secrets, _ time.Time) (Proof, error) {
	values := configured(secrets, keyPagerDuty)
	if len(values) == 0 {
		return Proof{}, errNoSecret
	}
	signatures, err := header(req, headerPagerDutySignature)
	if err != nil {
		return Proof{}, err
	}

	want := make([][]byte, len(values))
	for i, secret := range values {
		want[i] = macSHA256([]byte(secret), req.Body)
	}

	for _, entry := range strings.Split(signatures, ",") {
		digits, ok := strings.CutPrefix(strings.TrimSpace(entry), pagerDutyPrefix)
		if !ok {
			continue
		}
		given, err := decodeHexMAC(digits)
		if err != nil {
			continue
		}
		for _, mac := range want {
			if hmac.Equal(given, mac) {
				return Proof{ReplayKey: contentDigest(req.Body)}, nil
			}
		}
	}
	return Proof{}, reject("signature mismatch")
}
