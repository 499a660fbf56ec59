package programme

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const testBaseURL = "https://foyer.example.org"

const berlinVenue = "Convention Center, Hannover Exhibition Grounds"

func scheduleDemo(t *testing.T) *Event {
	t.Helper()
	e := Demo(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	e.InZone()
	return e
}

// moveTo puts the event into another zone at the same wall-clock times, as an
// organiser would who reuses a programme for a forum in China.
func moveTo(t *testing.T, e *Event, tz string) {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	e.Timezone = tz
	wall := func(x *Time) {
		y, m, d := x.Date()
		x.Time = time.Date(y, m, d, x.Hour(), x.Minute(), x.Second(), 0, loc)
	}
	wall(&e.StartsAt)
	wall(&e.EndsAt)
	for i := range e.Sessions {
		wall(&e.Sessions[i].StartsAt)
		wall(&e.Sessions[i].EndsAt)
	}
}

// testdata names a file under the repository's testdata folder, found from
// this file so that the test runs from any working directory.
func testdata(t *testing.T, name string) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test data: %v", err)
	}
	return p
}

func scheduleSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(testdata(t, "c3voc/schedule.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	// Formats (uuid, uri, date-time) are only annotations by default.
	c.AssertFormat()
	if err := c.AddResource(scheduleSchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(scheduleSchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validateJSON(sch *jsonschema.Schema, data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

type testEvent struct {
	GUID     string `json:"guid"`
	ID       int    `json:"id"`
	Date     string `json:"date"`
	Start    string `json:"start"`
	Duration string `json:"duration"`
	Room     string `json:"room"`
	Slug     string `json:"slug"`
	URL      string `json:"url"`
	Title    string `json:"title"`
	Persons  []struct {
		Name string `json:"name"`
		Role string `json:"role"`
	} `json:"persons"`
}

type testSchedule struct {
	Schedule struct {
		Version    string `json:"version"`
		Conference struct {
			Acronym      string `json:"acronym"`
			TimeZoneName string `json:"time_zone_name"`
			DaysCount    int    `json:"daysCount"`
			Rooms        []struct {
				Name string `json:"name"`
			} `json:"rooms"`
			Days []struct {
				Rooms map[string][]testEvent `json:"rooms"`
			} `json:"days"`
		} `json:"conference"`
	} `json:"schedule"`
}

// eventsBySession decodes schedule.json and keys its events by session id
// (the URL fragment), checking on the way that each event sits under the
// room it names.
func eventsBySession(t *testing.T, data []byte) (testSchedule, map[string]testEvent) {
	t.Helper()
	var s testSchedule
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	events := map[string]testEvent{}
	for _, d := range s.Schedule.Conference.Days {
		for room, list := range d.Rooms {
			for _, ev := range list {
				if ev.Room != room {
					t.Errorf("event %q names room %q but is listed under %q", ev.Title, ev.Room, room)
				}
				_, id, _ := strings.Cut(ev.URL, "#session-")
				if _, dup := events[id]; dup {
					t.Errorf("session %q appears twice", id)
				}
				events[id] = ev
			}
		}
	}
	return s, events
}
