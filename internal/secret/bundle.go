// Package secret holds the SailPoint credentials and the webhook signing secrets.
//
// The secret is one JSON object, read from AWS Secrets Manager or from a file,
// parsed into a Bundle and cached by a Store. Signing keys may hold a list of
// values so that a secret can be rotated without a window in which requests
// signed with the old value fail.
package secret

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnavailable is wrapped by every error from reading or parsing the secret, so
// callers can answer "service unavailable" without inspecting the cause.
var ErrUnavailable = errors.New("secret unavailable")

// Keys of the credentials that must be single strings.
const (
	keyClientID     = "client_id"
	keyClientSecret = "client_secret"
)

// Bundle is one parsed secret: the SailPoint client credentials and the signing
// secrets, each key holding one or more non-blank values.
type Bundle struct {
	// ClientID is the SailPoint personal access token's client id.
	ClientID string
	// ClientSecret is the SailPoint personal access token's secret.
	ClientSecret string

	values map[string][]string
}

// Parse reads a secret in its JSON form.
//
// Rules:
//   - the document must be one JSON object;
//   - client_id and client_secret must be strings;
//   - every other key must be a string or an array of strings; blank strings are
//     dropped, so a key holding only blanks is unset;
//   - a null value is treated as unset;
//   - errors name the offending key, never a value.
func Parse(raw []byte) (Bundle, error) {
	fields, err := parseObject(raw)
	if err != nil {
		return Bundle{}, err
	}

	b := Bundle{values: make(map[string][]string, len(fields))}
	for key, value := range fields {
		if isNull(value) {
			continue
		}
		if key == keyClientID || key == keyClientSecret {
			var s string
			if json.Unmarshal(value, &s) != nil {
				return Bundle{}, fmt.Errorf("parse secret: key %q: want a string", key)
			}
			if key == keyClientID {
				b.ClientID = s
			} else {
				b.ClientSecret = s
			}
			continue
		}
		list, err := parseValues(value)
		if err != nil {
			return Bundle{}, fmt.Errorf("parse secret: key %q: %w", key, err)
		}
		if len(list) > 0 {
			b.values[key] = list
		}
	}
	return b, nil
}

// parseObject splits a JSON object into its raw fields. Decoder errors are not
// passed on because their text may quote bytes of the secret.
func parseObject(raw []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("parse secret: not a JSON object")
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(trimmed, &fields) != nil {
		return nil, errors.New("parse secret: not a valid JSON object")
	}
	return fields, nil
}

// parseValues accepts a string or an array of strings and drops blank entries.
func parseValues(value json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(value, &one) == nil {
		return keepNonBlank([]string{one}), nil
	}
	var many []string
	if json.Unmarshal(value, &many) != nil {
		return nil, errors.New("want a string or an array of strings")
	}
	return keepNonBlank(many), nil
}

func keepNonBlank(list []string) []string {
	var kept []string
	for _, v := range list {
		if strings.TrimSpace(v) != "" {
			kept = append(kept, v)
		}
	}
	return kept
}

func isNull(value json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(value), []byte("null"))
}

// Values returns the non-blank values of a signing key, current first as stored,
// or nil when the key is unset. The caller may modify the returned slice.
func (b Bundle) Values(key string) []string {
	return slices.Clone(b.values[key])
}

// MissingCredentials names client_id and client_secret when absent or blank, so
// the caller can refuse to call SailPoint and log which key to fix.
func (b Bundle) MissingCredentials() []string {
	var missing []string
	if strings.TrimSpace(b.ClientID) == "" {
		missing = append(missing, keyClientID)
	}
	if strings.TrimSpace(b.ClientSecret) == "" {
		missing = append(missing, keyClientSecret)
	}
	return missing
}
