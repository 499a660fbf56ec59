package programme

import (
	"encoding/json"

	"github.com/foyer-events/foyer/internal/languages"
)

// Text is a translated text keyed by language.
//
// In programme JSON it is an object ({"en": "…", "de": "…"}) or, for the
// fields that were plain strings before they became translatable (the
// venue's name and address, tracks, speakers' organisations and job
// titles), still a plain string: one text for every language, kept under
// the key "" and written back as the plain string it came as.
type Text map[string]string

// In returns the text in lang, else in fallback, else in any language that has
// one (en, de, zh in that order), else the text for every language.
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
	return t[""]
}

// UnmarshalJSON implements json.Unmarshaler: an object keyed by language,
// or a plain string for all languages.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = nil
		if s != "" {
			*t = Text{"": s}
		}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*t = m
	return nil
}

// MarshalJSON implements json.Marshaler: a text for all languages is a
// plain string again, so that a programme exported and imported stays as
// it was written.
func (t Text) MarshalJSON() ([]byte, error) {
	if s, ok := t[""]; ok && len(t) == 1 {
		return json.Marshal(s)
	}
	return json.Marshal(map[string]string(t))
}

// IsControl reports characters that have no place in a one-line field,
// whether it is a name on a registration or a title in a programme: the C0
// and C1 control characters, DEL, and the Unicode line and paragraph
// separators, which break a line like a newline does.
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}
