package handler

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is the deepest nesting of arrays and objects an event may have, as encoding/json
// allows.
const maxDepth = 10000

// header is one member of an event's headers or multiValueHeaders, under its name as sent.
type header struct {
	name   string
	value  string   // in headers
	values []string // in multiValueHeaders
}

// eventReader reads the members of an event that routing needs in one pass over its bytes,
// and checks the syntax of the rest while it skips it. It decodes as encoding/json does into
// a struct with those members, which is what the handler did before and what its callers
// may rely on:
//   - member names match field names without regard to case, the last of duplicates wins,
//     and duplicated objects merge (headers and requestContext alike);
//   - null leaves a string, number, bool or object member as it was and empties a map;
//   - a member of the wrong type makes the event malformed, but reading goes on, so that a
//     later "deferred" member is still seen;
//   - strings are unescaped exactly, with surrogate pairs joined, and invalid surrogates and
//     invalid UTF-8 replaced by U+FFFD.
type eventReader struct {
	data     []byte
	pos      int
	mistyped bool // a member had a type the event's struct could not hold
}

// readEvent decodes raw into ev. It reports ok false when raw is not JSON, or is JSON of
// the wrong shape; ev.deferred is set in the second case only.
func readEvent(raw []byte, ev *event) (ok bool) {
	r := &eventReader{data: raw}
	r.space()
	switch r.peek() {
	case '{':
		ok = r.object(1, ev.member)
	case 'n':
		ok = r.literal("null")
	default:
		r.mistyped = true
		ok = r.skip(0)
	}
	r.space()
	if !ok || r.pos != len(r.data) {
		ev.deferred = false
		return false
	}
	return !r.mistyped
}

// member reads one top-level member of the event.
func (ev *event) member(r *eventReader, depth int, name []byte) bool {
	switch {
	case foldIs(name, "version"):
		return r.str(depth, &ev.version)
	case foldIs(name, "routeKey"):
		return r.str(depth, &ev.routeKey)
	case foldIs(name, "rawPath"):
		return r.str(depth, &ev.rawPath)
	case foldIs(name, "resource"):
		return r.str(depth, &ev.resource)
	case foldIs(name, "httpMethod"):
		return r.str(depth, &ev.httpMethod)
	case foldIs(name, "headers"):
		return r.headers(depth, &ev.headers, false)
	case foldIs(name, "multiValueHeaders"):
		return r.headers(depth, &ev.multiValueHeaders, true)
	case foldIs(name, "body"):
		return r.body(depth, ev)
	case foldIs(name, "isBase64Encoded"):
		return r.boolean(depth, &ev.isBase64Encoded)
	case foldIs(name, "deferred"):
		ev.deferred = true
		return r.skip(depth)
	case foldIs(name, "requestContext"):
		return r.nested(depth, ev.contextMember)
	}
	return r.skip(depth)
}

// contextMember reads one member of the event's requestContext.
func (ev *event) contextMember(r *eventReader, depth int, name []byte) bool {
	c := &ev.requestContext
	switch {
	case foldIs(name, "domainName"):
		return r.str(depth, &c.domainName)
	case foldIs(name, "stage"):
		return r.str(depth, &c.stage)
	case foldIs(name, "timeEpoch"):
		return r.int64(depth, &c.timeEpoch)
	case foldIs(name, "requestTimeEpoch"):
		return r.int64(depth, &c.requestTimeEpoch)
	case foldIs(name, "http"):
		return r.nested(depth, ev.httpMember)
	}
	return r.skip(depth)
}

// httpMember reads one member of the event's requestContext.http.
func (ev *event) httpMember(r *eventReader, depth int, name []byte) bool {
	if foldIs(name, "method") {
		return r.str(depth, &ev.requestContext.httpMethod)
	}
	return r.skip(depth)
}

// foldIs reports whether a member name matches a field name as encoding/json matches them:
// under Unicode simple case folding, so that "ſtage" is "stage" too. Such a name is longer
// in bytes than the field's.
func foldIs(name []byte, field string) bool {
	if len(name) != len(field) {
		return len(name) > len(field) && bytes.EqualFold(name, []byte(field))
	}
	for i, c := range name {
		if c >= utf8.RuneSelf {
			return bytes.EqualFold(name, []byte(field))
		}
		if c|0x20 != field[i]|0x20 { // field names are letters only
			return false
		}
	}
	return true
}

// peek returns the byte at the reader's position, or 0 at the end.
func (r *eventReader) peek() byte {
	if r.pos < len(r.data) {
		return r.data[r.pos]
	}
	return 0
}

