package programme

import (
	"slices"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/ical"
)

func joinNonEmpty(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), ", ")
}

// SpeakerLine writes one line of a calendar description about a speaker
// in the reader's language: the role in the agenda's words ("moderator" is
// "Moderation" in German), the name with its native-script form, and the
// organisation, with the language's punctuation ("演讲嘉宾：陈静（Chen
// Jing），四川智能制造研究院"). The caller translates; this package knows no
// catalogue.
type SpeakerLine func(role, name, nativeName, organisation string) string

// sessionEvent describes a session for a calendar: the abstract, then one
// line per speaker with their role, and the room with the venue's address.
func (s *schedule) sessionEvent(it *scheduleItem, line SpeakerLine) ical.Event {
	var people []string
	for _, ss := range it.s.Speakers {
		if sp := s.e.Speaker(ss.Speaker); sp != nil {
			people = append(people, line(ss.Role, sp.Name, sp.NativeName, sp.Organisation.In(s.lang, s.e.DefaultLanguage)))
		}
	}
	description := strings.TrimSpace(it.abstract + "\n\n" + strings.Join(people, "\n"))
	room := it.room.name
	if it.room.venue {
		room = ""
	}
	return ical.Event{
		UID:         it.guid,
		Start:       it.start,
		End:         it.end,
		Summary:     it.title,
		Description: description,
		Location:    joinNonEmpty(room, s.venue),
		URL:         it.url,
	}
}

// ScheduleICS returns the programme as an iCalendar file, one VEVENT per
// session, for subscribing from a calendar app. Times carry the event's TZID
// so that a session at 09:30 in Hannover stays 09:30 Hannover time wherever
// the reader is. The UIDs are the guids of ScheduleJSON.
func ScheduleICS(e *Event, lang, baseURL string, line SpeakerLine) []byte {
	s := buildSchedule(e, lang, baseURL)
	var times []time.Time
	for _, it := range s.items {
		times = append(times, it.start, it.end)
	}
	c := ical.New(s.title, "", s.loc, times)
	for _, it := range s.items {
		c.Add(s.sessionEvent(it, line))
	}
	return c.Bytes()
}

// InviteICS returns the calendar attached to registration emails: one VEVENT
// for the whole event and one for each chosen session (ids that are not on
// the programme are skipped), sharing UIDs with ScheduleICS so that a guest
// who also subscribes sees each session once.
//
// It is sent as METHOD:PUBLISH so that mail clients offer "add to calendar"
// instead of a meeting request with accept/decline buttons (RFC 5546 allows
// no ATTENDEE in PUBLISH, so the guest is not named in it).
func InviteICS(e *Event, lang, baseURL string, sessions []string, line SpeakerLine) []byte {
	s := buildSchedule(e, lang, baseURL)
	var chosen []*scheduleItem
	for _, it := range s.items {
		if slices.Contains(sessions, it.s.ID) {
			chosen = append(chosen, it)
		}
	}
	start, end := e.StartsAt.In(s.loc), e.EndsAt.In(s.loc)
	if end.Before(start) {
		end = start
	}
	times := []time.Time{start, end}
	for _, it := range chosen {
		times = append(times, it.start, it.end)
	}
	c := ical.New(s.title, "PUBLISH", s.loc, times)
	c.Add(ical.Event{
		UID:         uuidString(foyerGUID(e.Slug + "/event")),
		Start:       start,
		End:         end,
		Summary:     s.title,
		Description: strings.TrimSpace(e.Subtitle.In(lang, e.DefaultLanguage) + "\n\n" + e.Description.In(lang, e.DefaultLanguage)),
		Location:    s.venue,
		URL:         s.eventURL,
	})
	for _, it := range chosen {
		c.Add(s.sessionEvent(it, line))
	}
	return c.Bytes()
}
