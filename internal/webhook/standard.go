package webhook

import (
	"crypto/hmac"
	"encoding/base64"
	"strings"
	"time"
)

const (
	standardSecretPrefix = "whsec_"
	standardVersion      = "v1"
)

// standardNames are the three header names of one Standard Webhooks spelling.
type standardNames struct {
	id, timestamp, signature string
}

var (
	standardHeaders = standardNames{"webhook-id", "webhook-timestamp", "webhook-signature"}
	svixHeaders     = standardNames{"svix-id", "svix-timestamp", "svix-signature"}
)

// StandardWebhooks verifies the Standard Webhooks scheme (also sent by Svix under svix-*
// header names), reading its secrets from secretKey.
//
// Rules:
//   - the key is the base64 decoding of the secret after an optional "whsec_" prefix;
//   - the signed content is webhook-id + "." + webhook-timestamp + "." + raw body;
//   - webhook-signature is a space-separated list of "v1,<base64 HMAC-SHA256>" entries; any
//     v1 entry that matches passes, other versions and malformed entries are ignored;
//   - webhook-timestamp must lie within tolerance of now;
//   - when any webhook-* header is present the svix-* names are not consulted.
func StandardWebhooks(secretKey string, tolerance time.Duration) Verifier {
	return scheme{
		name:       "standard webhooks",
		secretKeys: []string{secretKey},
		signedHeaders: []string{
			standardHeaders.id, standardHeaders.timestamp, standardHeaders.signature,
			svixHeaders.id, svixHeaders.timestamp, svixHeaders.signature,
		},
		verify: func(req Request, secrets Secrets, now time.Time) (Proof, error) {
			values := configured(secrets, secretKey)
			names := standardHeaders
			if !anyHeader(req, standardHeaders) {
				names = svixHeaders
			}
			return verifyStandard(req, values, names, now, tolerance)
		},
	}
}

// anyHeader reports whether any of the three headers is present.
func anyHeader(req Request, names standardNames) bool {
	if req.Header == nil {
		return false
	}
	return req.Header(names.id) != "" || req.Header(names.timestamp) != "" ||
		req.Header(names.signature) != ""
}

func verifyStandard(
	req Request,
	values []string,
	names standardNames,
	now time.Time,
	tolerance time.Duration,
) (Proof, error) {
	if len(values) == 0 {
		return Proof{}, errNoSecret
	}
	id, err := header(req, names.id)
	if err != nil {
		return Proof{}, err
	}
	stamp, err := header(req, names.timestamp)
	if err != nil {
		return Proof{}, err
	}
	signatures, err := header(req, names.signature)
	if err != nil {
		return Proof{}, err
	}

	ts, err := unixTimestamp(stamp, now, tolerance)
	if err != nil {
		return Proof{}, err
	}

	keys := standardKeys(values)
	if len(keys) == 0 {
		return Proof{}, reject("no usable secret")
	}
	prefix := []byte(id + "." + stamp + ".")
	want := make([][]byte, len(keys))
	for i, key := range keys {
		want[i] = macSHA256(key, prefix, req.Body)
	}

	for _, entry := range strings.Split(signatures, " ") {
		given, ok := standardEntry(entry)
		if !ok {
			continue
		}
		for _, mac := range want {
			if hmac.Equal(given, mac) {
				return Proof{ReplayKey: contentDigest(prefix, req.Body), Timestamp: ts}, nil
			}
		}
	}
	return Proof{}, reject("signature mismatch")
}

// standardKeys decodes the configured secrets, skipping those that are not valid base64.
func standardKeys(values []string) [][]byte {
	var keys [][]byte
	for _, v := range values {
		key, err := decodeStandardSecret(v)
		if err == nil {
			keys = append(keys, key)
		}
	}
	return keys
}

// decodeStandardSecret turns "whsec_<base64>" or "<base64>" into the HMAC key.
func decodeStandardSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.Strict().DecodeString(
		strings.TrimPrefix(secret, standardSecretPrefix))
	if err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, reject("empty secret")
	}
	return key, nil
}

// standardEntry returns the MAC of a "v1,<base64>" entry; ok is false for any other entry.
func standardEntry(entry string) (mac []byte, ok bool) {
	version, value, found := strings.Cut(entry, ",")
	if !found || version != standardVersion {
		return nil, false
	}
	mac, err := decodeBase64MAC(value)
	return mac, err == nil
}

// decodeBase64MAC decodes a standard base64 HMAC-SHA256 value.
func decodeBase64MAC(value string) ([]byte, error) {
	// Strict mode still skips CR and LF; refuse them so one MAC has one spelling.
	if strings.ContainsAny(value, "\r\n") {
		return nil, reject("malformed signature")
	}
	mac, err := base64.StdEncoding.Strict().DecodeString(value)
	if err != nil || len(mac) != 32 {
		return nil, reject("malformed signature")
	}
	return mac, nil
}
