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
	"github.com/foyer-events/foyer/internal/view"
)

// registrationFormPage edits a registration, or adds one by hand: the
// registration form's fields and rules, with the address optional for a
// guest who has none, the kind, and every session that takes sign-ups.
type registrationFormPage struct {
	adminFrame
	Form     personForm
	Reg      *registration.Registration // nil when adding
	Kind     string
	Kinds    []string
	Sessions []sessionChoice
	Errors   map[string]string
	Action   string
	Back     string
}

func (s *Server) renderRegistrationForm(c echo.Context, ev *store.Event, reg *registration.Registration, in registration.Input,
	kind string, errs map[string]string, status int) error {
	l := lang(c)
	title := i18n.T(l, "admin.reg.new_title")
	action := links.Admin(ev.Slug, "registrations", "new")
	var seats []registration.Seat
	if reg != nil {
		title = i18n.T(l, "admin.reg.edit_title", reg.FullName())
		action = links.Admin(ev.Slug, "registrations", strconv.FormatInt(reg.ID, 10), "edit")
		if in.Sessions == nil {
			seats = reg.Sessions
		}
	}
	frame, err := s.adminPageOf(c, ev, "registrations", title)
	if err != nil {
		return err
	}
	choices, _, err := s.sessionChoices(c, ev, in.Sessions, seats)
	if err != nil {
		return err
	}
	form := newPersonForm(l, ev.Event, in, errs)
	form.EmailOptional = true
	p := &registrationFormPage{adminFrame: frame, Form: form, Reg: reg, Kind: kind, Kinds: registration.Kinds,
		Sessions: choices, Errors: errs, Action: action, Back: back(c, links.Admin(ev.Slug, "registrations"))}
	return s.renderAdmin(c, status, "registration_form", p)
}

// editRegistrationForm is GET /admin/events/{slug}/registrations/{id}/edit.
func (s *Server) editRegistrationForm(c echo.Context) error {
	ev, reg, err := s.adminRegistration(c)
	if err != nil {
		return err
	}
	if !registration.Live(reg.Status) {
		return problem(c, http.StatusConflict, "not_live")
	}
	return s.renderRegistrationForm(c, ev, reg, detailsOf(reg), reg.Kind, nil, http.StatusOK)
}

// validateAdminInput checks what an organiser typed with the rules of the
// registration form. A guest without an address is checked as a walk-in
// is: no address, and the questions they were not asked may stay open.
func validateAdminInput(raw registration.Input, ev *store.Event, lang string) (registration.Input, registration.FieldErrors) {
	raw.Consent = true // given on the form, or to the organiser; its record stays
	if raw.Email == "" {
		return registration.ValidateWalkIn(raw, ev.Event, lang)
	}
	return registration.Validate(raw, ev.Event, lang)
}

// kindOf reads the kind field of an admin form.
func kindOf(c echo.Context) (string, bool) {
	k := c.FormValue("kind")
	if k == "" {
		return registration.KindAttendee, true
	}
	return k, registration.ValidKind(k)
}

// editRegistration is POST /admin/events/{slug}/registrations/{id}/edit.
func (s *Server) editRegistration(c echo.Context) error {
	ev, reg, err := s.adminRegistration(c)
	if err != nil {
		return err
	}
	in, kind, fields, err := readAdminForm(c, ev, reg)
	if err != nil {
		return err
	}
	if fields != nil {
		return s.renderRegistrationForm(c, ev, reg, in, kind, fields, http.StatusUnprocessableEntity)
	}
	ctx := c.Request().Context()
	err = s.app.Store.EditRegistration(ctx, ev, reg.ID, in, kind)
	switch {
	case errors.Is(err, store.ErrEmailTaken):
		return s.renderRegistrationForm(c, ev, reg, in, kind, map[string]string{"email": i18n.T(lang(c), "admin.reg.email_taken")},
			http.StatusConflict)
	case errors.Is(err, store.ErrNotLive):
		return problem(c, http.StatusConflict, "not_live")
	case err != nil:
		return err
	}
	s.app.Log.Info("registration edited", "event", ev.Slug, "registration", reg.ID, "user", currentUser(c).ID)
	to := links.Admin(ev.Slug, "registrations", strconv.FormatInt(reg.ID, 10))
	return redirectDone(c, withQuery(to, map[string][]string{"back": {back(c, links.Admin(ev.Slug, "registrations"))}}), "edited", 1)
}

// readAdminForm reads and checks an organiser's registration form, for a
// new registration (reg nil) or an edit of reg: the input as the guest's
// form would take it, the kind, and the problems by field (nil when there
// are none).
func readAdminForm(c echo.Context, ev *store.Event, reg *registration.Registration) (registration.Input, string, map[string]string, error) {
	raw, err := inputFromForm(c, ev.Event)
	if err != nil {
		return registration.Input{}, "", nil, err
	}
	if reg != nil && raw.Sessions == nil {
		raw.Sessions = []string{} // none ticked: signed up for none
	}
	l := lang(c)
	kind, kindOK := kindOf(c)
	in, errs := validateAdminInput(raw, ev, l)
	fields := view.Fields(l, errs)
	if !kindOK {
		if fields == nil {
			fields = map[string]string{}
		}
		fields["kind"] = i18n.T(l, "error.filter_kind")
	}
	return in, kind, fields, nil
}

// newRegistrationForm is GET /admin/events/{slug}/registrations/new.
func (s *Server) newRegistrationForm(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	return s.renderRegistrationForm(c, ev, nil, registration.Input{Language: ev.DefaultLanguage}, registration.KindAttendee, nil, http.StatusOK)
}

// addRegistration is POST /admin/events/{slug}/registrations/new: a
// registration made by an organiser, with the capacity rules of the form
// (a full event waitlists it) and, when an address is given, the email
// the guest would have got.
func (s *Server) addRegistration(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	in, kind, fields, err := readAdminForm(c, ev, nil)
	if err != nil {
		return err
	}
	if fields != nil {
		return s.renderRegistrationForm(c, ev, nil, in, kind, fields, http.StatusUnprocessableEntity)
	}
	l := lang(c)
	ctx := c.Request().Context()
	if in.Email != "" {
		// An address already registered is a registration to look at, not a
		// second one (and not another email to the guest).
		id, err := s.app.Store.LiveRegistrationID(ctx, ev, in.Email)
		if err == nil {
			return s.renderRegistrationForm(c, ev, nil, in, kind, map[string]string{
				"email": i18n.T(l, "admin.reg.email_registered", id)},
				http.StatusConflict)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	in.Kind = kind
	reg, _, err := s.app.Store.Register(ctx, ev, in)
	if errors.Is(err, store.ErrFull) {
		return s.renderRegistrationForm(c, ev, nil, in, kind, map[string]string{"form": i18n.T(l, "error.event_full")}, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	s.app.Log.Info("registration added by hand", "event", ev.Slug, "registration", reg.ID, "status", reg.Status, "user", currentUser(c).ID)
	return redirectDone(c, links.Admin(ev.Slug, "registrations", strconv.FormatInt(reg.ID, 10)), "added", 1)
}
