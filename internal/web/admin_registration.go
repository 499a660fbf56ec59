package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
)

// registrationPage is one registration as organisers see it: everything
// the attendee gave, its history, and what can be done with it.
type registrationPage struct {
	adminFrame
	Reg     *registration.Registration
	History []store.TimelineEntry
	Back    string // the list's view this page was opened from
	Confirm string // an action waiting for "yes" (cancel)
	Error   string
}

// adminRegistration loads the registration of :id, which must belong to
// the event of :slug.
func (s *Server) adminRegistration(c echo.Context) (*store.Event, *registration.Registration, error) {
	ev, err := s.adminEvent(c)
	if err != nil {
		return nil, nil, err
	}
	reg, err := s.registrationParam(c)
	if err != nil {
		return nil, nil, err
	}
	if reg.Event != ev.Slug {
		return nil, nil, store.ErrNotFound
	}
	return ev, reg, nil
}

// registrationParam loads the registration that :id names.
func (s *Server) registrationParam(c echo.Context) (*registration.Registration, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	return s.app.Store.GetRegistration(c.Request().Context(), id)
}

// showRegistration is GET /admin/events/{slug}/registrations/{id}.
func (s *Server) showRegistration(c echo.Context) error {
	ev, reg, err := s.adminRegistration(c)
	if err != nil {
		return err
	}
	return s.renderRegistration(c, ev, reg, http.StatusOK, "", "")
}

func (s *Server) renderRegistration(c echo.Context, ev *store.Event, reg *registration.Registration, status int, confirm, msg string) error {
	frame, err := s.adminPageOf(c, ev, "registrations", reg.FullName())
	if err != nil {
		return err
	}
	history, err := s.app.Store.Timeline(c.Request().Context(), ev, reg.ID)
	if err != nil {
		return err
	}
	p := &registrationPage{adminFrame: frame, Reg: reg, History: history, Confirm: confirm, Error: msg,
		Back: back(c, links.Admin(ev.Slug, "registrations"))}
	if b := c.QueryParam("back"); b != "" && safeNext(b) == b {
		p.Back = b
	}
	return s.renderAdmin(c, status, "registration", p)
}

// Actions on one registration, from its page.
var registrationActions = []string{"approve", "reject", "cancel", "resend"}

// registrationActionPage is POST /admin/events/{slug}/registrations/{id}/{action}.
// A cancellation asks first; the others are done at once. Back on the
// registration's page, a notice says what happened.
func (s *Server) registrationActionPage(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, reg, err := s.adminRegistration(c)
		if err != nil {
			return err
		}
		l := lang(c)
		if (action == "cancel" || action == "reject") && c.FormValue("confirm") != "yes" {
			return s.renderRegistration(c, ev, reg, http.StatusOK, action, "")
		}
		if action == "resend" && reg.Email == "" {
			return s.renderRegistration(c, ev, reg, http.StatusConflict, "", i18n.T(l, "admin.reg.no_email"))
		}
		err = s.actOnRegistration(c, ev, reg, action)
		var refused *Problem
		if errors.As(err, &refused) {
			return s.renderRegistration(c, ev, reg, refused.Status, "", refused.Message)
		}
		if err != nil {
			return err
		}
		done := map[string]string{"approve": "approved", "reject": "rejected", "cancel": "cancelled", "resend": "resent"}[action]
		to := links.Admin(ev.Slug, "registrations", strconv.FormatInt(reg.ID, 10))
		if b := c.FormValue("back"); b != "" && safeNext(b) == b {
			to = withQuery(to, map[string][]string{"back": {b}})
		}
		return redirectDone(c, to, done, 1)
	}
}

// actOnRegistration approves, rejects, cancels or resends a registration for
// an organiser, from its page or the API, and logs who did it. A refusal the
// organiser can act on (the event not live or full, the registration no longer
// pending) comes back as a *Problem.
func (s *Server) actOnRegistration(c echo.Context, ev *store.Event, reg *registration.Registration, action string) error {
	ctx := c.Request().Context()
	var err error
	switch action {
	case "approve":
		err = s.app.Store.Approve(ctx, ev, reg.ID)
	case "reject":
		err = s.app.Store.Reject(ctx, ev, reg.ID)
	case "cancel":
		err = s.app.Store.Cancel(ctx, ev, reg.ID)
	case "resend":
		err = s.app.Store.Resend(ctx, reg.ID)
	}
	switch {
	case errors.Is(err, store.ErrNotLive):
		return problem(c, http.StatusConflict, "not_live")
	case errors.Is(err, store.ErrFull):
		return problem(c, http.StatusConflict, "event_full")
	case errors.Is(err, store.ErrConflict):
		return problem(c, http.StatusConflict, "not_pending")
	case err != nil:
		return err
	}
	s.app.Log.Info("registration "+action, "event", ev.Slug, "registration", reg.ID, "user", currentUser(c).ID)
	return nil
}

// registrationQR is GET /admin/events/{slug}/registrations/{id}/qr.png: the
// ticket's QR code, for the badge sheet and the registration's page.
func (s *Server) registrationQR(c echo.Context) error {
	_, reg, err := s.adminRegistration(c)
	if err != nil {
		return err
	}
	png, err := ticket.QRPNG(reg.TicketCode, 256)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, "image/png", png)
}
