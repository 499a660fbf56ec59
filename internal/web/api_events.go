package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

func (s *Server) listEvents(c echo.Context) error {
	u := currentUser(c)
	all := u != nil && u.Can(store.RoleOrganiser)
	slugs, err := s.app.Store.EventSlugs(c.Request().Context(), !all)
	if err != nil {
		return err
	}
	events := make([]*programme.Event, 0, len(slugs))
	for _, slug := range slugs {
		ev, err := s.app.Store.GetEvent(c.Request().Context(), slug)
		if err != nil {
			return err
		}
		events = append(events, s.programmeFor(c, ev))
	}
	return c.JSON(http.StatusOK, map[string]any{"events": events})
}

// programmeFor returns the programme as the caller may see it: speaker
// emails for organisers only.
func (s *Server) programmeFor(c echo.Context, ev *store.Event) *programme.Event {
	if u := currentUser(c); u != nil && u.Can(store.RoleOrganiser) {
		return ev.Event
	}
	return ev.Public()
}

func (s *Server) getEvent(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.programmeFor(c, ev))
}

func (s *Server) createEvent(c echo.Context) error {
	return s.saveEvent(c, "")
}

func (s *Server) updateEvent(c echo.Context) error {
	return s.saveEvent(c, c.Param("slug"))
}

// saveEvent creates an event (POST: the slug must be new) or replaces one
// (PUT: the URL's slug must exist and match the body).
func (s *Server) saveEvent(c echo.Context, slug string) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	e, err := programme.Decode(body)
	if err == nil {
		err = e.Validate()
	}
	var pe *programme.Error
	if errors.As(err, &pe) {
		p := problem(c, http.StatusUnprocessableEntity, "invalid_programme")
		if pe.Decoding {
			p.Status, p.Code = http.StatusBadRequest, "bad_json"
			p.Message = i18n.T(lang(c), "error.bad_json")
		}
		p.Fields = view.ProgrammeFields(lang(c), pe.Problems)
		return p
	}
	ctx := c.Request().Context()
	_, getErr := s.app.Store.GetEvent(ctx, e.Slug)
	exists := getErr == nil
	switch {
	case getErr != nil && !errors.Is(getErr, store.ErrNotFound):
		return getErr
	case slug == "" && exists:
		return problem(c, http.StatusConflict, "slug_taken", e.Slug)
	case slug != "" && !exists:
		return store.ErrNotFound
	case slug != "" && e.Slug != slug:
		p := problem(c, http.StatusUnprocessableEntity, "invalid_programme")
		p.Fields = map[string]string{"slug": i18n.T(lang(c), "error.slug_mismatch", slug)}
		return p
	}
	if _, err := s.app.Store.SaveEvent(ctx, e); err != nil {
		if errors.As(err, &pe) {
			p := problem(c, http.StatusUnprocessableEntity, "invalid_programme")
			p.Fields = view.ProgrammeFields(lang(c), pe.Problems)
			return p
		}
		if conflict, ok := store.IsProgrammeConflict(err); ok {
			p := problem(c, http.StatusConflict, "programme_conflict")
			p.Fields = view.ProgrammeFields(lang(c), conflict.Problems)
			return p
		}
		return err
	}
	s.app.Log.Info("programme saved", "event", e.Slug, "user", currentUser(c).ID)
	saved, err := s.app.Store.GetEvent(ctx, e.Slug)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if slug == "" {
		status = http.StatusCreated
	}
	return c.JSON(status, saved.Event)
}
