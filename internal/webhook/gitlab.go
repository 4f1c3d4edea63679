package webhook

import (
	"time"
)

const (
	keyGitLabToken   = "gitlab_token"
	keyGitLabSigning = "gitlab_signing_secret"
	headerGitLab     = "X-Gitlab-Token"
)

// GitLab verifies a GitLab webhook.
//
// Rules:
//   - when any "gitlab_signing_secret" is configured, a Standard Webhooks signature under the
//     webhook-id, webhook-timestamp and webhook-signature headers is required, with
//     the given tolerance, and the shared token is never consulted;
//   - otherwise X-Gitlab-Token must equal one of the "gitlab_token" values exactly.
func GitLab(tolerance time.Duration) Verifier {
	return scheme{
		name:       "gitlab",
		secretKeys: []string{keyGitLabToken, keyGitLabSigning},
		signedHeaders: []string{
			headerGitLab,
			standardHeaders.id, standardHeaders.timestamp, standardHeaders.signature,
		},
		verify: func(req Request, secrets Secrets, now time.Time) (Proof, error) {
			return verifyGitLab(req, secrets, now, tolerance)
		},
	}
}

func verifyGitLab(req Request, secrets Secrets, now time.Time,
	tolerance time.Duration) (Proof, error) {
	if signing := configured(secrets, keyGitLabSigning); len(signing) > 0 {
		return verifyStandard(req, signing, standardHeaders, now, tolerance)
	}

	tokens := configured(secrets, keyGitLabToken)
	if len(tokens) == 0 {
		return Proof{}, errNoSecret
	}
	token, err := header(req, headerGitLab)
	if err != nil {
		return Proof{}, err
	}
	if !tokenMatches(token, tokens) {
		return Proof{}, reject("token mismatch")
	}
	return Proof{ReplayKey: contentDigest(req.Body)}, nil
}
