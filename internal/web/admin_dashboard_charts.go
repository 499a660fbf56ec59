package web

import (
	"fmt"
	"html/template"
	"time"

	"github.com/foyer-events/foyer/internal/chart"
	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
)

// The dashboard's charts: each turns a figure of the store into an SVG
// (internal/chart), its text alternative and the table behind it.

// overTime is the registrations made so far, day by day, in the event's
// time zone.
func overTime(l string, ev *store.Event, d *store.Dashboard) figureChart {
	t := i18n.In(l)
	title := t("admin.dash.over_time_title")
	c := figureChart{ID: "over-time", Title: title, Wide: true, Columns: []string{t("admin.dash.day"), t("admin.dash.new"), t("admin.dash.in_total")}}
	loc := ev.Location()
	var days []chart.Point
	var perDay []int
	total := 0
	for _, h := range d.Hours {
		day := h.At.In(loc)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		total += h.N
		if n := len(days); n > 0 && days[n-1].At.Equal(day) {
			days[n-1].Value = total
			perDay[n-1] += h.N
			continue
		}
		days = append(days, chart.Point{At: day, Value: total})
		perDay = append(perDay, h.N)
	}
	for i, p := range days {
		c.Rows = append(c.Rows, []string{i18n.Day(l, p.At), fmt.Sprint(perDay[i]), fmt.Sprint(p.Value)})
	}
	if len(days) == 0 {
		c.Empty = t("admin.dash.nothing_yet")
		return c
	}
	// The line starts from nothing the day before the first registration.
	days = append([]chart.Point{{At: days[0].At.AddDate(0, 0, -1)}}, days...)
	c.SVG = template.HTML(chart.Line(title, t("admin.dash.over_time_desc", total, i18n.Date(l, days[len(days)-1].At)), dateLayout(l), days))
	return c
}

// dateLayout writes a day briefly, for an axis, as the language does.
func dateLayout(l string) string {
	switch l {
	case "de":
		return "02.01."
	case "zh":
		return "01-02"
	}
	return "2 Jan"
}

func byStatus(l string, d *store.Dashboard) figureChart {
	t := i18n.In(l)
	title := t("admin.dash.status_title")
	c := figureChart{ID: "status", Title: title, Columns: []string{t("admin.list.status"), t("admin.dash.count")}}
	var bars []chart.Bar
	var parts []string
	for _, st := range registration.Statuses {
		n := d.ByStatus[st]
		bars = append(bars, chart.Bar{Label: t("status." + st), Value: n, Class: st})
		c.Rows = append(c.Rows, []string{t("status." + st), fmt.Sprint(n)})
		parts = append(parts, fmt.Sprintf("%s %d", t("status."+st), n))
	}
	c.SVG = template.HTML(chart.Bars(title, joinWords(l, parts), bars))
	return c
}

// maxCountries is how many countries the chart names; the rest are one bar.
const maxCountries = 10

func byCountry(l string, d *store.Dashboard) figureChart {
	t := i18n.In(l)
	title := t("admin.dash.country_title")
	c := figureChart{ID: "country", Title: title, Columns: []string{t("admin.list.country"), t("admin.dash.count")}}
	var bars []chart.Bar
	var parts []string
	other := 0
	for i, n := range d.ByCountry {
		name := t("admin.dash.no_country")
		if n.Key != "" {
			name = registration.CountryName(l, n.Key)
		}
		c.Rows = append(c.Rows, []string{name, fmt.Sprint(n.N)})
		if i >= maxCountries {
			other += n.N
			continue
		}
		bars = append(bars, chart.Bar{Label: name, Value: n.N})
		parts = append(parts, fmt.Sprintf("%s %d", name, n.N))
	}
	if other > 0 {
		bars = append(bars, chart.Bar{Label: t("admin.dash.other"), Value: other})
		parts = append(parts, fmt.Sprintf("%s %d", t("admin.dash.other"), other))
	}
	if len(bars) == 0 {
		c.Empty = t("admin.dash.nothing_yet")
		return c
	}
	c.SVG = template.HTML(chart.Bars(title, joinWords(l, parts), bars))
	return c
}

func byAnswer(l string, ev *store.Event, q *programme.Question, d *store.Dashboard) figureChart {
	t := i18n.In(l)
	label := q.Label.In(l, ev.DefaultLanguage)
	title := t("admin.dash.answer_title", label)
	c := figureChart{ID: "answers", Title: title, Form: true, Columns: []string{t("admin.dash.answer"), t("admin.dash.count")}}
	var bars []chart.Bar
	var parts []string
	for _, a := range d.Answers {
		var text string
		if q.Type == "yesno" {
			text = export.AnswerText(q, a.Key == "yes", l, ev.DefaultLanguage, t)
		} else {
			text = export.AnswerText(q, a.Key, l, ev.DefaultLanguage, t)
		}
		bars = append(bars, chart.Bar{Label: text, Value: a.N})
		c.Rows = append(c.Rows, []string{text, fmt.Sprint(a.N)})
		parts = append(parts, fmt.Sprintf("%s %d", text, a.N))
	}
	if len(bars) == 0 {
		c.Empty = t("admin.dash.nothing_yet")
		return c
	}
	c.SVG = template.HTML(chart.Bars(title, joinWords(l, parts), bars))
	return c
}

func sessionFill(l string, ev *store.Event, d *store.Dashboard) figureChart {
	t := i18n.In(l)
	title := t("admin.dash.sessions_title")
	c := figureChart{ID: "sessions", Title: title,
		Columns: []string{t("admin.list.session"), t("status.confirmed"), t("admin.dash.capacity"), t("status.waitlisted")}}
	var bars []chart.Bar
	var parts []string
	for _, f := range d.Sessions {
		name := f.ID
		if se := ev.Session(f.ID); se != nil {
			name = se.Title.In(l, ev.DefaultLanguage)
		}
		class := ""
		if f.Confirmed >= f.Capacity {
			class = "full"
		}
		bars = append(bars, chart.Bar{Label: name, Value: f.Confirmed, Of: f.Capacity, Class: class})
		c.Rows = append(c.Rows, []string{name, fmt.Sprint(f.Confirmed), fmt.Sprint(f.Capacity), fmt.Sprint(f.Waitlisted)})
		parts = append(parts, t("admin.dash.session_desc", name, f.Confirmed, f.Capacity, f.Waitlisted))
	}
	c.SVG = template.HTML(chart.Bars(title, joinWords(l, parts), bars))
	return c
}

func delivery(l string, mail []store.MailCount) figureChart {
	t := i18n.In(l)
	title := t("admin.dash.mail_title")
	c := figureChart{ID: "mail", Title: title, Columns: []string{t("admin.outbox.state"), t("admin.dash.count")}}
	by := map[string]int{}
	for _, m := range mail {
		s := m.Status
		if s == "sending" {
			s = "queued"
		}
		by[s] += m.N
	}
	var bars []chart.Bar
	var parts []string
	for _, s := range []string{"sent", "queued", "failed"} {
		name := t("admin.mail.status." + s)
		bars = append(bars, chart.Bar{Label: name, Value: by[s], Class: "mail-" + s})
		c.Rows = append(c.Rows, []string{name, fmt.Sprint(by[s])})
		parts = append(parts, fmt.Sprintf("%s %d", name, by[s]))
	}
	c.SVG = template.HTML(chart.Bars(title, joinWords(l, parts), bars))
	return c
}

// joinWords lists parts as the language does: "a, b, c" or "a、b、c".
func joinWords(l string, parts []string) string {
	sep := ", "
	if l == "zh" {
		sep = "，"
	}
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += sep
		}
		out += p
	}
	return out
}
