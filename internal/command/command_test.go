package command

import (
	"errors"
	"strings"
	"testing"
)

const (
	testID      = "0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b"
	testIDUpper = "0F8A3C1E-5B2D-4E6F-9A7B-1C2D3E4F5A6B"
	otherID     = "11111111-2222-3333-4444-555555555555"
	requestID   = "0f8a3c1e5b2d4e6f9a7b1c2d3e4f5a6b"
)

// wantCode checks that err is an *Error with the given code, or nil when code is "".
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var cmdErr *Error
	if !errors.As(err, &cmdErr) {
		t.Fatalf("error = %v, want *Error with code %q", err, code)
	}
	if cmdErr.Code != code {
		t.Fatalf("code = %q (%s), want %q", cmdErr.Code, cmdErr.Message, code)
	}
	if cmdErr.Message == "" {
		t.Fatal("error has an empty message")
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Command
		code string
	}{
		{"cancel with id", "cancel " + testID, Command{Cancel, testID}, ""},
		{"id alone means cancel", testID, Command{Cancel, testID}, ""},
		{"status with id", "status " + testID, Command{Status, testID}, ""},
		{"help", "help", Command{Action: Help}, ""},
		{"empty text is help", "", Command{Action: Help}, ""},
		{"only white space is help", " \t\n\u00a0\u3000", Command{Action: Help}, ""},
		{"upper-case command", "CANCEL " + testID, Command{Cancel, testID}, ""},
		{"mixed-case command", "StAtUs " + testID, Command{Status, testID}, ""},
		{"mixed-case help", "HeLp", Command{Action: Help}, ""},
		{"upper-case id kept as written", "cancel " + testIDUpper,
			Command{Cancel, testIDUpper}, ""},
		{"tab separates", "cancel\t" + testID, Command{Cancel, testID}, ""},
		{"newline separates", "status\n" + testID, Command{Status, testID}, ""},
		{"crlf separates", "cancel\r\n" + testID + "\r\n", Command{Cancel, testID}, ""},
		{"no-break space separates", "cancel\u00a0" + testID, Command{Cancel, testID}, ""},
		{"ideographic space separates", "cancel\u3000" + testID, Command{Cancel, testID}, ""},
		{"space around id", "  \t" + testID + "\n ", Command{Cancel, testID}, ""},
		{"many spaces between words", "cancel     " + testID, Command{Cancel, testID}, ""},

		{"cancel without id", "cancel", Command{}, CodeMissingID},
		{"status without id", "status  ", Command{}, CodeMissingID},
		{"cancel with two ids", "cancel " + testID + " " + otherID, Command{}, CodeExtraWords},
		{"cancel with trailing word", "cancel " + testID + " please", Command{},
			CodeExtraWords},
		{"help with extra word", "help me", Command{}, CodeExtraWords},
		{"unknown command", "stop " + testID, Command{}, CodeUnknownCommand},
		{"unknown single word", "hello", Command{}, CodeUnknownCommand},
		{"id then command", testID + " cancel", Command{}, CodeUnknownCommand},
		{"long s is not status", "\u017ftatus " + testID, Command{}, CodeUnknownCommand},
		{"cyrillic letter in command", "c\u0430ncel " + testID, Command{},
			CodeUnknownCommand},
		{"zero-width space joins words", "cancel\u200b" + testID, Command{},
			CodeMalformedID},
		{"request id alone", requestID, Command{}, CodeRequestID},
		{"cancel request id", "cancel " + requestID, Command{}, CodeRequestID},
		{"bad id alone", "1234-abcd", Command{}, CodeMalformedID},
		{"cancel bad id", "cancel ../etc/passwd", Command{}, CodeMalformedID},
		{"space inside id", "cancel 0f8a3c1e-5b2d-4e6f -9a7b-1c2d3e4f5a6b", Command{},
			CodeExtraWords},
		{"newline inside id", "cancel 0f8a3c1e-5b2d\n-4e6f-9a7b-1c2d3e4f5a6b", Command{},
			CodeExtraWords},
		{"huge text", "cancel " + strings.Repeat("a ", 1_000_000), Command{},
			CodeExtraWords},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseText(tt.text)
			wantCode(t, err, tt.code)
			if got != tt.want {
				t.Fatalf("ParseText(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestValidateExecutionID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		code string
	}{
		{"lower-case uuid", testID, ""},
		{"upper-case uuid", testIDUpper, ""},
		{"mixed-case uuid", "0F8a3C1e-5b2D-4e6f-9A7b-1c2d3E4f5a6b", ""},
		{"request id", requestID, CodeRequestID},
		{"upper-case request id", strings.ToUpper(requestID), CodeRequestID},
		{"empty", "", CodeMalformedID},
		{"dot dot slash", "../" + testID[3:], CodeMalformedID},
		{"path traversal suffix", testID + "/../x", CodeMalformedID},
		{"percent-encoded slash", "0f8a3c1e%2F5b2d-4e6f-9a7b-1c2d3e4f5a6b", CodeMalformedID},
		{"percent-encoded dots", "%2e%2e" + testID[6:], CodeMalformedID},
		{"question mark", testID[:35] + "?", CodeMalformedID},
		{"hash", "#" + testID[1:], CodeMalformedID},
		{"space inside", "0f8a3c1e-5b2d 4e6f-9a7b-1c2d3e4f5a6b", CodeMalformedID},
		{"leading space", " " + testID, CodeMalformedID},
		{"trailing newline", testID + "\n", CodeMalformedID},
		{"newline inside", "0f8a3c1e-5b2d\n4e6f-9a7b-1c2d3e4f5a6b", CodeMalformedID},
		{"unicode hyphen", strings.Replace(testID, "-", "\u2010", 1), CodeMalformedID},
		{"non-breaking hyphen", strings.Replace(testID, "-", "\u2011", 1), CodeMalformedID},
		{"fullwidth digit", strings.Replace(testID, "0", "\uff10", 1), CodeMalformedID},
		{"arabic-indic digit", strings.Replace(testID, "1", "\u0661", 1), CodeMalformedID},
		{"cyrillic a", strings.Replace(testID, "a", "\u0430", 1), CodeMalformedID},
		{"non-hex letter", strings.Replace(testID, "a", "g", 1), CodeMalformedID},
		{"dashes misplaced", "0f8a3c1e5-b2d-4e6f-9a7b-1c2d3e4f5a6b", CodeMalformedID},
		{"no dashes but 36 long", requestID + "abcd", CodeMalformedID},
		{"braces", "{" + testID + "}", CodeMalformedID},
		{"urn prefix", "urn:uuid:" + testID, CodeMalformedID},
		{"invalid utf-8", testID[:35] + "\xff", CodeMalformedID},
		{"nul byte", testID[:35] + "\x00", CodeMalformedID},
		{"ten thousand characters", strings.Repeat("a", 10_000), CodeMalformedID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, ValidateExecutionID(tt.id), tt.code)
		})
	}
}

