package webhook

import (
	"crypto/ed25519"
	"encoding/hex"
	"time"
)

const (
	keyDiscord               = "discord_public_key"
	headerDiscordSignature   = "X-Signature-Ed25519"
	headerDiscordTimestamp   = "X-Signature-Timestamp"
	discordSignatureHexChars = 2 * ed25519.SignatureSize
)

// Discord verifies a Discord interaction: X-Signature-Ed25519 holds the hex Ed25519
// signature of X-Signature-Timestamp + raw body under the application's public key (hex,
// read from "discord_public_key"). Discord documents no freshness window; the timestamp
// (Unix seconds) must still lie within tolerance of now, to bound replays.
func Discord(tolerance time.Duration) Verifier {
	return scheme{
		name:          "discord",
		secretKeys:    []string{keyDiscord},
		signedHeaders: []string{headerDiscordSignature, headerDiscordTimestamp},
		verify: func(req Request, secrets Secrets, now time.Time) (Proof, error) {
			return verifyDiscord(req, secrets, now, tolerance)
		},
	}
}

func verifyDiscord(
	req Request,
	secrets Secrets,
	now time.Time,
	tolerance time.Duration,
) (Proof, error) {
	values := configured(secrets, keyDiscord)
	if len(values) == 0 {
		return Proof{}, errNoSecret
	}
	signatureHex, err := header(req, headerDiscordSignature)
	if err != nil {
		return Proof{}, err
	}
	stamp, err := header(req, headerDiscordTimestamp)
	if err != nil {
		return Proof{}, err
	}

	ts, err := unixTimestamp(stamp, now, tolerance)
	if err != nil {
		return Proof{}, err
	}

	if len(signatureHex) != discordSignatureHexChars {
		return Proof{}, reject("malformed signature")
	}
	signature, err := hex.DecodeString(signatureHex)
	if err != nil {
		return Proof{}, reject("malformed signature")
	}

	message := make([]byte, 0, len(stamp)+len(req.Body))
	message = append(append(message, stamp...), req.Body...)
	for _, keyHex := range values {
		key, err := hex.DecodeString(keyHex)
		if err != nil || len(key) != ed25519.PublicKeySize {
			continue
		}
		if ed25519.Verify(key, message, signature) {
			return Proof{ReplayKey: contentDigest(message), Timestamp: ts}, nil
		}
	}
	return Proof{}, reject("signature mismatch")
}
