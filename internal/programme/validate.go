package programme

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/foyer-events/foyer/internal/languages"
)

// Problem is one thing wrong with programme JSON, and where it is. What is
// wrong is a message key of the catalogues (programme.error.*) with its
// arguments: the API, the pages and the command line put it into their
// reader's language (internal/view).
type Problem struct {
	Where string // e.g. sessions[3] "keynote-twins".ends_at
	Key   string
	Args  []any
}

// problem builds a Problem with a key of the programme.error.* family.
func problem(where, key string, args ...any) Problem {
	return Problem{Where: where, Key: "programme.error." + key, Args: args}
}

// Error lists everything wrong with a programme, so that an organiser fixes a
// file in one go rather than one error per attempt.
type Error struct {
	Problems []Problem
	// Decoding is set when the file is not well-formed JSON of the right
	// shape, as opposed to well-formed JSON with wrong values.
	Decoding bool
}

// Error lists the places and message keys; readers get the messages in
// their language from view.ProgrammeProblems.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("programme is not valid:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s %v", p.Where, p.Key, p.Args)
	}
	return b.String()
}

// describeJSONError turns a decoding error into a Problem that names the line
// and column, and the field where Go knows it.
func describeJSONError(data []byte, err error) error {
	e := describeDecoding(data, err)
	e.Decoding = true
	return e
}

func describeDecoding(data []byte, err error) *Error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &Error{Problems: []Problem{problem(lineCol(data, syntax.Offset), "broken_json", syntax.Error())}}
	case errors.As(err, &typ):
		where := lineCol(data, typ.Offset)
		if typ.Field != "" {
			where += " (" + typ.Field + ")"
		}
		return &Error{Problems: []Problem{problem(where, "wrong_type", typ.Type.String(), typ.Value)}}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Error{Problems: []Problem{problem("file", "cut_short")}}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &Error{Problems: []Problem{problem("field "+f, "unknown_field")}}
	}
	return &Error{Problems: []Problem{problem("file", "decode", strings.TrimPrefix(msg, "json: "))}}
}

