package command

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMalformedPointer is wrapped by the error Pointer returns for a pointer that breaks
// RFC 6901.
var ErrMalformedPointer = errors.New("malformed json pointer")

// Pointer resolves an RFC 6901 JSON Pointer in doc, a document decoded by encoding/json
// (objects as map[string]any, arrays as []any; UseNumber or not).
//
// Rules:
//   - "" is the whole document; any other pointer starts with "/".
//   - In a reference token "~1" means "/" and "~0" means "~"; any other "~" is malformed.
//   - An array index is "0" or digits without a leading zero; "-" (the element past the
//     end) never matches, nor does an index out of range.
//
// found is false when nothing is at the pointer; err is set only for a malformed pointer.
func Pointer(doc any, pointer string) (value any, found bool, err error) {
	tokens, err := pointerTokens(pointer)
	if err != nil {
		return nil, false, err
	}

	value = doc
	for _, token := range tokens {
		value, found = step(value, token)
		if !found {
			return nil, false, nil
		}
	}
	return value, true, nil
}

// ValidPointer reports whether p is a well-formed RFC 6901 JSON Pointer, so that
// configuration can be checked once, at start.
func ValidPointer(p string) bool {
	_, err := pointerTokens(p)
	return err == nil
}

// pointerTokens splits a pointer into its unescaped reference tokens.
func pointerTokens(pointer string) ([]string, error) {
	if pointer == "" {
		return nil, nil
	}
	if pointer[0] != '/' {
		return nil, fmt.Errorf("pointer must start with \"/\": %w", ErrMalformedPointer)
	}
	parts := strings.Split(pointer[1:], "/")
	for i, part := range parts {
		token, err := unescapeToken(part)
		if err != nil {
			return nil, err
		}
		parts[i] = token
	}
	return parts, nil
}

// unescapeToken decodes "~1" and "~0" in one pass, so "~01" becomes "~1", not "/".
func unescapeToken(part string) (string, error) {
	if !strings.Contains(part, "~") {
		return part, nil
	}
	var b strings.Builder
	for i := 0; i < len(part); i++ {
		if part[i] != '~' {
			b.WriteByte(part[i])
			continue
		}
		if i+1 == len(part) || (part[i+1] != '0' && part[i+1] != '1') {
			return "", fmt.Errorf("pointer has \"~\" not followed by 0 or 1: %w",
				ErrMalformedPointer)
		}
		if part[i+1] == '0' {
			b.WriteByte('~')
		} else {
			b.WriteByte('/')
		}
		i++
	}
	return b.String(), nil
}

// step moves one reference token down from value.
func step(value any, token string) (any, bool) {
	switch v := value.(type) {
	case map[string]any:
		child, ok := v[token]
		return child, ok
	case []any:
		i, ok := arrayIndex(token)
		if !ok || i >= len(v) {
			return nil, false
		}
		return v[i], true
	default:
		return nil, false
	}
}

// arrayIndex parses an RFC 6901 array index: "0" or a decimal without a leading zero.
func arrayIndex(token string) (int, bool) {
	if token == "" || (len(token) > 1 && token[0] == '0') {
		return 0, false
	}
	for i := range len(token) {
		if token[i] < '0' || token[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(token)
	return i, err == nil
}
