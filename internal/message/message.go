// Package message holds the rules of emails that organisers write to a
// group of attendees: what a message must have, which attendees it goes to,
// and which language each of them reads it in. It knows no HTTP, SQL or
// translation; problems come back as message keys.
package message

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// Message is an email to a group of an event's attendees, written in one
// or more languages.
type Message struct {
	Subject programme.Text `json:"subject"`
	Body    programme.Text `json:"body"`
	To      Audience       `json:"to"`
}

// Audience chooses the recipients among an event's registrations: by
// status (confirmed when left out), by session (those signed up for it),
// by admission at the entrance. Registrations without an email address
// and anonymised ones are never among them.
type Audience struct {
	Status    string `json:"status,omitempty"`
	Session   string `json:"session,omitempty"`
	CheckedIn *bool  `json:"checked_in,omitempty"`
}

// Statuses a message may go to: the live ones. Cancelled and rejected
// guests have left the event.
var Statuses = []string{registration.Confirmed, registration.Waitlisted, registration.Pending}

// Limits, in characters.
const (
	MaxSubject = 200
	MaxBody    = 20000
)

// Filter is the audience as a filter of the event's registrations.
func (a Audience) Filter() registration.Filter {
	f := registration.Filter{Status: a.Status, Session: a.Session, CheckedIn: a.CheckedIn}
	if f.Status == "" {
		f.Status = registration.Confirmed
	}
	return f
}

// Validate checks a message for an event and returns a problem per field
// (subject, body, to.status, to.session), or nil.
func (m *Message) Validate(e *programme.Event) registration.FieldErrors {
	errs := registration.FieldErrors{}
	msg := func(key string, args ...any) registration.Message {
		return registration.Message{Key: "message.error." + key, Args: args}
	}
	text := func(field string, t programme.Text, max int, oneLine bool) {
		if strings.TrimSpace(t.In("en", "en")) == "" {
			errs[field] = msg("required")
			return
		}
		for lang, s := range t {
			at := field + "." + lang
			switch {
			case !languages.Valid(lang):
				errs[field] = msg("language", lang)
			case !utf8.ValidString(s):
				errs[at] = msg("utf8")
			case utf8.RuneCountInString(s) > max:
				errs[at] = msg("too_long", max)
			case oneLine && strings.ContainsFunc(s, programme.IsControl):
				errs[at] = msg("one_line")
			case strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\r' && r != '\t' && programme.IsControl(r) }):
				errs[at] = msg("control")
			}
		}
	}
	text("subject", m.Subject, MaxSubject, true)
	text("body", m.Body, MaxBody, false)
	if m.To.Status != "" && !slices.Contains(Statuses, m.To.Status) {
		errs["to.status"] = msg("status", strings.Join(Statuses, ", "))
	}
	if m.To.Session != "" && e.Session(m.To.Session) == nil {
		errs["to.session"] = msg("session", m.To.Session)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// LanguageFor is the language a recipient reads the message in: theirs
// when subject and body are written in it, else the event's default
// language, else the first of foyer's languages that has both.
func (m *Message) LanguageFor(lang, eventDefault string) string {
	has := func(l string) bool { return m.Subject[l] != "" && m.Body[l] != "" }
	for _, l := range append([]string{lang, eventDefault}, languages.All...) {
		if has(l) {
			return l
		}
	}
	// Subject and body in different languages only: each falls back on
	// its own (programme.Text.In).
	return lang
}

// Missing lists the languages the message is not written in (in subject
// or body), for the composer's marks.
func (m *Message) Missing() []string {
	var out []string
	for _, l := range languages.All {
		if m.Subject[l] == "" || m.Body[l] == "" {
			out = append(out, l)
		}
	}
	return out
}
