package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFormsOfAddressAPI: salutation and title go in and come out of the
// registration JSON, and a value outside the lists is refused by field.
func TestFormsOfAddressAPI(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	const path = "/api/v1/events/forum/registrations"
	var reg apiRegistration
	body := person(1, map[string]any{"first_name": "Anna", "last_name": "Schäfer", "salutation": "ms", "title": "dr"})
	if code := ta.call(t, "POST", path, "", body, &reg); code != http.StatusCreated {
		t.Fatalf("register: %d", code)
	}
	if reg.Salutation != "ms" || reg.Title != "dr" {
		t.Errorf("answer has salutation %q, title %q", reg.Salutation, reg.Title)
	}
	org := ta.token(t, "organiser")
	var stored apiRegistration
	ta.call(t, "GET", "/api/v1/registrations/"+strconv.FormatInt(reg.ID, 10), org, nil, &stored)
	if stored.Salutation != "ms" || stored.Title != "dr" {
		t.Errorf("stored salutation %q, title %q", stored.Salutation, stored.Title)
	}
	var plain apiRegistration
	ta.call(t, "POST", path, "", person(2, nil), &plain)
	if plain.Salutation != "" || plain.Title != "" {
		t.Errorf("without a form of address: %q, %q", plain.Salutation, plain.Title)
	}
	for _, c := range []struct{ field, value string }{{"salutation", "mrs"}, {"salutation", "Ms"}, {"title", "Dr."}, {"title", "phd"}} {
		var e apiError
		code := ta.call(t, "POST", path, "", person(3, map[string]any{c.field: c.value, "language": "de"}), &e)
		if code != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Fields[c.field], "wählen") {
			t.Errorf("%s %q: %d %v", c.field, c.value, code, e.Error.Fields)
		}
	}
}

// TestFormsOfAddressForm: the form offers them in the page's language, the
// Chinese form asks for the family name first, and the manage page and the
// printable ticket show the name in its culture's order with the title.
func TestFormsOfAddressForm(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	c := browserish(t)
	_, zh := get(t, c, ta.srv.URL+"/events/forum/register?lang=zh")
	if i, j := strings.Index(zh, `for="last_name"`), strings.Index(zh, `for="first_name"`); i < 0 || j < 0 || i > j {
		t.Errorf("the Chinese form does not ask for 姓 before 名 (%d, %d)", i, j)
	}
	_, de := get(t, c, ta.srv.URL+"/events/forum/register?lang=de")
	for _, want := range []string{"Anrede", `<option value="ms">Frau</option>`, `<option value="prof_dr">Prof. Dr.</option>`} {
		if !strings.Contains(de, want) {
			t.Errorf("German form lacks %q", want)
		}
	}
	if i, j := strings.Index(de, `for="last_name"`), strings.Index(de, `for="first_name"`); i < j {
		t.Error("the German form asks for the family name first")
	}

	people := []struct {
		lang, first, last, salutation, title string
		shows                                string
	}{
		{"de", "Anna", "Schäfer", "ms", "dr", "Dr. Anna Schäfer"},
		{"zh", "小明", "王", "mr", "", "王小明"},
	}
	for i, p := range people {
		values := url.Values{"first_name": {p.first}, "last_name": {p.last}, "salutation": {p.salutation}, "title": {p.title},
			"email": {"guest" + strconv.Itoa(i) + "@example.org"}, "language": {p.lang}, "consent": {"yes"}, "q.industry": {"research"}}
		res, _ := submitForm(t, c, ta.srv.URL, "/events/forum/register?lang="+p.lang, "/events/forum/register", values)
		if res.StatusCode != 200 {
			t.Fatalf("register %s: %d", p.shows, res.StatusCode)
		}
		m, err := ta.smtp.WaitFor(t, i+1, 20*time.Second)[i].Parse()
		if err != nil {
			t.Fatal(err)
		}
		link := manageLink.FindStringSubmatch(m.Text)
		if link == nil {
			t.Fatal("no manage link")
		}
		for _, path := range []string{link[1], link[1] + "/ticket", link[1] + "/ticket?size=a6"} {
			_, page := get(t, browserish(t), ta.srv.URL+path)
			if !strings.Contains(page, ">"+p.shows+"<") {
				t.Errorf("%s does not show %q", path, p.shows)
			}
		}
	}
}

// TestCountryList: the event's focus countries head the list, then every
// country in the reader's order, named in the reader's language.
func TestCountryList(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	c := browserish(t)
	for _, tc := range []struct{ lang, top, first, all string }{
		{"de", `<optgroup label="Häufig gewählt">`, `<option value="DE">Deutschland</option>`, `<option value="AT">Österreich</option>`},
		{"zh", `<optgroup label="常用">`, `<option value="DE">德国</option>`, `<option value="AT">奥地利</option>`},
		{"en", `<optgroup label="Frequent choices">`, `<option value="DE">Germany</option>`, `<option value="AT">Austria</option>`},
	} {
		_, page := get(t, c, ta.srv.URL+"/events/forum/register?lang="+tc.lang)
		top, first, all := strings.Index(page, tc.top), strings.Index(page, tc.first), strings.Index(page, tc.all)
		china := strings.Index(page, `<option value="CN">`)
		if top < 0 || first < top || china < first || all < china {
			t.Errorf("%s: group %d, Germany %d, China %d, Austria %d: want the focus group with Germany, China, then the rest", tc.lang, top, first, china, all)
		}
		if strings.Count(page, `<option value="DE">`) != 1 {
			t.Errorf("%s: Germany is listed more than once", tc.lang)
		}
	}
}
