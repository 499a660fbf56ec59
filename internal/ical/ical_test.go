package ical

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// unfold checks the physical lines of a calendar (CRLF, at most 75 octets,
// no split UTF-8 sequence or escape) and returns its content lines.
func unfold(t *testing.T, data []byte) []string {
	t.Helper()
	s := string(data)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("does not end in CRLF")
	}
	var lines []string
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) || strings.ContainsAny(l, "\r\n") {
			t.Errorf("physical line %d is not well-formed: %q", i+1, l)
		}
		if trailing := len(l) - len(strings.TrimRight(l, `\`)); trailing%2 == 1 {
			t.Errorf("physical line %d splits an escape: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
		} else {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestCalendar(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 4, 13, 9, 30, 0, 0, berlin)
	long := strings.Repeat("预测性维护，", 30) + `a\b;c` + "\n" + "x\x01y"
	c := New("Forum; 2027", "PUBLISH", berlin, []time.Time{start})
	c.Add(Event{UID: "u1", Start: start.UTC(), End: start.Add(time.Hour), Summary: "Keynote, opening", Description: long,
		Location: "Hall 1", URL: "https://forum.example.org/events/x#session-a"})
	lines := unfold(t, c.Bytes())
	want := []string{
		"BEGIN:VCALENDAR", "METHOD:PUBLISH", `X-WR-CALNAME:Forum\; 2027`, "TZID:Europe/Berlin",
		"DTSTART;TZID=Europe/Berlin:20270413T093000", "DTEND;TZID=Europe/Berlin:20270413T103000",
		`SUMMARY:Keynote\, opening`, // The full-width comma is text; the ASCII backslash, semicolon and line
		// break are escaped, the control character dropped.
		"DESCRIPTION:" + strings.Repeat("预测性维护，", 30) + `a\\b\;c\nxy`,
		"URL:https://forum.example.org/events/x#session-a", "END:VCALENDAR",
	}
	for _, w := range want {
		found := false
		for _, l := range lines {
			found = found || l == w
		}
		if !found {
			t.Errorf("no line %q in\n%s", w, strings.Join(lines, "\n"))
		}
	}
	// Berlin changes to summer and back in 2027: a STANDARD and a DAYLIGHT.
	var standard, daylight int
	for _, l := range lines {
		standard += strings.Count(l, "BEGIN:STANDARD")
		daylight += strings.Count(l, "BEGIN:DAYLIGHT")
	}
	if standard < 1 || daylight < 1 {
		t.Errorf("VTIMEZONE with %d STANDARD and %d DAYLIGHT", standard, daylight)
	}
}

func TestCalendarWithoutDaylightSaving(t *testing.T) {
	lines := unfold(t, New("x", "", time.UTC, nil).Bytes())
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000") || strings.Contains(joined, "DAYLIGHT") {
		t.Errorf("UTC zone:\n%s", joined)
	}
	if strings.Contains(joined, "METHOD") {
		t.Error("METHOD without a method")
	}
}
