package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
)

// registerPage is the registration form, empty or with the input and a
// message per wrong field.
type registerPage struct {
	eventView
	Input     registration.Input
	Errors    registration.FieldErrors
	Sessions  []sessionChoice
	Countries []registration.Country
	Privacy   string
	Closed    bool
	Full      bool // and no waiting list: the form is not shown
	Waitlist  bool // full, so new registrations join the waiting list
}

// sessionChoice is a session that needs sign-up, with its places left.
type sessionChoice struct {
	*programme.Session
	RoomName programme.Text
	Left     int
	Chosen   bool
	Seat     string // on the manage page: confirmed or waitlisted
}

func (s *Server) sessionChoices(c echo.Context, ev *store.Event, chosen []string, seats []registration.Seat) ([]sessionChoice, int, error) {
	taken, bySession, err := s.app.Store.SeatCounts(c.Request().Context(), ev)
	if err != nil {
		return nil, 0, err
	}
	var out []sessionChoice
	for i := range ev.Sessions {
		se := &ev.Sessions[i]
		if se.Capacity == nil {
			continue
		}
		sc := sessionChoice{Session: se, Left: max(0, *se.Capacity-bySession[se.ID])}
		if r := ev.Room(se.Room); r != nil {
			sc.RoomName = r.Name
		}
		for _, id := range chosen {
			sc.Chosen = sc.Chosen || id == se.ID
		}
		for _, seat := range seats {
			if seat.ID == se.ID {
				sc.Chosen, sc.Seat = true, seat.Status
			}
		}
		out = append(out, sc)
	}
	return out, taken, nil
}

func (s *Server) registerForm(c echo.Context, ev *store.Event, in registration.Input, errs registration.FieldErrors, status int) error {
	useEventLanguage(c, ev.Event)
	l := lang(c)
	if in.Language == "" {
		in.Language = l
	}
	choices, taken, err := s.sessionChoices(c, ev, in.Sessions, nil)
	if err != nil {
		return err
	}
	e := ev.Public()
	p := &registerPage{
		eventView: eventView{Page: s.page(c, i18n.T(l, "reg.title")+" – "+e.Title.In(l, e.DefaultLanguage)),
			Event: e, Fallback: e.DefaultLanguage, RegistrationOpen: registrationOpen(e, time.Now())},
		Input: in, Errors: errs, Sessions: choices, Countries: registration.Countries(l),
		Privacy: e.Registration.PrivacyText.In(l, e.DefaultLanguage),
		Closed:  !registrationOpen(e, time.Now()),
	}
	if e.Capacity != nil && taken >= *e.Capacity {
		p.Full, p.Waitlist = !e.Registration.Waitlist, e.Registration.Waitlist
	}
	if p.Privacy == "" {
		p.Privacy = i18n.T(l, "reg.privacy_default")
	}
	return s.render(c, status, "register", p)
}

func (s *Server) showRegister(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	return s.registerForm(c, ev, registration.Input{}, nil, http.StatusOK)
}

// inputFromForm reads the registration form. Answers come as q.<id>.
func inputFromForm(c echo.Context, e *programme.Event) (registration.Input, error) {
	form, err := c.FormParams()
	if err != nil {
		return registration.Input{}, err
	}
	in := registration.Input{
		FirstName: form.Get("first_name"), LastName: form.Get("last_name"), Email: form.Get("email"),
		Organisation: form.Get("organisation"), JobTitle: form.Get("job_title"), Country: form.Get("country"),
		Language: form.Get("language"), Sessions: form["sessions"], Consent: form.Get("consent") != "",
		Answers: map[string]any{},
	}
	for _, q := range e.Questions {
		values := form["q."+q.ID]
		switch {
		case q.Type == "multichoice":
			in.Answers[q.ID] = values
		case len(values) > 0:
			in.Answers[q.ID] = values[0]
		}
	}
	return in, nil
}

func (s *Server) submitRegister(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	useEventLanguage(c, ev.Event)
	raw, err := inputFromForm(c, ev.Event)
	if err != nil {
		return err
	}
	in, errs := registration.Validate(raw, ev.Event, lang(c))
	if errs != nil {
		return s.registerForm(c, ev, in, errs, http.StatusUnprocessableEntity)
	}
	if _, _, err := s.register(c, ev, in); err != nil {
		var p *Problem
		if errors.As(err, &p) && p.Status != http.StatusInternalServerError {
			return s.registerForm(c, ev, in, registration.FieldErrors{"form": p.Message}, p.Status)
		}
		return err
	}
	// Post/redirect/get: a reload does not submit twice.
	return c.Redirect(http.StatusSeeOther, "/events/"+ev.Slug+"/registered")
}

func (s *Server) showRegistered(c echo.Context) error {
	v, _, err := s.eventView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "registered", v)
}

