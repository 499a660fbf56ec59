package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestManagePage changes sessions and cancels through the private link, and
// checks that the ticket stops working.
func TestManagePage(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, intp(1), true))
	c := browserish(t)
	link := registerAnna(t, ta, c)
	res, page := get(t, c, ta.srv.URL+link)
	for _, want := range []string{"Bestätigt", "Anna", "ticket.png", "Vorausschauende Wartung", "Deutschland"} {
		if !strings.Contains(page, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("manage page headers: %v", res.Header)
	}
	if res, _ := get(t, c, ta.srv.URL+link+"/ticket.png"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("ticket.png: %d", res.StatusCode)
	}
	if _, ics := get(t, c, ta.srv.URL+link+"/event.ics"); !strings.Contains(ics, "BEGIN:VCALENDAR") {
		t.Error("event.ics is not a calendar")
	}

	// Give up the workshop seat, then cancel (after confirming).
	res, page = submitForm(t, c, ta.srv.URL, link, link+"/sessions", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(page, "Auswahl der Sessions wurde gespeichert") {
		t.Errorf("session change: %d", res.StatusCode)
	}
	res, page = submitForm(t, c, ta.srv.URL, link, link+"/cancel", url.Values{})
	if !strings.Contains(page, "wirklich stornieren") {
		t.Error("cancel did not ask for confirmation")
	}
	res, page = submitForm(t, c, ta.srv.URL, link, link+"/cancel", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 200 || !strings.Contains(page, "Storniert") {
		t.Errorf("cancel: %d", res.StatusCode)
	}
	if res, _ := get(t, c, ta.srv.URL+link+"/ticket.png"); res.StatusCode != 404 {
		t.Errorf("ticket.png after cancelling: %d, want 404", res.StatusCode)
	}
	msgs := ta.smtp.WaitFor(t, 2, 20*time.Second)
	if p, _ := msgs[1].Parse(); !strings.Contains(p.Subject, "storniert") {
		t.Errorf("second email: %q", p.Subject)
	}

	// A POST without the CSRF token is refused.
	res, err := c.PostForm(ta.srv.URL+"/events/forum/register", annasForm())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Das Formular ist abgelaufen") {
		t.Errorf("form without CSRF token: %d, want 403 with the German explanation", res.StatusCode)
	}
}
