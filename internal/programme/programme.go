// Package programme is a forum's published programme: the event, its rooms,
// speakers, sessions and registration questions, and the JSON format in which
// it is imported and exported (GET /api/v1/events/{slug}, foyer import).
package programme

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"io"
	"time"
)

// Time is an instant in programme JSON, RFC 3339 with an offset. A value that
// does not parse is kept in Raw so that Validate can name it, instead of
// failing the whole decode with a message that says nowhere where it was.
type Time struct {
	time.Time
	Raw string
}

// At returns a Time holding t.
func At(t time.Time) Time { return Time{Time: t} }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		*t = Time{Raw: string(b)}
		return nil
	}
	p, err := time.Parse(time.RFC3339, s)
	if err != nil {
		*t = Time{Raw: s}
		return nil
	}
	*t = Time{Time: p}
	return nil
}

// MarshalJSON implements json.Marshaler: null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format(time.RFC3339))
}

// Event is a whole forum in programme JSON.
type Event struct {
	Slug            string       `json:"slug"`
	Title           Text         `json:"title"`
	Subtitle        Text         `json:"subtitle,omitempty"`
	Description     Text         `json:"description,omitempty"`
	Venue           Venue        `json:"venue"`
	Timezone        string       `json:"timezone"`
	StartsAt        Time         `json:"starts_at"`
	EndsAt          Time         `json:"ends_at"`
	Status          string       `json:"status"`
	Capacity        *int         `json:"capacity"`
	DefaultLanguage string       `json:"default_language"`
	Registration    Registration `json:"registration"`
	Rooms           []Room       `json:"rooms"`
	Speakers        []Speaker    `json:"speakers"`
	Sessions        []Session    `json:"sessions"`
	Questions       []Question   `json:"questions"`
	// Organiser is who runs the event: brand, contact and legal pages.
	Organiser *Organiser `json:"organiser,omitempty"`
}

// Venue is where the event takes place.
type Venue struct {
	Name    Text `json:"name,omitempty"`
	Address Text `json:"address,omitempty"`
}

// Registration holds the event's registration settings.
type Registration struct {
	Mode     string `json:"mode"` // open or approval
	OpensAt  Time   `json:"opens_at"`
	ClosesAt Time   `json:"closes_at"`
	Waitlist bool   `json:"waitlist"`
	// PrivacyVersion is recorded with each consent; PrivacyText is shown next
	// to the consent box (a built-in text when empty).
	PrivacyVersion string `json:"privacy_version,omitempty"`
	PrivacyText    Text   `json:"privacy_text,omitempty"`
	// FocusCountries (ISO 3166 codes, such as DE and CN) head the form's
	// country list, in this order, above all countries in the reader's
	// alphabetical order.
	FocusCountries []string `json:"focus_countries,omitempty"`
	// ReminderDays is how many days before the event confirmed guests get
	// a reminder with their ticket; 0 sends none, and left out it is
	// DefaultReminderDays.
	ReminderDays *int `json:"reminder_days,omitempty"`
	// RetentionDays is how long after the event its guests' personal data
	// is kept before organisers are reminded to remove it; left out it is
	// DefaultRetentionDays.
	RetentionDays *int `json:"retention_days,omitempty"`
}

// Defaults and bounds of the reminder and the retention period, in days.
const (
	DefaultReminderDays  = 2
	MaxReminderDays      = 60
	DefaultRetentionDays = 180
	MaxRetentionDays     = 3650
)

// Reminder returns the days before the event the reminder goes out, 0 for
// none.
func (r Registration) Reminder() int {
	if r.ReminderDays == nil {
		return DefaultReminderDays
	}
	return *r.ReminderDays
}

// Retention returns the days after the event personal data is kept.
func (r Registration) Retention() int {
	if r.RetentionDays == nil {
		return DefaultRetentionDays
	}
	return *r.RetentionDays
}

// Room is a place where sessions happen.
type Room struct {
	Slug     string `json:"slug"`
	Name     Text   `json:"name"`
	Capacity *int   `json:"capacity,omitempty"`
}

// Speaker is a person on the programme.
type Speaker struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	NativeName   string `json:"native_name,omitempty"`
	Organisation Text   `json:"organisation,omitempty"`
	JobTitle     Text   `json:"job_title,omitempty"`
	Country      string `json:"country,omitempty"`
	Bio          Text   `json:"bio,omitempty"`
	Photo        string `json:"photo,omitempty"`
	// Email is for organisers only: the public programme leaves it out.
	Email string `json:"email,omitempty"`
}

// Session kinds and speaker roles.
var (
	Kinds = []string{"keynote", "panel", "talk", "workshop", "break", "networking"}
	Roles = []string{"speaker", "moderator", "panellist", "chair", "host"}
)

