package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
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
	if _, err := s.purgeGuests(c, ev); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}

// adminAnonymise is POST /admin/events/{slug}/registrations/{id}/anonymise,
// from the registration's page, with its confirmation ticked.
func (s *Server) adminAnonymise(c echo.Context) error {
	ev, reg, err := s.adminRegistration(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") == "" {
		return s.renderRegistration(c, ev, reg, http.StatusUnprocessableEntity, "", i18n.T(lang(c), "privacy.confirm_needed"))
	}
	err = s.app.Store.Anonymise(c.Request().Context(), ev, reg.ID)
	if err != nil && !errors.Is(err, store.ErrAnonymised) {
		return err
	}
	s.app.Log.Info("registration anonymised", "event", ev.Slug, "registration", reg.ID, "user", currentUser(c).ID)
	return redirectDone(c, links.Admin(ev.Slug, "registrations"), "anonymised", 1)
}
