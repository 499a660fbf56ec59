package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/store"
)

// adminPurge is POST /admin/events/{slug}/purge, the form of the reminder
// that an event's personal data is due for removal: with the event's slug
// typed as confirmation, every guest's personal data goes.
func (s *Server) adminPurge(c echo.Context) error {
	ctx := c.Request().Context()
	ev, err := s.app.Store.GetEvent(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if strings.TrimSpace(c.FormValue("confirm")) != ev.Slug {
		return problem(c, http.StatusUnprocessableEntity, "purge_confirm", ev.Slug)
	}
	n, err := s.app.Store.PurgeEvent(ctx, ev)
	if errors.Is(err, store.ErrNotOver) {
		return problem(c, http.StatusConflict, "event_not_over")
	}
	if err != nil {
		return err
	}
	s.app.Log.Info("event purged", "event", ev.Slug, "anonymised", n, "user", currentUser(c).ID)
	return c.Redirect(http.StatusSeeOther, "/admin")
}
