package command

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"unicode/utf8"
)

// checkAgainstReferences holds CheckJSON to two independent readers of the same body:
// encoding/json's own validity check, and tokenCheck, a slower reference that walks the
// body with json.Decoder.Token and applies the same strictness rules.
//
// Rules checked:
//   - a body CheckJSON accepts is json.Valid;
//   - a json.Valid body of valid UTF-8 is refused only for depth or a repeated key;
//   - CheckJSON and tokenCheck agree on the error code, the first fault deciding.
func checkAgainstReferences(t *testing.T, body []byte) {
	t.Helper()
	err := CheckJSON(body)
	if err == nil && !json.Valid(body) {
		t.Fatalf("CheckJSON accepted a body json.Valid refuses: %q", body)
	}
	valid := json.Valid(body) && utf8.Valid(body) // json.Valid lets invalid UTF-8 through
	if err != nil && valid {
		if code := err.(*Error).Code; code != CodeTooDeep && code != CodeDuplicateKey {
			t.Fatalf("CheckJSON refused a valid body with %s: %q", code, body)
		}
	}
	if got, want := codeOf(err), codeOf(tokenCheck(body)); got != want {
		t.Fatalf("CheckJSON gave %q, the token reference %q, for %q", got, want, body)
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return err.(*Error).Code
}

// tokenCheck is the reference reading of CheckJSON's rules through json.Decoder.Token.
func tokenCheck(body []byte) error {
	if !utf8.Valid(body) {
		return badJSON("not utf-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := tokenValue(dec); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return badJSON("trailing data")
	}
	return nil
}

// tokenLevel is one open object or array in tokenValue.
type tokenLevel struct {
	object, expectKey bool
	keys              map[string]bool
}

func tokenValue(dec *json.Decoder) error {
	var stack []*tokenLevel
	for {
		tok, err := dec.Token()
		if err != nil {
			return badJSON("syntax")
		}
		key, isKey := tok.(string)
		if n := len(stack); isKey && n > 0 && stack[n-1].object && stack[n-1].expectKey {
			top := stack[n-1]
			folded := foldKey(key)
			if top.keys[folded] {
				return &Error{Code: CodeDuplicateKey, Message: "repeat"}
			}
			top.keys[folded] = true
			top.expectKey = false
			continue
		}

		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == MaxJSONDepth {
				return &Error{Code: CodeTooDeep, Message: "deep"}
			}
			obj := tok == json.Delim('{')
			stack = append(stack, &tokenLevel{object: obj, expectKey: obj,
				keys: map[string]bool{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			return nil
		}
		stack[len(stack)-1].expectKey = stack[len(stack)-1].object
	}
}
