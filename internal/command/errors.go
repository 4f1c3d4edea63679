package command

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Codes of Error, stable for callers and logs.
const (
	CodeMissingID      = "missing_id"
	CodeMalformedID    = "malformed_id"
	CodeRequestID      = "request_id"
	CodeUnknownCommand = "unknown_command"
	CodeExtraWords     = "extra_words"
	CodeBadJSON        = "bad_json"
	CodeTooDeep        = "too_deep"
	CodeDuplicateKey   = "duplicate_key"
	CodeBadAction      = "bad_action"
	CodeSeveralIDs     = "several_ids"
)

// Error is a mistake in what the user sent: no id, a malformed id, an unknown command,
// a bad JSON body. Message is a plain sentence safe to show the user; it holds at most a
// short sanitized excerpt of the input. Code is a short machine code such as
// CodeMissingID, for callers that branch and for logs.
type Error struct {
	Message string
	Code    string
}

// Error returns the code and the message; both are safe to log.
func (e *Error) Error() string {
	return "invalid command (" + e.Code + "): " + e.Message
}

// maxExcerptRunes caps how much of the input a message may quote.
const maxExcerptRunes = 40

// unquotableMark stands in for each character excerpt may not quote.
const unquotableMark = '?'

// excerpt returns a short piece of s fit to quote inside a chat message: letters, digits,
// spaces and a few harmless punctuation marks only, so that no control character, bidi
// override, mention or markup from the input reaches the reply. Any other character (or
// invalid byte) becomes unquotableMark rather than vanishing, so the quote never looks
// more valid than what was sent: braces around an id or look-alike hyphens stay visible.
func excerpt(s string) string {
	var b strings.Builder
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if n == maxExcerptRunes {
			b.WriteString("…")
			break
		}
		if !quotable(r) {
			r = unquotableMark
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func quotable(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ':
		return true
	default:
		return strings.ContainsRune("-_.:/", r)
	}
}
