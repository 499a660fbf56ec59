package programme

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// formats is the shared folder next to the repository, found from this file
// so that the test runs from any working directory.
func formats(t *testing.T, name string) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "formats", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared formats: %v", err)
	}
	return p
}

func scheduleSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(formats(t, "c3voc-schedule.schema.json"))
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

func xmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("FOYER_E2E") == "required" {
			t.Fatal("xmllint not on PATH and FOYER_E2E=required")
		}
		t.Skip("xmllint not on PATH")
	}
	return p
}

func lint(t *testing.T, xmllint string, data []byte) error {
	t.Helper()
	f := filepath.Join(t.TempDir(), "schedule.xml")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", formats(t, "c3voc-schedule.xml.xsd"), f).CombinedOutput()
	if err != nil {
		t.Logf("xmllint: %s", out)
	}
	return err
}

func TestScheduleXMLValidates(t *testing.T) {
	lintPath := xmllint(t)
	tests := []struct {
		name   string
		lang   string
		change func(e *Event)
		title  string
	}{
		{name: "english", lang: "en", title: "Opening: golden partners in smart manufacturing"},
		{name: "german", lang: "de", title: "Eröffnung: Goldene Partner in der intelligenten Fertigung"},
		{name: "chinese", lang: "zh", title: "开幕致辞：智能制造领域的黄金伙伴"},
		{
			name: "no room, markup in title, Shanghai", lang: "en", title: `<b>Open</b> & "shut"`,
			change: func(e *Event) {
				moveTo(t, e, "Asia/Shanghai")
				e.Session("lunch").Room = ""
				e.Session("opening").Title = Text{"en": `<b>Open</b> & "shut"`}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := scheduleDemo(t)
			if tt.change != nil {
				tt.change(e)
			}
			data, err := ScheduleXML(e, tt.lang, testBaseURL)
			if err != nil {
				t.Fatal(err)
			}
			if err := lint(t, lintPath, data); err != nil {
				t.Fatalf("schedule.xml does not validate: %v", err)
			}
			var doc struct {
				Days []struct {
					Rooms []struct {
						Name   string `xml:"name,attr"`
						Events []struct {
							Room  string `xml:"room"`
							Title string `xml:"title"`
							URL   string `xml:"url"`
						} `xml:"event"`
					} `xml:"room"`
				} `xml:"day"`
			}
			if err := xml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			titles := map[string]string{}
			for _, d := range doc.Days {
				for _, r := range d.Rooms {
					for _, ev := range r.Events {
						if ev.Room != r.Name {
							t.Errorf("event %q names room %q inside room %q", ev.Title, ev.Room, r.Name)
						}
						_, id, _ := strings.Cut(ev.URL, "#session-")
						titles[id] = ev.Title
					}
				}
			}
			if len(titles) != len(e.Sessions) {
				t.Errorf("%d events, want %d", len(titles), len(e.Sessions))
			}
			if titles["opening"] != tt.title {
				t.Errorf("opening titled %q, want %q", titles["opening"], tt.title)
			}
		})
	}
	// And the check can fail: a schedule without its version is refused.
	data, err := ScheduleXML(scheduleDemo(t), "en", testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	start, end := bytes.Index(data, []byte("<version>")), bytes.Index(data, []byte("</version>"))
	if start < 0 || end < 0 {
		t.Fatal("schedule.xml has no version")
	}
	broken := append(slices.Clip(data[:start]), data[end+len("</version>"):]...)
	if err := lint(t, lintPath, broken); err == nil {
		t.Error("xmllint accepted a schedule without version")
	}
}

// icsLines checks the physical form of an iCalendar file (CRLF, at most 75
// octets a line, no split UTF-8 or escape) and returns its unfolded content
// lines.
func icsLines(t *testing.T, ics []byte) []string {
	t.Helper()
	if !bytes.HasSuffix(ics, []byte("\r\n")) {
		t.Error("does not end in CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(string(ics), "\r\n"), "\r\n")
	var lines []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
		if trailing := len(l) - len(strings.TrimRight(l, `\`)); trailing%2 == 1 {
			t.Errorf("line %d splits an escape: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
		} else {
			lines = append(lines, l)
		}
	}
	return lines
}

// vevents returns each VEVENT's properties, keyed by name with parameters.
func vevents(lines []string) []map[string]string {
	var events []map[string]string
	var cur map[string]string
	for _, l := range lines {
		switch l {
		case "BEGIN:VEVENT":
			cur = map[string]string{}
			continue
		case "END:VEVENT":
			events = append(events, cur)
			cur = nil
			continue
		}
		if cur != nil {
			name, value, _ := strings.Cut(l, ":")
			cur[name] = value
		}
	}
	return events
}

func TestScheduleICS(t *testing.T) {
	longZh := strings.Repeat("预测性维护与工业人工智能，", 12)
	tests := []struct {
		name   string
		lang   string
		change func(e *Event)
		uidOf  string            // the session whose VEVENT is checked
		want   map[string]string // property (with parameters) → escaped value
	}{
		{
			name: "english panel", lang: "en", uidOf: "panel-sme",
			want: map[string]string{
				"SUMMARY":                    `Panel: digital transformation of SMEs in both countries`,
				"DTSTART;TZID=Europe/Berlin": "20270413T110000",
				"DTEND;TZID=Europe/Berlin":   "20270413T121500",
				"LOCATION":                   `Hall 1\, Convention Center\, Hannover Exhibition Grounds\, Messegelände\, 30521 Hannover\, Germany`,
				"URL":                        testBaseURL + "/events/dcip-forum-2027#session-panel-sme",
			},
		},
		{
			name: "comma, semicolon, newline and backslash in a title", lang: "de", uidOf: "opening",
			change: func(e *Event) { e.Session("opening").Title["de"] = "Eins, zwei; drei\nvier \\ fünf" },
			want:   map[string]string{"SUMMARY": `Eins\, zwei\; drei\nvier \\ fünf`},
		},
		{
			name: "long Chinese abstract is folded whole", lang: "zh", uidOf: "ws-maintenance",
			change: func(e *Event) { e.Session("ws-maintenance").Abstract["zh"] = longZh },
			want: map[string]string{
				"SUMMARY":     "专题研讨：基于工业人工智能的预测性维护",
				"DESCRIPTION": longZh + `\n\n演讲嘉宾: Chen Jing (陈静)\, Sichuan Intelligent Manufacturing Institute\n召集人: Thomas Weber\, Deutsche Messe Technology Academy`,
			},
		},
		{
			name: "session without a room is at the venue", lang: "en", uidOf: "lunch",
			change: func(e *Event) { e.Session("lunch").Room = "" },
			want:   map[string]string{"LOCATION": `Convention Center\, Hannover Exhibition Grounds\, Messegelände\, 30521 Hannover\, Germany`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := scheduleDemo(t)
			if tt.change != nil {
				tt.change(e)
			}
			ics := ScheduleICS(e, tt.lang, testBaseURL)
			lines := icsLines(t, ics)
			if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
				t.Errorf("calendar runs from %q to %q", lines[0], lines[len(lines)-1])
			}
			data, err := ScheduleJSON(e, tt.lang, testBaseURL)
			if err != nil {
				t.Fatal(err)
			}
			_, events := eventsBySession(t, data)
			byUID := map[string]map[string]string{}
			for _, v := range vevents(lines) {
				if _, dup := byUID[v["UID"]]; dup {
					t.Errorf("UID %s twice", v["UID"])
				}
				if v["DTSTAMP"] == "" {
					t.Errorf("VEVENT %s has no DTSTAMP", v["UID"])
				}
				byUID[v["UID"]] = v
			}
			// One VEVENT per session, under the guid of schedule.json.
			if len(byUID) != len(e.Sessions) {
				t.Errorf("%d VEVENTs, want %d", len(byUID), len(e.Sessions))
			}
			for id, ev := range events {
				if byUID[ev.GUID] == nil {
					t.Errorf("session %s (%s) has no VEVENT", id, ev.GUID)
				}
			}
			v := byUID[events[tt.uidOf].GUID]
			for prop, want := range tt.want {
				if got := v[prop]; got != want {
					t.Errorf("%s:\n got %s\nwant %s", prop, got, want)
				}
			}
		})
	}
}

func TestScheduleTimeZone(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		opening  [2]int // local start hour and minute set on the opening
		date     string
		start    string
		dtstart  string
		offsets  []string // TZOFFSETTO lines in the VTIMEZONE, in order
		daylight bool
	}{
		{
			name: "Hannover", zone: "Europe/Berlin", opening: [2]int{9, 45},
			date: "2027-04-13T09:45:00+02:00", start: "09:45",
			dtstart:  "DTSTART;TZID=Europe/Berlin:20270413T094500",
			offsets:  []string{"TZOFFSETTO:+0100", "TZOFFSETTO:+0200", "TZOFFSETTO:+0100"},
			daylight: true,
		},
		{
			name: "Shanghai", zone: "Asia/Shanghai", opening: [2]int{9, 30},
			date: "2027-04-13T09:30:00+08:00", start: "09:30",
			dtstart: "DTSTART;TZID=Asia/Shanghai:20270413T093000",
			offsets: []string{"TZOFFSETTO:+0800"},
		},
	}
	sch := scheduleSchema(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := scheduleDemo(t)
			moveTo(t, e, tt.zone)
			loc := e.Location()
			o := e.Session("opening")
			o.StartsAt = At(time.Date(2027, 4, 13, tt.opening[0], tt.opening[1], 0, 0, loc))
			o.EndsAt = At(o.StartsAt.Add(30 * time.Minute))

			data, err := ScheduleJSON(e, "en", testBaseURL)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(sch, data); err != nil {
				t.Fatalf("schedule.json does not validate: %v", err)
			}
			s, events := eventsBySession(t, data)
			if got := s.Schedule.Conference.TimeZoneName; got != tt.zone {
				t.Errorf("time_zone_name %q, want %q", got, tt.zone)
			}
			ev := events["opening"]
			if ev.Date != tt.date || ev.Start != tt.start || ev.Duration != "00:30" {
				t.Errorf("opening date %s start %s duration %s, want %s %s 00:30", ev.Date, ev.Start, ev.Duration, tt.date, tt.start)
			}

			lines := icsLines(t, ScheduleICS(e, "en", testBaseURL))
			if !slices.Contains(lines, tt.dtstart) {
				t.Errorf("no %s", tt.dtstart)
			}
			var offsets []string
			var inZone, daylight bool
			for _, l := range lines {
				switch {
				case l == "BEGIN:VTIMEZONE":
					inZone = true
				case l == "END:VTIMEZONE":
					inZone = false
				case inZone && l == "TZID:"+tt.zone:
				case inZone && strings.HasPrefix(l, "TZID:"):
					t.Errorf("VTIMEZONE %s, want %s", l, tt.zone)
				case inZone && l == "BEGIN:DAYLIGHT":
					daylight = true
				case inZone && strings.HasPrefix(l, "TZOFFSETTO:"):
					offsets = append(offsets, l)
				}
			}
			if !slices.Equal(offsets, tt.offsets) {
				t.Errorf("VTIMEZONE offsets %v, want %v", offsets, tt.offsets)
			}
			if daylight != tt.daylight {
				t.Errorf("DAYLIGHT present: %v, want %v", daylight, tt.daylight)
			}
		})
	}
}

func TestInviteICS(t *testing.T) {
	e := scheduleDemo(t)
	schedule := map[string]string{}
	for _, v := range vevents(icsLines(t, ScheduleICS(e, "de", testBaseURL))) {
		schedule[v["SUMMARY"]] = v["UID"]
	}
	tests := []struct {
		name     string
		sessions []string
		summary  []string // of the VEVENTs after the whole event's
	}{
		{name: "event only", sessions: nil},
		{
			name:     "two sessions and an unknown id",
			sessions: []string{"ws-maintenance", "no-such-session", "panel-sme"},
			summary:  []string{"Podium: Digitale Transformation des Mittelstands in beiden Ländern", "Workshop: Vorausschauende Wartung mit industrieller KI"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := icsLines(t, InviteICS(e, "de", testBaseURL, tt.sessions))
			if !slices.Contains(lines, "METHOD:PUBLISH") {
				t.Error("no METHOD:PUBLISH")
			}
			if !slices.Contains(lines, "BEGIN:VTIMEZONE") {
				t.Error("no VTIMEZONE")
			}
			for _, l := range lines {
				// RFC 5546: attendees must not appear in a PUBLISH.
				if strings.HasPrefix(l, "ATTENDEE") {
					t.Errorf("PUBLISH with %s", l)
				}
			}
			vs := vevents(lines)
			if len(vs) != 1+len(tt.summary) {
				t.Fatalf("%d VEVENTs, want %d", len(vs), 1+len(tt.summary))
			}
			whole := vs[0]
			if whole["SUMMARY"] != "Deutsch-Chinesisches Forum Intelligente Produktion 2027" ||
				whole["DTSTART;TZID=Europe/Berlin"] != "20270413T090000" ||
				whole["DTEND;TZID=Europe/Berlin"] != "20270413T183000" {
				t.Errorf("whole event: %v", whole)
			}
			for i, want := range tt.summary {
				v := vs[i+1]
				if v["SUMMARY"] != want {
					t.Errorf("VEVENT %d is %q, want %q", i+2, v["SUMMARY"], want)
				}
				if v["UID"] != schedule[want] {
					t.Errorf("%q has UID %s, schedule.ics %s", want, v["UID"], schedule[want])
				}
			}
		})
	}
}
