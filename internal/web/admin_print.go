package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
	"github.com/foyer-events/foyer/internal/view"
)

// maxPrinted bounds the rows of a print view and the badges of a sheet: a
// browser lays out a few thousand at most in reasonable time, and nobody
// prints more at once. Longer lists go to a file (CSV, XLSX).
const maxPrinted = 3000

// printPage is an attendee list for paper: A4, the header row repeated on
// every page, page numbers, the filter it shows named on top.
type printPage struct {
	Page
	Event     *store.Event
	Fallback  string
	Headers   []string
	Rows      [][]string
	Total     int
	Truncated bool
	Filter    []string // what the list is narrowed to, in words
	Printed   string
	Wide      bool // many columns: landscape
}

// showPrint is GET /admin/events/{slug}/print: the attendee list of the
// filter and preset (default: the security list) as a page to print.
func (s *Server) showPrint(c echo.Context) error {
	if c.QueryParam("preset") == "" {
		q := c.Request().URL.Query()
		q.Set("preset", export.PresetSecurity)
		c.Request().URL.RawQuery = q.Encode()
	}
	ev, f, list, err := s.attendeeList(c)
	if err != nil {
		return err
	}
	l := lang(c)
	p := &printPage{Page: s.page(c, ev.Title.In(l, ev.DefaultLanguage)), Event: ev, Fallback: ev.DefaultLanguage,
		Headers: list.Headers(), Filter: filterWords(l, ev, f), Wide: len(list.Columns) > 8,
		Printed: i18n.Stamp(l, time.Now().In(ev.Location()))}
	ctx := c.Request().Context()
	if p.Total, err = s.app.Store.CountRegistrations(ctx, ev, f); err != nil {
		return err
	}
	f.Limit = maxPrinted
	err = s.app.Store.EachRegistration(ctx, ev, f, func(r *registration.Registration) error {
		p.Rows = append(p.Rows, list.Texts(r))
		return nil
	})
	if err != nil {
		return err
	}
	p.Truncated = p.Total > len(p.Rows)
	return s.renderAdmin(c, http.StatusOK, "print", p)
}

// badgesPage is a sheet of name badges for A4 paper, eight to a page, cut
// along the lines.
type badgesPage struct {
	Page
	Event     *store.Event
	Fallback  string
	Sheets    [][]badge // a page of paper each
	Count     int
	Total     int
	Truncated bool
}

// badgesPerSheet is how many badges an A4 sheet holds: two across, four
// down, each 95 × 68 mm, the size of common badge holders with room to cut.
const badgesPerSheet = 8

// badge is one name badge.
type badge struct {
	Name         string // in its culture's order, with the academic title
	NameLang     string // BCP 47: the font for the name's script
	CJK          bool   // written in CJK script: set larger, in a CJK font
	Long         bool   // a long name, set smaller
	Organisation string
	Country      string
	Kind         string
	KindLabel    string
	QR           template.URL // the ticket's QR code as a data: URL
}

// showBadges is GET /admin/events/{slug}/badges: name badges for the
// registrations of the filter (or a selection, ids=…).
func (s *Server) showBadges(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	f, err := listFilter(c, ev)
	if err != nil {
		return err
	}
	l := lang(c)
	ctx := c.Request().Context()
	p := &badgesPage{Page: s.page(c, eventPageTitle(l, "admin.badges.title", ev)), Event: ev,
		Fallback: ev.DefaultLanguage}
	if p.Total, err = s.app.Store.CountRegistrations(ctx, ev, f); err != nil {
		return err
	}
	f.Limit, f.Offset = maxPrinted, 0
	err = s.app.Store.EachRegistration(ctx, ev, f, func(r *registration.Registration) error {
		png, err := ticket.QRPNG(r.TicketCode, 256)
		if err != nil {
			return err
		}
		name := view.Titled(r.Language, r.Title, r.FullName())
		b := badge{Name: name, NameLang: i18n.Tag(r.Language), Long: utf8.RuneCountInString(name) > 20,
			Organisation: r.Organisation, Kind: r.Kind, KindLabel: i18n.T(l, "kind."+r.Kind),
			QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
		if registration.HasCJK(r.FullName()) {
			b.NameLang, b.CJK = "zh-Hans", true
		}
		if r.Country != "" {
			b.Country = registration.CountryName(l, r.Country)
		}
		if p.Count%badgesPerSheet == 0 {
			p.Sheets = append(p.Sheets, nil)
		}
		p.Sheets[len(p.Sheets)-1] = append(p.Sheets[len(p.Sheets)-1], b)
		p.Count++
		return nil
	})
	if err != nil {
		return err
	}
	p.Truncated = p.Total > p.Count
	return s.renderAdmin(c, http.StatusOK, "badges", p)
}

// filterWords says in words what a filter narrows a list to, for the head
// of a printed list.
func filterWords(lang string, ev *store.Event, f registration.Filter) []string {
	t := i18n.In(lang)
	var out []string
	add := func(label, value string) { out = append(out, label+": "+value) }
	if f.Status != "" {
		add(t("admin.list.status"), t("status."+f.Status))
	}
	if f.Session != "" {
		if se := ev.Session(f.Session); se != nil {
			add(t("admin.list.session"), se.Title.In(lang, ev.DefaultLanguage))
		}
	}
	if f.CheckedIn != nil {
		v := t("admin.list.checked_in_no")
		if *f.CheckedIn {
			v = t("admin.list.checked_in_yes")
		}
		add(t("admin.list.checked_in"), v)
	}
	if f.Country != "" {
		add(t("admin.list.country"), registration.CountryName(lang, f.Country))
	}
	if f.Kind != "" {
		add(t("admin.list.kind"), t("kind."+f.Kind))
	}
	if f.Query != "" {
		add(t("admin.list.search"), f.Query)
	}
	for _, q := range ev.Questions {
		if v, ok := f.Answers[q.ID]; ok {
			value := v
			switch q.Type {
			case "yesno":
				value = export.AnswerText(&q, v == "yes", lang, ev.DefaultLanguage, t)
			case "choice", "multichoice":
				value = export.AnswerText(&q, v, lang, ev.DefaultLanguage, t)
			}
			add(q.Label.In(lang, ev.DefaultLanguage), value)
		}
	}
	if len(f.IDs) > 0 {
		out = append(out, i18n.N(lang, "admin.print.selection", len(f.IDs)))
	}
	return out
}
