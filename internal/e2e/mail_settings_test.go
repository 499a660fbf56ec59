package e2e

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/waittest"
)

// The mail server of these tests: STARTTLS with a certificate from a test
// CA, and a login. foyer trusts the CA only through SSL_CERT_FILE, as a
// server of an organisation's own CA is trusted.
const (
	smtpUser     = "foyer"
	smtpPassword = "right-password"
)

func startMailServer(t *testing.T) (srv *mailtest.Server, right, wrong, trustCA string) {
	t.Helper()
	srv = mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth(smtpUser, smtpPassword))
	right = srv.URL()
	if !strings.Contains(right, smtpPassword) || !strings.Contains(right, "tls=starttls") {
		t.Fatalf("mail server URL %s", right)
	}
	return srv, right, strings.Replace(right, smtpPassword, "wrong-password", 1), "SSL_CERT_FILE=" + srv.CAFile(t)
}

// registerMailGuests registers n guests with addresses of the test's own and
// returns the addresses.
func registerMailGuests(t *testing.T, in *Instance, prefix string, n int) []string {
	t.Helper()
	var emails []string
	for i := range n {
		email := fmt.Sprintf("%s-%d@example.org", prefix, i)
		in.api(t, "POST", "/api/v1/events/"+demoSlug+"/registrations", "", guestBody(email)).Want(t, http.StatusCreated)
		emails = append(emails, email)
	}
	return emails
}

// received counts the messages srv received for each address.
func received(srv *mailtest.Server) map[string]int {
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			seen[to]++
		}
	}
	return seen
}

// waitLog waits until the server's log holds text.
func waitLog(t *testing.T, in *Instance, text string) {
	t.Helper()
	waittest.For(t, 20*time.Second, func() error {
		if log := in.Stderr(); !strings.Contains(log, text) {
			return fmt.Errorf("no %q in the log:\n%s", text, log)
		}
		return nil
	})
}

