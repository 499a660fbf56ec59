package mail_test

import (
	"context"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
)

// step is one step a Trace heard of.
type step struct {
	name, detail string
	err          error
}

func tracer(steps *[]step) mail.Trace {
	return func(name, detail string, err error) { *steps = append(*steps, step{name, detail, err}) }
}

func names(steps []step) string {
	var out []string
	for _, s := range steps {
		r := s.name
		if s.err != nil {
			r += "!"
		}
		out = append(out, r)
	}
	return strings.Join(out, " ")
}

// TestFaults runs each kind of broken setting against a real server: the
// error names its step and its fault, is never permanent (the email waits
// for the setting to be mended), and the trace stops at that step.
func TestFaults(t *testing.T) {
	closed := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}()
	for _, c := range []struct {
		name   string
		server []mailtest.Option
		setup  func(*mailtest.Server, *mail.SMTPSender)
		fault  mail.Fault
		trace  string
	}{
		{"wrong password", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right")},
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.SMTP.Password = "wrong" }, mail.FaultLogin, "connect tls login!"},
		{"untrusted certificate", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right")},
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.TLSConfig = nil }, mail.FaultCertificate, "connect tls!"},
		{"untrusted certificate, implicit TLS", []mailtest.Option{mailtest.WithImplicitTLS(), mailtest.WithTestCA()},
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.TLSConfig = nil }, mail.FaultCertificate, "connect tls!"},
		{"certificate for another name", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithTestCA()},
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.TLSConfig.ServerName = "mail.example.org" }, mail.FaultCertificate, "connect tls!"},
		{"no STARTTLS though required", nil,
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.SMTP.TLS = "starttls" }, mail.FaultTLS, "connect tls!"},
		{"implicit TLS to a plain port", nil,
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.SMTP.TLS = "tls"; s.Timeout = time.Second }, mail.FaultTLS, "connect tls!"},
		{"server down", nil,
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.SMTP.Port = closed }, mail.FaultUnreachable, "connect!"},
		{"login needed, none configured", []mailtest.Option{mailtest.WithAuth("foyer", "right")},
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.SMTP.User, s.SMTP.Password = "", "" }, mail.FaultLogin, "connect tls login send!"},
		{"user but the server offers no login", nil,
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.SMTP.User, s.SMTP.Password = "foyer", "right" }, mail.FaultLogin, "connect tls login!"},
		{"sender refused", nil,
			func(srv *mailtest.Server, _ *mail.SMTPSender) {
				srv.SetRejectMail(553, "5.7.1 sender address rejected: not owned by user")
			}, mail.FaultSender, "connect tls login send!"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := mailtest.Start(t, c.server...)
			cfg, err := config.ParseSMTPURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			s := &mail.SMTPSender{SMTP: cfg, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
			c.setup(srv, s)
			var steps []step
			m, _ := confirmation(t)
			err = s.SendTraced(context.Background(), m, tracer(&steps))
			if got := mail.FaultOf(err); got != c.fault || mail.Permanent(err) {
				t.Errorf("err %v: fault %q, permanent %v; want %q, temporary", err, got, mail.Permanent(err), c.fault)
			}
			if got := names(steps); got != c.trace {
				t.Errorf("steps %q, want %q", got, c.trace)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages delivered", n)
			}
		})
	}
}

// TestProbe: with the right settings the probe connects, secures, logs in
// and quits, and sends nothing; each step says what it did.
func TestProbe(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right"))
	cfg, _ := config.ParseSMTPURL(srv.URL())
	s := &mail.SMTPSender{SMTP: cfg, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
	var steps []step
	if err := s.Probe(context.Background(), tracer(&steps)); err != nil {
		t.Fatal(err)
	}
	if got := names(steps); got != "connect tls login" {
		t.Fatalf("steps %q", got)
	}
	for _, want := range []string{srv.Addr(), "STARTTLS, TLS 1.3", `issued by "mailtest CA"`, "as foyer"} {
		found := false
		for _, st := range steps {
			found = found || strings.Contains(st.detail, want)
		}
		if !found {
			t.Errorf("no step says %q: %+v", want, steps)
		}
	}
	for _, st := range steps {
		if strings.Contains(st.detail, "right") {
			t.Errorf("a step shows the password: %q", st.detail)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("the probe sent %d messages", n)
	}

	// A message goes through the same steps, then is sent.
	steps = nil
	m, _ := confirmation(t)
	if err := s.SendTraced(context.Background(), m, tracer(&steps)); err != nil {
		t.Fatal(err)
	}
	if got := names(steps); got != "connect tls login send" {
		t.Errorf("steps %q", got)
	}
	if got := srv.WaitFor(t, 1, 5*time.Second)[0]; !got.TLS || got.User != "foyer" {
		t.Errorf("received with TLS %v as %q", got.TLS, got.User)
	}
}

// TestRecipientRefused: a 5xx for one recipient is that message's trouble,
// permanent, and no fault of the settings.
func TestRecipientRefused(t *testing.T) {
	srv := mailtest.Start(t)
	srv.SetReject(550, "5.1.1 no such user")
	s := plainSender(srv)
	m, _ := confirmation(t)
	err := s.Send(context.Background(), m)
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 550 || !mail.Permanent(err) || mail.FaultOf(err) != "" {
		t.Errorf("err %v: permanent %v, fault %q", err, mail.Permanent(err), mail.FaultOf(err))
	}
}
