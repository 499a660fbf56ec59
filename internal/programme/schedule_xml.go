package programme

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"github.com/foyer-events/foyer/internal/links"
)

type xmlSchedule struct {
	XMLName    xml.Name      `xml:"schedule"`
	Generator  xmlGenerator  `xml:"generator"`
	URL        string        `xml:"url"`
	Version    string        `xml:"version"`
	Conference xmlConference `xml:"conference"`
	Days       []xmlDay      `xml:"day"`
}

type xmlGenerator struct {
	Name string `xml:"name,attr"`
}

type xmlConference struct {
	Acronym          string     `xml:"acronym"`
	Title            string     `xml:"title"`
	Start            string     `xml:"start"`
	End              string     `xml:"end"`
	Days             int        `xml:"days"`
	TimeslotDuration string     `xml:"timeslot_duration"`
	BaseURL          string     `xml:"base_url"`
	URL              string     `xml:"url"`
	TimeZoneName     string     `xml:"time_zone_name"`
	Tracks           []xmlTrack `xml:"track"`
}

type xmlTrack struct {
	Name string `xml:"name,attr"`
}

type xmlDay struct {
	Index int       `xml:"index,attr"`
	Date  string    `xml:"date,attr"`
	Start string    `xml:"start,attr"`
	End   string    `xml:"end,attr"`
	Rooms []xmlRoom `xml:"room"`
}

type xmlRoom struct {
	Name   string     `xml:"name,attr"`
	GUID   string     `xml:"guid,attr"`
	Events []xmlEvent `xml:"event"`
}

type xmlEvent struct {
	GUID        string       `xml:"guid,attr"`
	ID          int          `xml:"id,attr"`
	Date        string       `xml:"date"`
	Start       string       `xml:"start"`
	Duration    string       `xml:"duration"`
	Room        string       `xml:"room"`
	Slug        string       `xml:"slug"`
	URL         string       `xml:"url"`
	Title       string       `xml:"title"`
	Subtitle    string       `xml:"subtitle"`
	Track       string       `xml:"track"`
	Type        string       `xml:"type"`
	Language    string       `xml:"language,omitempty"`
	Abstract    string       `xml:"abstract"`
	Persons     xmlPersons   `xml:"persons"`
	Recording   xmlRecording `xml:"recording"`
	Links       xmlLinks     `xml:"links"`
	Attachments xmlLinks     `xml:"attachments"`
}

type xmlPersons struct {
	Person []xmlPerson `xml:"person"`
}

type xmlPerson struct {
	GUID string `xml:"guid,attr"`
	Name string `xml:",chardata"`
}

type xmlRecording struct {
	License string `xml:"license"`
	Optout  bool   `xml:"optout"`
}

type xmlLinks struct{}

// ScheduleXML returns the programme as frab schedule.xml in lang, the older
// form of the same data as ScheduleJSON, which some apps and the c3voc tools
// still prefer.
func ScheduleXML(e *Event, lang, baseURL string) ([]byte, error) {
	s := buildSchedule(e, lang, baseURL)
	c := s.jsonConference()
	doc := xmlSchedule{
		Generator: xmlGenerator{Name: "foyer"},
		URL:       links.Absolute(s.root, links.Event(s.e.Slug, "schedule.xml")),
		Version:   scheduleVersion(c),
		Conference: xmlConference{
			Acronym:          c.Acronym,
			Title:            c.Title,
			Start:            c.Start,
			End:              c.End,
			Days:             c.DaysCount,
			TimeslotDuration: c.TimeslotDuration,
			BaseURL:          s.eventURL + "/",
			URL:              c.URL,
			TimeZoneName:     s.loc.String(),
		},
	}
	for _, t := range c.Tracks {
		doc.Conference.Tracks = append(doc.Conference.Tracks, xmlTrack{Name: t.Name})
	}
	// The days, rooms and events as the JSON has them, in the same order.
	for i, d := range s.days {
		jd := c.Days[i]
		xd := xmlDay{Index: jd.Index, Date: jd.Date, Start: jd.DayStart, End: jd.DayEnd}
		for r, room := range c.Rooms {
			xr := xmlRoom{Name: room.Name, GUID: room.GUID}
			for k, it := range d.byRoom[r] {
				je := jd.Rooms.events[r][k]
				xe := xmlEvent{
					GUID:      je.GUID,
					ID:        je.ID,
					Date:      je.Date,
					Start:     je.Start,
					Duration:  je.Duration,
					Room:      je.Room,
					Slug:      je.Slug,
					URL:       je.URL,
					Title:     je.Title,
					Track:     it.track,
					Type:      je.Type,
					Language:  it.s.Language,
					Abstract:  je.Abstract,
					Recording: xmlRecording{Optout: je.DoNotRecord},
				}
				for _, p := range je.Persons {
					xe.Persons.Person = append(xe.Persons.Person, xmlPerson{GUID: p.GUID, Name: p.Name})
				}
				xr.Events = append(xr.Events, xe)
			}
			xd.Rooms = append(xd.Rooms, xr)
		}
		doc.Days = append(doc.Days, xd)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("programme: schedule.xml: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