// space skips JSON white space.
func (r *eventReader) space() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// object reads an object whose '{' is at the reader's position, at the given depth, handing
// each member's name to member with the reader at the member's value.
func (r *eventReader) object(depth int,
	member func(r *eventReader, depth int, name []byte) bool) bool {
	if depth > maxDepth {
		return false
	}
	r.pos++
	r.space()
	if r.peek() == '}' {
		r.pos++
		return true
	}
	for {
		if r.peek() != '"' {
			return false
		}
		name, ok := r.quoted()
		if !ok {
			return false
		}
		r.space()
		if r.peek() != ':' {
			return false
		}
		r.pos++
		r.space()
		if !member(r, depth, name) {
			return false
		}
		r.space()
		switch r.peek() {
		case ',':
			r.pos++
			r.space()
		case '}':
			r.pos++
			return true
		default:
			return false
		}
	}
}

// nested reads a member that holds an object of its own; null leaves it as it was.
func (r *eventReader) nested(depth int,
	member func(r *eventReader, depth int, name []byte) bool) bool {
	switch r.peek() {
	case '{':
		return r.object(depth+1, member)
	case 'n':
		return r.literal("null")
	}
	return r.wrongType(depth)
}

// str reads a string member; null leaves it as it was.
func (r *eventReader) str(depth int, dst *string) bool {
	switch r.peek() {
	case '"':
		s, ok := r.quoted()
		*dst = string(s)
		return ok
	case 'n':
		return r.literal("null")
	}
	return r.wrongType(depth)
}

// body reads the body member into a buffer of its own.
func (r *eventReader) body(depth int, ev *event) bool {
	switch r.peek() {
	case '"':
		s, plain, ok := r.text()
		if plain {
			s = bytes.Clone(s)
		}
		ev.body = s
		return ok
	case 'n':
		return r.literal("null")
	}
	return r.wrongType(depth)
}

// boolean reads a bool member; null leaves it as it was.
func (r *eventReader) boolean(depth int, dst *bool) bool {
	switch r.peek() {
	case 't':
		*dst = true
		return r.literal("true")
	case 'f':
		*dst = false
		return r.literal("false")
	case 'n':
		return r.literal("null")
	}
	return r.wrongType(depth)
}

// int64 reads an integer member; a fraction, an exponent or a value out of range is the
// wrong type, and null leaves it as it was.
func (r *eventReader) int64(depth int, dst *int64) bool {
	switch c := r.peek(); {
	case c == '-' || ('0' <= c && c <= '9'):
		start := r.pos
		if !r.number() {
			return false
		}
		n, err := strconv.ParseInt(string(r.data[start:r.pos]), 10, 64)
		if err != nil {
			r.mistyped = true
			return true
		}
		*dst = n
		return true
	case c == 'n':
		return r.literal("null")
	}
	return r.wrongType(depth)
}

// headerSet is the members of an event's headers or multiValueHeaders in the order they
// came, a name repeated exactly replacing the earlier member as in a map.
type headerSet struct {
	list  []header
	index map[string]int // positions in list, once it is long enough to need one
}

// indexFrom is the length of a header list from which names are found through a map.
const indexFrom = 16

// set adds or replaces the named member.
func (hs *headerSet) set(h header) {
	if hs.index == nil {
		for i := range hs.list {
			if hs.list[i].name == h.name {
				hs.list[i] = h
				return
			}
		}
	} else if i, ok := hs.index[h.name]; ok {
		hs.list[i] = h
		return
	}
	hs.list = append(hs.list, h)
	if hs.index == nil && len(hs.list) >= indexFrom {
		hs.index = make(map[string]int, 2*len(hs.list))
		for i, h := range hs.list {
			hs.index[h.name] = i
		}
	} else if hs.index != nil {
		hs.index[hs.list[len(hs.list)-1].name] = len(hs.list) - 1
	}
}

// headers reads a map of header names to one value (multi false) or to a list of them;
// null empties it, and a second map merges into the first.
func (r *eventReader) headers(depth int, dst *headerSet, multi bool) bool {
	switch r.peek() {
	case '{':
	case 'n':
		*dst = headerSet{}
		return r.literal("null")
	default:
		return r.wrongType(depth)
	}
	if dst.list == nil {
		dst.list = make([]header, 0, 8)
	}
	return r.object(depth+1, func(r *eventReader, depth int, name []byte) bool {
		h := header{name: string(name)}
		ok := false
		if multi {
			h.values, ok = r.headerList(depth)
		} else {
			ok = r.str(depth, &h.value) // null is an empty value
		}
		if ok {
			dst.set(h)
		}
		return ok
	})
}

// headerList reads the values of a multi-valued header; null is no list, a null in the list
// an empty value.
func (r *eventReader) headerList(depth int) ([]string, bool) {
	switch r.peek() {
	case '[':
	case 'n':
		return nil, r.literal("null")
	default:
		return nil, r.wrongType(depth)
	}
	if depth+1 > maxDepth {
		return nil, false
	}
	values := []string{}
	r.pos++
	r.space()
	if r.peek() == ']' {
		r.pos++
		return values, true
	}
	for {
		v := ""
		if !r.str(depth+1, &v) {
			return nil, false
		}
		values = append(values, v)
		r.space()
		switch r.peek() {
		case ',':
			r.pos++
			r.space()
		case ']':
			r.pos++
			return values, true
		default:
			return nil, false
		}
	}
}

