package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/store"
)

// registrationData is GET /api/v1/registrations/{id}/data: everything foyer
// holds about one attendee, for their request to see it or take it along.
func (s *Server) registrationData(c echo.Context) error {
	reg, _, err := s.organiserRegistration(c)
	if err != nil {
		return err
	}
	d, err := s.app.Store.RegistrationData(c.Request().Context(), reg.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.QueryParam("download") != "" {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="registration-`+strconv.FormatInt(reg.ID, 10)+`.json"`)
	}
	// Indented: the attendee may read it in any text editor.
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, data)
}

// anonymiseRegistration is POST /api/v1/registrations/{id}/anonymise.
func (s *Server) anonymiseRegistration(c echo.Context) error {
	reg, ev, err := s.organiserRegistration(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = s.app.Store.Anonymise(ctx, ev, reg.ID)
	if errors.Is(err, store.ErrAnonymised) {
		return problem(c, http.StatusConflict, "anonymised")
	}
	if err != nil {
		return err
	}
	s.app.Log.Info("registration anonymised", "event", ev.Slug, "registration", reg.ID, "user", currentUser(c).ID)
	if reg, err = s.app.Store.GetRegistration(ctx, reg.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reg)
}

// eventPrivacy is GET /api/v1/events/{slug}/privacy: the retention period
// and whether the guests' personal data is due for removal.
func (s *Server) eventPrivacy(c echo.Context) error {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	p, err := s.app.Store.Privacy(c.Request().Context(), ev, time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// purgeEvent is POST /api/v1/events/{slug}/purge with {"confirm": SLUG}:
// the personal data of every guest of an event that is over is removed.
func (s *Server) purgeEvent(c echo.Context) error {
	ctx := c.Request().Context()
	ev, err := s.app.Store.GetEvent(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	var in struct {
		Confirm string `json:"confirm"`
	}
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Confirm) != ev.Slug {
		p := problem(c, http.StatusUnprocessableEntity, "invalid")
		p.Fields = map[string]string{"confirm": i18n.T(lang(c), "privacy.error.confirm", ev.Slug)}
		return p
	}
	n, err := s.purgeGuests(c, ev)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"anonymised": n})
}

// purgeGuests removes the personal data of every guest of an event that is
// over, for the organiser's form and the API alike, and logs who did it.
func (s *Server) purgeGuests(c echo.Context, ev *store.Event) (int, error) {
	n, err := s.app.Store.PurgeEvent(c.Request().Context(), ev)
	if errors.Is(err, store.ErrNotOver) {
		return 0, problem(c, http.StatusConflict, "event_not_over")
	}
	if err != nil {
		return 0, err
	}
	s.app.Log.Info("event purged", "event", ev.Slug, "anonymised", n, "user", currentUser(c).ID)
	return n, nil
}
