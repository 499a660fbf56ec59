package registration

import (
	"encoding/json"
	"unicode/utf8"
)

// DecodeAnswers reads answers stored as JSON: a map from question id to a
// string, a bool, a list of strings or null, as encoding/json decodes them
// into a map[string]any. Stored text that is not a JSON object gives an
// empty map.
//
// Exports read the answers of every row, and encoding/json was a third of
// reading a 100,000-row list, so the shape foyer itself stores (flat, no
// escapes) is read by hand; anything else — escapes, numbers, nesting,
// invalid UTF-8, bad syntax — goes to encoding/json, so the result is
// always the same as its (FuzzDecodeAnswers holds the two to that).
func DecodeAnswers(s string) map[string]any {
	if m, ok := decodeFlatAnswers(s); ok {
		return m
	}
	m := map[string]any{}
	json.Unmarshal([]byte(s), &m)
	return m
}

// decodeFlatAnswers reads a JSON object whose values are strings without
// escapes, true, false, null or arrays of such strings. ok is false for
// anything else.
func decodeFlatAnswers(s string) (m map[string]any, ok bool) {
	d := flatDecoder{s: s}
	d.space()
	if !d.take('{') {
		return nil, false
	}
	m = make(map[string]any, 8)
	d.space()
	if d.take('}') {
		return m, d.end()
	}
	for {
		d.space()
		key, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if !d.take(':') {
			return nil, false
		}
		d.space()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[key] = v
		d.space()
		if d.take('}') {
			return m, d.end()
		}
		if !d.take(',') {
			return nil, false
		}
	}
}

// flatDecoder reads s from i on.
type flatDecoder struct {
	s string
	i int
}

// space skips JSON white space.
func (d *flatDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// take reads c if it comes next.
func (d *flatDecoder) take(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (d *flatDecoder) end() bool {
	d.space()
	return d.i == len(d.s)
}

// literal reads word if it comes next.
func (d *flatDecoder) literal(word string) bool {
	if len(d.s)-d.i >= len(word) && d.s[d.i:d.i+len(word)] == word {
		d.i += len(word)
		return true
	}
	return false
}

// str reads a string with no escapes and no control characters, in valid
// UTF-8 (encoding/json replaces invalid bytes, which is left to it).
func (d *flatDecoder) str() (string, bool) {
	if !d.take('"') {
		return "", false
	}
	start := d.i
	ascii := true
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			v := d.s[start:d.i]
			d.i++
			if !ascii && !utf8.ValidString(v) {
				return "", false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.i++
	}
	return "", false
}

// value reads a string, true, false, null or an array of strings.
func (d *flatDecoder) value() (any, bool) {
	if d.i >= len(d.s) {
		return nil, false
	}
	switch d.s[d.i] {
	case '"':
		return d.str()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	case '[':
		d.i++
		list := []any{}
		d.space()
		if d.take(']') {
			return list, true
		}
		for {
			d.space()
			v, ok := d.str()
			if !ok {
				return nil, false
			}
			list = append(list, v)
			d.space()
			if d.take(']') {
				return list, true
			}
			if !d.take(',') {
				return nil, false
			}
		}
	}
	return nil, false
}
