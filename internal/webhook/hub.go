package webhook

import (
	"crypto/hmac"
	"encoding/hex"
	"strings"
	"time"
)

const (
	keyGitHub          = "github_secret"
	keyJira            = "jira_secret"
	headerHubSignature = "X-Hub-Signature"
	headerHubSHA256    = "X-Hub-Signature-256"
	hubPrefix          = "sha256="
)

// GitHub verifies a GitHub webhook: X-Hub-Signature-256 carries "sha256=" and the hex
// HMAC-SHA256 of the raw body under the secret read from "github_secret". The SHA-1
// X-Hub-Signature header is never consulted, even when it is the only one present.
func GitHub() Verifier {
	return hubVerifier("github", keyGitHub, headerHubSHA256)
}

// Jira verifies a Jira (Atlassian) admin webhook: X-Hub-Signature carries "sha256=" and the
// hex HMAC-SHA256 of the raw body under the secret read from "jira_secret".
func Jira() Verifier {
	return hubVerifier("jira", keyJira, headerHubSignature)
}

// hubVerifier builds the "sha256=<hex>" over raw body scheme shared by GitHub and Jira.
func hubVerifier(name, key, signatureHeader string) Verifier {
	return scheme{
		name:          name,
		secretKeys:    []string{key},
		signedHeaders: []string{signatureHeader},
		verify: func(req Request, secrets Secrets, _ time.Time) (Proof, error) {
			return verifyHub(req, configured(secrets, key), signatureHeader)
		},
	}
}

func verifyHub(req Request, values []string, signatureHeader string) (Proof, error) {
	if len(values) == 0 {
		return Proof{}, errNoSecret
	}
	signature, err := header(req, signatureHeader)
	if err != nil {
		return Proof{}, err
	}

	digits, ok := strings.CutPrefix(signature, hubPrefix)
	if !ok {
		return Proof{}, reject("malformed signature")
	}
	given, err := decodeHexMAC(digits)
	if err != nil {
		return Proof{}, err
	}

	for _, secret := range values {
		if hmac.Equal(given, macSHA256([]byte(secret), req.Body)) {
			return Proof{ReplayKey: contentDigest(req.Body)}, nil
		}
	}
	return Proof{}, reject("signature mismatch")
}

// decodeHexMAC decodes a hex HMAC-SHA256 value of either case.
func decodeHexMAC(digits string) ([]byte, error) {
	mac, err := hex.DecodeString(digits)
	if err != nil || len(mac) != 32 {
		return nil, reject("malformed signature")
	}
	return mac, nil
}
