package command

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxJSONDepth is the deepest nesting of objects and arrays a JSON body may have; the
// top-level value counts as depth 1.
const MaxJSONDepth = 32

// ParseJSON parses a webhook body of the form
// {"executionId": "<id>", "action": "cancel" | "status"}.
//
// Rules:
//   - The body must pass CheckJSON and be a JSON object.
//   - Keys are matched exactly: "ExecutionId" is not "executionId".
//   - executionId must be a string that passes ValidateExecutionID.
//   - action is optional and defaults to cancel; when present it must be the string
//     "cancel" or "status".
//   - Other fields are ignored.
func ParseJSON(body []byte) (Command, error) {
	if err := CheckJSON(body); err != nil {
		return Command{}, err
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return Command{}, badJSON("The body must be a JSON object.")
	}

	action, err := jsonAction(fields)
	if err != nil {
		return Command{}, err
	}

	raw, ok := fields["executionId"]
	if !ok {
		return Command{}, &Error{
			Code:    CodeMissingID,
			Message: "Give an execution id: {\"executionId\": \"<execution-id>\"}.",
		}
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil || bytes.Equal(raw, []byte("null")) {
		return Command{}, badJSON("executionId must be a string.")
	}
	if err := ValidateExecutionID(id); err != nil {
		return Command{}, err
	}
	return Command{Action: action, ExecutionID: id}, nil
}

// jsonAction reads the optional "action" field.
func jsonAction(fields map[string]json.RawMessage) (Action, error) {
	raw, ok := fields["action"]
	if !ok {
		return Cancel, nil
	}
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		switch Action(name) {
		case Cancel, Status:
			return Action(name), nil
		}
	}
	return "", &Error{
		Code:    CodeBadAction,
		Message: "action must be \"cancel\" or \"status\".",
	}
}

// CheckJSON applies the strictness rules of ParseJSON to any JSON body, so that routes
// reading other fields see exactly one meaning of the document.
//
// Rules:
//   - The body is valid UTF-8 holding exactly one JSON value and nothing after it.
//   - Objects and arrays nest at most MaxJSONDepth deep.
//   - No object repeats a key, and no two keys of an object differ only in case:
//     encoding/json would silently merge them, and another reader might not.
//
// The body is walked token by token without recursion, so depth is refused before it is
// reached, whatever the input.
func CheckJSON(body []byte) error {
	if !utf8.Valid(body) {
		return badJSON("The body is not valid UTF-8.")
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := checkValue(dec); err != nil {
		return err
	}

	if _, err := dec.Token(); err != io.EOF {
		return badJSON("The body must hold a single JSON value and nothing after it.")
	}
	return nil
}

// level is one open object or array while walking a document.
type level struct {
	object    bool
	expectKey bool
	keys      map[string]struct{}
}

// checkValue reads one whole JSON value from dec, checking depth and keys.
func checkValue(dec *json.Decoder) error {
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return badJSON("The body is not valid JSON.")
		}

		top := (*level)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey {
			if key, isKey := tok.(string); isKey {
				if err := top.addKey(key); err != nil {
					return err
				}
				top.expectKey = false
				continue
			}
		}

		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == MaxJSONDepth {
				return &Error{
					Code:    CodeTooDeep,
					Message: "The JSON body is nested too deeply.",
				}
			}
			obj := tok == json.Delim('{')
			stack = append(stack, &level{object: obj, expectKey: obj})
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

// addKey records key in an object, refusing exact and case-folded repeats.
func (l *level) addKey(key string) error {
	if l.keys == nil {
		l.keys = make(map[string]struct{})
	}
	folded := foldKey(key)
	if _, seen := l.keys[folded]; seen {
		return &Error{
			Code: CodeDuplicateKey,
			Message: "The JSON body repeats the key \"" + excerpt(key) +
				"\" (keys differing only in case count as repeats).",
		}
	}
	l.keys[folded] = struct{}{}
	return nil
}

// foldKey maps every rune of key to the smallest rune of its Unicode case-folding orbit,
// so that two keys encoding/json would match case-insensitively fold to the same string.
func foldKey(key string) string {
	return strings.Map(func(r rune) rune {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		return low
	}, key)
}

func badJSON(message string) *Error {
	return &Error{Code: CodeBadJSON, Message: message}
}
