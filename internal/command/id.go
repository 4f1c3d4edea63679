package command

// executionIDLen is the length of a dashed UUID, the form of every execution id.
const executionIDLen = 36

// requestIDLen is the length of a SailPoint requestId: 32 hex digits and no dashes. Users
// often paste one from an API response when they mean an execution id.
const requestIDLen = 32

// ValidateExecutionID checks that id is a workflow execution id: a dashed UUID
// (8-4-4-4-12 ASCII hex digits, any case) and nothing else — no surrounding space, no
// look-alike digits or dashes from other scripts.
//
// A 32-hex-digit id gives an *Error with CodeRequestID, since it is a SailPoint requestId;
// anything else that is not an execution id gives CodeMalformedID.
func ValidateExecutionID(id string) error {
	if isDashedUUID(id) {
		return nil
	}
	if isRequestID(id) {
		return &Error{
			Code: CodeRequestID,
			Message: "That looks like a SailPoint requestId, not an execution id. " +
				"An execution id has dashes: `0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b`.",
		}
	}
	return &Error{
		Code: CodeMalformedID,
		Message: "\"" + excerpt(id) + "\" is not an execution id. " +
			"An execution id looks like `0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b`.",
	}
}

// isDashedUUID reports whether s is exactly 8-4-4-4-12 ASCII hex digits.
func isDashedUUID(s string) bool {
	if len(s) != executionIDLen {
		return false
	}
	for i := range len(s) {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

func isRequestID(s string) bool {
	if len(s) != requestIDLen {
		return false
	}
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
