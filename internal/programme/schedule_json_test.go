package programme

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestScheduleJSONValidates(t *testing.T) {
	sch := scheduleSchema(t)
	tests := []struct {
		name    string
		lang    string
		change  func(e *Event)
		session string
		title   string
		room    string
	}{
		{name: "english", lang: "en", session: "opening", title: "Opening: golden partners in smart manufacturing", room: "Hall 1"},
		{name: "german", lang: "de", session: "opening", title: "Eröffnung: Goldene Partner in der intelligenten Fertigung", room: "Saal 1"},
		{name: "chinese", lang: "zh", session: "panel-sme", title: "圆桌讨论：两国中小企业的数字化转型", room: "一号厅"},
		{name: "unknown language falls back to the default (de)", lang: "fr", session: "keynote-twins", title: "Digitale Zwillinge in der Werkhalle", room: "Saal 1"},
		{
			name: "session without a room goes to the venue", lang: "en", session: "lunch", title: "Lunch and B2B networking", room: berlinVenue,
			change: func(e *Event) { e.Session("lunch").Room = "" },
		},
		{
			name: "markup and separators in a title", lang: "en", session: "closing", title: `A, b; c <d> & "e"`, room: "Hall 1",
			change: func(e *Event) { e.Session("closing").Title = Text{"en": `A, b; c <d> & "e"`} },
		},
		{
			name: "venue, track and organisation as plain strings (the older format)", lang: "zh", session: "lunch", title: "午餐及企业对接交流", room: "Messe Hannover",
			change: func(e *Event) {
				e.Venue = Venue{Name: Text{"": "Messe Hannover"}, Address: Text{"": "30521 Hannover"}}
				e.Session("lunch").Room = ""
				for i := range e.Sessions {
					e.Sessions[i].Track = Text{"": "Plenum"}
				}
				for i := range e.Speakers {
					e.Speakers[i].Organisation, e.Speakers[i].JobTitle = Text{"": "Org"}, Text{"": "Job"}
				}
			},
		},
		{
			name: "one-letter session id and short slug", lang: "en", session: "x", title: "Evening reception", room: "Foyer",
			change: func(e *Event) { e.Slug = "ab"; e.Session("reception").ID = "x" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := scheduleDemo(t)
			if tt.change != nil {
				tt.change(e)
			}
			data, err := ScheduleJSON(e, tt.lang, testBaseURL)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(sch, data); err != nil {
				t.Fatalf("schedule.json does not validate: %v", err)
			}
			s, events := eventsBySession(t, data)
			if len(events) != len(e.Sessions) {
				t.Errorf("%d events, want one per session (%d)", len(events), len(e.Sessions))
			}
			ev, ok := events[tt.session]
			if !ok {
				t.Fatalf("session %q missing", tt.session)
			}
			if ev.Title != tt.title {
				t.Errorf("title %q, want %q", ev.Title, tt.title)
			}
			if ev.Room != tt.room {
				t.Errorf("room %q, want %q", ev.Room, tt.room)
			}
			if !slices.ContainsFunc(s.Schedule.Conference.Rooms, func(r struct {
				Name string `json:"name"`
			}) bool {
				return r.Name == tt.room
			}) {
				t.Errorf("room %q not among the conference rooms", tt.room)
			}
		})
	}
}

func TestScheduleJSONContent(t *testing.T) {
	e := scheduleDemo(t)
	data, err := ScheduleJSON(e, "en", testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	s, events := eventsBySession(t, data)
	c := s.Schedule.Conference
	if c.Acronym != "dcip_forum_2027" || c.TimeZoneName != "Europe/Berlin" || c.DaysCount != 1 {
		t.Errorf("conference acronym %q, zone %q, days %d", c.Acronym, c.TimeZoneName, c.DaysCount)
	}
	panel := events["panel-sme"]
	if panel.Date != "2027-04-13T11:00:00+02:00" || panel.Start != "11:00" || panel.Duration != "01:15" {
		t.Errorf("panel at %s, start %s, duration %s", panel.Date, panel.Start, panel.Duration)
	}
	var people []string
	for _, p := range panel.Persons {
		people = append(people, p.Name+"/"+p.Role)
	}
	want := []string{"Sabine Hoffmann/moderator", "Jürgen Müller/panellist", "Zhang Wei (张伟)/panellist", "Li Ming (李明)/panellist"}
	if !slices.Equal(people, want) {
		t.Errorf("panel persons %v, want %v", people, want)
	}

	// guid and id stay with the session when the programme changes around it.
	e.Sessions = append([]Session{{ID: "early", Kind: "talk", StartsAt: At(e.StartsAt.Add(-time.Hour)), EndsAt: e.StartsAt, Title: Text{"en": "Early"}}}, e.Sessions...)
	data2, err := ScheduleJSON(e, "de", testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	_, events2 := eventsBySession(t, data2)
	ids := map[int]bool{}
	for id, ev := range events {
		ev2 := events2[id]
		if ev.GUID != ev2.GUID || ev.ID != ev2.ID || ev.Slug != ev2.Slug {
			t.Errorf("%s: guid/id/slug %s/%d/%s became %s/%d/%s", id, ev.GUID, ev.ID, ev.Slug, ev2.GUID, ev2.ID, ev2.Slug)
		}
		if ev.GUID[14] != '5' || !strings.ContainsRune("89ab", rune(ev.GUID[19])) {
			t.Errorf("%s: guid %s is not a version 5 UUID", id, ev.GUID)
		}
		if ids[ev.ID] {
			t.Errorf("%s: id %d used twice", id, ev.ID)
		}
		ids[ev.ID] = true
	}
}

// TestScheduleSchemaCatches makes sure the validation above can fail: the
// schema, as loaded, refuses what it should.
func TestScheduleSchemaCatches(t *testing.T) {
	sch := scheduleSchema(t)
	data, err := ScheduleJSON(scheduleDemo(t), "en", testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		old  string
		new  string
	}{
		{"extra field on an event", `"do_not_record": true,`, `"do_not_record": true, "colour": "red",`},
		{"person with name, public_name and id", `"public_name": "Sabine Hoffmann",`, `"public_name": "Sabine Hoffmann", "id": 7,`},
		{"start without leading zero", `"start": "09:45"`, `"start": "9:45"`},
		{"hyphen in the acronym", `"acronym": "dcip_forum_2027"`, `"acronym": "dcip-forum-2027"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(data, []byte(tt.old)) {
				t.Fatalf("schedule.json has no %s", tt.old)
			}
			bad := bytes.Replace(data, []byte(tt.old), []byte(tt.new), 1)
			if err := validateJSON(sch, bad); err == nil {
				t.Errorf("schema accepted %s", tt.new)
			}
		})
	}
}