func lineCol(data []byte, offset int64) string {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)
	keyPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$`)
)

// Validate checks the whole programme and returns an *Error listing every
// problem, or nil.
func (e *Event) Validate() error {
	v := &validator{}
	if !slugPattern.MatchString(e.Slug) {
		v.add("slug", "slug")
	}
	v.line("title", e.Title, true, 300)
	v.line("subtitle", e.Subtitle, false, 300)
	v.text("description", e.Description, false, 20000)
	v.line("venue.name", e.Venue.Name, false, 300)
	v.line("venue.address", e.Venue.Address, false, 500)
	if e.Timezone == "" {
		v.add("timezone", "timezone_required")
	} else if _, err := time.LoadLocation(e.Timezone); err != nil || e.Timezone == "Local" {
		v.add("timezone", "timezone", e.Timezone)
	}
	v.span("", e.StartsAt, e.EndsAt)
	if !slices.Contains(Statuses, e.Status) {
		v.add("status", "one_of", strings.Join(Statuses, ", "))
	}
	v.capacity("capacity", e.Capacity)
	if !languages.Valid(e.DefaultLanguage) {
		v.add("default_language", "language", strings.Join(languages.All, ", "))
	}
	r := e.Registration
	if r.Mode != "open" && r.Mode != "approval" {
		v.add("registration.mode", "one_of", "open, approval")
	}
	v.time("registration.opens_at", r.OpensAt, false)
	v.time("registration.closes_at", r.ClosesAt, false)
	if !r.OpensAt.IsZero() && !r.ClosesAt.IsZero() && !r.ClosesAt.After(r.OpensAt.Time) {
		v.add("registration.closes_at", "after", "registration.opens_at")
	}
	v.str("registration.privacy_version", r.PrivacyVersion, 40)
	v.text("registration.privacy_text", r.PrivacyText, false, 20000)
	for i, code := range r.FocusCountries {
		if reg, err := language.ParseRegion(code); err != nil || !reg.IsCountry() || reg.String() != code {
			v.add(fmt.Sprintf("registration.focus_countries[%d]", i), "country", code)
		} else if slices.Contains(r.FocusCountries[:i], code) {
			v.add(fmt.Sprintf("registration.focus_countries[%d]", i), "twice", code)
		}
	}
	v.days("registration.reminder_days", r.ReminderDays, MaxReminderDays)
	v.days("registration.retention_days", r.RetentionDays, MaxRetentionDays)
	if e.Organiser != nil {
		e.Organiser.validate(v, "organiser")
	}

	rooms := map[string]bool{}
	for i, room := range e.Rooms {
		at := v.id(fmt.Sprintf("rooms[%d]", i), ".slug", room.Slug, slugPattern, rooms)
		v.line(at+".name", room.Name, true, 200)
		v.capacity(at+".capacity", room.Capacity)
	}
	speakers := map[string]bool{}
	for i, s := range e.Speakers {
		at := v.id(fmt.Sprintf("speakers[%d]", i), ".id", s.ID, keyPattern, speakers)
		if strings.TrimSpace(s.Name) == "" {
			v.add(at+".name", "required")
		}
		v.str(at+".name", s.Name, 200)
		v.str(at+".native_name", s.NativeName, 200)
		v.line(at+".organisation", s.Organisation, false, 300)
		v.line(at+".job_title", s.JobTitle, false, 300)
		v.str(at+".country", s.Country, 2)
		v.text(at+".bio", s.Bio, false, 5000)
		v.image(at+".photo", s.Photo)
		if s.Email != "" && !strings.Contains(s.Email, "@") {
			v.add(at+".email", "email")
		}
	}
	sessions := map[string]bool{}
	for i, s := range e.Sessions {
		at := v.id(fmt.Sprintf("sessions[%d]", i), ".id", s.ID, keyPattern, sessions)
		if !slices.Contains(Kinds, s.Kind) {
			v.add(at+".kind", "one_of", strings.Join(Kinds, ", "))
		}
		if s.Room != "" && !rooms[s.Room] {
			v.add(at+".room", "unknown_room", s.Room)
		}
		v.line(at+".track", s.Track, false, 100)
		if s.Language != "" && !languages.Valid(s.Language) {
			v.add(at+".language", "language", strings.Join(languages.All, ", "))
		}
		v.capacity(at+".capacity", s.Capacity)
		v.span(at+".", s.StartsAt, s.EndsAt)
		v.within(at+".", s.StartsAt, s.EndsAt, e.StartsAt, e.EndsAt)
		v.line(at+".title", s.Title, true, 300)
		v.text(at+".abstract", s.Abstract, false, 20000)
		seen := map[string]bool{}
		for j, ss := range s.Speakers {
			sat := fmt.Sprintf("%s.speakers[%d]", at, j)
			if !speakers[ss.Speaker] {
				v.add(sat+".speaker", "unknown_speaker", ss.Speaker)
			} else if seen[ss.Speaker] {
				v.add(sat+".speaker", "speaker_twice", ss.Speaker)
			}
			seen[ss.Speaker] = true
			if !slices.Contains(Roles, ss.Role) {
				v.add(sat+".role", "one_of", strings.Join(Roles, ", "))
			}
		}
	}
	questions := map[string]bool{}
	for i, q := range e.Questions {
		at := v.id(fmt.Sprintf("questions[%d]", i), ".id", q.ID, keyPattern, questions)
		if !slices.Contains(QuestionTypes, q.Type) {
			v.add(at+".type", "one_of", strings.Join(QuestionTypes, ", "))
		}
		v.line(at+".label", q.Label, true, 500)
		choice := q.Type == "choice" || q.Type == "multichoice"
		if choice && len(q.Options) == 0 {
			v.add(at+".options", "options_needed")
		}
		if !choice && len(q.Options) > 0 {
			v.add(at+".options", "options_not_allowed")
		}
		values := map[string]bool{}
		for j, o := range q.Options {
			oat := fmt.Sprintf("%s.options[%d]", at, j)
			if strings.TrimSpace(o.Value) == "" || values[o.Value] {
				v.add(oat+".value", "option_value")
			}
			values[o.Value] = true
			v.line(oat+".label", o.Label, true, 300)
		}
	}
	if len(v.problems) > 0 {
		return &Error{Problems: v.problems}
	}
	return nil
}

// Statuses are the states of an event: a draft only organisers see,
// published, and archived (still public, closed for registration).
var Statuses = []string{"draft", "published", "archived"}

type validator struct{ problems []Problem }

// id checks the id of an item in a list (its format, and that no other item
// has it), records it in seen, and returns how later problems name the item:
// its index and id, as in sessions[3] "panel-sme".
func (v *validator) id(at, field, id string, pattern *regexp.Regexp, seen map[string]bool) string {
	switch {
	case !pattern.MatchString(id) && pattern == slugPattern:
		v.add(at+field, "id_slug")
	case !pattern.MatchString(id):
		v.add(at+field, "id_key")
	case seen[id]:
		v.add(at+field, "twice", id)
	}
	seen[id] = true
	return fmt.Sprintf("%s %q", at, id)
}

func (v *validator) add(where, key string, args ...any) {
	v.problems = append(v.problems, problem(where, key, args...))
}

func (v *validator) str(where, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.add(where, "utf8")
	case utf8.RuneCountInString(s) > max:
		v.add(where, "too_long", max)
	case strings.ContainsFunc(s, IsControl):
		v.add(where, "control")
	}
}

func (v *validator) text(where string, t Text, required bool, max int) {
	if required && t.In("en", "en") == "" {
		v.add(where, "text_required", strings.Join(languages.All, ", "))
	}
	for lang, s := range t {
		at := where + "." + lang
		switch {
		case lang == "" && len(t) == 1: // a plain string, for all languages
			at = where
		case !languages.Valid(lang):
			v.add(where, "unknown_language", lang, strings.Join(languages.All, ", "))
			continue
		}
		if !utf8.ValidString(s) {
			v.add(at, "utf8")
		} else if utf8.RuneCountInString(s) > max {
			v.add(at, "too_long", max)
		}
	}
}

// line is text for a one-line field (a title, a name): as text, and with
// no line breaks or other control characters in any language.
func (v *validator) line(where string, t Text, required bool, max int) {
	v.text(where, t, required, max)
	for lang, s := range t {
		at := where + "." + lang
		if lang == "" && len(t) == 1 {
			at = where
		}
		if languages.Valid(lang) || at == where {
			if strings.ContainsFunc(s, IsControl) {
				v.add(at, "one_line")
			}
		}
	}
}

// within checks that a session lies within its event's dates.
func (v *validator) within(prefix string, start, end, eventStart, eventEnd Time) {
	if start.IsZero() || end.IsZero() || eventStart.IsZero() || eventEnd.IsZero() || !end.After(start.Time) {
		return // reported elsewhere
	}
	if start.Before(eventStart.Time) {
		v.add(prefix+"starts_at", "before_event", eventStart.Format(time.RFC3339))
	}
	if end.After(eventEnd.Time) {
		v.add(prefix+"ends_at", "after_event", eventEnd.Format(time.RFC3339))
	}
}

func (v *validator) time(where string, t Time, required bool) {
	switch {
	case t.Raw != "":
		v.add(where, "time", t.Raw)
	case t.IsZero() && required:
		v.add(where, "time_required")
	}
}

func (v *validator) span(prefix string, start, end Time) {
	v.time(prefix+"starts_at", start, true)
	v.time(prefix+"ends_at", end, true)
	if !start.IsZero() && !end.IsZero() && !end.After(start.Time) {
		v.add(prefix+"ends_at", "after", "starts_at")
	}
}

func (v *validator) capacity(where string, c *int) {
	if c != nil && (*c < 1 || *c > 1_000_000) {
		v.add(where, "capacity")
	}
}

func (v *validator) days(where string, d *int, max int) {
	if d != nil && (*d < 0 || *d > max) {
		v.add(where, "days", max)
	}
}
