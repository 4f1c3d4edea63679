package command

import (
	"bytes"
	"encoding/json"
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
	var w walker
	if err := w.walk(body); err != nil {
		return Command{}, err
	}
	if !w.object {
		return Command{}, badJSON("The body must be a JSON object.")
	}

	action, err := jsonAction(w.member(memberAction))
	if err != nil {
		return Command{}, err
	}

	raw := w.member(memberID)
	if raw == nil {
		return Command{}, &Error{
			Code:    CodeMissingID,
			Message: "Give an execution id: {\"executionId\": \"<execution-id>\"}.",
		}
	}
	id, ok := jsonString(raw)
	if !ok {
		return Command{}, badJSON("executionId must be a string.")
	}
	if err := ValidateExecutionID(id); err != nil {
		return Command{}, err
	}
	return Command{Action: action, ExecutionID: id}, nil
}

// jsonAction reads the optional "action" member from its raw value, nil when absent.
func jsonAction(raw []byte) (Action, error) {
	if raw == nil {
		return Cancel, nil
	}
	if name, ok := jsonString(raw); ok {
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

// jsonString decodes raw, one valid JSON value, when it is a string.
func jsonString(raw []byte) (string, bool) {
	if raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
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
// The body is read once, left to right and without recursion, so the first fault in it
// decides the error and depth is refused before it is reached, whatever the input.
func CheckJSON(body []byte) error {
	var w walker
	return w.walk(body)
}

// The top-level members ParseJSON reads, as indexes into walker.members.
const (
	memberID = iota
	memberAction
	memberCount
)

// memberNames are the exact keys of the top-level members ParseJSON reads.
var memberNames = [memberCount]string{memberID: "executionId", memberAction: "action"}

// linearKeys is how many keys an object may have before its keys are looked up in a map
// rather than compared one by one: most objects are small, and a map per object would
// cost more than it saves, while a hostile object of thousands of keys must not take
// quadratic time.
const linearKeys = 16

// walker checks one JSON document in a single pass over its bytes. While it walks, it
// notes where the values of the members ParseJSON reads start and end.
type walker struct {
	body   []byte
	pos    int
	depth  int
	levels [MaxJSONDepth]level

	// keys holds the keys of the open objects that still compare one by one, innermost
	// object last; each level knows where its own keys start.
	keys [][]byte

	object  bool                // the top-level value is an object
	reading int                 // the member whose value is being read, or -1
	members [memberCount][2]int // start and end of each member's value; end 0 if absent
}

// level is one open object or array.
type level struct {
	object   bool
	keyStart int                 // index in walker.keys of this object's first key
	folded   map[string]struct{} // folded keys, once the object outgrows linearKeys
}

// member returns the raw value of a top-level member of the object, or nil if absent.
func (w *walker) member(i int) []byte {
	span := w.members[i]
	if span[1] == 0 {
		return nil
	}
	return w.body[span[0]:span[1]]
}

// walk checks body, one whole JSON document.
func (w *walker) walk(body []byte) error {
	if !utf8.Valid(body) {
		return badJSON("The body is not valid UTF-8.")
	}
	w.body = body
	w.reading = -1

	if err := w.value(); err != nil {
		return err
	}

	w.skipSpace()
	if w.pos != len(w.body) {
		return badJSON("The body must hold a single JSON value and nothing after it.")
	}
	return nil
}

// value reads one whole value, containers included, with an explicit stack of levels.
func (w *walker) value() error {
	for {
		opened, err := w.startValue()
		if err != nil {
			return err
		}
		if opened {
			continue
		}
		more, err := w.endValue()
		if err != nil || !more {
			return err
		}
	}
}

// startValue reads a scalar, an empty container, or the opening of a container up to
// where its first element or member value starts; opened says which.
func (w *walker) startValue() (opened bool, err error) {
	w.skipSpace()
	if w.pos == len(w.body) {
		return false, notJSON()
	}
	switch c := w.body[w.pos]; {
	case c == '{' || c == '[':
		return w.open(c == '{')
	case c == '"':
		_, err := w.string()
		return false, err
	case c == '-' || '0' <= c && c <= '9':
		return false, w.number()
	default:
		return false, w.literal()
	}
}

// open reads the bracket at w.pos and, in an object, the first key and its colon.
func (w *walker) open(object bool) (opened bool, err error) {
	if w.depth == MaxJSONDepth {
		return false, &Error{Code: CodeTooDeep, Message: "The JSON body is nested too deeply."}
	}
	if w.depth == 0 {
		w.object = object
	}
	w.levels[w.depth] = level{object: object, keyStart: len(w.keys)}
	w.depth++
	w.pos++

	w.skipSpace()
	closing := byte(']')
	if object {
		closing = '}'
	}
	if w.pos < len(w.body) && w.body[w.pos] == closing {
		w.pos++
		w.close()
		return false, nil
	}
	if object {
		return true, w.memberKey()
	}
	return true, nil
}

// endValue reads what follows a complete value: a comma and, in an object, the next key
// (more is true), or closing brackets until the value that holds them all is complete.
func (w *walker) endValue() (more bool, err error) {
	for {
		if w.depth == 1 && w.reading >= 0 {
			w.members[w.reading][1] = w.pos
			w.reading = -1
		}
		if w.depth == 0 {
			return false, nil
		}

		w.skipSpace()
		if w.pos == len(w.body) {
			return false, notJSON()
		}
		object := w.levels[w.depth-1].object
		switch c := w.body[w.pos]; {
		case c == ',':
			w.pos++
			if object {
				return true, w.memberKey()
			}
			return true, nil
		case c == '}' && object, c == ']' && !object:
			w.pos++
			w.close()
		default:
			return false, notJSON()
		}
	}
}

// close forgets the innermost open level and its keys.
func (w *walker) close() {
	w.depth--
	l := &w.levels[w.depth]
	if l.object {
		w.keys = w.keys[:l.keyStart]
		l.folded = nil
	}
}

// memberKey reads one key of the innermost object and the colon after it.
func (w *walker) memberKey() error {
	w.skipSpace()
	if w.pos == len(w.body) || w.body[w.pos] != '"' {
		return notJSON()
	}
	start := w.pos
	escaped, err := w.string()
	if err != nil {
		return err
	}
	key := w.body[start+1 : w.pos-1]
	if escaped {
		key = unescape(w.body[start:w.pos])
	}
	if err := w.addKey(key); err != nil {
		return err
	}

	w.skipSpace()
	if w.pos == len(w.body) || w.body[w.pos] != ':' {
		return notJSON()
	}
	w.pos++

	if w.depth == 1 {
		w.noteMember(key)
	}
	return nil
}

// noteMember starts recording the value of a top-level member ParseJSON reads.
func (w *walker) noteMember(key []byte) {
	for i, name := range memberNames {
		if string(key) == name {
			w.skipSpace()
			w.members[i][0] = w.pos
			w.reading = i
		}
	}
}

// addKey records key in the innermost object, refusing exact and case-folded repeats.
// Two keys are repeats exactly when they are equal under Unicode simple case folding,
// which is what bytes.EqualFold compares and what foldKey maps to one string.
func (w *walker) addKey(key []byte) error {
	l := &w.levels[w.depth-1]
	if l.folded != nil {
		folded := foldKey(string(key))
		if _, seen := l.folded[folded]; seen {
			return duplicateKey(key)
		}
		l.folded[folded] = struct{}{}
		return nil
	}

	for _, k := range w.keys[l.keyStart:] {
		if bytes.EqualFold(k, key) {
			return duplicateKey(key)
		}
	}
	w.keys = append(w.keys, key)
	if len(w.keys)-l.keyStart <= linearKeys {
		return nil
	}

	l.folded = make(map[string]struct{}, 2*linearKeys)
	for _, k := range w.keys[l.keyStart:] {
		l.folded[foldKey(string(k))] = struct{}{}
	}
	w.keys = w.keys[:l.keyStart]
	return nil
}

// string reads the string at w.pos; escaped says whether it holds a backslash escape.
func (w *walker) string() (escaped bool, err error) {
	w.pos++
	for w.pos < len(w.body) {
		switch c := w.body[w.pos]; {
		case c == '"':
			w.pos++
			return escaped, nil
		case c == '\\':
			escaped = true
			if !w.escape() {
				return false, notJSON()
			}
		case c < 0x20:
			return false, notJSON()
		default:
			w.pos++
		}
	}
	return false, notJSON()
}

// escape reads the backslash escape at w.pos, reporting whether it is a valid one.
func (w *walker) escape() bool {
	if w.pos+1 == len(w.body) {
		return false
	}
	switch w.body[w.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		w.pos += 2
		return true
	case 'u':
		if len(w.body)-w.pos < 6 {
			return false
		}
		for _, h := range w.body[w.pos+2 : w.pos+6] {
			if !isHex(h) {
				return false
			}
		}
		w.pos += 6
		return true
	}
	return false
}

// number reads the number at w.pos: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (w *walker) number() error {
	if w.body[w.pos] == '-' {
		w.pos++
	}
	switch {
	case w.pos < len(w.body) && w.body[w.pos] == '0':
		w.pos++
	case !w.digits():
		return notJSON()
	}

	if w.pos < len(w.body) && w.body[w.pos] == '.' {
		w.pos++
		if !w.digits() {
			return notJSON()
		}
	}

	if w.pos < len(w.body) && (w.body[w.pos] == 'e' || w.body[w.pos] == 'E') {
		w.pos++
		if w.pos < len(w.body) && (w.body[w.pos] == '+' || w.body[w.pos] == '-') {
			w.pos++
		}
		if !w.digits() {
			return notJSON()
		}
	}
	return nil
}

// digits reads one or more decimal digits, reporting whether there was one.
func (w *walker) digits() bool {
	start := w.pos
	for w.pos < len(w.body) && '0' <= w.body[w.pos] && w.body[w.pos] <= '9' {
		w.pos++
	}
	return w.pos > start
}

// literal reads true, false or null at w.pos.
func (w *walker) literal() error {
	rest := w.body[w.pos:]
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(rest, []byte(lit)) {
			w.pos += len(lit)
			return nil
		}
	}
	return notJSON()
}

// skipSpace moves past JSON white space: space, tab, line feed and carriage return.
func (w *walker) skipSpace() {
	for w.pos < len(w.body) {
		switch w.body[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// unescape decodes quoted, a valid JSON string holding escapes, as encoding/json does:
// a lone surrogate escape becomes U+FFFD, so keys compare as the decoder would see them.
func unescape(quoted []byte) []byte {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return quoted
	}
	return []byte(s)
}

func duplicateKey(key []byte) *Error {
	return &Error{
		Code: CodeDuplicateKey,
		Message: "The JSON body repeats the key \"" + excerpt(string(key)) +
			"\" (keys differing only in case count as repeats).",
	}
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

func notJSON() *Error {
	return badJSON("The body is not valid JSON.")
}

func badJSON(message string) *Error {
	return &Error{Code: CodeBadJSON, Message: message}
}
