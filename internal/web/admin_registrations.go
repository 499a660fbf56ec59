package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// pageSize is how many registrations a page of the table shows.
const pageSize = 50

// registrationsPage is the organisers' table of an event's registrations:
// the filters (all in the address), a page of rows, and what can be done
// with them.
type registrationsPage struct {
	adminFrame
	Filter                  registration.Filter
	FilterError             map[string]string // a parameter that is wrong, and why
	Rows                    []*registration.Registration
	Total                   int
	PageNo                  int
	Pages                   int
	From, To                int
	SignUp                  []*programme.Session // sessions that take sign-ups: filter and column
	Questions               []programme.Question // the event's questions, for the answer filters
	TopCountries, Countries []registration.Country
	Sort                    map[string]sortLink
	PageLinks               []pageLink
	View                    template.URL // this view, to come back to after an action
	ViewQuery               url.Values   // its filter, for the export form
	Presets                 []string
	PrintURL                template.URL
	BadgesURL               template.URL
}

// sortLink is a column header's link: the other order, and how the column
// sorts now (for aria-sort).
type sortLink struct {
	URL   template.URL
	State string // "ascending", "descending" or ""
}

// pageLink is one link of the pagination; URL "" is a gap (…).
type pageLink struct {
	N       int
	URL     template.URL
	Current bool
}

// showRegistrations is GET /admin/events/{slug}/registrations.
func (s *Server) showRegistrations(c echo.Context) error {
	ev, frame, err := s.sectionPage(c, "registrations")
	if err != nil {
		return err
	}
	l := lang(c)
	p := &registrationsPage{adminFrame: frame, Questions: ev.Questions, Presets: export.Presets}
	for i := range ev.Sessions {
		if ev.Sessions[i].Capacity != nil {
			p.SignUp = append(p.SignUp, &ev.Sessions[i])
		}
	}
	p.TopCountries, p.Countries = registration.CountryChoices(l, ev.Registration.FocusCountries)

	f, errs := registration.ParseFilter(c.QueryParams(), ev.Event)
	f.Limit, f.Offset = 0, 0 // the page comes from ?page=
	p.Filter = f
	status := http.StatusOK
	if errs != nil {
		// The form shows what is wrong; the list waits for a filter that works.
		p.FilterError = view.Fields(l, errs)
		status = http.StatusBadRequest
		return s.renderAdmin(c, status, "registrations", p)
	}
	p.ViewQuery = f.Values()
	base := links.Admin(ev.Slug, "registrations")
	p.PageNo, _ = strconv.Atoi(c.QueryParam("page"))
	p.PageNo = max(p.PageNo, 1)
	page := f
	page.Limit, page.Offset = pageSize, (p.PageNo-1)*pageSize
	rows, total, err := s.app.Store.ListRegistrations(c.Request().Context(), ev, page)
	if err != nil {
		return err
	}
	p.Pages = max(1, (total+pageSize-1)/pageSize)
	if p.PageNo > p.Pages {
		// Past the end (the list got shorter): the last page.
		q := f.Values()
		q.Set("page", strconv.Itoa(p.Pages))
		return c.Redirect(http.StatusSeeOther, base+"?"+q.Encode())
	}
	p.Rows, p.Total = rows, total
	if total > 0 {
		p.From, p.To = page.Offset+1, page.Offset+len(rows)
	}
	viewQuery := f.Values()
	if p.PageNo > 1 {
		viewQuery.Set("page", strconv.Itoa(p.PageNo))
	}
	p.View = trustedURL(withQuery(base, viewQuery))
	p.Sort = sortLinks(base, f)
	p.PageLinks = pageLinks(base, f, p.PageNo, p.Pages)
	p.PrintURL = trustedURL(withQuery(links.Admin(ev.Slug, "print"), f.Values()))
	p.BadgesURL = trustedURL(withQuery(links.Admin(ev.Slug, "badges"), f.Values()))
	return s.renderAdmin(c, status, "registrations", p)
}

