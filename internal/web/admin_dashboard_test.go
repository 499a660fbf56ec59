package web

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// chartFigure cuts one chart's figure out of the dashboard.
func chartFigure(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `id="chart-`+id+`"`)
	if start < 0 {
		t.Fatalf("no chart %q on the page", id)
	}
	end := strings.Index(page[start:], "</figure>")
	if end < 0 {
		t.Fatalf("chart %q does not end", id)
	}
	return page[start : start+end]
}

var chartRow = regexp.MustCompile(`<tr><th scope="row">([^<]*)</th>((?:<td class="num">[^<]*</td>)+)</tr>`)
var chartCell = regexp.MustCompile(`<td class="num">([^<]*)</td>`)

// chartTable reads the table behind a chart: its first column to the rest.
func chartTable(t *testing.T, fig string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range chartRow.FindAllStringSubmatch(fig, -1) {
		var cells []string
		for _, c := range chartCell.FindAllStringSubmatch(m[2], -1) {
			cells = append(cells, c[1])
		}
		out[html.UnescapeString(m[1])] = cells
	}
	return out
}

// TestAdminDashboard: the dashboard draws every chart the organisers need
// as SVG with a title and a text alternative, the tables behind them give
// the database's numbers, the answer chart follows the question chosen,
// and the check-in part, fetched on its own, counts a new check-in.
func TestAdminDashboard(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	exportGuests(t, ta, "forum")
	token := ta.token(t, "organiser")
	regs := ta.registrations(t, "forum", token, "sort=created")
	// One cancelled, so that two statuses have guests.
	if code := ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", regs[len(regs)-1].ID), token, nil, nil); code != 200 {
		t.Fatalf("cancel: %d", code)
	}
	a := newAdminClient(t, ta, "organiser")
	res, page := a.get("/admin/events/forum?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	for _, id := range []string{"over-time", "status", "country", "answers", "sessions", "mail", "checkin"} {
		fig := chartFigure(t, page, id)
		if !strings.Contains(fig, `<svg`) || !strings.Contains(fig, `role="img"`) {
			t.Errorf("chart %s: no SVG image", id)
		}
		for _, part := range []string{"<figcaption", "<title id=", "<desc id=", `<table class="figures">`} {
			if !strings.Contains(fig, part) {
				t.Errorf("chart %s: no %s", id, part)
			}
		}
		if strings.Contains(fig, "style=") {
			t.Errorf("chart %s: inline style, which the CSP blocks", id)
		}
	}
	// No one is checked in yet: the arrivals chart says so instead.
	if fig := chartFigure(t, page, "arrivals"); !strings.Contains(fig, "No one has been checked in yet.") {
		t.Errorf("arrivals before any check-in: %s", fig)
	}

	count := func(query string, args ...any) string {
		var n int
		queryDB(t, ta, query, args, &n)
		return fmt.Sprint(n)
	}
	status := chartTable(t, chartFigure(t, page, "status"))
	for name, st := range map[string]string{"Confirmed": "confirmed", "Cancelled": "cancelled", "Awaiting approval": "pending", "Waiting list": "waitlisted"} {
		want := count("SELECT count(*) FROM registrations WHERE status = ?", st)
		if got := status[name]; len(got) != 1 || got[0] != want {
			t.Errorf("status %s: table %v, database %s", st, got, want)
		}
	}
	live := "status IN ('pending', 'confirmed', 'waitlisted')"
	country := chartTable(t, chartFigure(t, page, "country"))
	for name, code := range map[string]string{"Germany": "DE", "China": "CN", "Austria": "AT", "No country given": ""} {
		want := count("SELECT count(*) FROM registrations WHERE country = ? AND "+live, code)
		if got := country[name]; len(got) != 1 || got[0] != want {
			t.Errorf("country %s: table %v, database %s", code, got, want)
		}
	}
	sessions := chartTable(t, chartFigure(t, page, "sessions"))
	ws := sessions["Workshop: predictive maintenance with industrial AI"]
	want := []string{count("SELECT confirmed FROM sessions WHERE key = 'ws-maintenance'"), "40", "0"}
	if fmt.Sprint(ws) != fmt.Sprint(want) {
		t.Errorf("session fill: table %v, database %v", ws, want)
	}
	total := count("SELECT count(*) FROM registrations")
	over := chartTable(t, chartFigure(t, page, "over-time"))
	if len(over) != 1 {
		t.Errorf("registrations over time: %d days, want 1 (all registered today)", len(over))
	}
	for day, cells := range over {
		if len(cells) != 2 || cells[0] != total || cells[1] != total {
			t.Errorf("over time %s: %v, want %s new and in total", day, cells, total)
		}
	}
	// The worker may move emails from waiting to sent meanwhile; their
	// number stays.
	mail := chartTable(t, chartFigure(t, page, "mail"))
	sum := 0
	for _, state := range []string{"Sent", "Waiting", "Failed"} {
		if len(mail[state]) != 1 {
			t.Fatalf("mail %s: %v", state, mail[state])
		}
		var n int
		fmt.Sscan(mail[state][0], &n)
		sum += n
	}
	if want := count("SELECT count(*) FROM outbox"); fmt.Sprint(sum) != want || sum == 0 {
		t.Errorf("emails in the chart: %d, in the outbox %s", sum, want)
	}

	// The first question is charted first; choosing another redraws.
	industry := chartTable(t, chartFigure(t, page, "answers"))
	if got, want := industry["Machinery and plant engineering"], count(
		"SELECT count(*) FROM registrations WHERE json_extract(answers, '$.industry') = 'machinery' AND "+live); len(got) != 1 || got[0] != want {
		t.Errorf("industry machinery: table %v, database %s (table %v)", got, want, industry)
	}
	_, page = a.get("/admin/events/forum?lang=de&question=interpretation")
	fig := chartFigure(t, page, "answers")
	interp := chartTable(t, fig)
	if !strings.Contains(fig, `<option value="interpretation" selected>`) {
		t.Error("the chosen question is not selected")
	}
	if len(interp) != 2 {
		t.Errorf("interpretation answers: %v, want two options", interp)
	}
	for label, cells := range interp {
		if strings.Contains(label, "de-zh") || strings.Contains(label, "en-zh") || len(cells) != 1 || cells[0] != "1" {
			t.Errorf("interpretation %q: %v, want a label, not the value, with one guest", label, cells)
		}
	}
	if res, _ := a.get("/admin/events/forum?question=dietary"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("free-text question charted: %d, want 400", res.StatusCode)
	}

	// A check-in shows in the part the page fetches again by itself.
	staff := ta.token(t, "staff")
	code := *regs[0].TicketCode
	if c := ta.call(t, "POST", "/api/v1/checkin", staff, map[string]any{"event": "forum", "code": code}, nil); c != 200 {
		t.Fatalf("check-in: %d", c)
	}
	res, part := a.get("/admin/events/forum/checkin-progress?lang=zh")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("check-in progress: %d", res.StatusCode)
	}
	if !strings.Contains(part, `data-refresh="/admin/events/forum/checkin-progress"`) || strings.Contains(part, "<html") {
		t.Errorf("check-in progress is not the section alone: %.300s", part)
	}
	expected := count("SELECT count(*) FROM registrations WHERE status = 'confirmed'")
	entrance := chartTable(t, chartFigure(t, part, "checkin"))
	found := false
	for _, cells := range entrance {
		if len(cells) == 2 && cells[0] == "1" && cells[1] == expected {
			found = true
		}
	}
	if !found {
		t.Errorf("entrance after one check-in: %v, want 1 of %s", entrance, expected)
	}
	if fig := chartFigure(t, part, "arrivals"); !strings.Contains(fig, "<svg") {
		t.Error("arrivals after a check-in: no chart")
	}
}
