package web

import (
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// negotiateLanguage picks the request's language (?lang=, cookie,
// Accept-Language) and remembers an explicit choice in a cookie.
func (s *Server) negotiateLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		l, fromQuery := i18n.Negotiate(c.Request(), "")
		if fromQuery {
			c.SetCookie(&http.Cookie{Name: i18n.CookieName, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: isTLS(c)})
		}
		c.Set(ctxLang, l)
		return next(c)
	}
}

// lang returns the request's language.
func lang(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return "en"
}

// useEventLanguage switches to the event's default language when the visitor
// expressed no preference at all.
func useEventLanguage(c echo.Context, ev *programme.Event) {
	r := c.Request()
	if r.URL.Query().Get("lang") != "" || r.Header.Get("Accept-Language") != "" {
		return
	}
	if _, err := r.Cookie(i18n.CookieName); err == nil {
		return
	}
	c.Set(ctxLang, ev.DefaultLanguage)
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
		p.Fields = pe.Fields()
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
		if conflict, ok := store.IsProgrammeConflict(err); ok {
			p := problem(c, http.StatusConflict, "programme_conflict")
			p.Fields = (&programme.Error{Problems: conflict.Problems}).Fields()
			return p
		}
		return err
	}
	s.app.Mailer.Notify() // for guests promoted by a raised capacity
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

// readBody reads a JSON request body, refusing what is too large (413, via
// the body limit) or not UTF-8 (400): encoding/json would silently replace
// broken bytes with U+FFFD, and we never store what the user did not send.
func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return nil, problem(c, http.StatusBadRequest, "bad_request")
	}
	if !utf8.Valid(body) {
		return nil, problem(c, http.StatusBadRequest, "bad_utf8")
	}
	return body, nil
}
