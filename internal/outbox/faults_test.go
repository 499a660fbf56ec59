package outbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
)

// startFaulty starts the worker against srv with FOYER_SMTP_URL url.
func startFaulty(t *testing.T, srv *mailtest.Server, url string) *testOutbox {
	t.Helper()
	to := &testOutbox{dir: t.TempDir(), smtp: srv, smtpURL: url}
	to.open(t)
	e := forum(nil)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := to.store.SaveEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return to
}

// waitProblem waits until mail health names that problem.
func (to *testOutbox) waitProblem(t *testing.T, problem string) Health {
	t.Helper()
	var h Health
	waitUntil(t, 20*time.Second, func() bool {
		var err error
		h, err = to.w.Health(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return h.Problem == problem
	})
	return h
}

// errorLines are the worker's log lines at level ERROR.
func (to *testOutbox) errorLines() []string {
	var lines []string
	for _, l := range strings.Split(to.logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestLoginRefused: with a wrong password the probe at start finds it and
// logs it once; emails wait (not failed), saying why, and the server sees
// a few probes rather than a login per email; once the password is right
// and foyer restarted, every email goes out once.
func TestLoginRefused(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithAuth("foyer", "right"))
	to := startFaulty(t, srv, "smtp://foyer:wrong@"+srv.Addr()+"?tls=none")
	h := to.waitProblem(t, string(mail.FaultLogin))
	if h.OK || h.Reason != "SMTP login refused" || !strings.Contains(h.Detail, "535") || !strings.Contains(h.Check, "FOYER_SMTP_URL") {
		t.Errorf("health %+v", h)
	}

	const n = 25
	var first int64
	for i := range n {
		reg := to.register(t, "forum", guest(i, "en"))
		if i == 0 {
			first = reg.ID
		}
	}
	waitUntil(t, 20*time.Second, func() bool { return to.figures(t).MailRetrying == n })
	reg, err := to.store.GetRegistration(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Mail == nil || reg.Mail.Status != "queued" || !strings.HasPrefix(reg.Mail.Error, "SMTP login refused: ") {
		t.Errorf("a waiting email's state: %+v", reg.Mail)
	}
	if logins := srv.Logins(); logins >= 10 {
		t.Errorf("the server saw %d logins for %d emails: foyer should probe, not try each email", logins, n)
	}
	if f := to.figures(t); f.MailFailed != 0 {
		t.Errorf("%d emails failed; they should wait", f.MailFailed)
	}
	if got := len(srv.Messages()); got != 0 {
		t.Errorf("%d messages delivered with a wrong password", got)
	}
	if lines := to.errorLines(); len(lines) != 1 || !strings.Contains(lines[0], "SMTP login refused") || !strings.Contains(lines[0], "FOYER_SMTP_URL") {
		t.Errorf("want one ERROR line naming the fault and the variable, got:\n%s", strings.Join(lines, "\n"))
	}

	// The setting mended, foyer restarted: each email goes out once.
	to.stop()
	to.smtpURL = srv.URL()
	to.open(t)
	eachGuestOnce(t, srv.WaitFor(t, n, 60*time.Second), n)
	waitUntil(t, 10*time.Second, func() bool { f := to.figures(t); return f.MailQueued == 0 && f.MailRetrying == 0 })
	if h, _ := to.w.Health(context.Background()); !h.OK {
		t.Errorf("health after the fix: %+v", h)
	}
	if got := len(srv.Messages()); got != n {
		t.Errorf("%d messages in all, want %d", got, n)
	}
	if !strings.Contains(to.logs.String(), "the SMTP server accepts foyer's settings") {
		t.Errorf("the start after the fix does not say the settings work:\n%s", to.logs.String())
	}
}

// TestCertificateNotTrusted: a server whose certificate the system does not
// trust is a fault of the settings, found at start, with the emails waiting.
func TestCertificateNotTrusted(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithTestCA())
	to := startFaulty(t, srv, srv.URL())
	h := to.waitProblem(t, string(mail.FaultCertificate))
	if h.Reason != "SMTP server certificate not trusted" || !strings.Contains(h.Check, "SSL_CERT_FILE") {
		t.Errorf("health %+v", h)
	}
	to.register(t, "forum", guest(1, "de"))
	waitUntil(t, 20*time.Second, func() bool { return to.figures(t).MailRetrying == 1 })
	if lines := to.errorLines(); len(lines) != 1 || !strings.Contains(lines[0], "certificate") {
		t.Errorf("want one ERROR line about the certificate, got:\n%s", strings.Join(lines, "\n"))
	}
}

// TestOutageMendsItself: a server that goes away is a fault too; the
// worker probes until it is back and then sends what waited, without a
// restart.
func TestOutageMendsItself(t *testing.T) {
	srv := mailtest.Start(t)
	to := startFaulty(t, srv, "")
	srv.Stop()
	for i := range 3 {
		to.register(t, "forum", guest(i, "zh"))
	}
	to.waitProblem(t, string(mail.FaultUnreachable))
	waitUntil(t, 20*time.Second, func() bool { return to.figures(t).MailRetrying == 3 })
	srv.Restart()
	srv.WaitFor(t, 3, 60*time.Second)
	to.waitProblem(t, "")
	if !strings.Contains(to.logs.String(), "mail goes out again") {
		t.Errorf("no line says mail goes out again:\n%s", to.logs.String())
	}
}