// sortLinks are the column headers' links: a column sorts ascending first,
// and the other way when it already does.
func sortLinks(base string, f registration.Filter) map[string]sortLink {
	out := map[string]sortLink{}
	for _, key := range registration.SortKeys {
		g := f
		g.Sort, g.Desc = key, false
		var state string
		current := f.Sort == key || (f.Sort == "" && key == "created")
		if current {
			state = "ascending"
			if f.Desc {
				state = "descending"
			} else {
				g.Desc = true
			}
		}
		out[key] = sortLink{URL: trustedURL(withQuery(base, g.Values())), State: state}
	}
	return out
}

// pageLinks are the first, last and nearby pages, with gaps between.
func pageLinks(base string, f registration.Filter, current, pages int) []pageLink {
	var out []pageLink
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < current-2 || n > current+2) {
			continue
		}
		if last != 0 && n > last+1 {
			out = append(out, pageLink{})
		}
		q := f.Values()
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		out = append(out, pageLink{N: n, URL: trustedURL(withQuery(base, q)), Current: n == current})
		last = n
	}
	return out
}

// Bulk actions on the registrations ticked in the table.
var bulkActions = []string{"approve", "resend", "cancel", "export_csv", "export_xlsx", "badges"}

// bulkConfirmPage asks before a bulk cancellation.
type bulkConfirmPage struct {
	adminFrame
	Action string
	Rows   []*registration.Registration
	Back   string
}

// bulkRegistrations is POST /admin/events/{slug}/registrations/bulk: an
// action on the ticked rows, then back to the same view with what was
// done.
func (s *Server) bulkRegistrations(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	to := back(c, links.Admin(ev.Slug, "registrations"))
	action := form.Get("action")
	if !slices.Contains(bulkActions, action) {
		return problem(c, http.StatusBadRequest, "bad_request")
	}
	var ids []int64
	for _, v := range form["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return problem(c, http.StatusBadRequest, "bad_request")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return redirectDone(c, to, "none_selected", 0)
	}
	if len(ids) > registration.MaxSelection {
		return problem(c, http.StatusRequestEntityTooLarge, "too_large")
	}
	sel := registration.Filter{IDs: ids}
	switch action {
	case "export_csv", "export_xlsx":
		format := strings.TrimPrefix(action, "export_")
		return c.Redirect(http.StatusSeeOther, withQuery(links.Admin(ev.Slug, "attendees."+format), sel.Values()))
	case "badges":
		return c.Redirect(http.StatusSeeOther, withQuery(links.Admin(ev.Slug, "badges"), sel.Values()))
	}
	// Only the event's own registrations: ids of another event are not
	// touched, whatever the form says.
	rows, _, err := s.app.Store.ListRegistrations(ctx, ev, registration.Filter{IDs: ids, Limit: registration.MaxSelection})
	if err != nil {
		return err
	}
	if action == "cancel" && form.Get("confirm") != "yes" {
		l := lang(c)
		frame, err := s.adminPageOf(c, ev, "registrations", i18n.T(l, "admin.bulk.confirm_title"))
		if err != nil {
			return err
		}
		return s.renderAdmin(c, http.StatusOK, "bulk_confirm", &bulkConfirmPage{adminFrame: frame, Action: action, Rows: rows, Back: to})
	}
	done := 0
	for _, r := range rows {
		var err error
		switch action {
		case "approve":
			if r.Status != registration.Pending {
				continue
			}
			err = s.app.Store.Approve(ctx, ev, r.ID)
		case "cancel":
			if !registration.Live(r.Status) {
				continue
			}
			err = s.app.Store.Cancel(ctx, ev, r.ID)
		case "resend":
			if r.Email == "" {
				continue
			}
			err = s.app.Store.Resend(ctx, r.ID)
		}
		switch {
		case errors.Is(err, store.ErrNotLive), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrFull):
			continue // changed meanwhile, or no place left: counted as not done
		case err != nil:
			return err
		}
		done++
	}
	s.app.Log.Info("registrations "+action, "event", ev.Slug, "selected", len(ids), "done", done, "user", currentUser(c).ID)
	key := map[string]string{"approve": "approved", "cancel": "cancelled", "resend": "resent"}[action]
	return redirectDone(c, to, key, done)
}
