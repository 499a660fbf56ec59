package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/links"
)

// showDashboard is GET /admin/events/{slug}.
func (s *Server) showDashboard(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Admin(ev.Slug, "registrations"))
}