// Session is one item on the agenda.
type Session struct {
	ID       string           `json:"id"`
	Kind     string           `json:"kind"`
	Room     string           `json:"room,omitempty"`
	Track    Text             `json:"track,omitempty"`
	Language string           `json:"language,omitempty"`
	Capacity *int             `json:"capacity,omitempty"`
	StartsAt Time             `json:"starts_at"`
	EndsAt   Time             `json:"ends_at"`
	Title    Text             `json:"title"`
	Abstract Text             `json:"abstract,omitempty"`
	Speakers []SessionSpeaker `json:"speakers,omitempty"`
}

// SessionSpeaker links a speaker to a session with a role, in order.
type SessionSpeaker struct {
	Speaker string `json:"speaker"`
	Role    string `json:"role"`
}

// Question types.
var QuestionTypes = []string{"text", "choice", "multichoice", "yesno"}

// Question is a custom registration question.
type Question struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Label    Text     `json:"label"`
	Options  []Option `json:"options,omitempty"`
}

// Option is one answer of a choice or multichoice question.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Location returns the event's time zone (UTC if it does not load, which
// Validate has already refused for anything stored).
func (e *Event) Location() *time.Location {
	loc, err := time.LoadLocation(e.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Room returns the room with that slug, or nil.
func (e *Event) Room(slug string) *Room {
	return find(e.Rooms, func(r *Room) bool { return r.Slug == slug })
}

// Speaker returns the speaker with that id, or nil.
func (e *Event) Speaker(id string) *Speaker {
	return find(e.Speakers, func(s *Speaker) bool { return s.ID == id })
}

// Session returns the session with that id, or nil.
func (e *Event) Session(id string) *Session {
	return find(e.Sessions, func(s *Session) bool { return s.ID == id })
}

// Question returns the registration question with that id, or nil.
func (e *Event) Question(id string) *Question {
	return find(e.Questions, func(q *Question) bool { return q.ID == id })
}

// Option returns the option with that value, or nil.
func (q *Question) Option(value string) *Option {
	return find(q.Options, func(o *Option) bool { return o.Value == value })
}

// find returns the first item of list that match accepts, in place, or nil.
func find[T any](list []T, match func(*T) bool) *T {
	for i := range list {
		if match(&list[i]) {
			return &list[i]
		}
	}
	return nil
}

// InZone moves every time of the event into its own time zone, so that JSON
// and pages show local times with their offset.
func (e *Event) InZone() {
	loc := e.Location()
	e.Move(func(t time.Time) time.Time { return t.In(loc) })
}

// Public returns a copy without what only organisers may see (speaker emails).
func (e *Event) Public() *Event {
	c := *e
	c.Speakers = make([]Speaker, len(e.Speakers))
	for i, s := range e.Speakers {
		s.Email = ""
		c.Speakers[i] = s
	}
	return &c
}

// Decode reads programme JSON strictly: unknown fields are errors, so that a
// misspelt field is reported rather than silently dropped.
func Decode(data []byte) (*Event, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e Event
	if err := dec.Decode(&e); err != nil {
		return nil, describeJSONError(data, err)
	}
	// Only white space may follow the value. (dec.More would let a stray
	// closing bracket through.)
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Problems: []Problem{problem(lineCol(data, dec.InputOffset()), "trailing_data")}, Decoding: true}
	}
	return &e, nil
}

//go:embed forum-demo.json
var demoJSON []byte

// Move moves every time of the programme that is set (the event's, the
// registration window's and the sessions') to what to says.
func (e *Event) Move(to func(time.Time) time.Time) {
	move := func(t *Time) {
		if !t.IsZero() {
			t.Time = to(t.Time)
		}
	}
	move(&e.StartsAt)
	move(&e.EndsAt)
	move(&e.Registration.OpensAt)
	move(&e.Registration.ClosesAt)
	for i := range e.Sessions {
		move(&e.Sessions[i].StartsAt)
		move(&e.Sessions[i].EndsAt)
	}
}

// Demo returns the bundled demo forum. If its date has passed (relative to
// now), it is moved by whole years so that it lies ahead with registration
// open; its slug stays the same.
func Demo(now time.Time) *Event {
	e, err := Decode(demoJSON)
	if err != nil {
		panic("programme: bundled demo does not decode: " + err.Error())
	}
	years := 0
	for e.StartsAt.AddDate(years, 0, 0).Before(now.AddDate(0, 0, 14)) {
		years++
	}
	if years == 0 {
		return e
	}
	e.Move(func(t time.Time) time.Time { return t.AddDate(years, 0, 0) })
	// Registration opens now at the latest, so the moved demo takes guests.
	if e.Registration.OpensAt.After(now) {
		e.Registration.OpensAt = Time{Time: now.Add(-time.Hour).Truncate(time.Hour).In(e.Location())}
	}
	return e
}
