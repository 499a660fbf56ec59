package programme

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// scheduleSchemaURL is the $id of the c3voc schema the JSON claims to follow.
const scheduleSchemaURL = "https://c3voc.de/schedule/schema.json"

type jsonSchedule struct {
	Schema    string        `json:"$schema"`
	Generator jsonGenerator `json:"generator"`
	Schedule  jsonBody      `json:"schedule"`
}

type jsonGenerator struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type jsonBody struct {
	Version    string         `json:"version"`
	BaseURL    string         `json:"base_url"`
	Conference jsonConference `json:"conference"`
}

type jsonConference struct {
	Acronym          string      `json:"acronym"`
	Title            string      `json:"title"`
	Description      string      `json:"description,omitempty"`
	Start            string      `json:"start"`
	End              string      `json:"end"`
	DaysCount        int         `json:"daysCount"`
	TimeslotDuration string      `json:"timeslot_duration"`
	TimeZoneName     string      `json:"time_zone_name,omitempty"`
	URL              string      `json:"url"`
	Tracks           []jsonTrack `json:"tracks,omitempty"`
	Rooms            []jsonRoom  `json:"rooms"`
	Days             []jsonDay   `json:"days"`
}

type jsonTrack struct {
	Name string `json:"name"`
}

type jsonRoom struct {
	Name string `json:"name"`
	GUID string `json:"guid"`
}

type jsonDay struct {
	Index    int          `json:"index"`
	Date     string       `json:"date"`
	DayStart string       `json:"day_start"`
	DayEnd   string       `json:"day_end"`
	Rooms    jsonDayRooms `json:"rooms"`
}

// jsonDayRooms is the day's room → events object with the rooms in the
// programme's order, not sorted by name as a Go map would have them: apps
// show the columns in the order they read them.
type jsonDayRooms struct {
	names  []string
	events [][]jsonEvent
}

// MarshalJSON implements json.Marshaler.
func (r jsonDayRooms) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range r.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		events := r.events[i]
		if events == nil {
			events = []jsonEvent{}
		}
		v, err := json.Marshal(events)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type jsonEvent struct {
	GUID             string       `json:"guid"`
	ID               int          `json:"id"`
	Logo             string       `json:"logo"`
	Date             string       `json:"date"`
	Start            string       `json:"start"`
	End              string       `json:"end"`
	Duration         string       `json:"duration"`
	Room             string       `json:"room"`
	Slug             string       `json:"slug"`
	URL              string       `json:"url"`
	Title            string       `json:"title"`
	Subtitle         string       `json:"subtitle"`
	Track            *string      `json:"track"`
	Type             string       `json:"type"`
	Language         *string      `json:"language"`
	Abstract         string       `json:"abstract"`
	Description      string       `json:"description"`
	RecordingLicense string       `json:"recording_license"`
	DoNotRecord      bool         `json:"do_not_record"`
	Persons          []jsonPerson `json:"persons"`
	Links            []jsonLink   `json:"links"`
	Attachments      []jsonLink   `json:"attachments"`
}

// jsonPerson takes the schema's pretalx branch ({name, …}). public_name is
// there for older frab readers; it must never come with an integer id, or the
// person matches both branches of the schema's oneOf and fails.
type jsonPerson struct {
	GUID         string `json:"guid"`
	Name         string `json:"name"`
	PublicName   string `json:"public_name"`
	Organisation string `json:"organisation,omitempty"`
	Role         string `json:"role"`
	Biography    string `json:"biography,omitempty"`
	Avatar       string `json:"avatar,omitempty"`
}

