// Package webhook verifies the signatures that chat and incident providers put on the
// requests they deliver, and signs requests the same way for tests and tools.
//
// Every verifier is a pure function of the raw body, the request headers, the configured
// secrets and the current time: no network, no logging. Rules shared by all schemes:
//   - every failure wraps ErrInvalid; the wrapped detail names the failed step for logs but
//     never contains secret, signature or body bytes;
//   - MACs and shared tokens are compared in constant time;
//   - several values of one secret (rotation) are all tried, and any match passes;
//   - a header value over 8 KiB, a missing header or no configured secret fails;
//   - Unix timestamps are ASCII digits only, at most 12 of them, and must lie within the
//     tolerance on either side of now (both edges included).
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Request is what a verifier sees of an HTTP request.
type Request struct {
	// Header looks a header up case-insensitively and returns "" when it is absent.
	// The caller decides what to do with repeated headers.
	Header func(name string) string
	// Body holds the exact raw bytes, already base64-decoded by the caller.
	Body []byte
}

// Secrets returns the configured values of one secret JSON key: several during rotation,
// nil when unset.
type Secrets func(key string) []string

// Proof is what a successful verification yields.
type Proof struct {
	// ReplayKey identifies the signed content of this delivery for replay detection: the
	// lower-case hex SHA-256 of exactly the bytes the scheme signs (for Standard Webhooks
	// the webhook-id, timestamp and body; for Slack, Discord and Zendesk the timestamp and
	// body; otherwise the body). It never depends on which secret or which signature entry
	// matched, nor on how the signature is spelled, so a delivery re-sent with its entries
	// reordered or pruned during secret rotation keeps its key, and different signed content
	// gets a different key. For shared tokens, which sign nothing, it is the digest of the
	// raw body.
	ReplayKey string
	// Timestamp is the signed timestamp when the scheme has one (zero otherwise).
	Timestamp time.Time
}

// Verifier checks one signing scheme.
type Verifier interface {
	// SecretKeys names the secret JSON keys the scheme reads; a route is configured when any
	// of them has a value.
	SecretKeys() []string
	// SignedHeaders names the headers that must not appear more than once (signature,
	// timestamp, id).
	SignedHeaders() []string
	// Verify checks the request against every configured secret value (rotation: any match
	// passes).
	Verify(req Request, secrets Secrets, now time.Time) (Proof, error)
}

// ErrInvalid is wrapped by every verification failure. Callers must answer all failures
// alike and never say which part failed.
var ErrInvalid = errors.New("invalid signature")

// DefaultTolerance is the clock skew allowed by verifiers whose constructor takes no
// tolerance (GitLab signing).
const DefaultTolerance = 5 * time.Minute

const (
	// maxHeaderLen bounds a header value; longer ones are refused unread.
	maxHeaderLen = 8 << 10
	// maxTimestampDigits bounds a Unix timestamp; twelve digits reach the year 33658.
	maxTimestampDigits = 12
)

// scheme implements Verifier for one signing scheme.
type scheme struct {
	name          string
	secretKeys    []string
	signedHeaders []string
	verify        func(req Request, secrets Secrets, now time.Time) (Proof, error)
}

// SecretKeys returns a copy, so callers cannot change the verifier.
func (s scheme) SecretKeys() []string { return slices.Clone(s.secretKeys) }

// SignedHeaders returns a copy, so callers cannot change the verifier.
func (s scheme) SignedHeaders() []string { return slices.Clone(s.signedHeaders) }

// Verify runs the scheme's check and names the scheme in any error.
func (s scheme) Verify(req Request, secrets Secrets, now time.Time) (Proof, error) {
	proof, err := s.verify(req, secrets, now)
	if err != nil {
		return Proof{}, fmt.Errorf("%s: %w", s.name, err)
	}
	return proof, nil
}

// reject returns a failure wrapping ErrInvalid. reason must be fixed text or a header name:
// never a secret, a signature or body bytes.
func reject(reason string) error {
	return fmt.Errorf("%s: %w", reason, ErrInvalid)
}

var errNoSecret = reject("no secret configured")

// configured returns the non-empty values of key. An empty value is treated as unset so
// that an empty HMAC key or token can never match.
func configured(secrets Secrets, key string) []string {
	if secrets == nil {
		return nil
	}
	var values []string
	for _, v := range secrets(key) {
		if v != "" {
			values = append(values, v)
		}
	}
	return values
}

// header returns the value of a header that must be present and not oversized.
func header(req Request, name string) (string, error) {
	if req.Header == nil {
		return "", reject("header " + name + " missing")
	}
	v := req.Header(name)
	if v == "" {
		return "", reject("header " + name + " missing")
	}
	if len(v) > maxHeaderLen {
		return "", reject("header " + name + " too long")
	}
	return v, nil
}

// unixTimestamp parses a timestamp of ASCII digits as Unix seconds and checks that it lies
// within tolerance of now.
func unixTimestamp(text string, now time.Time, tolerance time.Duration) (time.Time, error) {
	if text == "" || len(text) > maxTimestampDigits {
		return time.Time{}, reject("malformed timestamp")
	}
	var seconds int64
	for _, c := range []byte(text) {
		if c < '0' || c > '9' {
			return time.Time{}, reject("malformed timestamp")
		}
		seconds = seconds*10 + int64(c-'0')
	}
	ts := time.Unix(seconds, 0)
	return ts, fresh(ts, now, tolerance)
}

// fresh checks that ts lies in [now-tolerance, now+tolerance].
func fresh(ts, now time.Time, tolerance time.Duration) error {
	if ts.Before(now.Add(-tolerance)) || ts.After(now.Add(tolerance)) {
		return reject("timestamp outside tolerance")
	}
	return nil
}

// macSHA256 returns HMAC-SHA256 under key of the concatenated parts.
func macSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// contentDigest is the replay key of a delivery: the lower-case hex SHA-256 of the
// concatenated parts, which are exactly the bytes the scheme signs (the raw body alone for
// shared tokens). Two deliveries share a key exactly when a signature over one verifies
// the other.
func contentDigest(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}
