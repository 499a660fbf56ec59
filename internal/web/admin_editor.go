package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// The programme editor is a face of programme JSON: every form takes a
// copy of the event's programme, changes what the form holds, checks the
// whole with programme.Validate and saves it with store.SaveEvent, as an
// import does. So the editor keeps every rule of the format, its problems
// come back by place (sessions[3] "panel-sme".room) in the organiser's
// language, and each save is one audited change.

// editable returns a deep copy of an event's programme to change.
func editable(ev *store.Event) (*programme.Event, error) {
	data, err := json.Marshal(ev.Event)
	if err != nil {
		return nil, err
	}
	return programme.Decode(data)
}

// editableEvent is the event of the request's path (adminEvent) with a
// copy of its programme to change.
func (s *Server) editableEvent(c echo.Context) (*store.Event, *programme.Event, error) {
	ev, err := s.adminEvent(c)
	if err != nil {
		return nil, nil, err
	}
	e, err := editable(ev)
	return ev, e, err
}

// editableForm is editableEvent with the form of the request.
func (s *Server) editableForm(c echo.Context) (*store.Event, *programme.Event, url.Values, error) {
	ev, e, err := s.editableEvent(c)
	if err != nil {
		return nil, nil, nil, err
	}
	form, err := c.FormParams()
	return ev, e, form, err
}

// saveEdited validates and stores a changed programme. Problems come back
// translated and keyed by place, to show beside the form's fields.
func (s *Server) saveEdited(c echo.Context, e *programme.Event) (map[string]string, error) {
	err := e.Validate()
	if err == nil {
		_, err = s.app.Store.SaveEvent(c.Request().Context(), e)
	}
	var pe *programme.Error
	if errors.As(err, &pe) {
		return view.ProgrammeFields(lang(c), pe.Problems), nil
	}
	if conflict, ok := store.IsProgrammeConflict(err); ok {
		return view.ProgrammeFields(lang(c), conflict.Problems), nil
	}
	return nil, err
}

// textField is a translated field of a form: one input per language,
// side by side, with a mark where a language is missing.
type textField struct {
	Name   string // the form's name; inputs are NAME.en, NAME.de, NAME.zh
	Label  string
	Values programme.Text
	Long   bool   // a text area
	Error  string // the first problem of any of its languages
	Errors map[string]string
}

// Missing reports whether the text lacks lang while it has another.
func (f textField) Missing(lang string) bool { return len(f.Values) > 0 && f.Values[lang] == "" }

// newTextField builds a translated field from its value and the problems
// found at place (place.en, place.de, …).
func newTextField(name, label string, t programme.Text, long bool, problems map[string]string, place string) textField {
	f := textField{Name: name, Label: label, Values: t, Long: long, Errors: map[string]string{}}
	if t[""] != "" { // one text for all languages: show it in each
		f.Values = programme.Text{}
		for _, l := range languages.All {
			f.Values[l] = t[""]
		}
	}
	for _, l := range append([]string{""}, languages.All...) {
		at := place
		if l != "" {
			at += "." + l
		}
		if p := problems[at]; p != "" {
			f.Errors[l] = p
			if f.Error == "" {
				f.Error = p
			}
		}
	}
	return f
}

// formText reads a translated field (NAME.en, NAME.de, NAME.zh); empty
// languages are left out, surrounding space trimmed.
func formText(form url.Values, name string) programme.Text {
	t := programme.Text{}
	for _, l := range languages.All {
		if v := strings.TrimSpace(form.Get(name + "." + l)); v != "" {
			t[l] = v
		}
	}
	if len(t) == 0 {
		return nil
	}
	return t
}

// formInt reads an optional whole number; "" is nil. A number that does
// not read is kept as 0, which Validate refuses where it matters.
func formInt(form url.Values, name string) *int {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		n = -1
	}
	return &n
}

// localTime is the layout of datetime-local inputs.
const localTime = "2006-01-02T15:04"

// formTime reads a datetime-local input in the event's time zone; a value
// that does not read is kept for Validate to name.
func formTime(form url.Values, name string, loc *time.Location) programme.Time {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return programme.Time{}
	}
	t, err := time.ParseInLocation(localTime, v, loc)
	if err != nil {
		return programme.Time{Raw: v}
	}
	return programme.At(t)
}

// inputTime writes a time for a datetime-local input, in the event's zone.
func inputTime(t programme.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(localTime)
}

// redirectSaved returns to an editor page with the notice that it was saved.
func redirectSaved(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, withQuery(to, url.Values{"saved": {"1"}}))
}