// mailLines are the lines of the log that say mail cannot be sent.
func mailLines(in *Instance) []string {
	var lines []string
	for _, l := range strings.Split(in.Stderr(), "\n") {
		if strings.Contains(l, "mail cannot be sent") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestMailSettingsRight: with the right password and the CA trusted, the
// start says the settings work, `foyer mail test` shows every step and its
// email arrives over TLS with the login, and so do the guests' tickets.
func TestMailSettingsRight(t *testing.T) {
	t.Parallel()
	srv, right, _, trust := startMailServer(t)
	in := startFoyer(t, Options{Demo: true, Env: []string{"FOYER_SMTP_URL=" + right, trust, "FOYER_MAIL_FROM=forum@example.org"}})
	waitLog(t, in, "the SMTP server accepts foyer's settings")

	code, stdout, stderr := in.run(t, "mail", "test", "--to", "ops@example.org")
	if code != 0 {
		t.Fatalf("foyer mail test: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"connect  ok", "tls      ok      STARTTLS, TLS 1.3", `issued by "mailtest CA"`, "login    ok      as foyer", "send     ok      from forum@example.org to ops@example.org", "inbox"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("foyer mail test lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout+stderr, smtpPassword) {
		t.Errorf("foyer mail test printed the password")
	}
	test := srv.WaitUntil(t, 30*time.Second, func(m []mailtest.Received) bool { return received(srv)["ops@example.org"] == 1 })
	for _, m := range test {
		if m.To[0] == "ops@example.org" {
			p, err := m.Parse()
			if err != nil || !m.TLS || m.User != smtpUser || p.Subject != "foyer test email" {
				t.Errorf("test email: TLS %v, user %q, subject %q, %v", m.TLS, m.User, p.Subject, err)
			}
		}
	}

	emails := registerMailGuests(t, in, "right", 2)
	srv.WaitUntil(t, 30*time.Second, func([]mailtest.Received) bool {
		seen := received(srv)
		return seen[emails[0]] == 1 && seen[emails[1]] == 1
	})
	var h map[string]any
	in.get(t, "/healthz").Want(t, http.StatusOK).Decode(t, &h)
	if h["mail"] != "ok" {
		t.Errorf("healthz %v", h)
	}
}

// TestMailSettingsWrong: a wrong password and a certificate the machine does
// not trust are each reported at start (once, in the log), by `foyer mail
// test` (exit 1, the failing step named), on /healthz (200, degraded, the
// reason) and as the banner on the organiser pages; the guests' emails wait,
// saying why, and go out once each after the setting is fixed and foyer
// restarted.
func TestMailSettingsWrong(t *testing.T) {
	t.Parallel()
	srv, right, wrong, trust := startMailServer(t)
	for _, c := range []struct {
		name     string
		env      []string
		reason   string
		step     string
		banner   string
		fixedEnv []string
	}{
		{"wrong password", []string{"FOYER_SMTP_URL=" + wrong, trust}, "SMTP login refused", "login    FAILED",
			"The mail server refuses foyer's login", []string{"FOYER_SMTP_URL=" + right, trust}},
		{"untrusted certificate", []string{"FOYER_SMTP_URL=" + right}, "SMTP server certificate not trusted", "tls      FAILED",
			"foyer does not trust the mail server's certificate", []string{"FOYER_SMTP_URL=" + right, trust}},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Demo: true, Env: c.env, AllowErrorLogs: true}
			in := startFoyer(t, opts)

			// At start, once, naming the setting.
			waitLog(t, in, c.reason)
			emails := registerMailGuests(t, in, strings.ReplaceAll(c.name, " ", "-"), 3)

			// /healthz: still 200, mail degraded with the reason.
			var h map[string]any
			in.get(t, "/healthz").Want(t, http.StatusOK).Decode(t, &h)
			if h["mail"] != "degraded" || h["mail_reason"] != c.reason || h["database"] != "ok" {
				t.Errorf("healthz %v", h)
			}

			// foyer mail test: each step, the failing one named, exit 1.
			code, stdout, stderr := in.run(t, "mail", "test", "--to", "ops@example.org")
			if code != 1 || !strings.Contains(stdout, "connect  ok") || !strings.Contains(stdout, c.step) ||
				!strings.Contains(stderr, c.reason) || !strings.Contains(stderr, "FOYER_SMTP_URL") && c.step == "login    FAILED" {
				t.Errorf("foyer mail test: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}

			// The emails wait, saying why; none is failed or sent.
			tok := in.token(t, "organiser")
			var list struct {
				Registrations []struct {
					Email string `json:"email"`
					Mail  *struct {
						Status string `json:"status"`
						Error  string `json:"error"`
					} `json:"mail"`
				} `json:"registrations"`
			}
			waittest.For(t, 20*time.Second, func() error {
				in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations", tok, nil).Want(t, http.StatusOK).Decode(t, &list)
				waiting := 0
				for _, r := range list.Registrations {
					if r.Mail != nil && r.Mail.Status == "queued" && strings.HasPrefix(r.Mail.Error, c.reason+": ") {
						waiting++
					}
				}
				if waiting != len(emails) {
					return fmt.Errorf("emails do not wait saying %q: %+v", c.reason, list.Registrations)
				}
				return nil
			})

			// The banner, for the demo admin.
			cookie := in.login(t, adminEmail, adminPassword)
			page := html.UnescapeString(string(in.get(t, "/admin?lang=en", "Cookie", cookie).Want(t, http.StatusOK).Body))
			if !strings.Contains(page, c.banner) || !strings.Contains(page, "Emails are not going out") {
				t.Errorf("/admin has no banner saying %q", c.banner)
			}

			if lines := mailLines(in); len(lines) != 1 || !strings.Contains(lines[0], "level=ERROR") || !strings.Contains(lines[0], "FOYER_SMTP_URL") {
				t.Errorf("want one ERROR line, naming FOYER_SMTP_URL, that mail cannot be sent; got:\n%s", strings.Join(lines, "\n"))
			}
			for _, e := range emails {
				if n := received(srv)[e]; n != 0 {
					t.Errorf("%s received %d emails with the wrong setting", e, n)
				}
			}

			// Fixed and restarted: each waiting email goes out once.
			in.stop(t, opts)
			in = in.restart(t, Options{Env: c.fixedEnv})
			srv.WaitUntil(t, 60*time.Second, func([]mailtest.Received) bool {
				seen := received(srv)
				for _, e := range emails {
					if seen[e] == 0 {
						return false
					}
				}
				return true
			})
			waittest.For(t, 20*time.Second, func() error {
				in.get(t, "/healthz").Want(t, http.StatusOK).Decode(t, &h)
				if h["mail"] != "ok" || h["mail_waiting"] != float64(0) {
					return fmt.Errorf("healthz after the fix: %v", h)
				}
				return nil
			})
			for _, e := range emails {
				if n := received(srv)[e]; n != 1 {
					t.Errorf("%s received %d emails, want 1", e, n)
				}
			}
		})
	}
}

// TestMailBannerInBrowser shows the banner as an organiser sees it, in each
// language, on a phone and on a desktop.
func TestMailBannerInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	_, _, wrong, trust := startMailServer(t)
	in := startFoyer(t, Options{Demo: true, Env: []string{"FOYER_SMTP_URL=" + wrong, trust}, AllowErrorLogs: true})
	waitLog(t, in, "SMTP login refused")
	registerMailGuests(t, in, "browser", 1)
	signIn(t, ctx, in, "/admin", adminEmail, adminPassword)
	for _, c := range []struct{ lang, title string }{{"en", "Emails are not going out"}, {"de", "E-Mails werden nicht versendet"}, {"zh", "邮件无法发出"}} {
		for _, size := range screenSizes {
			setViewport(t, ctx, size.width, size.height, size.mobile)
			navigate(t, ctx, in.URL+"/admin?lang="+c.lang, http.StatusOK)
			waitForText(t, ctx, c.title)
			visible := evaluate[bool](t, ctx, `(() => { const b = document.querySelector('.mail-alert'); const r = b && b.getBoundingClientRect(); return !!r && r.width > 0 && r.height > 0 && r.top < innerHeight })()`)
			if !visible {
				t.Errorf("%s %s: the banner is not in view", c.lang, size.name)
			}
			if sw := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); sw > size.width+1 {
				t.Errorf("%s %s: the page is %dpx wide in a %dpx window", c.lang, size.name, sw, size.width)
			}
			screenshot(t, ctx, fmt.Sprintf("mail-banner-%s-%s", c.lang, size.name))
		}
	}
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}
}
