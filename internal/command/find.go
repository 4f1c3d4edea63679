package command

import "strings"

// FindExecutionID looks for an execution id inside free text, such as a ticket field that
// holds a sentence around the id.
//
// Rules:
//   - An id is a dashed UUID not joined to letters, digits, "-" or "_" on either side, so a
//     longer hex run or a 32-digit requestId is not taken for one.
//   - Repeats of one id, whatever their case, count once; the first occurrence is returned
//     as written, case preserved.
//   - No id gives found=false; two or more distinct ids give an *Error with
//     CodeSeveralIDs, since guessing which to cancel would be unsafe.
func FindExecutionID(text string) (id string, found bool, err error) {
	for i := 0; i+executionIDLen <= len(text); i++ {
		if i > 0 && isWordByte(text[i-1]) {
			continue
		}
		end := i + executionIDLen
		candidate := text[i:end]
		if !isDashedUUID(candidate) || (end < len(text) && isWordByte(text[end])) {
			continue
		}

		switch {
		case !found:
			id, found = candidate, true
		case !strings.EqualFold(id, candidate):
			return "", false, &Error{
				Code:    CodeSeveralIDs,
				Message: "The text holds more than one execution id; give exactly one.",
			}
		}
		i = end - 1
	}
	return id, found, nil
}

// isWordByte reports whether c would join a UUID to its neighbours.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_'
}
