package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/links"
)

// The agenda editor's day grid: the sessions of each day by time and
// room, as the public page lays them out, drafts included, with sessions
// that share a room at the same time marked. Its placement travels as a
// stylesheet, as the public grid's does (public_agenda_style.go).

// editorGridStyle is GET /admin/events/{slug}/agenda-grid.css: the
// placement of the editor's grid for the programme as stored now.
func (s *Server) editorGridStyle(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", agendaStyle(buildAgenda(ev.Event)))
}

// editorGridURL is where the editor's grid finds its stylesheet; the
// programme's version makes each change a new address.
func editorGridURL(slug, version string) string {
	return links.Admin(slug, "agenda-grid.css") + "?v=" + version
}
