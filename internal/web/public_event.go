package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
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
	// AgendaStyle is the URL of the agenda grid's stylesheet.
	AgendaStyle string
	// Places says which sessions are full or nearly so (event page only).
	Places placesView
}

func (s *Server) eventView(c echo.Context) (*eventView, *store.Event, error) {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return nil, nil, err
	}
	useEventLanguage(c, ev.Event)
	e := ev.Public()
	page, err := s.pageFor(c, e.Title.In(lang(c), e.DefaultLanguage), ev)
	if err != nil {
		return nil, nil, err
	}
	v := &eventView{
		Page:             page,
		Event:            e,
		Fallback:         e.DefaultLanguage,
		RegistrationOpen: registration.Open(e, time.Now()),
	}
	return v, ev, nil
}

func (s *Server) eventPage(c echo.Context) error {
	return s.programmePage(c, "event", func(v *eventView, ev *store.Event) {
		v.Days = buildAgenda(v.Event)
		v.AgendaStyle = agendaStyleURL(ev)
	})
}

func (s *Server) speakersPage(c echo.Context) error {
	return s.programmePage(c, "speakers", func(v *eventView, _ *store.Event) { v.Speakers = buildSpeakers(v.Event) })
}

// programmePage renders a public page of the programme. For visitors who are
// not signed in the page depends only on the programme, the language and
// whether registration is open, so it is rendered once per version of the
// programme and then served from memory: a forum's opening morning sends
// thousands of guests to the agenda at once.
func (s *Server) programmePage(c echo.Context, name string, fill func(*eventView, *store.Event)) error {
	v, ev, err := s.eventView(c)
	if err != nil {
		return err
	}
	if name == "event" {
		// The agenda shows how full each session is: one more version of
		// the cached page for each change of that.
		if v.Places, err = s.places(c.Request().Context(), ev); err != nil {
			return err
		}
	}
	if v.User != nil {
		fill(v, ev)
		return s.render(c, http.StatusOK, name, v)
	}
	key := fmt.Sprintf("%s|%s|%s|%s|%t|%s", name, ev.Slug, v.Brand.Version, v.Lang, v.RegistrationOpen, v.Places.key())
	page, ok := s.pages.get(key)
	if !ok {
		fill(v, ev)
		if page, err = s.renderBytes(name, v); err != nil {
			return err
		}
		s.pages.put(key, page)
	}
	c.Response().Header().Set("Content-Language", v.Lang)
	return htmlPage(c, http.StatusOK, page)
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
		return c.Redirect(http.StatusFound, links.Event(slugs[0]))
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

// publishedEvent loads an event that the public may see: published or
// archived, or any status for organisers.
func (s *Server) publishedEvent(c echo.Context) (*store.Event, error) {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return nil, err
	}
	if ev.Status == "draft" {
		if u := currentUser(c); u == nil || !u.Can(store.RoleOrganiser) {
			return nil, store.ErrNotFound
		}
	}
	return ev, nil
}