func TestErrorMessageQuotesOnlyAShortSanitizedExcerpt(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		mustNot []string
	}{
		{"long id", "cancel " + strings.Repeat("7", 10_000), []string{strings.Repeat("7", 41)}},
		{"control characters", "cancel 12\x1b[31m34\x07", []string{"\x1b", "\x07"}},
		{"bidi override", "cancel 12\u202e34", []string{"\u202e"}},
		{"chat mention", "<!channel>-1", []string{"<", ">", "!"}},
		{"markdown", "`x`*y*-1", []string{"`x`", "*"}},
		{"invalid utf-8", "cancel 12\xff34", []string{"\xff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseText(tt.text)
			var cmdErr *Error
			if !errors.As(err, &cmdErr) {
				t.Fatalf("error = %v, want *Error", err)
			}
			for _, s := range tt.mustNot {
				if strings.Contains(cmdErr.Message, s) && !strings.Contains(ourExample, s) {
					t.Errorf("message %q contains %q", cmdErr.Message, s)
				}
			}
		})
	}
}

// ourExample is the part of messages that is ours, not the user's.
const ourExample = "`0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b`"

func TestExcerptMarksRemovedCharacters(t *testing.T) {
	for _, tt := range []struct {
		name string
		id   string
		want string
	}{
		{"braces around a valid id stay visible", "{c17bea3a-574d-453c-9e04-4365fbf5af0b}",
			`"?c17bea3a-574d-453c-9e04-4365fbf5af0b?" is not`},
		{"unicode hyphens are shown as marks, not dropped",
			"c17bea3a\u2010574d\u2010453c\u20109e04\u20104365fbf5af0b",
			`"c17bea3a?574d?453c?9e04?4365fbf5af0b" is not`},
		{"bidi override", "12\u202e34", `"12?34" is not`},
		{"invalid utf-8", "12\xff34", `"12?34" is not`},
		{"markup", "<@U123>", `"??U123?" is not`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var cmdErr *Error
			if !errors.As(ValidateExecutionID(tt.id), &cmdErr) {
				t.Fatalf("%q: want *Error", tt.id)
			}
			if !strings.HasPrefix(cmdErr.Message, tt.want) {
				t.Errorf("message %q, want it to start with %q", cmdErr.Message, tt.want)
			}
		})
	}
}

func TestExcerptCountsMarksTowardTheCap(t *testing.T) {
	got := excerpt(strings.Repeat("\u200b", 100))
	if want := strings.Repeat("?", maxExcerptRunes) + "…"; got != want {
		t.Fatalf("excerpt = %q, want %q", got, want)
	}
}

func TestExcerptCapsAt40Runes(t *testing.T) {
	got := excerpt(strings.Repeat("é", 100))
	if n := len([]rune(got)); n != maxExcerptRunes+1 || !strings.HasSuffix(got, "…") {
		t.Fatalf("excerpt has %d runes (%q), want %d plus an ellipsis", n, got, maxExcerptRunes)
	}
}

func TestHelpTextListsEveryCommand(t *testing.T) {
	for _, want := range []string{"cancel <execution-id>", "`<execution-id>`",
		"status <execution-id>", "`help`"} {
		if !strings.Contains(HelpText, want) {
			t.Errorf("HelpText lacks %q", want)
		}
	}
}

func TestErrorStringHasCode(t *testing.T) {
	err := ValidateExecutionID(requestID)
	if !strings.Contains(err.Error(), CodeRequestID) {
		t.Fatalf("Error() = %q, want it to name the code", err.Error())
	}
	if !strings.Contains(err.Error(), "requestId") {
		t.Fatalf("Error() = %q, want it to explain the requestId mix-up", err.Error())
	}
}
