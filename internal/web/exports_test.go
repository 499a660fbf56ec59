package web

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/apitest"
	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/exporttest"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// exportGuests registers guests through the API, as guests do: Chinese and
// German names, organisations and answers that a spreadsheet would run as
// formulas, quotes, commas and line breaks.
func exportGuests(t *testing.T, ta *testApp, slug string) {
	t.Helper()
	guests := []map[string]any{
		{"first_name": "小明", "last_name": "王", "organisation": "华为技术有限公司", "country": "CN", "language": "zh",
			"sessions": []string{"ws-maintenance"}, "answers": map[string]any{"industry": "electronics", "interpretation": []string{"de-zh", "en-zh"}, "dietary": "清真"}},
		{"first_name": "Jürgen", "last_name": "Müller-Lüdenscheidt", "organisation": `Müller & Söhne "Anlagenbau", GmbH`, "country": "DE", "language": "de",
			"sessions": []string{"ws-investment"}, "answers": map[string]any{"industry": "machinery", "b2b": true, "dietary": "vegetarisch,\nkeine Nüsse"}},
		{"first_name": "Eve", "last_name": "Formula", "organisation": `=HYPERLINK("http://evil.example","x")`, "job_title": "+49 511 123",
			"answers": map[string]any{"industry": "research", "dietary": "-no nuts"}},
		{"first_name": "Özlem", "last_name": "Groß", "organisation": "@cmd", "job_title": "-", "country": "AT",
			"answers": map[string]any{"industry": "public", "dietary": "=1+2\t"}},
	}
	for i := range 36 {
		g := map[string]any{"first_name": "Gast", "last_name": fmt.Sprintf("Nummer %d", i), "country": []string{"DE", "CN", ""}[i%3],
			"answers": map[string]any{"industry": []string{"machinery", "automotive"}[i%2]}}
		if i%4 == 0 {
			g["sessions"] = []string{"ws-maintenance"}
		}
		guests = append(guests, g)
	}
	for i, g := range guests {
		p := person(1000+i, g)
		if code := ta.call(t, "POST", "/api/v1/events/"+slug+"/registrations", "", p, nil); code != http.StatusCreated {
			t.Fatalf("register %v: %d", g["last_name"], code)
		}
	}
}

// dbRow is one registration read straight from the database file, as
// sqlite3 or any other tool would read it.
type dbRow struct {
	id                                                                      int64
	status, first, last, email, org, job, country, answers, lang, checkedIn string
	seats                                                                   map[string]string
}