// register applies the window and capacity rules and creates the
// registration (or finds the existing one), waking the mail worker.
func (s *Server) register(c echo.Context, ev *store.Event, in registration.Input) (*registration.Registration, bool, error) {
	if !registrationOpen(ev.Event, time.Now()) {
		return nil, false, problem(c, http.StatusConflict, "registration_closed")
	}
	reg, existing, err := s.app.Store.Register(c.Request().Context(), ev, in)
	switch {
	case errors.Is(err, store.ErrFull):
		return nil, false, problem(c, http.StatusConflict, "event_full")
	case err != nil:
		return nil, false, err
	}
	s.app.Mailer.Notify()
	if existing {
		s.app.Log.Info("registration repeated", "event", ev.Slug, "registration", reg.ID)
	} else {
		s.app.Log.Info("registered", "event", ev.Slug, "registration", reg.ID, "status", reg.Status)
	}
	return reg, existing, nil
}

// apiRegister is POST /api/v1/events/{slug}/registrations.
func (s *Server) apiRegister(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var raw registration.Input
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		p := problem(c, http.StatusBadRequest, "bad_json")
		p.Fields = map[string]string{"body": jsonErrorText(err)}
		return p
	}
	l := lang(c)
	if registration.ValidLanguage(raw.Language) {
		l = raw.Language
	}
	in, errs := registration.Validate(raw, ev.Event, l)
	if errs != nil {
		p := &Problem{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: i18n.T(l, "error.invalid"), Fields: errs}
		return p
	}
	reg, existing, err := s.register(c, ev, in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
		reg.Answers = map[string]any{}
	}
	return c.JSON(status, publicRegistration(reg))
}

// publicRegistration strips what travels by email only.
func publicRegistration(r *registration.Registration) *registration.Registration {
	c := *r
	c.TicketCode, c.ManageToken, c.Mail = "", "", nil
	return &c
}

func jsonErrorText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "empty or cut short"
	}
	return msg
}

// managePage is what the attendee sees behind the private link.
type managePage struct {
	eventView
	Reg       *registration.Registration
	Token     string
	Sessions  []sessionChoice
	Countries []registration.Country
	Errors    registration.FieldErrors
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

func (s *Server) renderManage(c echo.Context, reg *registration.Registration, ev *store.Event, status int, msg string, errs registration.FieldErrors, confirm bool) error {
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
	sessions, msg := registration.ValidateSessions(form["sessions"], ev.Event, lang(c))
	if msg != "" {
		return s.renderManage(c, reg, ev, http.StatusUnprocessableEntity, "", registration.FieldErrors{"sessions": msg}, false)
	}
	if err := s.app.Store.ChangeSessions(c.Request().Context(), ev, reg.ID, sessions); err != nil {
		return err
	}
	s.app.Mailer.Notify()
	return c.Redirect(http.StatusSeeOther, "/m/"+c.Param("token")+"?done=sessions")
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
	s.app.Mailer.Notify()
	s.app.Log.Info("registration cancelled by attendee", "event", ev.Slug, "registration", reg.ID)
	return c.Redirect(http.StatusSeeOther, "/m/"+c.Param("token")+"?done=cancelled")
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
	data := programme.InviteICS(ev.Public(), reg.Language, s.app.Config.BaseURL, sessions)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+`.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", data)
}

// Organiser API.

func (s *Server) listRegistrations(c echo.Context) error {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	f, err := s.registrationFilter(c, ev)
	if err != nil {
		return err
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

// registrationFilter reads status, session, checked_in, q, limit and offset.
func (s *Server) registrationFilter(c echo.Context, ev *store.Event) (store.Filter, error) {
	f := store.Filter{Status: c.QueryParam("status"), Session: c.QueryParam("session"), Query: c.QueryParam("q"), Limit: 100}
	fields := map[string]string{}
	l := lang(c)
	if f.Status != "" && !registration.ValidStatus(f.Status) {
		fields["status"] = i18n.T(l, "error.filter_status")
	}
	if f.Session != "" && ev.Session(f.Session) == nil {
		fields["session"] = i18n.T(l, "reg.error.unknown_session", f.Session)
	}
	if v := c.QueryParam("checked_in"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fields["checked_in"] = i18n.T(l, "error.filter_bool")
		}
		f.CheckedIn = &b
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := c.QueryParam(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > 1000)) {
				fields[name] = i18n.T(l, "error.filter_"+name)
			}
			*dst = n
		}
	}
	if len(fields) > 0 {
		p := problem(c, http.StatusBadRequest, "bad_filter")
		p.Fields = fields
		return f, p
	}
	return f, nil
}

func (s *Server) organiserRegistration(c echo.Context) (*registration.Registration, *store.Event, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, nil, store.ErrNotFound
	}
	reg, err := s.app.Store.GetRegistration(c.Request().Context(), id)
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
		ctx := c.Request().Context()
		switch action {
		case "cancel":
			err = s.app.Store.Cancel(ctx, ev, reg.ID)
		case "approve":
			err = s.app.Store.Approve(ctx, ev, reg.ID)
		case "reject":
			err = s.app.Store.Reject(ctx, ev, reg.ID)
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
		s.app.Mailer.Notify()
		s.app.Log.Info("registration "+action, "event", ev.Slug, "registration", reg.ID, "user", currentUser(c).ID)
		reg, err = s.app.Store.GetRegistration(ctx, reg.ID)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, reg)
	}
}
