package webhook

import (
	"net/url"
	"strings"
	"time"
)

const (
	keyMattermost       = "mattermost_token"
	mattermostAuthToken = "Token"
	mattermostFormField = "token"
)

// MattermostToken verifies a Mattermost slash command, which carries no signature, only
// the command's token read from "mattermost_token".
//
// Rules:
//   - the token comes from "Authorization: Token <t>" or from the token field of the
//     x-www-form-urlencoded body; at least one must be present;
//   - when both are present, both must match a configured token;
//   - a body that does not parse as a form, or repeats the token field, is refused.
func MattermostToken() Verifier {
	return scheme{
		name:          "mattermost",
		secretKeys:    []string{keyMattermost},
		signedHeaders: []string{headerAuthorization},
		verify:        verifyMattermost,
	}
}

func verifyMattermost(req Request, secrets Secrets, _ time.Time) (Proof, error) {
	tokens := configured(secrets, keyMattermost)
	if len(tokens) == 0 {
		return Proof{}, errNoSecret
	}

	given, err := mattermostTokens(req)
	if err != nil {
		return Proof{}, err
	}
	if len(given) == 0 {
		return Proof{}, reject("token missing")
	}

	for _, token := range given {
		if !tokenMatches(token, tokens) {
			return Proof{}, reject("token mismatch")
		}
	}
	return Proof{ReplayKey: contentDigest(req.Body)}, nil
}

// mattermostTokens returns the tokens the request presents: from the header, the form, or
// both.
func mattermostTokens(req Request) ([]string, error) {
	var tokens []string

	if req.Header != nil {
		if auth := req.Header(headerAuthorization); auth != "" {
			if len(auth) > maxHeaderLen {
				return nil, reject("header " + headerAuthorization + " too long")
			}
			authScheme, token, ok := strings.Cut(auth, " ")
			if !ok || !strings.EqualFold(authScheme, mattermostAuthToken) {
				return nil, reject("malformed authorization")
			}
			tokens = append(tokens, token)
		}
	}

	form, err := url.ParseQuery(string(req.Body))
	if err != nil {
		return nil, reject("malformed form body")
	}
	switch fields := form[mattermostFormField]; len(fields) {
	case 0:
	case 1:
		tokens = append(tokens, fields[0])
	default:
		return nil, reject("token field repeated")
	}
	return tokens, nil
}
