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

// Problem is one thing wrong with programme JSON, and where it is.
type Problem struct {
	Where   string // e.g. sessions[3] "keynote-twins".ends_at
	Message string
}

// Error lists everything wrong with a programme, so that an organiser fixes a
// file in one go rather than one error per attempt.
type Error struct {
	Problems []Problem
	// Decoding is set when the file is not well-formed JSON of the right
	// shape, as opposed to well-formed JSON with wrong values.
	Decoding bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("programme is not valid:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Where, p.Message)
	}
	return b.String()
}

// Fields returns the problems keyed by place, for the JSON error shape.
func (e *Error) Fields() map[string]string {
	f := make(map[string]string, len(e.Problems))
	for _, p := range e.Problems {
		if _, dup := f[p.Where]; !dup {
			f[p.Where] = p.Message
		}
	}
	return f
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
		return &Error{Problems: []Problem{{Where: lineCol(data, syntax.Offset), Message: "broken JSON: " + syntax.Error()}}}
	case errors.As(err, &typ):
		where := lineCol(data, typ.Offset)
		if typ.Field != "" {
			where += " (" + typ.Field + ")"
		}
		return &Error{Problems: []Problem{{Where: where, Message: fmt.Sprintf("expected %s, found a JSON %s", typ.Type, typ.Value)}}}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Error{Problems: []Problem{{Where: "file", Message: "empty or cut short"}}}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &Error{Problems: []Problem{{Where: "field " + f, Message: "unknown field (misspelt?)"}}}
	}
	return &Error{Problems: []Problem{{Where: "file", Message: strings.TrimPrefix(msg, "json: ")}}}
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
		v.add("slug", "required: lower-case letters, digits and hyphens, at most 80")
	}
	v.line("title", e.Title, true, 300)
	v.line("subtitle", e.Subtitle, false, 300)
	v.text("description", e.Description, false, 20000)
	v.line("venue.name", e.Venue.Name, false, 300)
	v.line("venue.address", e.Venue.Address, false, 500)
	if e.Timezone == "" {
		v.add("timezone", "required: an IANA time zone such as Europe/Berlin")
	} else if _, err := time.LoadLocation(e.Timezone); err != nil || e.Timezone == "Local" {
		v.add("timezone", fmt.Sprintf("%q is not an IANA time zone such as Europe/Berlin", e.Timezone))
	}
	v.span("", e.StartsAt, e.EndsAt)
	if !slices.Contains([]string{"draft", "published", "archived"}, e.Status) {
		v.add("status", "must be draft, published or archived")
	}
	v.capacity("capacity", e.Capacity)
	if !languages.Valid(e.DefaultLanguage) {
		v.add("default_language", "must be en, de or zh")
	}
	r := e.Registration
	if r.Mode != "open" && r.Mode != "approval" {
		v.add("registration.mode", "must be open or approval")
	}
	v.time("registration.opens_at", r.OpensAt, false)
	v.time("registration.closes_at", r.ClosesAt, false)
	if !r.OpensAt.IsZero() && !r.ClosesAt.IsZero() && !r.ClosesAt.After(r.OpensAt.Time) {
		v.add("registration.closes_at", "must be after registration.opens_at")
	}
	v.str("registration.privacy_version", r.PrivacyVersion, 40)
	v.text("registration.privacy_text", r.PrivacyText, false, 20000)
	for i, code := range r.FocusCountries {
		if reg, err := language.ParseRegion(code); err != nil || !reg.IsCountry() || reg.String() != code {
			v.add(fmt.Sprintf("registration.focus_countries[%d]", i), fmt.Sprintf("%q is not a country code such as DE or CN", code))
		} else if slices.Contains(r.FocusCountries[:i], code) {
			v.add(fmt.Sprintf("registration.focus_countries[%d]", i), fmt.Sprintf("%q appears twice", code))
		}
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
		v.str(at+".photo", s.Photo, 2000)
		if s.Photo != "" && !strings.HasPrefix(s.Photo, "https://") && !strings.HasPrefix(s.Photo, "http://") && !strings.HasPrefix(s.Photo, "/") {
			v.add(at+".photo", "must be an http(s) URL or a path starting with /")
		}
		if s.Email != "" && !strings.Contains(s.Email, "@") {
			v.add(at+".email", "is not an email address")
		}
	}
	sessions := map[string]bool{}
	for i, s := range e.Sessions {
		at := v.id(fmt.Sprintf("sessions[%d]", i), ".id", s.ID, keyPattern, sessions)
		if !slices.Contains(Kinds, s.Kind) {
			v.add(at+".kind", "must be one of "+strings.Join(Kinds, ", "))
		}
		if s.Room != "" && !rooms[s.Room] {
			v.add(at+".room", fmt.Sprintf("unknown room %q", s.Room))
		}
		v.line(at+".track", s.Track, false, 100)
		if s.Language != "" && !languages.Valid(s.Language) {
			v.add(at+".language", "must be en, de or zh")
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
				v.add(sat+".speaker", fmt.Sprintf("unknown speaker %q", ss.Speaker))
			} else if seen[ss.Speaker] {
				v.add(sat+".speaker", fmt.Sprintf("%q appears twice in this session", ss.Speaker))
			}
			seen[ss.Speaker] = true
			if !slices.Contains(Roles, ss.Role) {
				v.add(sat+".role", "must be one of "+strings.Join(Roles, ", "))
			}
		}
	}
	questions := map[string]bool{}
	for i, q := range e.Questions {
		at := v.id(fmt.Sprintf("questions[%d]", i), ".id", q.ID, keyPattern, questions)
		if !slices.Contains(QuestionTypes, q.Type) {
			v.add(at+".type", "must be one of "+strings.Join(QuestionTypes, ", "))
		}
		v.line(at+".label", q.Label, true, 500)
		choice := q.Type == "choice" || q.Type == "multichoice"
		if choice && len(q.Options) == 0 {
			v.add(at+".options", "a choice question needs options")
		}
		if !choice && len(q.Options) > 0 {
			v.add(at+".options", "only choice and multichoice questions have options")
		}
		values := map[string]bool{}
		for j, o := range q.Options {
			oat := fmt.Sprintf("%s.options[%d]", at, j)
			if strings.TrimSpace(o.Value) == "" || values[o.Value] {
				v.add(oat+".value", "required and unique within the question")
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

type validator struct{ problems []Problem }

// id checks the id of an item in a list (its format, and that no other item
// has it), records it in seen, and returns how later problems name the item:
// its index and id, as in sessions[3] "panel-sme".
func (v *validator) id(at, field, id string, pattern *regexp.Regexp, seen map[string]bool) string {
	switch {
	case !pattern.MatchString(id) && pattern == slugPattern:
		v.add(at+field, "required: lower-case letters, digits and hyphens")
	case !pattern.MatchString(id):
		v.add(at+field, "required: letters, digits, - _ .")
	case seen[id]:
		v.add(at+field, fmt.Sprintf("%q appears twice", id))
	}
	seen[id] = true
	return fmt.Sprintf("%s %q", at, id)
}

func (v *validator) add(where, msg string) {
	v.problems = append(v.problems, Problem{Where: where, Message: msg})
}

func (v *validator) str(where, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.add(where, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.add(where, fmt.Sprintf("longer than %d characters", max))
	case strings.ContainsFunc(s, IsControl):
		v.add(where, "contains control characters")
	}
}

func (v *validator) text(where string, t Text, required bool, max int) {
	if required && t.In("en", "en") == "" {
		v.add(where, "required in at least one of en, de, zh")
	}
	for lang, s := range t {
		at := where + "." + lang
		switch {
		case lang == "" && len(t) == 1: // a plain string, for all languages
			at = where
		case !languages.Valid(lang):
			v.add(where, fmt.Sprintf("unknown language %q (use en, de, zh)", lang))
			continue
		}
		if !utf8.ValidString(s) {
			v.add(at, "is not valid UTF-8")
		} else if utf8.RuneCountInString(s) > max {
			v.add(at, fmt.Sprintf("longer than %d characters", max))
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
				v.add(at, "must be one line, without line breaks or other control characters")
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
		v.add(prefix+"starts_at", fmt.Sprintf("before the event starts (%s)", eventStart.Format(time.RFC3339)))
	}
	if end.After(eventEnd.Time) {
		v.add(prefix+"ends_at", fmt.Sprintf("after the event ends (%s)", eventEnd.Format(time.RFC3339)))
	}
}

func (v *validator) time(where string, t Time, required bool) {
	switch {
	case t.Raw != "":
		v.add(where, fmt.Sprintf("%q is not a date and time like 2027-04-13T09:00:00+02:00", t.Raw))
	case t.IsZero() && required:
		v.add(where, "required, like 2027-04-13T09:00:00+02:00")
	}
}

func (v *validator) span(prefix string, start, end Time) {
	v.time(prefix+"starts_at", start, true)
	v.time(prefix+"ends_at", end, true)
	if !start.IsZero() && !end.IsZero() && !end.After(start.Time) {
		v.add(prefix+"ends_at", "must be after starts_at")
	}
}

func (v *validator) capacity(where string, c *int) {
	if c != nil && (*c < 1 || *c > 1_000_000) {
		v.add(where, "must be a whole number from 1 to 1000000, or left out for unlimited")
	}
}
