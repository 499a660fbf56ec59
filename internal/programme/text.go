package programme

import "github.com/foyer-events/foyer/internal/languages"

// Text is a translated text keyed by language.
type Text map[string]string

// In returns the text in lang, else in fallback, else in any language that has
// one (en, de, zh in that order).
func (t Text) In(lang, fallback string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if s := t[fallback]; s != "" {
		return s
	}
	for _, l := range languages.All {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// IsControl reports characters that have no place in a one-line field,
// whether it is a name on a registration or a title in a programme: the C0
// and C1 control characters, DEL, and the Unicode line and paragraph
// separators, which break a line like a newline does.
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}
