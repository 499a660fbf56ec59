package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/media"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// The parts of a programme in the editor: rooms, speakers, sessions and
// registration questions (admin_questions.go),
// each a list with a form for a new or a chosen one. A form edits one item
// of the programme; the whole is validated and saved (admin_editor.go).

// partsPage is the list of one kind of part with its form.
type partsPage struct {
	adminFrame
	Kind      string // rooms, speakers, sessions or questions
	Programme *programme.Event

	// The form: Editing is the id of the item edited ("" for a new one).
	Editing  string
	Values   map[string]string
	Texts    []textField
	Seats    []speakerSeat // a session's speakers, in order, with empty rows to add
	Errors   map[string]string
	Problems map[string]string
	Saved    bool
	// Overlaps names sessions that share a room at the same time.
	Overlaps     map[string][]string
	Days         []editorDay
	Kinds, Roles []string
	// A question's answers to choose from, and the question types.
	Options       []optionRow
	QuestionTypes []string
	// Grid is the agenda as a day grid (?view=grid), placed by GridStyle.
	Grid      []agendaDay
	GridStyle string
}

// speakerSeat is a row of a session's speakers in the form.
type speakerSeat struct{ Speaker, Role string }

// editorDay is a day of sessions in the editor's list.
type editorDay struct {
	Date     programme.Time
	Sessions []*programme.Session
}

// partPlace is how programme JSON names the item edited: rooms[2] "saal-1".
func partPlace(kind string, i int, id string) string { return fmt.Sprintf("%s[%d] %q", kind, i, id) }

func (s *Server) showParts(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, e, err := s.editableEvent(c)
		if err != nil {
			return err
		}
		return s.renderParts(c, ev, e, kind, c.QueryParam("edit"), nil, nil, http.StatusOK)
	}
}

func (s *Server) renderParts(c echo.Context, ev *store.Event, e *programme.Event, kind, editing string, form url.Values, problems map[string]string, status int) error {
	l := lang(c)
	frame, err := s.adminPageOf(c, ev, kind, i18n.T(l, "editor."+kind+".title"))
	if err != nil {
		return err
	}
	p := &partsPage{adminFrame: frame, Kind: kind, Programme: e, Editing: editing, Values: map[string]string{}, Errors: map[string]string{},
		Problems: map[string]string{}, Saved: c.QueryParam("saved") != "", Kinds: programme.Kinds, Roles: programme.Roles}
	loc := e.Location()
	index, place := -1, ""
	switch kind {
	case "rooms":
		r := &programme.Room{}
		if i := slices.IndexFunc(e.Rooms, func(x programme.Room) bool { return x.Slug == editing }); i >= 0 {
			index, r = i, &e.Rooms[i]
		}
		place = partPlace("rooms", max(index, len(e.Rooms)-1), r.Slug)
		p.Values["id"], p.Values["capacity"] = r.Slug, intText(r.Capacity)
		p.Texts = []textField{newTextField("name", i18n.T(l, "editor.field.name"), r.Name, false, problems, place+".name")}
	case "speakers":
		sp := &programme.Speaker{}
		if i := slices.IndexFunc(e.Speakers, func(x programme.Speaker) bool { return x.ID == editing }); i >= 0 {
			index, sp = i, &e.Speakers[i]
		}
		place = partPlace("speakers", max(index, len(e.Speakers)-1), sp.ID)
		p.Values = map[string]string{"id": sp.ID, "name": sp.Name, "native_name": sp.NativeName, "country": sp.Country,
			"email": sp.Email, "photo": sp.Photo}
		p.Texts = []textField{
			newTextField("organisation", i18n.T(l, "editor.field.organisation"), sp.Organisation, false, problems, place+".organisation"),
			newTextField("job_title", i18n.T(l, "editor.field.job_title"), sp.JobTitle, false, problems, place+".job_title"),
			newTextField("bio", i18n.T(l, "editor.field.bio"), sp.Bio, true, problems, place+".bio"),
		}
	case "sessions":
		se := &programme.Session{Kind: "talk"}
		if i := slices.IndexFunc(e.Sessions, func(x programme.Session) bool { return x.ID == editing }); i >= 0 {
			index, se = i, &e.Sessions[i]
		}
		place = partPlace("sessions", max(index, len(e.Sessions)-1), se.ID)
		p.Values = map[string]string{"id": se.ID, "kind": se.Kind, "room": se.Room, "language": se.Language,
			"capacity": intText(se.Capacity), "starts_at": inputTime(se.StartsAt, loc), "ends_at": inputTime(se.EndsAt, loc)}
		p.Texts = []textField{
			newTextField("title", i18n.T(l, "editor.field.title"), se.Title, false, problems, place+".title"),
			newTextField("track", i18n.T(l, "editor.field.track"), se.Track, false, problems, place+".track"),
			newTextField("abstract", i18n.T(l, "editor.field.abstract"), se.Abstract, true, problems, place+".abstract"),
		}
		for _, ss := range se.Speakers {
			p.Seats = append(p.Seats, speakerSeat{ss.Speaker, ss.Role})
		}
		for range 3 {
			p.Seats = append(p.Seats, speakerSeat{Role: "speaker"})
		}
		p.Days, p.Overlaps = sessionDays(e)
		if c.QueryParam("view") == "grid" {
			p.Grid, p.GridStyle = buildAgenda(ev.Event), editorGridURL(ev.Slug, ev.Version)
		}
	case "questions":
		place = questionForm(p, e, editing, problems, l)
	}
	if index < 0 && kind != "questions" {
		p.Editing = "" // no such item: the form is for a new one
	}
	if form != nil { // a refused form shows what was typed
		for k := range p.Values {
			p.Values[k] = strings.TrimSpace(form.Get(k))
		}
	}
	for where, msg := range problems {
		if f, ok := strings.CutPrefix(where, place+"."); ok {
			p.Errors[f] = msg
		} else if !strings.HasPrefix(where, place+".") {
			p.Problems[where] = msg
		}
	}
	return s.renderAdmin(c, status, "parts", p)
}

