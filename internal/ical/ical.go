// Package ical writes iCalendar files (RFC 5545): the schedule that calendar
// apps subscribe to and the invite attached to registration emails.
//
// A Calendar holds events of one time zone. Their times carry its TZID, and
// the calendar carries a VTIMEZONE built from Go's zone data, so that a
// session at 09:30 in Hannover stays 09:30 Hannover time in any client,
// Outlook included (which has no IANA database). Lines end in CRLF and are
// folded at 75 octets, never inside a UTF-8 sequence or an escape.
package ical

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is a VCALENDAR being written.
type Calendar struct {
	b     bytes.Buffer
	stamp string
	loc   *time.Location
}

// localFormat is a DATE-TIME in local time, as a TZID parameter qualifies it.
const localFormat = "20060102T150405"

// New starts a VCALENDAR named name (the name Apple and Google give a
// subscribed calendar) whose events happen in loc. method is "" or an
// iTIP method such as PUBLISH. times are the instants of the events to
// come: the VTIMEZONE covers every year in which one of them falls.
func New(name, method string, loc *time.Location, times []time.Time) *Calendar {
	c := &Calendar{stamp: time.Now().UTC().Format("20060102T150405Z"), loc: loc}
	c.prop("BEGIN", "VCALENDAR")
	c.prop("VERSION", "2.0")
	c.prop("PRODID", "-//foyer//foyer schedule//EN")
	c.prop("CALSCALE", "GREGORIAN")
	if method != "" {
		c.prop("METHOD", method)
	}
	c.text("X-WR-CALNAME", name)
	from, to := 0, 0
	for _, t := range times {
		y := t.In(loc).Year()
		if from == 0 || y < from {
			from = y
		}
		if y > to {
			to = y
		}
	}
	if from == 0 {
		from, to = time.Now().In(loc).Year(), time.Now().In(loc).Year()
	}
	c.timezone(from, to)
	return c
}

// Event is what a VEVENT shows, already in the reader's language.
type Event struct {
	UID         string
	Start, End  time.Time
	Summary     string
	Description string // optional
	Location    string // optional
	URL         string // optional, an absolute URL
}

// Add writes one VEVENT.
func (c *Calendar) Add(e Event) {
	tzid := "TZID=" + c.loc.String()
	c.prop("BEGIN", "VEVENT")
	c.prop("UID", e.UID)
	c.prop("DTSTAMP", c.stamp)
	c.prop("DTSTART;"+tzid, e.Start.In(c.loc).Format(localFormat))
	c.prop("DTEND;"+tzid, e.End.In(c.loc).Format(localFormat))
	c.text("SUMMARY", e.Summary)
	if e.Description != "" {
		c.text("DESCRIPTION", e.Description)
	}
	if e.Location != "" {
		c.text("LOCATION", e.Location)
	}
	if e.URL != "" {
		c.prop("URL", e.URL)
	}
	c.prop("END", "VEVENT")
}

// Bytes ends the calendar and returns the file. Nothing may be added after.
func (c *Calendar) Bytes() []byte {
	c.prop("END", "VCALENDAR")
	return c.b.Bytes()
}

// prop writes one content line, value already in iCalendar form.
func (c *Calendar) prop(name, value string) {
	line := name + ":" + value
	n := 0
	for len(line) > 0 {
		r, size := utf8.DecodeRuneInString(line)
		if r == utf8.RuneError && size == 1 {
			// Not UTF-8: dropped rather than passed on to choke a client.
			line = line[1:]
			continue
		}
		// An escape such as \n stays on one line: legal to split, but some
		// clients unescape line by line before they unfold.
		if r == '\\' && len(line) > 1 && line[1] < utf8.RuneSelf {
			size = 2
		}
		// Fold before a character that would pass 75 octets, never inside
		// one: a split UTF-8 sequence garbles Chinese titles in Outlook.
		if n+size > 75 {
			c.b.WriteString("\r\n ")
			n = 1
		}
		c.b.WriteString(line[:size])
		n += size
		line = line[size:]
	}
	c.b.WriteString("\r\n")
}

// text writes a property of type TEXT, escaped.
func (c *Calendar) text(name, value string) { c.prop(name, escapeText(value)) }

var textEscaper = strings.NewReplacer(
	`\`, `\\`, ";", `\;`, ",", `\,`,
	"\r\n", `\n`, "\n", `\n`, "\r", `\n`,
)

// escapeText escapes a TEXT value (RFC 5545 section 3.3.11). Other control
// characters are not allowed in TEXT and are dropped.
func escapeText(s string) string {
	s = textEscaper.Replace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// timezone writes a VTIMEZONE from Go's zone data: the observance in force on
// 1 January of the first year and every transition up to the end of the last,
// so that clients without the IANA database (Outlook) show the right hours.
// A zone without daylight saving time gets a single STANDARD.
func (c *Calendar) timezone(from, to int) {
	loc := c.loc
	c.prop("BEGIN", "VTIMEZONE")
	c.prop("TZID", loc.String())
	t := time.Date(from, 1, 1, 0, 0, 0, 0, loc)
	_, offset := t.Zone()
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		// The zone never changed (UTC): the conventional epoch start.
		c.observance(t, "19700101T000000", offset, offset)
	} else {
		_, before := start.Add(-time.Second).Zone()
		c.observance(start, onset(start, before), before, offset)
	}
	for {
		_, next := t.ZoneBounds()
		if next.IsZero() || next.Year() > to {
			break
		}
		_, after := next.Zone()
		c.observance(next, onset(next, offset), offset, after)
		t, offset = next, after
	}
	c.prop("END", "VTIMEZONE")
}

// onset is a transition's DTSTART: local time as it was just before.
func onset(t time.Time, offsetBefore int) string {
	return t.UTC().Add(time.Duration(offsetBefore) * time.Second).Format(localFormat)
}

func (c *Calendar) observance(at time.Time, dtstart string, from, to int) {
	kind := "STANDARD"
	if at.IsDST() {
		kind = "DAYLIGHT"
	}
	name, _ := at.Zone()
	c.prop("BEGIN", kind)
	c.prop("DTSTART", dtstart)
	c.prop("TZOFFSETFROM", utcOffset(from))
	c.prop("TZOFFSETTO", utcOffset(to))
	c.text("TZNAME", name)
	c.prop("END", kind)
}

func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%02d%02d", sign, h, m)
}