func readDatabase(t *testing.T, ta *testApp, where string) []dbRow {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(ta.dir, "foyer.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, status, first_name, last_name, email, organisation, job_title, country, answers, language,
		coalesce((SELECT at FROM checkins c WHERE c.registration_id = registrations.id AND c.door = 0), '')
		FROM registrations WHERE ` + where + ` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []dbRow
	for rows.Next() {
		var r dbRow
		if err := rows.Scan(&r.id, &r.status, &r.first, &r.last, &r.email, &r.org, &r.job, &r.country, &r.answers, &r.lang, &r.checkedIn); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	rows.Close()
	for i := range out {
		out[i].seats = map[string]string{}
		seats, err := db.Query(`SELECT s.key, rs.status FROM registration_sessions rs JOIN sessions s ON s.id = rs.session_id
			WHERE rs.registration_id = ?`, out[i].id)
		if err != nil {
			t.Fatal(err)
		}
		for seats.Next() {
			var k, st string
			seats.Scan(&k, &st)
			out[i].seats[k] = st
		}
		seats.Close()
	}
	return out
}

// queryDB reads one row from the database file, as any SQLite tool would.
func queryDB(t *testing.T, ta *testApp, query string, args []any, dest ...any) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(ta.dir, "foyer.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// wantCells is what the full list must show of a database row, in lang:
// text cells neutralised as the CSV has them, or as they are (XLSX).
func wantCells(e *programme.Event, lang string, r dbRow, neutralise bool) map[string]string {
	n := func(s string) string {
		// What OWASP advises against CSV injection, written out here
		// rather than taken from the code under test.
		if neutralise && s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
			return "'" + s
		}
		return s
	}
	t := i18n.In(lang)
	m := map[string]string{
		"id": strconv.FormatInt(r.id, 10), "status": t("status." + r.status), "first_name": n(r.first), "last_name": n(r.last),
		"email": n(r.email), "organisation": n(r.org), "job_title": n(r.job), "country_code": r.country,
		"name": n(registration.FullName(r.first, r.last, r.lang)),
	}
	if r.country != "" {
		m["country"] = registration.CountryName(lang, r.country)
	} else {
		m["country"] = ""
	}
	var answers map[string]any
	json.Unmarshal([]byte(r.answers), &answers)
	for _, q := range e.Questions {
		var text string
		v := answers[q.ID]
		if v == nil && q.Type == "yesno" {
			v = false // an unticked box is stored as no answer
		}
		switch v := v.(type) {
		case string:
			text = v
			if o := q.Option(v); o != nil {
				text = o.Label.In(lang, e.DefaultLanguage)
			}
		case bool:
			text = map[bool]string{true: t("export.yes"), false: t("export.no")}[v]
		case []any:
			var labels []string
			for _, x := range v {
				labels = append(labels, q.Option(x.(string)).Label.In(lang, e.DefaultLanguage))
			}
			text = strings.Join(labels, "; ")
		}
		m["q."+q.ID] = n(text)
	}
	m["checked_in_at"] = ""
	if r.checkedIn != "" {
		at, _ := time.Parse("2006-01-02T15:04:05.000000Z", r.checkedIn)
		m["checked_in_at"] = at.In(e.Location()).Format("2006-01-02 15:04")
	}
	for _, s := range e.Sessions {
		if s.Capacity != nil {
			m["s."+s.ID] = ""
			if st := r.seats[s.ID]; st != "" {
				m["s."+s.ID] = t("seat." + st)
			}
		}
	}
	return m
}

// TestAttendeeExportsMatchDatabase: the API's CSV, read as Excel reads it,
// and its XLSX, read with excelize, hold every registration of the filter
// with exactly what the database holds, Chinese and German names intact and
// formula-like cells neutralised (CSV) or kept as text (XLSX).
func TestAttendeeExportsMatchDatabase(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	exportGuests(t, ta, "forum")
	token := ta.token(t, "organiser")
	ev, err := ta.app.Store.GetEvent(t.Context(), "forum")
	if err != nil {
		t.Fatal(err)
	}
	sessionRow := ev.SessionIDs["ws-maintenance"]
	// Two guests come through the door.
	staff := ta.token(t, "staff")
	for _, r := range ta.registrations(t, "forum", token, "q=nummer+1")[:2] {
		if code := ta.call(t, "POST", "/api/v1/checkin", staff, map[string]any{"event": "forum", "code": *r.TicketCode}, nil); code != http.StatusOK {
			t.Fatalf("check-in: %d", code)
		}
	}

	cases := []struct {
		query, where string
	}{
		{"", "1"},
		{"status=confirmed", "status = 'confirmed'"},
		{"session=ws-maintenance", fmt.Sprintf("id IN (SELECT registration_id FROM registration_sessions WHERE session_id = %d)", sessionRow)},
		{"q=m%C3%BCller", "last_name = 'Müller-Lüdenscheidt'"},
		{"q=%E7%8E%8B%E5%B0%8F%E6%98%8E", "last_name = '王'"}, // 王小明
		{"country=CN&a.industry=automotive", "country = 'CN' AND json_extract(answers, '$.industry') = 'automotive'"},
		{"checked_in=false&lang=zh", "id NOT IN (SELECT registration_id FROM checkins WHERE door = 0)"},
		{"checked_in=true&sort=-name", "id IN (SELECT registration_id FROM checkins WHERE door = 0)"},
	}
	for _, c := range cases {
		for _, format := range []string{"csv", "xlsx"} {
			t.Run(format+"?"+c.query, func(t *testing.T) {
				lang := "de" // the event's language: the request names none
				if strings.Contains(c.query, "lang=zh") {
					lang = "zh"
				}
				res := download(t, ta, "/api/v1/events/forum/attendees."+format+"?"+c.query, token, http.StatusOK)
				var table [][]string
				if format == "csv" {
					if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
						t.Errorf("Content-Type %q", ct)
					}
					table = exporttest.ReadCSV(t, res.body)
				} else {
					table = exporttest.ReadXLSX(t, res.body)
				}
				if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename=forum-attendees-`) || !strings.HasSuffix(cd, "."+format) {
					t.Errorf("Content-Disposition %q", cd)
				}
				list, _ := export.NewList(ev.Event, "", lang, nil, i18n.In(lang))
				if !slices.Equal(table[0], neutralised(list.Headers(), format == "csv")) {
					t.Errorf("header %q,\nwant %q", table[0], list.Headers())
				}
				want := readDatabase(t, ta, "event_id = "+strconv.FormatInt(ev.ID, 10)+" AND "+c.where)
				if strings.Contains(c.query, "sort=-name") {
					slices.SortStableFunc(want, func(a, b dbRow) int {
						return strings.Compare(strings.ToLower(b.last+"\x00"+b.first), strings.ToLower(a.last+"\x00"+a.first))
					})
				}
				if len(want) == 0 && c.query != "checked_in=true" {
					t.Fatal("the case selects nothing: it tests nothing")
				}
				if len(table)-1 != len(want) {
					t.Fatalf("%d rows, the database has %d", len(table)-1, len(want))
				}
				if format == "csv" {
					for _, row := range table {
						for _, cell := range row {
							if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
								t.Errorf("a cell Excel would run as a formula: %q", cell)
							}
						}
					}
				}
				for i, r := range want {
					row := table[i+1]
					for key, w := range wantCells(ev.Event, lang, r, format == "csv") {
						ci := slices.IndexFunc(list.Columns, func(c export.Column) bool { return c.Key == key })
						got := ""
						if ci < len(row) {
							got = row[ci]
						}
						if format == "csv" {
							w = strings.ReplaceAll(w, "\r", "") // a CSV cell's line break reads back as LF
						}
						if got != w {
							t.Errorf("registration %d, %s: %q, database says %q", r.id, key, got, w)
						}
					}
				}
			})
		}
	}

	// A bad filter is a 400 that names the parameter; no file.
	var e apiError
	if code := ta.call(t, "GET", "/api/v1/events/forum/attendees.csv?status=maybe&checked_in=soon&preset=all", token, nil, &e); code != http.StatusBadRequest {
		t.Fatalf("bad filter: %d", code)
	}
	for _, field := range []string{"status", "checked_in"} {
		if e.Error.Fields[field] == "" {
			t.Errorf("no message for %s: %+v", field, e.Error)
		}
	}
	if code := ta.call(t, "GET", "/api/v1/events/forum/attendees.xlsx?preset=everything", token, nil, &e); code != http.StatusBadRequest || e.Error.Fields["preset"] == "" {
		t.Errorf("unknown preset: %d %+v", code, e.Error)
	}
	if code := ta.call(t, "GET", "/api/v1/events/nowhere/attendees.csv", token, nil, &e); code != http.StatusNotFound {
		t.Errorf("unknown event: %d", code)
	}
}

func neutralised(cells []string, csv bool) []string {
	if !csv {
		return cells
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		if c != "" && strings.ContainsAny(c[:1], "=+-@\t\r") {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}

type downloaded struct {
	Header http.Header
	body   []byte
}

func download(t *testing.T, ta *testApp, path, token string, status int) downloaded {
	t.Helper()
	var header []string
	if token != "" {
		header = []string{"Authorization", "Bearer " + token}
	}
	r := apitest.Client{Base: ta.srv.URL}.Do(t, http.MethodGet, path, nil, header...).Want(t, status)
	return downloaded{Header: r.Header, body: r.Body}
}
