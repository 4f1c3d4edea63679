// Package command turns what a user sends — a chat slash-command text or a webhook JSON
// body — into an action on one SailPoint workflow execution.
//
// Everything here is pure: no network, no clock. Every mistake a user can make is an
// *Error whose Message can be shown back to them as is; it never carries more of the
// input than a short, sanitized excerpt.
package command

import (
	"strings"
)

// Action is what the user asks to do with a workflow execution.
type Action string

// The actions a command can ask for.
const (
	// Cancel asks SailPoint to cancel the execution.
	Cancel Action = "cancel"
	// Status asks for the execution's current state.
	Status Action = "status"
	// Help asks for the list of commands; it carries no execution id.
	Help Action = "help"
)

// Command is one parsed request: an action and, unless the action is Help, the
// execution id it applies to, exactly as the user wrote it (case preserved).
type Command struct {
	Action      Action
	ExecutionID string
}

// HelpText lists the commands a chat user can send.
const HelpText = "Commands:\n" +
	"• `cancel <execution-id>` cancels a workflow execution.\n" +
	"• `<execution-id>` alone does the same.\n" +
	"• `status <execution-id>` shows where the execution stands.\n" +
	"• `help` shows this list.\n" +
	"An execution id looks like `0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b`."

// maxWords is the most words any command has; reading stops one word past it so that a
// huge text is never split in full.
const maxWords = 2

// ParseText parses the text of a chat command.
//
// Rules:
//   - "cancel <id>" and "<id>" alone ask to cancel; "status <id>" asks for the status;
//     "help" or an empty text asks for help.
//   - Words are separated by any run of Unicode white space (tabs, newlines, no-break and
//     ideographic spaces included); space around the id only separates words.
//   - Command words are matched without regard to ASCII case; look-alike letters from
//     other scripts do not match.
//   - Extra words, unknown commands and ids that fail ValidateExecutionID are *Error.
func ParseText(text string) (Command, error) {
	words := firstWords(text, maxWords+1)
	if len(words) == 0 {
		return Command{Action: Help}, nil
	}

	action, isCommand := commandWord(words[0])
	if !isCommand {
		return parseBareID(words)
	}

	if action == Help {
		if len(words) > 1 {
			return Command{}, extraWordsError("help")
		}
		return Command{Action: Help}, nil
	}

	switch len(words) {
	case 1:
		return Command{}, &Error{
			Code:    CodeMissingID,
			Message: "Give an execution id: `" + string(action) + " <execution-id>`.",
		}
	case 2:
		if err := ValidateExecutionID(words[1]); err != nil {
			return Command{}, err
		}
		return Command{Action: action, ExecutionID: words[1]}, nil
	default:
		return Command{}, extraWordsError(string(action) + " <execution-id>")
	}
}

// parseBareID handles a text whose first word is not a command: an id alone means cancel.
func parseBareID(words []string) (Command, error) {
	if len(words) > 1 || !looksLikeIDAttempt(words[0]) {
		return Command{}, &Error{
			Code: CodeUnknownCommand,
			Message: "I don't know the command \"" + excerpt(words[0]) + "\". " +
				"Send `help` to see what I can do.",
		}
	}
	if err := ValidateExecutionID(words[0]); err != nil {
		return Command{}, err
	}
	return Command{Action: Cancel, ExecutionID: words[0]}, nil
}

// looksLikeIDAttempt tells an id typed badly ("1234-abcd") from an unknown word ("stop"),
// so that the user gets the more useful of the two messages.
func looksLikeIDAttempt(word string) bool {
	return strings.ContainsAny(word, "0123456789-")
}

// commandWord reports which action a command word names, ignoring ASCII case only.
func commandWord(word string) (Action, bool) {
	for _, a := range []Action{Cancel, Status, Help} {
		if asciiEqualFold(word, string(a)) {
			return a, true
		}
	}
	return "", false
}

// asciiEqualFold compares without regard to ASCII case. strings.EqualFold is not used
// because it folds U+017F (long s) to "s" and U+212A (Kelvin sign) to "k".
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// firstWords returns at most limit white-space-separated words of text.
func firstWords(text string, limit int) []string {
	var words []string
	for w := range strings.FieldsSeq(text) {
		words = append(words, w)
		if len(words) == limit {
			break
		}
	}
	return words
}

func extraWordsError(form string) *Error {
	return &Error{
		Code:    CodeExtraWords,
		Message: "Too many words. Send `" + form + "` and nothing else.",
	}
}
