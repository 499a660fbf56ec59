package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/store"
)

// adminPage is the organisers' overview of all events and their figures.
type adminPage struct {
	Page
	Events []store.Figures
}

func (s *Server) adminHome(c echo.Context) error {
	figures, err := s.app.Store.EventFigures(c.Request().Context())
	if err != nil {
		return err
	}
	p := &adminPage{Page: s.page(c, ""), Events: figures}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, "admin", p)
}
