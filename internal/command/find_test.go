package command

import (
	"strings"
	"testing"
)

func TestFindExecutionID(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		want  string
		found bool
		code  string
	}{
		{"id alone", testID, testID, true, ""},
		{"id in a sentence", "Please cancel " + testID + ", it is stuck.", testID, true, ""},
		{"id in a url", "https://x.example/workflow-executions/" + testID + "/cancel",
			testID, true, ""},
		{"id in quotes and brackets", `exec ["` + testID + `"]`, testID, true, ""},
		{"upper-case id kept as written", "id: " + testIDUpper, testIDUpper, true, ""},
		{"same id repeated", testID + " and again " + testID, testID, true, ""},
		{"same id in other case", testIDUpper + " aka " + testID, testIDUpper, true, ""},
		{"id across lines", "line one\n" + testID + "\nline three", testID, true, ""},
		{"two distinct ids", testID + " or " + otherID, "", false, CodeSeveralIDs},
		{"two distinct ids adjacent by comma", testID + "," + otherID, "", false,
			CodeSeveralIDs},
		{"none", "nothing to see here", "", false, ""},
		{"empty", "", "", false, ""},
		{"request id alone", "request " + requestID, "", false, ""},
		{"request id with one id", requestID + " " + testID, testID, true, ""},
		{"uuid inside longer hex", "ab" + testID + "cd", "", false, ""},
		{"uuid joined by dash", "x-" + testID, "", false, ""},
		{"uuid joined by underscore", testID + "_2", "", false, ""},
		{"unicode hyphen", strings.Replace(testID, "-", "\u2010", 1), "", false, ""},
		{"fullwidth digit", strings.Replace(testID, "0", "\uff10", 1), "", false, ""},
		{"truncated id", testID[:35], "", false, ""},
		{"long noise", strings.Repeat("0-", 50_000), "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := FindExecutionID(tt.text)
			wantCode(t, err, tt.code)
			if got != tt.want || found != tt.found {
				t.Fatalf("FindExecutionID = %q, %v; want %q, %v", got, found, tt.want, tt.found)
			}
		})
	}
}
