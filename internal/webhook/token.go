package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
)

// tokenMatches reports whether given equals any configured token. Both sides are hashed
// first so that the comparison takes the same time whatever their lengths.
func tokenMatches(given string, tokens []string) bool {
	sum := sha256.Sum256([]byte(given))
	matched := 0
	for _, token := range tokens {
		want := sha256.Sum256([]byte(token))
		matched |= subtle.ConstantTimeCompare(sum[:], want[:])
	}
	return matched == 1
}
