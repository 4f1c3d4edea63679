package webhook

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Scheme names accepted by Sign.
const (
	SchemeSlack            = "slack"
	SchemeStandardWebhooks = "standard-webhooks"
	SchemeTeams            = "teams"
	SchemeDiscord          = "discord"
	SchemeGitHub           = "github"
	SchemeJira             = "jira"
	SchemeGitLabToken      = "gitlab-token"
	SchemeGitLabSigning    = "gitlab-signing"
	SchemePagerDuty        = "pagerduty"
	SchemeZendesk          = "zendesk"
	SchemeMattermost       = "mattermost"
)

// errSecret reports a secret Sign cannot use, without repeating it.
var errSecret = errors.New("unusable secret")

// signers maps each scheme name to the function producing its headers.
var signers = map[string]func(secret string, body []byte, now time.Time) (map[string]string, error){
	SchemeSlack:            signSlack,
	SchemeStandardWebhooks: signStandard,
	SchemeTeams:            signTeams,
	SchemeDiscord:          signDiscord,
	SchemeGitHub:           signHub(headerHubSHA256),
	SchemeJira:             signHub(headerHubSignature),
	SchemeGitLabToken:      signGitLabToken,
	SchemeGitLabSigning:    signStandard,
	SchemePagerDuty:        signPagerDuty,
	SchemeZendesk:          signZendesk,
	SchemeMattermost:       signMattermost,
}

// Schemes lists the scheme names Sign accepts.
func Schemes() []string {
	return []string{
		SchemeSlack, SchemeStandardWebhooks, SchemeTeams, SchemeDiscord, SchemeGitHub,
		SchemeJira, SchemeGitLabToken, SchemeGitLabSigning, SchemePagerDuty, SchemeZendesk,
		SchemeMattermost,
	}
}

// Sign returns the headers that make body valid for scheme under secret at now.
//
// secret is what the matching verifier reads from its secret key, except for discord,
// where it is the hex-encoded 32-byte Ed25519 seed (private key); DiscordPublicKey derives
// the value to configure. For standard-webhooks and gitlab-signing the webhook-id is
// "msg_" followed by 24 hex digits of SHA-256(timestamp + "." + body), so signing the same
// body at the same second yields the same id, as a redelivery would.
func Sign(scheme string, secret string, body []byte, now time.Time) (map[string]string, error) {
	sign, ok := signers[scheme]
	if !ok {
		return nil, fmt.Errorf("sign: unknown scheme %q", scheme)
	}
	if secret == "" {
		return nil, fmt.Errorf("sign %s: empty secret: %w", scheme, errSecret)
	}
	headers, err := sign(secret, body, now)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", scheme, err)
	}
	return headers, nil
}

// DiscordPublicKey derives the hex Ed25519 public key from a hex 32-byte seed.
func DiscordPublicKey(seedHex string) (string, error) {
	key, err := discordPrivateKey(seedHex)
	if err != nil {
		return "", fmt.Errorf("discord public key: %w", err)
	}
	return hex.EncodeToString(key.Public().(ed25519.PublicKey)), nil
}

func discordPrivateKey(seedHex string) (ed25519.PrivateKey, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("seed is not %d hex-encoded bytes: %w", ed25519.SeedSize, errSecret)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func unixText(now time.Time) string {
	return strconv.FormatInt(now.Unix(), 10)
}

func signSlack(secret string, body []byte, now time.Time) (map[string]string, error) {
	stamp := unixText(now)
	mac := macSHA256([]byte(secret), []byte("v0:"+stamp+":"), body)
	return map[string]string{
		headerSlackTimestamp: stamp,
		headerSlackSignature: slackPrefix + hex.EncodeToString(mac),
	}, nil
}

func signStandard(secret string, body []byte, now time.Time) (map[string]string, error) {
	key, err := decodeStandardSecret(secret)
	if err != nil {
		return nil, fmt.Errorf("secret is not base64 after an optional %q: %w",
			standardSecretPrefix, errSecret)
	}
	stamp := unixText(now)
	idSum := sha256.Sum256(append([]byte(stamp+"."), body...))
	id := "msg_" + hex.EncodeToString(idSum[:12])
	mac := macSHA256(key, []byte(id+"."+stamp+"."), body)
	return map[string]string{
		standardHeaders.id:        id,
		standardHeaders.timestamp: stamp,
		standardHeaders.signature: standardVersion + "," + base64.StdEncoding.EncodeToString(mac),
	}, nil
}

func signTeams(secret string, body []byte, _ time.Time) (map[string]string, error) {
	key, err := base64.StdEncoding.DecodeString(secret)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("security token is not base64: %w", errSecret)
	}
	mac := macSHA256(key, body)
	return map[string]string{
		headerAuthorization: teamsAuthScheme + " " + base64.StdEncoding.EncodeToString(mac),
	}, nil
}

func signDiscord(secret string, body []byte, now time.Time) (map[string]string, error) {
	key, err := discordPrivateKey(secret)
	if err != nil {
		return nil, err
	}
	stamp := unixText(now)
	signature := ed25519.Sign(key, append([]byte(stamp), body...))
	return map[string]string{
		headerDiscordTimestamp: stamp,
		headerDiscordSignature: hex.EncodeToString(signature),
	}, nil
}

func signHub(signatureHeader string) func(string, []byte, time.Time) (map[string]string, error) {
	return func(secret string, body []byte, _ time.Time) (map[string]string, error) {
		mac := macSHA256([]byte(secret), body)
		return map[string]string{signatureHeader: hubPrefix + hex.EncodeToString(mac)}, nil
	}
}

func signGitLabToken(secret string, _ []byte, _ time.Time) (map[string]string, error) {
	return map[string]string{headerGitLab: secret}, nil
}

func signPagerDuty(secret string, body []byte, _ time.Time) (map[string]string, error) {
	mac := macSHA256([]byte(secret), body)
	return map[string]string{headerPagerDutySignature: pagerDutyPrefix + hex.EncodeToString(mac)}, nil
}

func signZendesk(secret string, body []byte, now time.Time) (map[string]string, error) {
	stamp := now.UTC().Format(time.RFC3339)
	mac := macSHA256([]byte(secret), []byte(stamp), body)
	return map[string]string{
		headerZendeskTimestamp: stamp,
		headerZendeskSignature: base64.StdEncoding.EncodeToString(mac),
	}, nil
}

func signMattermost(secret string, _ []byte, _ time.Time) (map[string]string, error) {
	return map[string]string{headerAuthorization: mattermostAuthToken + " " + secret}, nil
}
