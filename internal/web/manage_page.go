package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
	"github.com/foyer-events/foyer/internal/view"
)

// managePage is what the attendee sees behind the private link.
type managePage struct {
	eventView
	Reg       *registration.Registration
	Token     string
	Sessions  []sessionChoice
	Countries []registration.Country
	Errors    map[string]string // field -> message, translated
	Message   string
	Confirm   bool // show the cancel confirmation
}

// manageRegistration loads the registration of the token in the URL. The
// page must not leak the token: no referrer, no caching, no indexing.
func (s *Server) manageRegistration(c echo.Context) (*registration.Registration, *store.Event, error) {
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	reg, err := s.app.Store.RegistrationByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return nil, nil, err
	}
	ev, err := s.app.Store.GetEvent(c.Request().Context(), reg.Event)
	if err != nil {
		return nil, nil, err
	}
	// Without an explicit choice the page speaks the attendee's language.
	r := c.Request()
	if r.URL.Query().Get("lang") == "" {
		if _, err := r.Cookie(i18n.CookieName); err != nil {
			c.Set(ctxLang, reg.Language)
		}
	}
	return reg, ev, nil
}

func (s *Server) renderManage(c echo.Context, reg *registration.Registration, ev *store.Event, status int, msg string, errs map[string]string, confirm bool) error {
	choices, _, err := s.sessionChoices(c, ev, nil, reg.Sessions)
	if err != nil {
		return err
	}
	e := ev.Public()
	l := lang(c)
	p := &managePage{
		eventView: eventView{Page: s.page(c, i18n.T(l, "manage.title")+" – "+e.Title.In(l, e.DefaultLanguage)),
			Event: e, Fallback: e.DefaultLanguage},
		Reg: reg, Token: c.Param("token"), Sessions: choices, Message: msg, Errors: errs, Confirm: confirm,
	}
	return s.render(c, status, "manage", p)
}

func (s *Server) showManage(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	msg := ""
	if k := c.QueryParam("done"); k == "sessions" || k == "cancelled" {
		msg = i18n.T(lang(c), "manage.done."+k)
	}
	return s.renderManage(c, reg, ev, http.StatusOK, msg, nil, false)
}

func (s *Server) manageSessions(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	if !registration.Live(reg.Status) {
		return s.renderManage(c, reg, ev, http.StatusConflict, i18n.T(lang(c), "error.not_live"), nil, false)
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	sessions, wrong := registration.ValidateSessions(form["sessions"], ev.Event, lang(c))
	if wrong != nil {
		errs := map[string]string{"sessions": view.Message(lang(c), *wrong)}
		return s.renderManage(c, reg, ev, http.StatusUnprocessableEntity, "", errs, false)
	}
	if err := s.app.Store.ChangeSessions(c.Request().Context(), ev, reg.ID, sessions); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Manage(c.Param("token"))+"?done=sessions")
}

func (s *Server) manageCancel(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return s.renderManage(c, reg, ev, http.StatusOK, "", nil, true)
	}
	err = s.app.Store.Cancel(c.Request().Context(), ev, reg.ID)
	if err != nil && !errors.Is(err, store.ErrNotLive) {
		return err
	}
	s.app.Log.Info("registration cancelled by attendee", "event", ev.Slug, "registration", reg.ID)
	return c.Redirect(http.StatusSeeOther, links.Manage(c.Param("token"))+"?done=cancelled")
}

// manageQR serves the ticket's QR code; only a confirmed registration has a
// working ticket.
func (s *Server) manageQR(c echo.Context) error {
	reg, _, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	if reg.Status != registration.Confirmed {
		return store.ErrNotFound
	}
	png, err := ticket.QRPNG(reg.TicketCode, 512)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", png)
}

func (s *Server) manageICS(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	var sessions []string
	for _, seat := range reg.Sessions {
		if seat.Status == registration.Confirmed {
			sessions = append(sessions, seat.ID)
		}
	}
	data := programme.InviteICS(ev.Public(), reg.Language, s.app.Config.BaseURL, sessions, view.SpeakerLines(reg.Language))
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+`.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", data)
}