type jsonLink struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	Type  string `json:"type,omitempty"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

var timeZoneNamePattern = regexp.MustCompile(`^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$`)

func (s *schedule) jsonConference() jsonConference {
	c := jsonConference{
		Acronym:          s.acronym,
		Title:            s.title,
		Description:      s.e.Description.In(s.lang, s.e.DefaultLanguage),
		DaysCount:        len(s.days),
		TimeslotDuration: hhmm(time.Duration(s.timeslot) * time.Minute),
		URL:              s.eventURL,
		Rooms:            []jsonRoom{},
		Days:             []jsonDay{},
	}
	// The schema's pattern refuses zones such as Etc/GMT-8; the field is
	// optional, so such a zone is left out rather than failing the file.
	if tz := s.loc.String(); timeZoneNamePattern.MatchString(tz) {
		c.TimeZoneName = tz
	}
	if len(s.days) > 0 {
		c.Start = s.days[0].date.Format(time.DateOnly)
		c.End = s.days[len(s.days)-1].date.Format(time.DateOnly)
	} else {
		c.Start = s.e.StartsAt.In(s.loc).Format(time.DateOnly)
		c.End = s.e.EndsAt.In(s.loc).Format(time.DateOnly)
	}
	for _, t := range s.tracks {
		c.Tracks = append(c.Tracks, jsonTrack{Name: t})
	}
	for _, r := range s.rooms {
		c.Rooms = append(c.Rooms, jsonRoom{Name: r.name, GUID: r.guid})
	}
	for _, d := range s.days {
		jd := jsonDay{
			Index:    d.index,
			Date:     d.date.Format(time.DateOnly),
			DayStart: d.start.Format(time.RFC3339),
			DayEnd:   d.end.Format(time.RFC3339),
		}
		for i, r := range s.rooms {
			jd.Rooms.names = append(jd.Rooms.names, r.name)
			var events []jsonEvent
			for _, it := range d.byRoom[i] {
				events = append(events, s.jsonEvent(it))
			}
			jd.Rooms.events = append(jd.Rooms.events, events)
		}
		c.Days = append(c.Days, jd)
	}
	return c
}

func (s *schedule) jsonEvent(it *scheduleItem) jsonEvent {
	return jsonEvent{
		GUID:        it.guid,
		ID:          it.id,
		Date:        it.start.Format(time.RFC3339),
		Start:       it.start.Format("15:04"),
		End:         it.end.Format(time.RFC3339),
		Duration:    hhmm(it.end.Sub(it.start)),
		Room:        it.room.name,
		Slug:        it.slug,
		URL:         it.url,
		Title:       it.title,
		Track:       nullable(it.track),
		Type:        it.s.Kind,
		Language:    nullable(it.s.Language),
		Abstract:    it.abstract,
		DoNotRecord: doNotRecord,
		Persons:     s.jsonPersons(it.s),
		Links:       []jsonLink{},
		Attachments: []jsonLink{},
	}
}

// doNotRecord is set on every session: foyer collects no consent to record
// from speakers, so recording tools must not assume one.
const doNotRecord = true

func (s *schedule) jsonPersons(ses *Session) []jsonPerson {
	persons := []jsonPerson{}
	for _, ss := range ses.Speakers {
		sp := s.e.Speaker(ss.Speaker)
		if sp == nil {
			continue
		}
		name := speakerName(sp)
		persons = append(persons, jsonPerson{
			GUID:         uuidString(foyerGUID(s.e.Slug + "/speaker/" + sp.ID)),
			Name:         name,
			PublicName:   name,
			Organisation: sp.Organisation.In(s.lang, s.e.DefaultLanguage),
			Role:         ss.Role,
			Biography:    sp.Bio.In(s.lang, s.e.DefaultLanguage),
			Avatar:       s.absoluteURL(sp.Photo),
		})
	}
	return persons
}

// ScheduleJSON returns the programme as c3voc schedule.json v1 in lang
// (falling back to the event's default language), the format schedule apps
// such as Giggity and EventFahrplan read. baseURL is the absolute root of the
// site (FOYER_BASE_URL): the schema requires absolute URLs.
func ScheduleJSON(e *Event, lang, baseURL string) ([]byte, error) {
	s := buildSchedule(e, lang, baseURL)
	conf := s.jsonConference()
	doc := jsonSchedule{
		Schema:    scheduleSchemaURL,
		Generator: jsonGenerator{Name: "foyer", URL: "https://github.com/foyer-events/foyer"},
		Schedule: jsonBody{
			Version:    scheduleVersion(conf),
			BaseURL:    s.eventURL + "/",
			Conference: conf,
		},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("programme: schedule.json: %w", err)
	}
	return b.Bytes(), nil
}
