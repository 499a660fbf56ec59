package web

import (
	"errors"
	"net/http"
	"slices"

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
	Reg      *registration.Registration
	Token    string
	Sessions []sessionChoice
	manageState
}

// manageState is what one answer of the manage page adds to the
// registration as it is stored: a message, and after a change that failed
// the guest's own input with the reason.
type manageState struct {
	Message string
	// SessionError is why a session change failed; Chosen the boxes the
	// guest ticked, shown ticked again.
	SessionError string
	Chosen       []string
	// Form holds the details, as stored or as the guest typed them; Edit
	// opens its form (after an error, or when asked for).
	Form personForm
	Edit bool
	// Confirm opens the cancel confirmation.
	Confirm bool
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

func (s *Server) renderManage(c echo.Context, reg *registration.Registration, ev *store.Event, status int, st manageState) error {
	choices, _, err := s.sessionChoices(c, ev, nil, reg.Sessions)
	if err != nil {
		return err
	}
	if st.Chosen != nil || st.SessionError != "" {
		for i := range choices {
			choices[i].Chosen = slices.Contains(st.Chosen, choices[i].ID)
		}
	}
	e := ev.Public()
	page, err := s.pageFor(c, i18n.T(lang(c), "manage.title")+" – "+e.Title.In(lang(c), e.DefaultLanguage), ev)
	if err != nil {
		return err
	}
	l := lang(c)
	if st.Form.Lang == "" {
		st.Form = newPersonForm(l, e, detailsOf(reg), nil)
	}
	st.Form.EmailFixed = true
	p := &managePage{
		eventView: eventView{Page: page,
			Event: e, Fallback: e.DefaultLanguage},
		Reg: reg, Token: c.Param("token"), Sessions: choices, manageState: st,
	}
	return s.render(c, status, "manage", p)
}

// detailsOf is a registration's details as the form shows them.
func detailsOf(r *registration.Registration) registration.Input {
	return registration.Input{FirstName: r.FirstName, LastName: r.LastName, Salutation: r.Salutation, Title: r.Title,
		Email: r.Email, Organisation: r.Organisation, JobTitle: r.JobTitle, Country: r.Country, Language: r.Language,
		Answers: r.Answers, Consent: true}
}

// manageDone are the messages after a change that worked (?done=…).
var manageDone = []string{"sessions", "cancelled", "details"}

func (s *Server) showManage(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	var st manageState
	if k := c.QueryParam("done"); slices.Contains(manageDone, k) {
		st.Message = i18n.T(lang(c), "manage.done."+k)
	}
	return s.renderManage(c, reg, ev, http.StatusOK, st)
}

// renderNotLive shows the manage page again, saying that a registration no
// longer live (cancelled, rejected) can no longer be changed.
func (s *Server) renderNotLive(c echo.Context, reg *registration.Registration, ev *store.Event) error {
	return s.renderManage(c, reg, ev, http.StatusConflict, manageState{Message: i18n.T(lang(c), "error.not_live")})
}

func (s *Server) manageSessions(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	if !registration.Live(reg.Status) {
		return s.renderNotLive(c, reg, ev)
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	sessions, wrong := registration.ValidateSessions(form["sessions"], ev.Event, lang(c))
	if wrong != nil {
		// The boxes stay as the guest ticked them, with the reason above.
		st := manageState{SessionError: view.Message(lang(c), *wrong), Chosen: form["sessions"]}
		return s.renderManage(c, reg, ev, http.StatusUnprocessableEntity, st)
	}
	if err := s.app.Store.ChangeSessions(c.Request().Context(), ev, reg.ID, sessions); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Manage(c.Param("token"))+"?done=sessions#sessions")
}

// manageDetails corrects the guest's details and answers, with the checks
// of the registration form. The email address stays: it is the
// registration's identity, and a typo in it would have kept this link from
// arriving at all.
func (s *Server) manageDetails(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	if !registration.Live(reg.Status) {
		return s.renderNotLive(c, reg, ev)
	}
	raw, err := inputFromForm(c, ev.Event)
	if err != nil {
		return err
	}
	raw.Email, raw.Consent, raw.Sessions = reg.Email, true, nil
	l := lang(c)
	in, errs := registration.Validate(raw, ev.Event, l)
	if errs != nil {
		st := manageState{Form: newPersonForm(l, ev.Public(), in, view.Fields(l, errs)), Edit: true}
		return s.renderManage(c, reg, ev, http.StatusUnprocessableEntity, st)
	}
	err = s.app.Store.UpdateDetails(c.Request().Context(), ev, reg.ID, in)
	if errors.Is(err, store.ErrNotLive) {
		return s.renderNotLive(c, reg, ev)
	}
	if err != nil {
		return err
	}
	s.app.Log.Info("details corrected by attendee", "event", ev.Slug, "registration", reg.ID)
	return c.Redirect(http.StatusSeeOther, links.Manage(c.Param("token"))+"?done=details#details")
}

func (s *Server) manageCancel(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return s.renderManage(c, reg, ev, http.StatusOK, manageState{Confirm: true})
	}
	err = s.app.Store.Cancel(c.Request().Context(), ev, reg.ID)
	if err != nil && !errors.Is(err, store.ErrNotLive) {
		return err
	}
	s.app.Log.Info("registration cancelled by attendee", "event", ev.Slug, "registration", reg.ID)
	return c.Redirect(http.StatusSeeOther, links.Manage(c.Param("token"))+"?done=cancelled")
}

// ticketPage is the printable ticket: QR, name, event, date and place,
// and the session seats, on an A4 sheet or an A6 card.
type ticketPage struct {
	eventView
	Reg      *registration.Registration
	Token    string
	Sessions []sessionChoice
	Size     string // a4 or a6
}

func (s *Server) manageTicket(c echo.Context) error {
	reg, ev, err := s.manageRegistration(c)
	if err != nil {
		return err
	}
	choices, _, err := s.sessionChoices(c, ev, nil, reg.Sessions)
	if err != nil {
		return err
	}
	e := ev.Public()
	page, err := s.pageFor(c, i18n.T(lang(c), "ticket.kind")+" – "+e.Title.In(lang(c), e.DefaultLanguage), ev)
	if err != nil {
		return err
	}
	p := &ticketPage{
		eventView: eventView{Page: page,
			Event: e, Fallback: e.DefaultLanguage},
		Reg: reg, Token: c.Param("token"), Sessions: chosenOnly(choices), Size: "a4",
	}
	if c.QueryParam("size") == "a6" {
		p.Size = "a6"
	}
	return s.render(c, http.StatusOK, "ticket", p)
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
