// Package view holds what foyer's pages and emails share to show its data
// to people, in their language: the template functions and the words the
// domain leaves untranslated. The domain packages (programme, registration,
// ticket) return data and message keys; translation happens here, at the
// edge, and in the catalogues of internal/i18n.
package view

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// Funcs are the template functions of pages and emails alike:
//
//	t LANG KEY ARGS…          a catalogue message
//	tn LANG KEY N ARGS…       one about N things, KEY.one when N is 1
//	titled LANG TITLE NAME    a name with its academic title ("Dr. Anna Schäfer", "王小明博士")
//	tr TEXT LANG FALLBACK     a translated text of the programme
//	date LANG TIME            a day as the language writes it
//	clock TIME, iso TIME      15:04, and RFC 3339 for datetime attributes
//	when LANG START END       an event's day and hours with its UTC offset
//	sessionLine LANG SESSION ROOM FALLBACK SEAT   a session in an email's list
//	country LANG CODE         a country's name ("CN" is "China", "中国")
//	language LANG CODE        a language's name ("de" is "German", "Deutsch")
//	role LANG ROLE            a speaker role ("panellist" is "Podium")
//	paragraphs TEXT           a text's paragraphs (split at blank lines)
//	eventURL, sessionURL, speakerURL, manageURL   paths from internal/links
func Funcs() map[string]any {
	return map[string]any{
		"paragraphs":  Paragraphs,
		"t":           i18n.T,
		"tn":          i18n.N,
		"titled":      Titled,
		"tr":          func(t programme.Text, lang, fallback string) string { return t.In(lang, fallback) },
		"date":        func(lang string, t programme.Time) string { return i18n.Date(lang, t.Time) },
		"clock":       func(t programme.Time) string { return t.Format("15:04") },
		"when":        When,
		"utcOffset":   func(t programme.Time) string { return offset(t.Time) },
		"sessionLine": SessionLine,
		"iso":         func(t programme.Time) string { return t.Format(time.RFC3339) },
		"country":     registration.CountryName,
		"language":    LanguageName,
		"role":        RoleName,
		"eventURL":    links.Event,
		"sessionURL":  links.Session,
		"speakerURL":  links.Speaker,
		"manageURL":   links.Manage,
	}
}

// Paragraphs splits a text that organisers wrote (an imprint, a message to
// attendees) at its blank lines, each paragraph trimmed; line breaks within
// a paragraph stay, for the page to show.
func Paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Titled writes a name with its academic title (registration.Titles) as
// the language does: "Dr. Anna Schäfer", "王小明博士". Without a title it is
// the name.
func Titled(lang, title, name string) string {
	if title == "" {
		return name
	}
	return i18n.T(lang, "name.titled", i18n.T(lang, "name.title."+title), name)
}

// RoleName names a speaker role in lang with the agenda's words, where a
// bare "panellist" would stand out in a German or Chinese text. A role the
// programme does not know is shown as it is.
func RoleName(lang, role string) string {
	if !slices.Contains(programme.Roles, role) {
		return role
	}
	return i18n.T(lang, "role."+role)
}

// SpeakerLines writes the speaker lines of calendar descriptions in lang
// (programme.SpeakerLine): "Moderation: Sabine Hoffmann, BWA",
// "演讲嘉宾：陈静（Chen Jing），四川智能制造研究院".
func SpeakerLines(lang string) programme.SpeakerLine {
	return func(role, name, nativeName, organisation string) string {
		who := name
		if nativeName != "" && nativeName != name {
			who = i18n.T(lang, "agenda.native_name", name, nativeName)
		}
		if organisation != "" {
			who = i18n.T(lang, "agenda.person_org", who, organisation)
		}
		return i18n.T(lang, "agenda.role_person", RoleName(lang, role), who)
	}
}

// LanguageName names a language of delivery in lang ("de" is "German",
// "Deutsch", "德语"), or returns the code if it is not a language.
func LanguageName(lang, code string) string {
	t, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.Languages(language.Make(lang)).Name(t); n != "" {
		return n
	}
	return code
}

// Message puts a message of the domain into lang.
func Message(lang string, m registration.Message) string {
	return i18n.T(lang, m.Key, m.Args...)
}

// Fields puts every field's message into lang, for a form or the JSON
// error shape.
func Fields(lang string, errs registration.FieldErrors) map[string]string {
	if errs == nil {
		return nil
	}
	out := make(map[string]string, len(errs))
	for field, m := range errs {
		out[field] = Message(lang, m)
	}
	return out
}
