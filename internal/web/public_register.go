package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/metrics"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// registerPage is the registration form, empty or with the input and a
// message per wrong field.
type registerPage struct {
	eventView
	Form     personForm
	Sessions []sessionChoice
	Privacy  string
	Closed   bool
	Full     bool // and no waiting list: the form is not shown
	Waitlist bool // full, so new registrations join the waiting list
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

func (s *Server) registerForm(c echo.Context, ev *store.Event, in registration.Input, errs map[string]string, status int) error {
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
	page, err := s.pageFor(c, i18n.T(l, "reg.title")+" – "+e.Title.In(l, e.DefaultLanguage), ev)
	if err != nil {
		return err
	}
	p := &registerPage{
		eventView: eventView{Page: page,
			Event: e, Fallback: e.DefaultLanguage, RegistrationOpen: registration.Open(e, time.Now())},
		Form: newPersonForm(l, e, in, errs), Sessions: choices,
		Privacy: e.Registration.PrivacyText.In(l, e.DefaultLanguage),
		Closed:  !registration.Open(e, time.Now()),
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
		Salutation: form.Get("salutation"), Title: form.Get("title"),
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
		s.app.Metrics.Registration(metrics.RegistrationInvalid)
		return s.registerForm(c, ev, in, view.Fields(lang(c), errs), http.StatusUnprocessableEntity)
	}
	reg, existing, err := s.register(c, ev, in)
	if err != nil {
		var p *Problem
		if errors.As(err, &p) && p.Status != http.StatusInternalServerError {
			return s.registerForm(c, ev, in, map[string]string{"form": p.Message}, p.Status)
		}
		return err
	}
	setDone(c, ev.Slug, reg.ID, existing)
	// Post/redirect/get: a reload does not submit twice.
	return c.Redirect(http.StatusSeeOther, links.Event(ev.Slug, "registered"))
}

// register applies the window and capacity rules and creates the
// registration (or finds the existing one).
func (s *Server) register(c echo.Context, ev *store.Event, in registration.Input) (*registration.Registration, bool, error) {
	if !registration.Open(ev.Event, time.Now()) {
		s.app.Metrics.Registration(metrics.RegistrationClosed)
		return nil, false, problem(c, http.StatusConflict, "registration_closed")
	}
	reg, existing, err := s.app.Store.Register(c.Request().Context(), ev, in)
	switch {
	case errors.Is(err, store.ErrFull):
		s.app.Metrics.Registration(metrics.RegistrationFull)
		return nil, false, problem(c, http.StatusConflict, "event_full")
	case err != nil:
		return nil, false, err
	case existing:
		s.app.Metrics.Registration(metrics.RegistrationRepeated)
	default:
		// confirmed, waitlisted or pending
		s.app.Metrics.Registration(reg.Status)
	}
	// At debug, like the request's own line: foyer_registrations_total
	// counts them, and the database keeps each.
	if existing {
		s.app.Log.Debug("registration repeated", "event", ev.Slug, "registration", reg.ID)
	} else {
		s.app.Log.Debug("registered", "event", ev.Slug, "registration", reg.ID, "status", reg.Status)
	}
	return reg, existing, nil
}
