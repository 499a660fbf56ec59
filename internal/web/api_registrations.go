package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/metrics"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// apiRegister is POST /api/v1/events/{slug}/registrations.
func (s *Server) apiRegister(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	var raw registration.Input
	if err := decodeStrict(c, &raw); err != nil {
		return err
	}
	l := lang(c)
	if languages.Valid(raw.Language) {
		l = raw.Language
	}
	in, errs := registration.Validate(raw, ev.Event, l)
	if errs != nil {
		s.app.Metrics.Registration(metrics.RegistrationInvalid)
		p := &Problem{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: i18n.T(l, "error.invalid"), Fields: view.Fields(l, errs)}
		return p
	}
	reg, existing, err := s.register(c, ev, in)
	if err != nil {
		return err
	}
	if existing {
		// Whoever posted the address learns nothing about its registration.
		return c.JSON(http.StatusOK, repeatAnswer{Result: "already_registered", Message: i18n.T(l, "reg.done.repeat")})
	}
	return c.JSON(http.StatusCreated, publicRegistration(reg))
}

// repeatAnswer is the answer to a registration with an address that has a
// live registration already: the same words whoever asks.
type repeatAnswer struct {
	Result  string `json:"result"`
	Message string `json:"message"`
}

// publicRegistration strips what travels by email only.
func publicRegistration(r *registration.Registration) *registration.Registration {
	c := *r
	c.TicketCode, c.ManageToken, c.Mail = "", "", nil
	return &c
}

// Organiser API.

func (s *Server) listRegistrations(c echo.Context) error {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	f, err := listFilter(c, ev)
	if err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	regs, total, err := s.app.Store.ListRegistrations(c.Request().Context(), ev, f)
	if err != nil {
		return err
	}
	if regs == nil {
		regs = []*registration.Registration{}
	}
	return c.JSON(http.StatusOK, map[string]any{"registrations": regs, "total": total, "limit": f.Limit, "offset": f.Offset})
}

func (s *Server) organiserRegistration(c echo.Context) (*registration.Registration, *store.Event, error) {
	reg, err := s.registrationParam(c)
	if err != nil {
		return nil, nil, err
	}
	ev, err := s.app.Store.GetEvent(c.Request().Context(), reg.Event)
	return reg, ev, err
}

func (s *Server) getRegistration(c echo.Context) error {
	reg, _, err := s.organiserRegistration(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reg)
}

// registrationAction runs one of cancel, approve, reject, resend.
func (s *Server) registrationAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		reg, ev, err := s.organiserRegistration(c)
		if err != nil {
			return err
		}
		if err := s.actOnRegistration(c, ev, reg, action); err != nil {
			return err
		}
		reg, err = s.app.Store.GetRegistration(c.Request().Context(), reg.ID)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, reg)
	}
}
