package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/store"
)

// The frame of the organiser interface: every page under /admin shows the
// event it is about, a switch to the other events, the sections of the
// event and the notices that need an organiser's attention, through the
// "admin-shell" template (views/partials/admin.html).

// adminSection is a part of an event's organiser interface.
type adminSection struct {
	Key  string // the page's section, and the catalogue key admin.nav.KEY
	Path string // below links.Admin(slug); "" is the dashboard
}

// adminSections are the sections in the order of the navigation. A new part
// of the organiser interface adds itself here.
var adminSections = []adminSection{
	{"dashboard", ""},
	{"registrations", "registrations"},
	{"outbox", "outbox"},
	{"exports", "exports"},
	{"messages", "messages"},
	{"programme", "programme"},
	{"sessions", "sessions"},
	{"speakers", "speakers"},
	{"rooms", "rooms"},
	{"questions", "questions"},
	{"brand", "brand"},
	{"audit", "audit"},
}

// adminFrame is the data the frame needs; every admin page embeds it.
type adminFrame struct {
	Page
	Event    *store.Event // nil on the overview of all events
	Events   []store.EventRef
	Section  string
	Nav      []adminLink
	Alerts   []adminAlert
	Fallback string // the event's default language, for its texts
}

// adminLink is an entry of the navigation.
type adminLink struct {
	Label, URL string
	Current    bool
}

// adminAlert is a notice above an admin page, such as emails that failed.
type adminAlert struct {
	Level    string // info, warning or error: the notice's colour
	Text     string
	Link     string // where to act on it, if anywhere
	LinkText string
}

// eventPageTitle titles a page of ev's section: what the page shows (the
// catalogue's key), then the event's name.
func eventPageTitle(l, key string, ev *store.Event) string {
	return i18n.T(l, key) + " – " + ev.Title.In(l, ev.DefaultLanguage)
}

// sectionPage reads the event of an organiser's request and builds the
// frame for the first page of its section, titled by the section's name
// in the menu and the event's title.
func (s *Server) sectionPage(c echo.Context, section string) (*store.Event, adminFrame, error) {
	ev, err := s.adminEvent(c)
	if err != nil {
		return nil, adminFrame{}, err
	}
	frame, err := s.adminPageOf(c, ev, section, eventPageTitle(lang(c), "admin.nav."+section, ev))
	return ev, frame, err
}

// adminPageOf builds the frame for a page of ev's section (ev nil: the
// overview), titled title.
func (s *Server) adminPageOf(c echo.Context, ev *store.Event, section, title string) (adminFrame, error) {
	ctx := c.Request().Context()
	l := lang(c)
	f := adminFrame{Page: s.page(c, title), Event: ev, Section: section, Fallback: "en"}
	if done := c.QueryParam("done"); slices.Contains(adminDone, done) {
		n, _ := strconv.Atoi(c.QueryParam("n"))
		f.Alerts = append(f.Alerts, adminAlert{Level: "success", Text: i18n.N(l, "admin.done."+done, n)})
	}
	events, err := s.app.Store.EventRefs(ctx)
	if err != nil {
		return f, err
	}
	f.Events = events
	if ev == nil {
		return f, nil
	}
	f.Fallback = ev.DefaultLanguage
	for _, sec := range adminSections {
		u := links.Admin(ev.Slug)
		if sec.Path != "" {
			u = links.Admin(ev.Slug, sec.Path)
		}
		f.Nav = append(f.Nav, adminLink{Label: i18n.T(l, "admin.nav."+sec.Key), URL: u, Current: sec.Key == section})
	}
	alerts, err := s.adminAlerts(c, ev)
	f.Alerts = append(f.Alerts, alerts...)
	return f, err
}

// adminDone are the notices of what an action did, shown after its
// redirect (?done=KEY&n=N): catalogue keys admin.done.KEY.
var adminDone = []string{"approved", "rejected", "cancelled", "resent", "edited", "added", "retried", "retried_all", "none_selected", "anonymised"}

// adminAlerts are the notices every page of an event shows: what needs
// an organiser now, wherever they are in the interface.
func (s *Server) adminAlerts(c echo.Context, ev *store.Event) ([]adminAlert, error) {
	var out []adminAlert
	l := lang(c)
	failed, err := s.app.Store.FailedMail(c.Request().Context(), ev)
	if err != nil {
		return nil, err
	}
	if failed > 0 {
		out = append(out, adminAlert{Level: "warning", Text: i18n.N(l, "admin.alert.mail_failed", failed),
			Link: links.Admin(ev.Slug, "outbox") + "?status=failed", LinkText: i18n.T(l, "admin.alert.mail_failed_link")})
	}
	// Once the retention period has passed, until the data is gone; the
	// form that removes it is on the overview of all events.
	privacy, err := s.app.Store.Privacy(c.Request().Context(), ev, time.Now())
	if err != nil {
		return nil, err
	}
	if privacy.Due {
		out = append(out, adminAlert{Level: "warning", Text: i18n.N(l, "privacy.alert.due", privacy.Personal, privacy.DueAt.Format("2006-01-02")),
			Link: "/admin#purges-title", LinkText: i18n.T(l, "privacy.alert.link")})
	}
	return out, nil
}

// adminEvent loads the event of an admin page's :slug.
func (s *Server) adminEvent(c echo.Context) (*store.Event, error) {
	return s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
}

// renderAdmin renders an admin page. Organisers' pages hold personal data:
// no cache keeps them.
func (s *Server) renderAdmin(c echo.Context, status int, name string, data any) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, name, data)
}

// eventSwitch is the address of the same section in another event, for
// the event switch.
func (f adminFrame) SwitchURL(slug string) string {
	for _, sec := range adminSections {
		if sec.Key == f.Section && sec.Path != "" {
			return links.Admin(slug, sec.Path)
		}
	}
	return links.Admin(slug)
}

// back reads a same-site address to return to after a form (the list's
// view with its filters), or def.
func back(c echo.Context, def string) string {
	if b := c.FormValue("back"); b != "" && safeNext(b) == b {
		return b
	}
	return def
}

// withQuery adds parameters to a same-site address.
func withQuery(path string, params url.Values) string {
	if len(params) == 0 {
		return path
	}
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// trustedURL is a same-site address built here for a template: the
// template's escaping would otherwise turn its & and = into %26 and %3D.
func trustedURL(u string) template.URL {
	if safeNext(u) != u {
		return "/"
	}
	return template.URL(u)
}

// redirectDone returns to a page with a notice of what was done.
func redirectDone(c echo.Context, to, done string, n int) error {
	return c.Redirect(http.StatusSeeOther, withQuery(to, url.Values{"done": {done}, "n": {strconv.Itoa(n)}}))
}

// idParam reads the number in the path parameter name: a record's id. One
// that is not a number names no record, so it is ErrNotFound.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil {
		return 0, store.ErrNotFound
	}
	return id, nil
}
