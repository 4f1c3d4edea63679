package webhook

import (
	"crypto/hmac"
	"encoding/base64"
	"strings"
	"time"
)

const (
	keyTeams            = "teams_security_token"
	headerAuthorization = "Authorization"
	teamsAuthScheme     = "HMAC"
)

// TeamsOutgoing verifies a Microsoft Teams outgoing webhook: Authorization carries
// "HMAC <base64>", the HMAC-SHA256 of the raw body keyed with the base64-decoded security
// token read from "teams_security_token". Teams signs no timestamp, so nothing bounds a
// replay except the caller's replay cache.
func TeamsOutgoing() Verifier {
	return scheme{
		name:          "teams",
		secretKeys:    []string{keyTeams},
		signedHeaders: []string{headerAuthorization},
		verify:        verifyTeams,
	}
}

func verifyTeams(req Request, secrets Secrets, _ time.Time) (Proof, error) {
	values := configured(secrets, keyTeams)
	if len(values) == 0 {
		return Proof{}, errNoSecret
	}
	auth, err := header(req, headerAuthorization)
	if err != nil {
		return Proof{}, err
	}

	authScheme, value, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(authScheme, teamsAuthScheme) {
		return Proof{}, reject("malformed authorization")
	}
	given, err := decodeBase64MAC(value)
	if err != nil {
		return Proof{}, err
	}

	for _, token := range values {
		key, err := base64.StdEncoding.DecodeString(token)
		if err != nil || len(key) == 0 {
			continue
		}
		if hmac.Equal(given, macSHA256(key, req.Body)) {
			return Proof{ReplayKey: contentDigest(req.Body)}, nil
		}
	}
	return Proof{}, reject("signature mismatch")
}
