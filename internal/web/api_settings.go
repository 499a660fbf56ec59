package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/view"
)

// getOrganiserDefaults is GET /api/v1/settings/organiser: the organiser
// block that fills the gaps of every event's.
func (s *Server) getOrganiserDefaults(c echo.Context) error {
	o, _, err := s.app.Store.OrganiserDefaults(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// putOrganiserDefaults is PUT /api/v1/settings/organiser (admins): the
// installation's organiser defaults, the programme's organiser block in
// shape and rules.
func (s *Server) putOrganiserDefaults(c echo.Context) error {
	var o programme.Organiser
	if err := decodeStrict(c, &o); err != nil {
		return err
	}
	err := o.Validate()
	if err == nil {
		err = s.app.Store.SetOrganiserDefaults(c.Request().Context(), &o)
	}
	var pe *programme.Error
	if errors.As(err, &pe) {
		p := problem(c, http.StatusUnprocessableEntity, "invalid_programme")
		p.Message = i18n.T(lang(c), "error.invalid")
		p.Fields = view.ProgrammeFields(lang(c), pe.Problems)
		return p
	}
	if err != nil {
		return err
	}
	return s.getOrganiserDefaults(c)
}
