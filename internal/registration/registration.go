// Package registration holds the rules of signing up for an event: what a
// registration is, how its input is checked, and how emails are compared.
package registration

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
)

// Statuses of a registration.
const (
	Pending    = "pending"
	Confirmed  = "confirmed"
	Waitlisted = "waitlisted"
	Rejected   = "rejected"
	Cancelled  = "cancelled"
)

// Statuses lists the statuses in the order of a registration's life.
var Statuses = []string{Pending, Confirmed, Waitlisted, Rejected, Cancelled}

// Live reports whether a registration in this status holds or awaits a seat.
func Live(status string) bool {
	return status == Pending || status == Confirmed || status == Waitlisted
}

// Registration is one person's sign-up for an event, as the API shows it.
type Registration struct {
	ID           int64          `json:"id"`
	Event        string         `json:"event"`
	Status       string         `json:"status"`
	Kind         string         `json:"kind"` // attendee, speaker, staff or press: set by organisers
	FirstName    string         `json:"first_name"`
	LastName     string         `json:"last_name"`
	Salutation   string         `json:"salutation"` // "", ms or mr
	Title        string         `json:"title"`      // "", dr, prof or prof_dr
	Email        string         `json:"email"`
	Organisation string         `json:"organisation"`
	JobTitle     string         `json:"job_title"`
	Country      string         `json:"country"`
	Language     string         `json:"language"`
	Sessions     []Seat         `json:"sessions"`
	Answers      map[string]any `json:"answers"`
	Consent      Consent        `json:"consent"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	CheckedInAt  *time.Time     `json:"checked_in_at"`
	TicketCode   string         `json:"ticket_code,omitempty"`
	Mail         *MailStatus    `json:"mail,omitempty"`
	ManageToken  string         `json:"-"`
	// AnonymisedAt is when its personal data was removed; nil while it
	// has it.
	AnonymisedAt *time.Time `json:"anonymised_at,omitempty"`
}

// Seat is a registration's place in a session.
type Seat struct {
	ID     string `json:"id"`
	Status string `json:"status"` // confirmed or waitlisted
}

// Consent records what the attendee agreed to, and when.
type Consent struct {
	At      time.Time `json:"at"`
	Version string    `json:"version"`
}

// MailStatus is the state of the last email to a registration, for organisers.
type MailStatus struct {
	Kind   string    `json:"kind"`
	Status string    `json:"status"`
	Error  string    `json:"error,omitempty"`
	At     time.Time `json:"at"`
}

// SeatStatus returns the status of the seat in session id, or "".
func (r *Registration) SeatStatus(id string) string {
	for _, s := range r.Sessions {
		if s.ID == id {
			return s.Status
		}
	}
	return ""
}

// Input is what an attendee submits, from the form or the API.
type Input struct {
	FirstName    string         `json:"first_name"`
	LastName     string         `json:"last_name"`
	Salutation   string         `json:"salutation"`
	Title        string         `json:"title"`
	Email        string         `json:"email"`
	Organisation string         `json:"organisation"`
	JobTitle     string         `json:"job_title"`
	Country      string         `json:"country"`
	Language     string         `json:"language"`
	Sessions     []string       `json:"sessions"`
	Answers      map[string]any `json:"answers"`
	Consent      bool           `json:"consent"`
	// Kind is set by organisers who add a registration by hand; guests
	// cannot send it (attendee when empty).
	Kind string `json:"-"`
}

// SearchKey is the text an organiser's search looks in: names (in both
// orders, so that 王小明 finds 小明 王), email and organisation, in the form
// in which upper and lower case compare equal in any script (Müller, MÜLLER,
// müller). Search words go through it too.
func SearchKey(parts ...string) string {
	return cases.Fold().String(norm.NFC.String(strings.Join(parts, " ")))
}

// SearchText is what SearchKey is given for a registration.
func SearchText(firstName, lastName, email, organisation string) string {
	return SearchKey(firstName+" "+lastName, lastName+firstName, lastName+" "+firstName, email, organisation)
}

// EmailKey is the form of an email in which two spellings of one address
// compare equal: Unicode NFC, then case-folded, surrounding space dropped.
func EmailKey(email string) string {
	return cases.Fold().String(norm.NFC.String(strings.TrimSpace(email)))
}

// Field limits, in characters.
const (
	maxName   = 100
	maxOrg    = 200
	maxEmail  = 254
	maxAnswer = 2000
)

// Message is something to tell the user, not yet in their language: a
// catalogue key and its arguments. The web pages, the API and emails
// translate it at the edge; the rules here know no language.
type Message struct {
	Key  string
	Args []any
}

func msg(key string, args ...any) Message { return Message{Key: "reg.error." + key, Args: args} }

// FieldErrors maps a field name to what is wrong with it.
type FieldErrors map[string]Message

// Validate checks in against the event's rules and returns the cleaned input
// and a message per wrong field. Text is kept exactly as typed apart from
// surrounding spaces: what comes back must be what the attendee wrote. lang
// is the language of the form: the registration's language when the input
// names none, and the language of session titles in messages.
func Validate(in Input, e *programme.Event, lang string) (Input, FieldErrors) {
	return validate(in, e, lang, false)
}

// ValidateWalkIn checks a guest whom staff register at the door: the rules
// of Validate, except that the email address is optional (without one, no
// email is sent) and the event's questions may stay unanswered (at a busy
// door staff ask only what they must).
func ValidateWalkIn(in Input, e *programme.Event, lang string) (Input, FieldErrors) {
	return validate(in, e, lang, true)
}

func validate(in Input, e *programme.Event, lang string, walkIn bool) (Input, FieldErrors) {
	errs := FieldErrors{}
	line := func(field, value string, required bool, max int) string {
		// Spaces around a value are a typing slip; a tab or line break is
		// not, and is refused below rather than silently dropped.
		value = strings.TrimFunc(value, func(r rune) bool { return unicode.IsSpace(r) && !unicode.IsControl(r) })
		switch {
		case !utf8.ValidString(value):
			errs[field] = msg("utf8")
		case value == "" && required:
			errs[field] = msg("required")
		case utf8.RuneCountInString(value) > max:
			errs[field] = msg("too_long", max)
		case strings.ContainsAny(value, "\r\n"):
			errs[field] = msg("one_line")
		case strings.ContainsFunc(value, programme.IsControl):
			errs[field] = msg("control")
		}
		return value
	}
	in.FirstName = line("first_name", in.FirstName, true, maxName)
	in.LastName = line("last_name", in.LastName, true, maxName)
	for _, f := range []struct {
		name  string
		value string
	}{{"first_name", in.FirstName}, {"last_name", in.LastName}} {
		if _, bad := errs[f.name]; !bad && strings.ContainsAny(f.value, "<>{}[]\\/=@") {
			errs[f.name] = msg("name_chars")
		}
	}
	in.Salutation, in.Title = strings.TrimSpace(in.Salutation), strings.TrimSpace(in.Title)
	if !ValidSalutation(in.Salutation) {
		errs["salutation"] = msg("salutation")
	}
	if !ValidTitle(in.Title) {
		errs["title"] = msg("title")
	}
	in.Email = line("email", in.Email, !walkIn, maxEmail)
	if _, bad := errs["email"]; !bad && (in.Email != "" || !walkIn) && !validEmail(in.Email) {
		errs["email"] = msg("email")
	}
	in.Organisation = line("organisation", in.Organisation, false, maxOrg)
	in.JobTitle = line("job_title", in.JobTitle, false, maxOrg)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if in.Country != "" && !ValidCountry(in.Country) {
		errs["country"] = msg("country")
	}
	if in.Language == "" {
		in.Language = lang
	}
	if !languages.Valid(in.Language) {
		errs["language"] = msg("language")
	}
	if !in.Consent {
		errs["consent"] = msg("consent")
	}
	var sessionErr *Message
	if in.Sessions, sessionErr = ValidateSessions(in.Sessions, e, lang); sessionErr != nil {
		errs["sessions"] = *sessionErr
	}
	in.Answers = validateAnswers(in.Answers, e, errs, !walkIn)
	if len(errs) == 0 {
		return in, nil
	}
	return in, errs
}

// validEmail accepts a bare address that net/mail parses, with a dot in the
// domain part (no "user@localhost" for attendees).
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// ValidateSessions checks a choice of sessions: each must exist, need
// sign-up, and not overlap another chosen one. It returns the choice without
// repeats, or what is wrong, naming sessions by their titles in lang.
func ValidateSessions(ids []string, e *programme.Event, lang string) ([]string, *Message) {
	fail := func(key string, args ...any) ([]string, *Message) { m := msg(key, args...); return nil, &m }
	chosen := []string{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(chosen, id) {
			continue
		}
		s := e.Session(id)
		switch {
		case s == nil:
			return fail("unknown_session", id)
		case s.Capacity == nil:
			return fail("no_signup", s.Title.In(lang, e.DefaultLanguage))
		}
		for _, other := range chosen {
			o := e.Session(other)
			if s.StartsAt.Before(o.EndsAt.Time) && o.StartsAt.Before(s.EndsAt.Time) {
				return fail("overlap", s.Title.In(lang, e.DefaultLanguage), o.Title.In(lang, e.DefaultLanguage))
			}
		}
		chosen = append(chosen, id)
	}
	return chosen, nil
}

func validateAnswers(answers map[string]any, e *programme.Event, errs FieldErrors, requireAnswers bool) map[string]any {
	out := map[string]any{}
	for id := range answers {
		found := false
		for _, q := range e.Questions {
			found = found || q.ID == id
		}
		if !found {
			errs["answers."+id] = msg("unknown_question")
		}
	}
	for _, q := range e.Questions {
		field := "answers." + q.ID
		raw, given := answers[q.ID]
		q.Required = q.Required && requireAnswers
		var options []string
		for _, o := range q.Options {
			options = append(options, o.Value)
		}
		switch q.Type {
		case "text":
			s, ok := raw.(string)
			if given && !ok && raw != nil {
				errs[field] = msg("answer_type")
				continue
			}
			s = strings.TrimSpace(s)
			switch {
			case !utf8.ValidString(s):
				errs[field] = msg("utf8")
			case utf8.RuneCountInString(s) > maxAnswer:
				errs[field] = msg("too_long", maxAnswer)
			case strings.ContainsFunc(s, func(r rune) bool { return programme.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
				errs[field] = msg("control")
			case s == "" && q.Required:
				errs[field] = msg("required")
			case s != "":
				out[q.ID] = s
			}
		case "choice":
			s, _ := raw.(string)
			switch {
			case s == "" && q.Required:
				errs[field] = msg("required")
			case s != "" && !slices.Contains(options, s):
				errs[field] = msg("option")
			case s != "":
				out[q.ID] = s
			}
		case "multichoice":
			var values []string
			switch v := raw.(type) {
			case []string:
				values = v
			case []any:
				for _, x := range v {
					s, ok := x.(string)
					if !ok {
						errs[field] = msg("answer_type")
					}
					values = append(values, s)
				}
			case string:
				if v != "" {
					values = []string{v}
				}
			case nil:
			default:
				errs[field] = msg("answer_type")
			}
			var clean []string
			for _, v := range values {
				if !slices.Contains(options, v) {
					errs[field] = msg("option")
				} else if !slices.Contains(clean, v) {
					clean = append(clean, v)
				}
			}
			if len(clean) == 0 && q.Required {
				errs[field] = msg("required")
			}
			if len(clean) > 0 {
				out[q.ID] = clean
			}
		case "yesno":
			var b, set bool
			switch v := raw.(type) {
			case bool:
				b, set = v, true
			case string:
				switch strings.ToLower(v) {
				case "yes", "true", "on", "1":
					b, set = true, true
				case "no", "false", "0":
					b, set = false, true
				case "":
				default:
					errs[field] = msg("answer_type")
				}
			case nil:
			default:
				errs[field] = msg("answer_type")
			}
			if q.Required && !(set && b) {
				// A required yes/no question is a box that must be ticked.
				errs[field] = msg("required")
			}
			if set {
				out[q.ID] = b
			}
		}
	}
	return out
}

// ValidStatus reports whether s is a registration status.
func ValidStatus(s string) bool {
	return s == Pending || s == Confirmed || s == Waitlisted || s == Rejected || s == Cancelled
}

// Open reports whether the event takes registrations at t: it is
// published, its registration window (when it has one) has opened and not
// yet closed, and the event has not ended.
func Open(e *programme.Event, t time.Time) bool {
	r := e.Registration
	return e.Status == "published" &&
		(r.OpensAt.IsZero() || !t.Before(r.OpensAt.Time)) &&
		(r.ClosesAt.IsZero() || t.Before(r.ClosesAt.Time)) &&
		t.Before(e.EndsAt.Time)
}
