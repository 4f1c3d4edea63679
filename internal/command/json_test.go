package command

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Command
		code string
	}{
		{"id only means cancel", `{"executionId":"` + testID + `"}`, Command{Cancel, testID}, ""},
		{"explicit cancel", `{"executionId":"` + testID + `","action":"cancel"}`,
			Command{Cancel, testID}, ""},
		{"status", `{"action":"status","executionId":"` + testID + `"}`,
			Command{Status, testID}, ""},
		{"upper-case id kept", `{"executionId":"` + testIDUpper + `"}`,
			Command{Cancel, testIDUpper}, ""},
		{"unknown fields allowed", `{"executionId":"` + testID + `","by":{"name":"x"},"n":[1,2]}`,
			Command{Cancel, testID}, ""},
		{"white space around", " \n\t{ \"executionId\" : \"" + testID + "\" }\n",
			Command{Cancel, testID}, ""},
		{"escaped id", `{"executionId":"\u0030f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b"}`,
			Command{Cancel, testID}, ""},
		{"escaped keys", `{"\u0061ction":"status","execution\u0049d":"` + testID + `"}`,
			Command{Status, testID}, ""},
		{"id key nested only", `{"x":{"executionId":"` + testID + `"}}`, Command{},
			CodeMissingID},

		{"missing id", `{"action":"cancel"}`, Command{}, CodeMissingID},
		{"empty object", `{}`, Command{}, CodeMissingID},
		{"id key in other case only", `{"ExecutionId":"` + testID + `"}`, Command{},
			CodeMissingID},
		{"id is a number", `{"executionId":12345}`, Command{}, CodeBadJSON},
		{"id is null", `{"executionId":null}`, Command{}, CodeBadJSON},
		{"id is an object", `{"executionId":{"id":"` + testID + `"}}`, Command{}, CodeBadJSON},
		{"id is malformed", `{"executionId":"../../admin"}`, Command{}, CodeMalformedID},
		{"id is a request id", `{"executionId":"` + requestID + `"}`, Command{}, CodeRequestID},
		{"id has escaped unicode hyphen",
			`{"executionId":"0f8a3c1e\u20105b2d-4e6f-9a7b-1c2d3e4f5a6b"}`, Command{},
			CodeMalformedID},
		{"action invalid", `{"executionId":"` + testID + `","action":"delete"}`, Command{},
			CodeBadAction},
		{"action upper-case", `{"executionId":"` + testID + `","action":"CANCEL"}`, Command{},
			CodeBadAction},
		{"action help", `{"executionId":"` + testID + `","action":"help"}`, Command{},
			CodeBadAction},
		{"action number", `{"executionId":"` + testID + `","action":1}`, Command{},
			CodeBadAction},
		{"action null", `{"executionId":"` + testID + `","action":null}`, Command{},
			CodeBadAction},
		{"duplicate id", `{"executionId":"` + testID + `","executionId":"` + otherID + `"}`,
			Command{}, CodeDuplicateKey},
		{"case-duplicate id", `{"executionId":"` + testID + `","ExecutionId":"` + otherID + `"}`,
			Command{}, CodeDuplicateKey},
		{"kelvin-sign case-duplicate", `{"executionId":"` + testID + `","k":1,"\u212a":2}`,
			Command{}, CodeDuplicateKey},
		{"duplicate action", `{"executionId":"` + testID + `","action":"status","action":"cancel"}`,
			Command{}, CodeDuplicateKey},
		{"nested duplicate", `{"executionId":"` + testID + `","x":{"a":1,"a":2}}`,
			Command{}, CodeDuplicateKey},
		{"duplicate in array of objects", `{"executionId":"` + testID + `","x":[{"a":1},{"b":1,"B":2}]}`,
			Command{}, CodeDuplicateKey},
		{"array", `["` + testID + `"]`, Command{}, CodeBadJSON},
		{"string", `"` + testID + `"`, Command{}, CodeBadJSON},
		{"null", `null`, Command{}, CodeBadJSON},
		{"number", `42`, Command{}, CodeBadJSON},
		{"empty body", ``, Command{}, CodeBadJSON},
		{"only white space", "  \n", Command{}, CodeBadJSON},
		{"trailing garbage", `{"executionId":"` + testID + `"}x`, Command{}, CodeBadJSON},
		{"two objects", `{"executionId":"` + testID + `"}{"executionId":"` + otherID + `"}`,
			Command{}, CodeBadJSON},
		{"two objects with space", `{"executionId":"` + testID + `"} {}`, Command{}, CodeBadJSON},
		{"truncated", `{"executionId":"` + testID, Command{}, CodeBadJSON},
		{"invalid utf-8 in value", "{\"executionId\":\"" + testID + "\",\"n\":\"\xff\"}",
			Command{}, CodeBadJSON},
		{"invalid utf-8 in key", "{\"executionId\":\"" + testID + "\",\"\xc3\":1}",
			Command{}, CodeBadJSON},
		{"byte order mark", "\ufeff{\"executionId\":\"" + testID + "\"}", Command{}, CodeBadJSON},
		{"single quotes", `{'executionId':'` + testID + `'}`, Command{}, CodeBadJSON},
		{"depth 10000", strings.Repeat(`{"a":`, 10_000) + "1" + strings.Repeat("}", 10_000),
			Command{}, CodeTooDeep},
		{"array depth 10000 unclosed", strings.Repeat("[", 10_000), Command{}, CodeTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJSON([]byte(tt.body))
			wantCode(t, err, tt.code)
			if got != tt.want {
				t.Fatalf("ParseJSON = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name string
		body string
		code string
	}{
		{"object", `{"a":1,"b":[true,null,"x"]}`, ""},
		{"array at top", `[1,2,3]`, ""},
		{"scalar at top", `"x"`, ""},
		{"same key in sibling objects", `[{"a":1},{"a":2}]`, ""},
		{"same key at different levels", `{"a":{"a":{"a":1}}}`, ""},
		{"key equal to a value", `{"a":"b","b":"a"}`, ""},
		{"depth 32", nest(MaxJSONDepth), ""},
		{"depth 33", nest(MaxJSONDepth + 1), CodeTooDeep},
		{"duplicate key", `{"a":1,"a":1}`, CodeDuplicateKey},
		{"case-duplicate key", `{"id":1,"ID":2}`, CodeDuplicateKey},
		{"escaped duplicate key", `{"a":1,"\u0061":2}`, CodeDuplicateKey},
		{"deep duplicate", `[[[{"x":{"y":1,"Y":2}}]]]`, CodeDuplicateKey},
		{"lone surrogates both read as U+FFFD", `{"\ud800":1,"\udfff":2}`, CodeDuplicateKey},
		{"surrogate pair", `{"\ud83d\ude00":1,"\ud83d":2}`, ""},
		{"many keys", manyKeys(99, "k99"), ""},
		{"duplicate among many keys", manyKeys(99, "K7"), CodeDuplicateKey},
		{"duplicate after an inner object", `{"a":{"b":{"c":1}},"b":2,"A":3}`, CodeDuplicateKey},
		{"numbers", `[0,-0,1.5,-2e10,3E+2,4e-2,1e999]`, ""},
		{"leading zero", `[01]`, CodeBadJSON},
		{"bare minus", `[-]`, CodeBadJSON},
		{"control character in string", "[\"\t\"]", CodeBadJSON},
		{"bad escape", `["\x"]`, CodeBadJSON},
		{"short unicode escape", `["\u12"]`, CodeBadJSON},
		{"duplicate before a syntax error", `{"a":1,"a"`, CodeDuplicateKey},
		{"syntax error before depth", `[1 [[[[`, CodeBadJSON},
		{"trailing comma", `{"a":1,}`, CodeBadJSON},
		{"trailing value", `1 2`, CodeBadJSON},
		{"unclosed", `{"a":[1,2}`, CodeBadJSON},
		{"invalid utf-8", "\"\xed\xa0\x80\"", CodeBadJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, CheckJSON([]byte(tt.body)), tt.code)
			checkAgainstReferences(t, []byte(tt.body))
		})
	}
}

// manyKeys is an object with keys k0 to k(n-1) and then last.
func manyKeys(n int, last string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, "\"k%d\":%d,", i, i)
	}
	b.WriteString(`"` + last + `":0}`)
	return b.String()
}

func TestDuplicateKeyMessageQuotesOnlyAnExcerpt(t *testing.T) {
	key := strings.Repeat("k", 500) + "\u202e"
	err := CheckJSON([]byte(`{"` + key + `":1,"` + key + `":2}`))
	wantCode(t, err, CodeDuplicateKey)
	msg := err.(*Error).Message
	tooLong := strings.Repeat("k", maxExcerptRunes+1)
	if strings.Contains(msg, tooLong) || strings.Contains(msg, "\u202e") {
		t.Fatalf("message quotes too much of the key: %q", msg)
	}
}