func intText(n *int) string {
	if n == nil {
		return ""
	}
	return itoaInt(*n)
}

// sessionDays groups the sessions by day in time order, and names those
// that overlap another in the same room: a room holds one session at a
// time, so an overlap is most likely a typing slip.
func sessionDays(e *programme.Event) ([]editorDay, map[string][]string) {
	loc := e.Location()
	list := make([]*programme.Session, len(e.Sessions))
	for i := range e.Sessions {
		list[i] = &e.Sessions[i]
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].StartsAt.Before(list[j].StartsAt.Time) })
	var days []editorDay
	overlaps := map[string][]string{}
	for i, se := range list {
		day := se.StartsAt.In(loc).Format("2006-01-02")
		if len(days) == 0 || days[len(days)-1].Date.In(loc).Format("2006-01-02") != day {
			days = append(days, editorDay{Date: se.StartsAt})
		}
		days[len(days)-1].Sessions = append(days[len(days)-1].Sessions, se)
		for _, other := range list[i+1:] {
			if se.Room != "" && other.Room == se.Room && other.StartsAt.Before(se.EndsAt.Time) && se.StartsAt.Before(other.EndsAt.Time) {
				overlaps[se.ID] = append(overlaps[se.ID], other.ID)
				overlaps[other.ID] = append(overlaps[other.ID], se.ID)
			}
		}
	}
	return days, overlaps
}

