package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// invitePath finds the path of an invitation's link in an email.
var invitePath = regexp.MustCompile(`https?://[^/\s"]+(/invite/[A-Za-z0-9_-]+)`)

// TestInvitationInBrowser: an admin invites two members on the team page,
// one in German and one in Chinese, with the invitation the default since
// SMTP is set up. Each email arrives at a real SMTP server in its language;
// on a phone the email and its link's page fit the screen, a short password
// is refused beside its field, and the right one signs the member in.
func TestInvitationInBrowser(t *testing.T) {
	t.Parallel()
	in, smtp := startDemoWithMail(t)
	ctx := newBrowser(t)
	signInAs(t, ctx, in, "admin", "/admin/team?lang=en")

	people := []struct{ lang, email, name, role, welcome, short string }{
		{"de", "jonas.weber@example.org", "Jonas Weber", "organiser", "Willkommen, Jonas Weber.", "Passwort: Es muss mindestens 10 Zeichen haben; es hat 5."},
		{"zh", "li.mei@example.org", "李梅", "staff", "李梅，欢迎加入。", "密码：至少需要 10 个字符，当前为 5 个。"},
	}
	var tokens []string
	for i, p := range people {
		navigate(t, ctx, in.URL+"/admin/team?lang=en", http.StatusOK)
		if !evaluate[bool](t, ctx, `document.querySelector('input[name=delivery][value=invite]').checked`) {
			t.Fatal("the invitation is not the default with SMTP set up")
		}
		setValues(t, ctx, map[string]string{"#email": p.email, "#name": p.name, "#role": p.role, "#language": p.lang})
		submit(t, ctx, `.editor-form button[type=submit]`)
		waitForText(t, ctx, "An invitation is on its way to "+p.email)
		msgs := smtp.WaitFor(t, i+1, time.Minute)
		msg, err := msgs[i].Parse()
		if err != nil {
			t.Fatal(err)
		}
		if got := msg.Header.Get("Content-Language"); got != p.lang || msg.To[0].Address != p.email {
			t.Fatalf("email %d: to %v in %q", i, msg.To, got)
		}
		link := invitePath.FindStringSubmatch(msg.HTML)
		if link == nil {
			t.Fatalf("no invitation link in the email to %s", p.email)
		}
		tokens = append(tokens, strings.TrimPrefix(link[1], "/invite/"))
		mail := msg.HTML
		mailPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, mail)
		}))
		defer mailPage.Close()

		// The invited person's phone: the email, then its link.
		phone := newBrowser(t)
		setViewport(t, phone, 390, 844, true)
		check := func(name string) {
			t.Helper()
			if sw := evaluate[int](t, phone, `document.documentElement.scrollWidth`); sw > 391 {
				t.Errorf("%s is %dpx wide on a 390px phone", name, sw)
			}
			for _, problem := range layoutProblems(t, phone) {
				t.Errorf("%s: %s", name, problem)
			}
			screenshotIfAsked(t, phone, name)
		}
		navigate(t, phone, mailPage.URL, http.StatusOK)
		check("invite-email-" + p.lang + "-390")
		navigate(t, phone, in.URL+link[1], http.StatusOK)
		waitForText(t, phone, p.welcome)
		check("invite-page-" + p.lang + "-390")
		setValues(t, phone, map[string]string{"#invite-password": "kurz5", "#invite-password-again": "kurz5"})
		submit(t, phone, `.invite button[type=submit]`)
		waitForText(t, phone, p.short)
		check("invite-page-error-" + p.lang + "-390")
		setValues(t, phone, map[string]string{"#invite-password": "a long enough password", "#invite-password-again": "a long enough password"})
		submit(t, phone, `.invite button[type=submit]`)
		// Organisers go to /admin; staff, like after a sign-in, to the start.
		got := evaluate[string](t, phone, `location.pathname`)
		if (p.role == "organiser") != (got == "/admin") || strings.HasPrefix(got, "/invite/") || got == "/login" {
			t.Errorf("%s (%s) after accepting: on %s", p.email, p.role, got)
		}
		if !evaluate[bool](t, phone, `!!document.querySelector('form[action="/logout"]')`) {
			t.Errorf("%s is not signed in after accepting", p.email)
		}
		// The link again: used.
		navigate(t, phone, in.URL+link[1], http.StatusGone)
		screenshotIfAsked(t, phone, "invite-used-"+p.lang+"-390")
		if errs := pageErrors(t, phone); len(errs) > 0 {
			t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
		}
	}
	logs := in.Stderr() + in.Stdout()
	for _, token := range tokens {
		if strings.Contains(logs, token) {
			t.Errorf("the server's log has an invitation's token")
		}
	}
}
