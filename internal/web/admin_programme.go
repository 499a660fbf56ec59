package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// settingsPage is the event's settings in the editor: its texts, dates,
// places, registration and reminders.
type settingsPage struct {
	adminFrame
	Texts    []textField
	Values   map[string]string
	Errors   map[string]string
	Problems map[string]string // the programme's other problems
	Saved    bool
	Statuses []string
	Zones    []string
}

// commonZones are offered first; any IANA zone may be typed.
var commonZones = []string{"Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "UTC"}

// settingsFields are the places of programme JSON this page edits.
var settingsFields = []string{"slug", "timezone", "starts_at", "ends_at", "status", "capacity", "default_language",
	"registration.mode", "registration.opens_at", "registration.closes_at", "registration.reminder_days", "registration.retention_days",
	"title", "subtitle", "description", "venue.name", "venue.address"}

func (s *Server) showSettings(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	return s.renderSettings(c, ev, ev.Event, nil, http.StatusOK)
}

func (s *Server) renderSettings(c echo.Context, ev *store.Event, e *programme.Event, problems map[string]string, status int) error {
	l := lang(c)
	frame, err := s.adminPageOf(c, ev, "programme", i18n.T(l, "editor.settings.title"))
	if err != nil {
		return err
	}
	loc := e.Location()
	r := e.Registration
	p := &settingsPage{adminFrame: frame, Errors: map[string]string{}, Problems: map[string]string{}, Saved: c.QueryParam("saved") != "",
		Statuses: programme.Statuses, Zones: commonZones}
	p.Texts = []textField{
		newTextField("title", i18n.T(l, "editor.field.title"), e.Title, false, problems, "title"),
		newTextField("subtitle", i18n.T(l, "editor.field.subtitle"), e.Subtitle, false, problems, "subtitle"),
		newTextField("description", i18n.T(l, "editor.field.description"), e.Description, true, problems, "description"),
		newTextField("venue.name", i18n.T(l, "editor.field.venue"), e.Venue.Name, false, problems, "venue.name"),
		newTextField("venue.address", i18n.T(l, "editor.field.address"), e.Venue.Address, false, problems, "venue.address"),
	}
	num := func(n *int) string {
		if n == nil {
			return ""
		}
		return itoaInt(*n)
	}
	p.Values = map[string]string{
		"timezone": e.Timezone, "starts_at": inputTime(e.StartsAt, loc), "ends_at": inputTime(e.EndsAt, loc),
		"capacity": num(e.Capacity), "default_language": e.DefaultLanguage, "mode": r.Mode,
		"opens_at": inputTime(r.OpensAt, loc), "closes_at": inputTime(r.ClosesAt, loc),
		"reminder_days": itoaInt(r.Reminder()), "retention_days": itoaInt(r.Retention()), "status": e.Status,
	}
	if r.Waitlist {
		p.Values["waitlist"] = "yes"
	}
	for where, msg := range problems {
		key := strings.TrimPrefix(where, "registration.")
		if slices.Contains(settingsFields, where) {
			p.Errors[key] = msg
		} else if !strings.HasPrefix(where, "title") && !strings.HasPrefix(where, "subtitle") && !strings.HasPrefix(where, "description") &&
			!strings.HasPrefix(where, "venue.") {
			p.Problems[where] = msg
		}
	}
	return s.renderAdmin(c, status, "programme", p)
}

// saveSettings is POST /admin/events/{slug}/programme.
func (s *Server) saveSettings(c echo.Context) error {
	ev, e, form, err := s.editableForm(c)
	if err != nil {
		return err
	}
	e.Timezone = strings.TrimSpace(form.Get("timezone"))
	loc := e.Location()
	e.Title, e.Subtitle, e.Description = formText(form, "title"), formText(form, "subtitle"), formText(form, "description")
	e.Venue.Name, e.Venue.Address = formText(form, "venue.name"), formText(form, "venue.address")
	e.StartsAt, e.EndsAt = formTime(form, "starts_at", loc), formTime(form, "ends_at", loc)
	e.Capacity = formInt(form, "capacity")
	e.DefaultLanguage = form.Get("default_language")
	e.Registration.Mode = form.Get("mode")
	e.Registration.Waitlist = form.Get("waitlist") != ""
	e.Registration.OpensAt, e.Registration.ClosesAt = formTime(form, "opens_at", loc), formTime(form, "closes_at", loc)
	e.Registration.ReminderDays, e.Registration.RetentionDays = formInt(form, "reminder_days"), formInt(form, "retention_days")
	return s.saveSettingsPage(c, ev, e)
}

// setStatus is POST /admin/events/{slug}/status: publish, archive, or back
// to draft.
func (s *Server) setStatus(c echo.Context) error {
	ev, e, err := s.editableEvent(c)
	if err != nil {
		return err
	}
	e.Status = c.FormValue("status")
	return s.saveSettingsPage(c, ev, e)
}

// newEventPage creates an event, empty or as a copy of another.
type newEventPage struct {
	adminFrame
	Title    textField
	Values   map[string]string
	Errors   map[string]string
	Problems map[string]string
	Saved    bool
	Zones    []string
}

func (s *Server) showNewEvent(c echo.Context) error {
	return s.renderNewEvent(c, map[string]string{"timezone": "Europe/Berlin", "default_language": "de", "clone": c.QueryParam("clone")}, nil, nil, http.StatusOK)
}

func (s *Server) renderNewEvent(c echo.Context, values map[string]string, title programme.Text, problems map[string]string, status int) error {
	l := lang(c)
	frame, err := s.adminPageOf(c, nil, "", i18n.T(l, "editor.new.title"))
	if err != nil {
		return err
	}
	p := &newEventPage{adminFrame: frame, Values: values, Errors: map[string]string{}, Problems: map[string]string{}, Zones: commonZones,
		Title: newTextField("title", i18n.T(l, "editor.field.title"), title, false, problems, "title")}
	for where, msg := range problems {
		switch {
		case slices.Contains([]string{"slug", "timezone", "starts_at", "ends_at", "default_language"}, where):
			p.Errors[where] = msg
		case !strings.HasPrefix(where, "title"):
			p.Problems[where] = msg
		}
	}
	return s.renderAdmin(c, status, "event_new", p)
}

// addEvent is POST /admin/events/new: a draft event with the basics, or
// a copy of another event's programme and questions (no registrations).
func (s *Server) addEvent(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"slug", "timezone", "starts_at", "ends_at", "default_language", "clone"} {
		values[k] = strings.TrimSpace(form.Get(k))
	}
	e := &programme.Event{Status: "draft", Registration: programme.Registration{Mode: "open", Waitlist: true}}
	if values["clone"] != "" {
		src, err := s.app.Store.GetEvent(ctx, values["clone"])
		if err != nil {
			return err
		}
		if e, err = editable(src); err != nil {
			return err
		}
		e.Status = "draft"
	}
	e.Slug, e.Timezone, e.DefaultLanguage = values["slug"], values["timezone"], values["default_language"]
	loc, err := time.LoadLocation(e.Timezone)
	if err != nil || e.Timezone == "" {
		loc = time.UTC
	}
	if values["clone"] != "" {
		// The copy moves with its start: sessions keep their place in the day.
		if start := formTime(form, "starts_at", loc); !start.IsZero() {
			d := start.Sub(e.StartsAt.Time)
			e.Move(func(t time.Time) time.Time { return t.Add(d) })
		}
	} else {
		e.StartsAt, e.EndsAt = formTime(form, "starts_at", loc), formTime(form, "ends_at", loc)
	}
	if t := formText(form, "title"); t != nil || values["clone"] == "" {
		e.Title = t
	}
	if _, err := s.app.Store.GetEvent(ctx, e.Slug); err == nil {
		return s.renderNewEvent(c, values, e.Title, map[string]string{"slug": i18n.T(lang(c), "error.slug_taken", e.Slug)}, http.StatusConflict)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	problems, err := s.saveEdited(c, e)
	if err != nil {
		return err
	}
	if problems != nil {
		return s.renderNewEvent(c, values, e.Title, problems, http.StatusUnprocessableEntity)
	}
	return redirectSaved(c, links.Admin(e.Slug, "programme"))
}

func itoaInt(n int) string { return strconv.Itoa(n) }

// saveSettingsPage saves the event edited on the settings page and goes back
// to it, or shows the page again with what stopped the save.
func (s *Server) saveSettingsPage(c echo.Context, ev *store.Event, e *programme.Event) error {
	problems, err := s.saveEdited(c, e)
	if err != nil {
		return err
	}
	if problems != nil {
		return s.renderSettings(c, ev, e, problems, http.StatusUnprocessableEntity)
	}
	return redirectSaved(c, links.Admin(ev.Slug, "programme"))
}
