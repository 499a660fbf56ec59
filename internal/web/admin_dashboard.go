package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/chart"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// dashboardPage is an event's figures at a glance: key numbers and charts
// drawn on the server (internal/chart), each with the table it is drawn
// from, that print as they show.
type dashboardPage struct {
	adminFrame
	Figures   []figure
	Charts    []figureChart
	Questions []programme.Question // choice and yes/no questions, to chart
	Question  string               // the one charted
	CheckIn   *checkInView
}

// figure is a key number with what it is out of.
type figure struct {
	Label, Value, Of string
	Class            string
	Link             string
}

// figureChart is a chart with its title and table.
type figureChart struct {
	ID      string
	Title   string
	Wide    bool
	SVG     template.HTML
	Columns []string
	Rows    [][]string
	Empty   string // said instead of a chart with nothing to show
	Form    bool   // the answer chart carries the question's choice
}

// checkInView is the check-in progress, which the page refreshes by itself
// while the event runs (GET …/checkin-progress, assets/js/admin.js).
type checkInView struct {
	Lang    string
	URL     string
	Chart   figureChart
	Arrival figureChart
	Updated string

	checkedIn, expected int
}

// showDashboard is GET /admin/events/{slug}.
func (s *Server) showDashboard(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	l := lang(c)
	frame, err := s.adminPageOf(c, ev, "dashboard", ev.Title.In(l, ev.DefaultLanguage))
	if err != nil {
		return err
	}
	p := &dashboardPage{adminFrame: frame}
	for _, q := range ev.Questions {
		if q.Type != "text" {
			p.Questions = append(p.Questions, q)
		}
	}
	p.Question = c.QueryParam("question")
	if p.Question == "" && len(p.Questions) > 0 {
		p.Question = p.Questions[0].ID
	}
	if p.Question != "" && !slices.ContainsFunc(p.Questions, func(q programme.Question) bool { return q.ID == p.Question }) {
		return problem(c, http.StatusBadRequest, "bad_filter")
	}
	ctx := c.Request().Context()
	d, err := s.app.Store.Dashboard(ctx, ev, p.Question)
	if err != nil {
		return err
	}
	ci, err := s.checkInView(c, ev)
	if err != nil {
		return err
	}
	p.CheckIn = ci
	mail, err := s.app.Store.MailCounts(ctx, ev)
	if err != nil {
		return err
	}
	t := i18n.In(l)
	capacity := ""
	if ev.Capacity != nil {
		capacity = t("admin.dash.of", *ev.Capacity)
	}
	failed := 0
	for _, m := range mail {
		if m.Status == "failed" {
			failed += m.N
		}
	}
	regs := links.Admin(ev.Slug, "registrations")
	p.Figures = []figure{
		{Label: t("status.confirmed"), Value: fmt.Sprint(d.ByStatus["confirmed"]), Of: capacity, Class: "confirmed", Link: regs + "?status=confirmed"},
		{Label: t("status.waitlisted"), Value: fmt.Sprint(d.ByStatus["waitlisted"]), Class: "waitlisted", Link: regs + "?status=waitlisted"},
		{Label: t("status.pending"), Value: fmt.Sprint(d.ByStatus["pending"]), Class: "pending", Link: regs + "?status=pending"},
		{Label: t("admin.dash.checked_in"), Value: fmt.Sprint(ci.checkedIn), Of: t("admin.dash.of", ci.expected), Class: "checkin",
			Link: regs + "?checked_in=true"},
		{Label: t("admin.dash.mail_failed"), Value: fmt.Sprint(failed), Class: map[bool]string{true: "failed"}[failed > 0],
			Link: links.Admin(ev.Slug, "outbox") + "?status=failed"},
	}
	p.Charts = append(p.Charts, overTime(l, ev, d), byStatus(l, d), byCountry(l, d))
	if q := ev.Question(p.Question); q != nil {
		p.Charts = append(p.Charts, byAnswer(l, ev, q, d))
	}
	if len(d.Sessions) > 0 {
		p.Charts = append(p.Charts, sessionFill(l, ev, d))
	}
	p.Charts = append(p.Charts, delivery(l, mail))
	return s.renderAdmin(c, http.StatusOK, "dashboard", p)
}

// showCheckInProgress is GET /admin/events/{slug}/checkin-progress: the
// dashboard's check-in figures alone, which the page fetches every few
// seconds to stay current.
func (s *Server) showCheckInProgress(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	ci, err := s.checkInView(c, ev)
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, "dashboard_checkin", ci)
}

// checkInView draws the check-in progress: admitted of expected at the
// entrance and at each session door, and arrivals per quarter hour.
func (s *Server) checkInView(c echo.Context, ev *store.Event) (*checkInView, error) {
	st, err := s.app.Store.CheckInStats(c.Request().Context(), ev)
	if err != nil {
		return nil, err
	}
	l := lang(c)
	t := i18n.In(l)
	v := &checkInView{Lang: l, URL: links.Admin(ev.Slug, "checkin-progress"),
		Updated: t("admin.dash.updated", time.Now().In(ev.Location()).Format("15:04:05"))}
	v.checkedIn, v.expected = st.CheckedIn, st.Expected
	bars := []chart.Bar{{Label: t("admin.history.entrance"), Value: st.CheckedIn, Of: max(st.Expected, 1), Class: "checkin"}}
	rows := [][]string{{t("admin.history.entrance"), fmt.Sprint(st.CheckedIn), fmt.Sprint(st.Expected)}}
	for _, sc := range st.Sessions {
		if sc.Expected == nil {
			continue
		}
		name := sc.ID
		if se := ev.Session(sc.ID); se != nil {
			name = se.Title.In(l, ev.DefaultLanguage)
		}
		bars = append(bars, chart.Bar{Label: name, Value: sc.CheckedIn, Of: max(*sc.Expected, 1), Class: "checkin"})
		rows = append(rows, []string{name, fmt.Sprint(sc.CheckedIn), fmt.Sprint(*sc.Expected)})
	}
	title := t("admin.dash.checkin_title")
	desc := t("admin.dash.checkin_desc", st.CheckedIn, st.Expected)
	v.Chart = figureChart{ID: "checkin", Title: title, SVG: template.HTML(chart.Bars(title, desc, bars)),
		Columns: []string{t("admin.dash.door"), t("admin.dash.checked_in"), t("admin.dash.expected")}, Rows: rows}
	var points []chart.Point
	total := 0
	arrivals := [][]string{}
	for _, q := range st.QuarterHours {
		total += q.CheckedIn
		at := q.From.In(ev.Location())
		points = append(points, chart.Point{At: at, Value: total})
		arrivals = append(arrivals, []string{at.Format("15:04"), fmt.Sprint(q.CheckedIn), fmt.Sprint(total)})
	}
	atitle := t("admin.dash.arrivals_title")
	v.Arrival = figureChart{ID: "arrivals", Title: atitle, Columns: []string{t("admin.dash.from"), t("admin.dash.arrived"), t("admin.dash.in_total")},
		Rows: arrivals}
	if len(points) > 0 {
		// From nobody, a quarter hour before the first arrival.
		points = append([]chart.Point{{At: points[0].At.Add(-15 * time.Minute)}}, points...)
		v.Arrival.SVG = template.HTML(chart.Line(atitle, t("admin.dash.arrivals_desc", total), "15:04", points))
	} else {
		v.Arrival.Empty = t("admin.dash.no_checkins")
	}
	return v, nil
}
