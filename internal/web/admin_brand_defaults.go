package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/view"
)

// The installation's brand, for admins: the organiser block that fills the
// gaps of every event's and brands the pages of no event (the start page,
// sign-in), on the same form as an event's brand. PUT
// /api/v1/settings/organiser sets the same.

// showBrandDefaults is GET /admin/brand.
func (s *Server) showBrandDefaults(c echo.Context) error {
	o, _, err := s.app.Store.OrganiserDefaults(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderBrand(c, nil, *o, nil, http.StatusOK)
}

// saveBrandDefaults is POST /admin/brand, a multipart form like an
// event's brand.
func (s *Server) saveBrandDefaults(c echo.Context) error {
	current, _, err := s.app.Store.OrganiserDefaults(c.Request().Context())
	if err != nil {
		return err
	}
	o := *current
	problems, err := s.formOrganiser(c, &o)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		err := o.Validate()
		if err == nil {
			err = s.app.Store.SetOrganiserDefaults(c.Request().Context(), &o)
		}
		var pe *programme.Error
		if errors.As(err, &pe) {
			problems = view.ProgrammeFields(lang(c), pe.Problems)
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return s.renderBrand(c, nil, o, problems, http.StatusUnprocessableEntity)
	}
	return redirectSaved(c, "/admin/brand")
}
