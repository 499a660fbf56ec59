package web

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// eventView is what the public event pages show about an event.
type eventView struct {
	Page
	Event *programme.Event
	// Fallback is the event's default language, for translated texts.
	Fallback string
	Days     []agendaDay
	Speakers []speakerView
	// RegistrationOpen tells whether the register button is shown.
	RegistrationOpen bool
}

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

// registrationOpen reports whether the event takes registrations at t.
func registrationOpen(e *programme.Event, t time.Time) bool {
	r := e.Registration
	return e.Status == "published" &&
		(r.OpensAt.IsZero() || !t.Before(r.OpensAt.Time)) &&
		(r.ClosesAt.IsZero() || t.Before(r.ClosesAt.Time)) &&
		t.Before(e.EndsAt.Time)
}

func (s *Server) eventView(c echo.Context) (*eventView, *store.Event, error) {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return nil, nil, err
	}
	useEventLanguage(c, ev.Event)
	e := ev.Public()
	v := &eventView{
		Page:             s.page(c, e.Title.In(lang(c), e.DefaultLanguage)),
		Event:            e,
		Fallback:         e.DefaultLanguage,
		RegistrationOpen: registrationOpen(e, time.Now()),
	}
	return v, ev, nil
}

func (s *Server) eventPage(c echo.Context) error {
	return s.programmePage(c, "event", func(v *eventView) { v.Days = buildAgenda(v.Event) })
}

func (s *Server) speakersPage(c echo.Context) error {
	return s.programmePage(c, "speakers", func(v *eventView) { v.Speakers = buildSpeakers(v.Event) })
}

// programmePage renders a public page of the programme. For visitors who are
// not signed in the page depends only on the programme, the language and
// whether registration is open, so it is rendered once per version of the
// programme and then served from memory: a forum's opening morning sends
// thousands of guests to the agenda at once.
func (s *Server) programmePage(c echo.Context, name string, fill func(*eventView)) error {
	v, ev, err := s.eventView(c)
	if err != nil {
		return err
	}
	if v.User != nil {
		fill(v)
		return s.render(c, http.StatusOK, name, v)
	}
	key := fmt.Sprintf("%s|%s|%s|%s|%t", name, ev.Slug, ev.Version, v.Lang, v.RegistrationOpen)
	page, ok := s.pages.get(key)
	if !ok {
		fill(v)
		if page, err = s.renderBytes(name, v); err != nil {
			return err
		}
		s.pages.put(key, page)
	}
	c.Response().Header().Set("Content-Language", v.Lang)
	return c.HTMLBlob(http.StatusOK, page)
}

// pageCache holds rendered pages. It is small (events × pages × languages)
// and simply starts over when full, which also drops old versions.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string][]byte
}

const pageCacheSize = 256

func (pc *pageCache) get(key string) ([]byte, bool) {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	p, ok := pc.pages[key]
	return p, ok
}

func (pc *pageCache) put(key string, page []byte) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.pages == nil || len(pc.pages) >= pageCacheSize {
		pc.pages = map[string][]byte{}
	}
	pc.pages[key] = page
}

type homePage struct {
	Page
	Events []*programme.Event
}

// home lists the published events; with only one, it goes straight there.
func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	slugs, err := s.app.Store.EventSlugs(ctx, true)
	if err != nil {
		return err
	}
	if len(slugs) == 1 {
		return c.Redirect(http.StatusFound, "/events/"+slugs[0])
	}
	p := &homePage{Page: s.page(c, "foyer")}
	for _, slug := range slugs {
		ev, err := s.app.Store.GetEvent(ctx, slug)
		if err != nil {
			return err
		}
		p.Events = append(p.Events, ev.Event)
	}
	return s.render(c, http.StatusOK, "home", p)
}
