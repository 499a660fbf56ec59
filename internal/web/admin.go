package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// adminPage is the organisers' overview of all events and their figures.
type adminPage struct {
	Page
	Events []adminEvent
}

type adminEvent struct {
	store.Figures
	Title programme.Text
}

func (s *Server) adminHome(c echo.Context) error {
	figures, err := s.app.Store.EventFigures(c.Request().Context())
	if err != nil {
		return err
	}
	p := &adminPage{Page: s.page(c, "")}
	for _, f := range figures {
		var title programme.Text
		if ev, err := s.app.Store.GetEvent(c.Request().Context(), f.Slug); err == nil {
			title = ev.Title
		}
		p.Events = append(p.Events, adminEvent{Figures: f, Title: title})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, "admin", p)
}
