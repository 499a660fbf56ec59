package web

import (
	"slices"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

// agendaDay is one day of the agenda as a grid: time runs down in rows of
// five minutes, rooms run across.
type agendaDay struct {
	Date     programme.Time
	Rooms    []agendaRoom
	Sessions []agendaSession
	Marks    []timeMark
	Rows     int
}

type agendaRoom struct {
	Slug string
	Name programme.Text
}

type agendaSession struct {
	*programme.Session
	RoomName programme.Text
	// Grid placement: 1-based rows and columns.
	Row, RowEnd, Col, ColEnd int
	Speakers                 []sessionSpeaker
}

type sessionSpeaker struct {
	*programme.Speaker
	Role string
}

type timeMark struct {
	Row   int
	Label string
}

type speakerView struct {
	*programme.Speaker
	Sessions []*programme.Session
}

// slotMinutes is the height of one grid row.
const slotMinutes = 5

// buildAgenda lays the sessions out day by day. Sessions without a room
// span all rooms of the day, like a break everyone shares.
func buildAgenda(e *programme.Event) []agendaDay {
	byDay := map[string][]*programme.Session{}
	var dayKeys []string
	for i := range e.Sessions {
		s := &e.Sessions[i]
		k := s.StartsAt.Format("2006-01-02")
		if _, ok := byDay[k]; !ok {
			dayKeys = append(dayKeys, k)
		}
		byDay[k] = append(byDay[k], s)
	}
	slices.Sort(dayKeys)
	var days []agendaDay
	for _, k := range dayKeys {
		sessions := byDay[k]
		slices.SortStableFunc(sessions, func(a, b *programme.Session) int { return a.StartsAt.Compare(b.StartsAt.Time) })
		day := agendaDay{Date: sessions[0].StartsAt}
		// Rooms in the order of the programme, only those used this day.
		used := map[string]bool{}
		for _, s := range sessions {
			used[s.Room] = true
		}
		col := map[string]int{}
		for _, r := range e.Rooms {
			if used[r.Slug] {
				col[r.Slug] = len(day.Rooms) + 2 // column 1 holds the times
				day.Rooms = append(day.Rooms, agendaRoom{Slug: r.Slug, Name: r.Name})
			}
		}
		start := sessions[0].StartsAt.Truncate(30 * time.Minute)
		end := start
		for _, s := range sessions {
			if s.EndsAt.After(end) {
				end = s.EndsAt.Time
			}
		}
		row := func(t time.Time) int { return int(t.Sub(start).Minutes())/slotMinutes + 2 } // row 1 holds room names
		day.Rows = row(end)
		for t := start; t.Before(end); t = t.Add(30 * time.Minute) {
			day.Marks = append(day.Marks, timeMark{Row: row(t), Label: t.Format("15:04")})
		}
		for _, s := range sessions {
			as := agendaSession{Session: s, Row: row(s.StartsAt.Time), RowEnd: row(s.EndsAt.Time)}
			if c, ok := col[s.Room]; ok {
				as.Col, as.ColEnd = c, c+1
				as.RoomName = e.Room(s.Room).Name
			} else {
				as.Col, as.ColEnd = 2, len(day.Rooms)+2
			}
			for _, ss := range s.Speakers {
				if sp := e.Speaker(ss.Speaker); sp != nil {
					as.Speakers = append(as.Speakers, sessionSpeaker{Speaker: sp, Role: ss.Role})
				}
			}
			day.Sessions = append(day.Sessions, as)
		}
		days = append(days, day)
	}
	return days
}

func buildSpeakers(e *programme.Event) []speakerView {
	out := make([]speakerView, 0, len(e.Speakers))
	for i := range e.Speakers {
		sv := speakerView{Speaker: &e.Speakers[i]}
		for j := range e.Sessions {
			for _, ss := range e.Sessions[j].Speakers {
				if ss.Speaker == sv.ID {
					sv.Sessions = append(sv.Sessions, &e.Sessions[j])
				}
			}
		}
		out = append(out, sv)
	}
	return out
}
