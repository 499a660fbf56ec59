package view

import (
	"fmt"
	"time"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
)

// When writes an event's day and hours for people who may read them in
// another time zone: "Tuesday, 13 April 2027, 09:00–18:30 (local time,
// UTC+2)", "Dienstag, 13. April 2027, 09:00–18:30 Uhr (Ortszeit, UTC+2)",
// "2027年4月13日 星期二 09:00–18:30（当地时间，UTC+2）". A span of several
// days names both.
func When(lang string, start, end programme.Time) string {
	if start.Format("2006-01-02") != end.Format("2006-01-02") {
		return i18n.T(lang, "time.days", i18n.Date(lang, start.Time), clock(start.Time),
			i18n.Date(lang, end.Time), clock(end.Time), offset(start.Time))
	}
	return i18n.T(lang, "time.day", i18n.Date(lang, start.Time), clock(start.Time), clock(end.Time), offset(start.Time))
}

func clock(t time.Time) string { return t.Format("15:04") }

// offset is a time's distance from UTC: "UTC+2", "UTC+5:30", "UTC".
func offset(t time.Time) string {
	_, secs := t.Zone()
	if secs == 0 {
		return "UTC"
	}
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	h, m := secs/3600, secs%3600/60
	if m == 0 {
		return fmt.Sprintf("UTC%s%d", sign, h)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
}

// SessionLine is one session of an email's list: its hours, title and
// room, and the guest's seat ("confirmed", "waitlisted"), with the
// language's punctuation.
func SessionLine(lang string, s *programme.Session, room programme.Text, fallback, seat string) string {
	what := s.Title.In(lang, fallback)
	if r := room.In(lang, fallback); r != "" {
		what = i18n.T(lang, "mail.session_room", what, r)
	}
	return i18n.T(lang, "mail.session", clock(s.StartsAt.Time)+"–"+clock(s.EndsAt.Time), what, i18n.T(lang, "seat."+seat))
}
