package command

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseText(f *testing.F) {
	for _, seed := range []string{"", "help", "cancel " + testID, testID, "status\t" + testID,
		"cancel", "cancel " + requestID, "c\u0430ncel ../x", "cancel\u3000" + testIDUpper,
		"stop 1 2 3", "\xff\xfe", "cancel 12\u202e34"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := ParseText(text)
		if err != nil {
			checkUserError(t, err)
			return
		}
		if cmd.Action == Help {
			return
		}
		if ValidateExecutionID(cmd.ExecutionID) != nil {
			t.Fatalf("ParseText(%q) accepted bad id %q", text, cmd.ExecutionID)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, seed := range []string{`{"executionId":"` + testID + `"}`,
		`{"executionId":"` + testID + `","action":"status"}`,
		`{"executionId":"` + testID + `","ExecutionId":"` + otherID + `"}`,
		`{"a":{"a":1,"a":2}}`, `[[[[[]]]]]`, `{"executionId":1}`, `{} {}`, "\"\xff\"",
		strings.Repeat("[", 100)} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstReferences(t, body)
		cmd, err := ParseJSON(body)
		if err != nil {
			checkUserError(t, err)
			return
		}
		if cmd.Action != Cancel && cmd.Action != Status {
			t.Fatalf("ParseJSON gave action %q", cmd.Action)
		}
		if ValidateExecutionID(cmd.ExecutionID) != nil {
			t.Fatalf("ParseJSON accepted bad id %q", cmd.ExecutionID)
		}
		if CheckJSON(body) != nil || !json.Valid(body) {
			t.Fatalf("ParseJSON accepted a body CheckJSON refuses: %q", body)
		}
	})
}

func FuzzPointer(f *testing.F) {
	doc := `{"foo":["bar","baz"],"":0,"a/b":1,"m~n":8,"o":{"p":[{"q":null}]}}`
	for _, seed := range []string{"", "/", "/foo/0", "/a~1b", "/m~0n", "/foo/-", "/foo/01",
		"/o/p/0/q", "foo", "/~", "/~2", "/foo/99999999999999999999"} {
		f.Add([]byte(doc), seed)
	}
	f.Fuzz(func(t *testing.T, body []byte, pointer string) {
		if CheckJSON(body) != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			t.Fatalf("CheckJSON accepted a body the decoder refuses: %q", body)
		}
		_, found, err := Pointer(v, pointer)
		if (err == nil) != ValidPointer(pointer) {
			t.Fatalf("Pointer and ValidPointer disagree on %q", pointer)
		}
		if err != nil && (found || !errors.Is(err, ErrMalformedPointer)) {
			t.Fatalf("Pointer(%q) = found %v, err %v", pointer, found, err)
		}
	})
}

// checkUserError checks the promises every *Error makes to the user.
func checkUserError(t *testing.T, err error) {
	t.Helper()
	var cmdErr *Error
	if !errors.As(err, &cmdErr) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if cmdErr.Code == "" || cmdErr.Message == "" {
		t.Fatalf("error lacks a code or message: %#v", cmdErr)
	}
	if !utf8.ValidString(cmdErr.Message) {
		t.Fatalf("message is not valid UTF-8: %q", cmdErr.Message)
	}
	if n := utf8.RuneCountInString(cmdErr.Message); n > 300 {
		t.Fatalf("message is %d runes long: %q", n, cmdErr.Message)
	}
	for _, r := range cmdErr.Message {
		if r < 0x20 || r == 0x7f || r == '\u202e' {
			t.Fatalf("message holds control character %U: %q", r, cmdErr.Message)
		}
	}
}