// saveParts is POST /admin/events/{slug}/{rooms|speakers|sessions|questions}: the
// item of the form, new or changed (original names the one edited, whose
// id may change), or with delete set, removed.
func (s *Server) saveParts(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, e, form, err := s.editableForm(c)
		if err != nil {
			return err
		}
		original := form.Get("original")
		id := strings.TrimSpace(form.Get("id"))
		remove := form.Get("delete") != ""
		loc := e.Location()
		problems := map[string]string{}
		switch kind {
		case "rooms":
			r := programme.Room{Slug: id, Name: formText(form, "name"), Capacity: formInt(form, "capacity")}
			e.Rooms = replacePart(e.Rooms, r, original, remove, func(x programme.Room) string { return x.Slug })
			if original != "" && original != id && !remove {
				for i := range e.Sessions {
					if e.Sessions[i].Room == original {
						e.Sessions[i].Room = id
					}
				}
			}
		case "speakers":
			sp := programme.Speaker{ID: id, Name: strings.TrimSpace(form.Get("name")), NativeName: strings.TrimSpace(form.Get("native_name")),
				Organisation: formText(form, "organisation"), JobTitle: formText(form, "job_title"), Bio: formText(form, "bio"),
				Country: strings.ToUpper(strings.TrimSpace(form.Get("country"))), Email: strings.TrimSpace(form.Get("email")),
				Photo: strings.TrimSpace(form.Get("photo"))}
			if form.Get("photo_remove") != "" {
				sp.Photo = ""
			}
			if !remove {
				ref, msg, err := s.upload(c, "photo_file", media.Photo)
				if err != nil {
					return err
				}
				if msg != "" {
					problems["photo"] = msg
				} else if ref != "" {
					sp.Photo = ref
				}
			}
			e.Speakers = replacePart(e.Speakers, sp, original, remove, func(x programme.Speaker) string { return x.ID })
			for i := range e.Sessions {
				kept := e.Sessions[i].Speakers[:0]
				for _, ss := range e.Sessions[i].Speakers {
					if ss.Speaker == original && remove {
						continue
					}
					if ss.Speaker == original {
						ss.Speaker = id
					}
					kept = append(kept, ss)
				}
				e.Sessions[i].Speakers = kept
			}
		case "sessions":
			se := programme.Session{ID: id, Kind: form.Get("kind"), Room: form.Get("room"), Language: form.Get("language"),
				Capacity: formInt(form, "capacity"), StartsAt: formTime(form, "starts_at", loc), EndsAt: formTime(form, "ends_at", loc),
				Title: formText(form, "title"), Track: formText(form, "track"), Abstract: formText(form, "abstract")}
			roles := form["role"]
			for i, sp := range form["speaker"] {
				if sp != "" && i < len(roles) {
					se.Speakers = append(se.Speakers, programme.SessionSpeaker{Speaker: sp, Role: roles[i]})
				}
			}
			e.Sessions = replacePart(e.Sessions, se, original, remove, func(x programme.Session) string { return x.ID })
		case "questions":
			e.Questions = replacePart(e.Questions, formQuestion(form, id), original, remove, func(x programme.Question) string { return x.ID })
		}
		if len(problems) == 0 {
			if problems, err = s.saveEdited(c, e); err != nil {
				return err
			}
		} else {
			problems = prefixed(problems, partPlace(kind, partCount(e, kind)-1, id)+".")
		}
		if problems != nil {
			editing := id
			if remove {
				editing = original
			}
			return s.renderParts(c, ev, e, kind, editing, form, problems, http.StatusUnprocessableEntity)
		}
		return redirectSaved(c, links.Admin(ev.Slug, kind))
	}
}

// replacePart puts item in place of the one called original (or at the
// end when original is ""), or removes that one.
func replacePart[T any](list []T, item T, original string, remove bool, id func(T) string) []T {
	i := slices.IndexFunc(list, func(x T) bool { return original != "" && id(x) == original })
	switch {
	case i >= 0 && remove:
		return slices.Delete(list, i, i+1)
	case i >= 0:
		list[i] = item
		return list
	case remove:
		return list
	}
	return append(list, item)
}

// partCount is how many parts of the kind e has.
func partCount(e *programme.Event, kind string) int {
	switch kind {
	case "rooms":
		return len(e.Rooms)
	case "speakers":
		return len(e.Speakers)
	case "sessions":
		return len(e.Sessions)
	case "questions":
		return len(e.Questions)
	}
	return 0
}

func prefixed(m map[string]string, prefix string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[prefix+k] = v
	}
	return out
}