// wrongType notes a value the member cannot hold, and skips it.
func (r *eventReader) wrongType(depth int) bool {
	r.mistyped = true
	return r.skip(depth)
}

// skip checks the syntax of the value at the reader's position and moves past it. depth is
// that of the object or array holding it.
func (r *eventReader) skip(depth int) bool {
	switch c := r.peek(); {
	case c == '{':
		return r.object(depth+1, func(r *eventReader, depth int, _ []byte) bool {
			return r.skip(depth)
		})
	case c == '[':
		return r.array(depth + 1)
	case c == '"':
		_, ok := r.quoted()
		return ok
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return r.number()
	}
	return false
}

// array checks the syntax of an array whose '[' is at the reader's position.
func (r *eventReader) array(depth int) bool {
	if depth > maxDepth {
		return false
	}
	r.pos++
	r.space()
	if r.peek() == ']' {
		r.pos++
		return true
	}
	for {
		if !r.skip(depth) {
			return false
		}
		r.space()
		switch r.peek() {
		case ',':
			r.pos++
			r.space()
		case ']':
			r.pos++
			return true
		default:
			return false
		}
	}
}

// literal moves past the literal word, which must be at the reader's position.
func (r *eventReader) literal(word string) bool {
	if !bytes.HasPrefix(r.data[r.pos:], []byte(word)) {
		return false
	}
	r.pos += len(word)
	return true
}

// number moves past a number, checking its syntax.
func (r *eventReader) number() bool {
	if r.peek() == '-' {
		r.pos++
	}
	switch c := r.peek(); {
	case c == '0':
		r.pos++
	case '1' <= c && c <= '9':
		r.digits()
	default:
		return false
	}
	if r.peek() == '.' {
		r.pos++
		if !r.digits() {
			return false
		}
	}
	if c := r.peek(); c == 'e' || c == 'E' {
		r.pos++
		if c := r.peek(); c == '+' || c == '-' {
			r.pos++
		}
		if !r.digits() {
			return false
		}
	}
	return true
}

// digits moves past a run of decimal digits and reports whether there was one.
func (r *eventReader) digits() bool {
	start := r.pos
	for r.pos < len(r.data) && '0' <= r.data[r.pos] && r.data[r.pos] <= '9' {
		r.pos++
	}
	return r.pos > start
}

// quoted reads a string whose '"' is at the reader's position and returns its text, which
// may be the event's own bytes.
func (r *eventReader) quoted() ([]byte, bool) {
	s, _, ok := r.text()
	return s, ok
}

// text reads a string whose '"' is at the reader's position. When the string has no escapes
// and is valid UTF-8 (plain), its text is the event's own bytes; otherwise a fresh buffer.
func (r *eventReader) text() (s []byte, plain, ok bool) {
	r.pos++
	start := r.pos
	plain = true
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch {
		case c == '"':
			r.pos++
			s := r.data[start : r.pos-1]
			if plain {
				return s, true, true
			}
			return unescape(s), false, true
		case c < ' ':
			return nil, false, false
		case c == '\\':
			plain = false
			if !r.escape() {
				return nil, false, false
			}
		case c < utf8.RuneSelf:
			r.pos++
		default:
			rn, n := utf8.DecodeRune(r.data[r.pos:])
			if rn == utf8.RuneError && n == 1 {
				plain = false
			}
			r.pos += n
		}
	}
	return nil, false, false
}

// escape checks the syntax of the escape whose '\' is at the reader's position and moves
// past it.
func (r *eventReader) escape() bool {
	r.pos++
	switch r.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		r.pos++
		return true
	case 'u':
		if r.pos+5 > len(r.data) || hex4(r.data[r.pos+1:r.pos+5]) < 0 {
			return false
		}
		r.pos += 5
		return true
	}
	return false
}

// hex4 is the value of four hex digits, or -1.
func hex4(b []byte) rune {
	var v rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		v = v<<4 | rune(c)
	}
	return v
}

// unicodeEscape is the rune of a \uXXXX escape at the start of b, or -1.
func unicodeEscape(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	return hex4(b[2:6])
}

// unescape is the text of a string's syntactically valid contents, with escapes decoded and
// invalid UTF-8 replaced by U+FFFD.
func unescape(s []byte) []byte {
	out := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && s[i+1] == 'u':
			rn := unicodeEscape(s[i:])
			i += 6
			if utf16.IsSurrogate(rn) {
				pair := utf16.DecodeRune(rn, unicodeEscape(s[i:]))
				if pair != utf8.RuneError {
					i += 6
				}
				rn = pair
			}
			out = utf8.AppendRune(out, rn)
		case c == '\\':
			out = append(out, unescaped(s[i+1]))
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			rn, n := utf8.DecodeRune(s[i:])
			out = utf8.AppendRune(out, rn)
			i += n
		}
	}
	return out
}

// unescaped is the byte a one-letter escape stands for.
func unescaped(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // '"', '\\' and '/' stand for themselves
}
