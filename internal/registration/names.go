package registration

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names and forms of address. Everything that shows a person's name — pages,
// emails, tickets, badges, check-in, exports — goes through FullName, so
// that a guest is written the same way everywhere.

// FullName is a person's name in the order of its culture, the one rule for
// showing a name anywhere in foyer:
//
//   - family name first when the name is written in CJK script (Han,
//     Hangul, Kana) or the person's language is "zh": 王小明, 김민준,
//     "Wang Xiaoming" for a zh guest who typed pinyin;
//   - given name first otherwise: "Anna Schäfer". A Latin-script name is
//     never reordered by guessing its origin: a Hungarian who types given
//     name János, family name Nagy reads "János Nagy" in en and de.
//
// Between two CJK characters there is no space (王 + 小明 = 王小明);
// anywhere else one space ("Wang 小明"). An empty part leaves the other
// alone. lang is the attendee's language (en, de, zh), not the page's: a
// name does not change order with the reader.
//
// Use it for rows that are not a Registration (exports, the check-in
// roster): registration.FullName(first, last, lang). On a Registration,
// r.FullName() is the same rule.
func FullName(given, family, lang string) string {
	given, family = strings.TrimSpace(given), strings.TrimSpace(family)
	switch {
	case given == "":
		return family
	case family == "":
		return given
	case FamilyFirst(given, family, lang):
		return joinName(family, given)
	}
	return given + " " + family
}

// FamilyFirst reports whether FullName puts the family name first.
func FamilyFirst(given, family, lang string) bool {
	return lang == "zh" || HasCJK(given) || HasCJK(family)
}

// FullName is the registration's name in its culture's order (see the
// function FullName): what tickets, badges, greetings and lists show.
func (r *Registration) FullName() string {
	return FullName(r.FirstName, r.LastName, r.Language)
}

// Surname is what follows "Frau Dr." or "Dear Ms" in a greeting: the family
// name, or the whole name when it is written in CJK script, where a family
// name of one character alone reads as a fragment ("Herr 王小明", not
// "Herr 王").
func (r *Registration) Surname() string {
	if HasCJK(r.FirstName) || HasCJK(r.LastName) || strings.TrimSpace(r.LastName) == "" {
		return r.FullName()
	}
	return strings.TrimSpace(r.LastName)
}

// joinName joins two parts of a name with a space, except between two CJK
// characters.
func joinName(a, b string) string {
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	if IsCJK(last) && IsCJK(first) {
		return a + b
	}
	return a + " " + b
}

// HasCJK reports whether s contains a character of a CJK script.
func HasCJK(s string) bool {
	return strings.ContainsFunc(s, IsCJK)
}

// IsCJK reports whether r is written in a CJK script: Han (Chinese
// characters, Japanese kanji, Korean hanja), Hangul, Hiragana or Katakana.
func IsCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
}

// Forms of address: the salutation and the academic title a guest may give,
// as stored and as the API carries them. Both are optional ("").
const (
	SalutationMs = "ms"
	SalutationMr = "mr"

	TitleDr     = "dr"
	TitleProf   = "prof"
	TitleProfDr = "prof_dr"
)

// Salutations and Titles are the choices of the form, in its order.
var (
	Salutations = []string{SalutationMs, SalutationMr}
	Titles      = []string{TitleDr, TitleProf, TitleProfDr}
)

// ValidSalutation reports whether s is "" or one of Salutations.
func ValidSalutation(s string) bool { return s == "" || s == SalutationMs || s == SalutationMr }

// ValidTitle reports whether s is "" or one of Titles.
func ValidTitle(s string) bool {
	return s == "" || s == TitleDr || s == TitleProf || s == TitleProfDr
}

// Greeting is how a letter to the registration opens, as a message key of
// the "greeting" catalogue and the data to fill it. The language layer
// writes it: "Sehr geehrte Frau Dr. Schäfer,", "Dear Dr Schäfer,",
// "尊敬的王小明女士：", or a neutral greeting with the whole name when no
// salutation is given.
type Greeting struct {
	// Key is greeting.none, greeting.ms or greeting.mr, with "_title"
	// appended when an academic title is given.
	Key string
	// Title is the title key (title.dr, title.prof, title.prof_dr) or "".
	Title string
	// Surname and Name are Registration.Surname and FullName.
	Surname, Name string
}

// Greeting returns how to greet the registration in a letter.
func (r *Registration) Greeting() Greeting {
	g := Greeting{Key: "greeting.none", Surname: r.Surname(), Name: r.FullName()}
	if ValidSalutation(r.Salutation) && r.Salutation != "" {
		g.Key = "greeting." + r.Salutation
	}
	if ValidTitle(r.Title) && r.Title != "" {
		g.Key += "_title"
		g.Title = "title." + r.Title
	}
	return g
}
