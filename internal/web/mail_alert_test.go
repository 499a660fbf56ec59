package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/store"
)

// organiser signs in a new organiser and returns their browser.
func (ta *testApp) organiser(t *testing.T) *http.Client {
	t.Helper()
	email := "org" + time.Now().Format("150405.000000") + "@example.org"
	if _, err := ta.app.Store.CreateUser(context.Background(), email, "Org", store.RoleOrganiser, "a long password"); err != nil {
		t.Fatal(err)
	}
	c := browserish(t)
	if res, _ := submitForm(t, c, ta.srv.URL, "/login", "/login", url.Values{"email": {email}, "password": {"a long password"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return c
}

// TestMailAlert: while the mail server refuses foyer's login, every
// organiser page shows a banner in the organiser's language saying what is
// wrong and what to check; public pages do not.
func TestMailAlert(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithAuth("foyer", "right"))
	ta := startAppWith(t, map[string]string{"FOYER_SMTP_URL": "smtp://foyer:wrong@" + srv.Addr() + "?tls=none"}, false,
		smallForum("forum", nil, nil, true))
	org := ta.organiser(t)
	var h healthAnswer
	waitUntil(t, 20*time.Second, func() bool {
		ta.call(t, "GET", "/healthz", "", nil, &h)
		return h.Mail == "degraded"
	})
	if h.MailReason != "SMTP login refused" || h.Status != "degraded" {
		t.Errorf("healthz %+v", h)
	}
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), nil)

	for _, c := range []struct{ lang, title, check string }{
		{"en", "Emails are not going out", "the user name and password in FOYER_SMTP_URL"},
		{"de", "E-Mails werden nicht versendet", "Benutzername und Passwort in FOYER_SMTP_URL"},
		{"zh", "邮件无法发出", "FOYER_SMTP_URL 中的用户名和密码"},
	} {
		res, page := get(t, org, ta.srv.URL+"/admin?lang="+c.lang)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/admin: %d", res.StatusCode)
		}
		for _, want := range []string{`class="mail-alert" role="alert"`, c.title, c.check, "535"} {
			if !strings.Contains(page, want) {
				t.Errorf("/admin?lang=%s lacks %q", c.lang, want)
			}
		}
	}
	// Not on public pages, not even for an organiser.
	for _, path := range []string{"/", "/events/forum"} {
		if _, page := get(t, org, ta.srv.URL+path); strings.Contains(page, "mail-alert") {
			t.Errorf("%s shows the mail banner", path)
		}
	}
}

// TestMailAlertSlow: an email that has waited over ten minutes for no
// known reason shows the banner too.
func TestMailAlertSlow(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	org := ta.organiser(t)
	if _, page := get(t, org, ta.srv.URL+"/admin"); strings.Contains(page, "mail-alert") {
		t.Fatal("a banner while mail works")
	}
	ta.smtp.SetReject(451, "greylisted, try again later")
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), nil)
	var h healthAnswer
	waitUntil(t, 20*time.Second, func() bool {
		ta.call(t, "GET", "/healthz", "", nil, &h)
		return h.MailWaiting == 1
	})
	age(t, ta, 12*time.Minute)
	_, page := get(t, org, ta.srv.URL+"/admin?lang=en")
	for _, want := range []string{"Emails are delayed", "queued 12 minutes ago", "foyer mail test --to ADDRESS"} {
		if !strings.Contains(page, want) {
			t.Errorf("/admin lacks %q", want)
		}
	}
}

// TestMailAlertCatalogue: every problem the banner can name has its words
// in every language.
func TestMailAlertCatalogue(t *testing.T) {
	problems := []string{"slow"}
	for _, f := range mail.Faults {
		problems = append(problems, string(f))
	}
	for _, l := range languages.All {
		for _, p := range problems {
			for _, key := range []string{"ops.mail.problem." + p, "ops.mail.check." + p} {
				if !i18n.Has(l, key) {
					t.Errorf("%s: no %s", l, key)
				}
			}
		}
	}
}
