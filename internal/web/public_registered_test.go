package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAfterRegistering: the page after the form names the event, the
// address the email went to, the status and what comes next, with a
// calendar entry; a repeat says nothing about the existing registration,
// and the page without the form's cookie is a general thank-you.
func TestAfterRegistering(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", intp(1), intp(10), true))
	form := func(email, lang string) url.Values {
		return url.Values{"first_name": {"Anna"}, "last_name": {"Schäfer"}, "salutation": {"ms"}, "title": {"dr"},
			"email": {email}, "language": {lang}, "consent": {"yes"}, "q.industry": {"research"}, "sessions": {"ws-maintenance"}}
	}
	c := browserish(t)
	res, page := submitForm(t, c, ta.srv.URL, "/events/forum/register?lang=de", "/events/forum/register", form("anna@example.de", "de"))
	if res.StatusCode != 200 || res.Request.URL.Path != "/events/forum/registered" {
		t.Fatalf("after the form: %d at %s", res.StatusCode, res.Request.URL.Path)
	}
	for _, want := range []string{"Sie sind angemeldet", "anna@example.de", "Bestätigt", "Dr. Anna Schäfer",
		"Deutsch-Chinesisches Forum Intelligente Produktion", "Convention Center, Messegelände Hannover",
		"Vorausschauende Wartung", "Platz bestätigt", "So geht es weiter", "/events/forum/event.ics"} {
		if !strings.Contains(page, want) {
			t.Errorf("confirmed page lacks %q", want)
		}
	}
	if strings.Contains(page, "/m/") {
		t.Error("the page shows the manage link, which goes by email only")
	}
	_, ics := get(t, c, ta.srv.URL+"/events/forum/event.ics?lang=de")
	if strings.Count(ics, "BEGIN:VEVENT") != 2 || !strings.Contains(ics, "Vorausschauende Wartung") {
		t.Errorf("the calendar entry lacks the event or the workshop:\n%s", ics)
	}
	if _, ics := get(t, browserish(t), ta.srv.URL+"/events/forum/event.ics"); strings.Count(ics, "BEGIN:VEVENT") != 1 {
		t.Error("without the cookie the calendar has more than the event")
	}

	// The one place is taken: the next guest waits, in Chinese.
	c2 := browserish(t)
	_, page = submitForm(t, c2, ta.srv.URL, "/events/forum/register?lang=zh", "/events/forum/register", form("wang@example.cn", "zh"))
	for _, want := range []string{"您已进入候补名单", "wang@example.cn", "候补", "后续安排"} {
		if !strings.Contains(page, want) {
			t.Errorf("waiting-list page lacks %q", want)
		}
	}

	// The same address again, from another browser: the page says the
	// email went again, and nothing about the registration.
	c3 := browserish(t)
	_, page = submitForm(t, c3, ta.srv.URL, "/events/forum/register?lang=de", "/events/forum/register", form("ANNA@example.de", "de"))
	if !strings.Contains(page, "bereits eine Anmeldung") {
		t.Error("repeat: the page does not say the email went again")
	}
	for _, secret := range []string{"Bestätigt", "Schäfer", "anna@example.de", "Vorausschauende Wartung", "Platz bestätigt"} {
		if strings.Contains(page, secret) {
			t.Errorf("repeat: the page shows %q of the existing registration", secret)
		}
	}

	// Opened without the form, or with a forged cookie: general thanks.
	for _, cookie := range []string{"", "1.false.99999999999.forged"} {
		req, _ := http.NewRequest("GET", ta.srv.URL+"/events/forum/registered?lang=de", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "foyer_done", Value: cookie})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
		if res.StatusCode != 200 || strings.Contains(body, "anna@example.de") || !strings.Contains(body, "Postfach") {
			t.Errorf("cookie %q: %d, general page %v", cookie, res.StatusCode, strings.Contains(body, "Postfach"))
		}
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, res.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
