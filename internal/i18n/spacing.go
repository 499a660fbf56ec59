package i18n

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Chinese text sets a space between Chinese characters and a word in Latin
// script or digits ("报名参加 Hannover Forum。", "尊敬的 Schäfer Anna 女士："),
// as the catalogues do in their own text. Names and titles filled into a
// message cannot carry that space themselves, since it depends on what
// stands beside them; spaceArgs adds it around each text argument that meets
// a Chinese character of the message. The argument itself is never changed
// inside: an event called "2027 中德论坛" stays as its organiser wrote it.

// spaceArgs returns args with a space before and after each string
// argument where it meets a CJK character of msg or of the argument beside it.
func spaceArgs(msg string, args []any) []any {
	verbs := parseVerbs(msg)
	text := func(i int) string { // the text verb i writes, if it is a %s
		v := verbs[i]
		if v.verb != 's' || v.arg < 0 || v.arg >= len(args) {
			return ""
		}
		s, _ := args[v.arg].(string)
		return s
	}
	var out []any
	for i, v := range verbs {
		s := text(i)
		if s == "" {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(msg[:v.start])
		if i > 0 && verbs[i-1].end == v.start {
			before, _ = utf8.DecodeLastRuneInString(text(i - 1))
		}
		after, _ := utf8.DecodeRuneInString(msg[v.end:])
		if i+1 < len(verbs) && verbs[i+1].start == v.end {
			after, _ = utf8.DecodeRuneInString(text(i + 1))
		}
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		padded := s
		if isHan(before) && isLatinOrDigit(first) {
			padded = " " + padded
		}
		if isLatinOrDigit(last) && isHan(after) {
			padded += " "
		}
		if padded != s {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[v.arg] = padded
		}
	}
	if out == nil {
		return args
	}
	return out
}

// fmtVerb is one verb of a format: msg[start:end] is "%s" or "%[2]s", and it
// writes argument arg.
type fmtVerb struct {
	start, end, arg int
	verb            byte
}

// parseVerbs finds the verbs of a fmt format, with the argument each takes.
func parseVerbs(msg string) []fmtVerb {
	var verbs []fmtVerb
	next := 0 // the argument a verb without [n] takes
	for i := 0; i < len(msg); i++ {
		if msg[i] != '%' {
			continue
		}
		start := i
		i++
		if i < len(msg) && msg[i] == '%' {
			continue
		}
		arg := next
		// Flags, width, precision and an explicit [n] come before the verb.
		for i < len(msg) && !isVerb(msg[i]) {
			if msg[i] == '[' {
				end := i + 1
				for end < len(msg) && msg[end] != ']' {
					end++
				}
				if n, err := strconv.Atoi(msg[i+1 : min(end, len(msg))]); err == nil {
					arg = n - 1
				}
				i = end
			}
			i++
		}
		if i >= len(msg) {
			break
		}
		next = arg + 1
		verbs = append(verbs, fmtVerb{start: start, end: i + 1, arg: arg, verb: msg[i]})
	}
	return verbs
}

func isVerb(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// isHan reports whether r is a CJK character that takes a space next to
// Latin text; full-width punctuation (，。：) does not.
func isHan(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
}

func isLatinOrDigit(r rune) bool {
	return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
