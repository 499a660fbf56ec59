package programme

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// icsLines unfolds an iCalendar file into its content lines. How lines
// are folded is internal/ical's to test; here it is the content.
func icsLines(t *testing.T, ics []byte) []string {
	t.Helper()
	unfolded := strings.ReplaceAll(string(ics), "\r\n ", "")
	if !strings.HasSuffix(unfolded, "\r\n") {
		t.Error("does not end in CRLF")
	}
	return strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n")
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
				"DESCRIPTION":                `Hidden champions and Chinese SME parks on what works.\n\nmoderator: Sabine Hoffmann |  | Federal Association for Economic Development and Foreign Trade (BWA)\npanellist: Jürgen Müller |  | Association of German Hidden Champions (VDHC)\npanellist: Zhang Wei | 张伟 | Guangdong Sino-German SME Park\npanellist: Li Ming | 李明 | Suzhou Smart Equipment Co.\, Ltd.`,
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
				"DESCRIPTION": longZh + `\n\nspeaker: Chen Jing | 陈静 | 四川智能制造研究院\nhost: Thomas Weber |  | 德国展览集团技术学院`,
			},
		},
		{
			name: "German: venue and organisations in German", lang: "de", uidOf: "opening",
			want: map[string]string{
				"LOCATION":    `Saal 1\, Convention Center\, Messegelände Hannover\, Messegelände\, 30521 Hannover`,
				"DESCRIPTION": `Warum sich China und Deutschland in der digitalen Transformation der Industrie ergänzen.\n\nspeaker: Wang Fang | 王芳 | CIIPA Deutschland\nhost: Sabine Hoffmann |  | Bundesverband für Wirtschaftsförderung und Außenwirtschaft (BWA)`,
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
			ics := ScheduleICS(e, tt.lang, testBaseURL, speakerLines(tt.lang))
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

			lines := icsLines(t, ScheduleICS(e, "en", testBaseURL, speakerLines("en")))
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
	for _, v := range vevents(icsLines(t, ScheduleICS(e, "de", testBaseURL, speakerLines("de")))) {
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
			lines := icsLines(t, InviteICS(e, "de", testBaseURL, tt.sessions, speakerLines("de")))
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

// speakerLines stands for the caller's words (internal/view writes them in
// the reader's language): it shows which parts of a speaker the calendar
// hands over, the organisation already in the calendar's language.
func speakerLines(string) SpeakerLine {
	return func(role, name, native, org string) string { return role + ": " + name + " | " + native + " | " + org }
}
