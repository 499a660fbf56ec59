package mail_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"sync"
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
		{"sender refused after STARTTLS and login", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right")},
			func(srv *mailtest.Server, _ *mail.SMTPSender) {
				srv.SetRejectMail(553, "5.7.1 sender address rejected: not owned by user")
			}, mail.FaultSender, "connect tls login send!"},
		{"login needed, none configured, after STARTTLS", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right")},
			func(_ *mailtest.Server, s *mail.SMTPSender) { s.SMTP.User, s.SMTP.Password = "", "" }, mail.FaultLogin, "connect tls login send!"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := mailtest.Start(t, c.server...)
			s := urlSender(t, srv)
			c.setup(srv, s)
			var steps []step
			m, _ := confirmation(t)
			err := s.SendTraced(context.Background(), m, tracer(&steps))
			if got := mail.FaultOf(err); got != c.fault || mail.Permanent(err) {
				t.Errorf("err %v: fault %q, permanent %v; want %q, temporary", err, got, mail.Permanent(err), c.fault)
			}
			if got := names(steps); got != c.trace {
				t.Errorf("steps %q, want %q", got, c.trace)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages delivered", n)
			}
			// A failed session leaves no connection behind.
			srv.WaitClosed(t, 5*time.Second)
		})
	}
}

// TestProbe: with the right settings the probe connects, secures, logs in
// and quits, and sends nothing; each step says what it did.
func TestProbe(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right"))
	s := urlSender(t, srv)
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

// TestProbeTLSModes: each tls= of FOYER_SMTP_URL against servers with and
// without TLS, and what the TLS step says about it.
func TestProbeTLSModes(t *testing.T) {
	for _, c := range []struct {
		name   string
		server []mailtest.Option
		mode   string
		want   string
	}{
		{"none", nil, "none", "none (tls=none)"},
		{"none, though offered", []mailtest.Option{mailtest.WithSTARTTLS()}, "none", "none (tls=none)"},
		{"when offered, not offered", nil, "", "none (the server does not offer STARTTLS)"},
		{"when offered, offered", []mailtest.Option{mailtest.WithSTARTTLS()}, "", "STARTTLS, TLS 1.3, certificate for \"mailtest\""},
		{"starttls", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithTestCA()}, "starttls", `STARTTLS, TLS 1.3, certificate for "mailtest" issued by "mailtest CA"`},
		{"tls", []mailtest.Option{mailtest.WithImplicitTLS(), mailtest.WithTestCA()}, "tls", `implicit TLS, TLS 1.3, certificate for "mailtest" issued by "mailtest CA"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := mailtest.Start(t, c.server...)
			s := &mail.SMTPSender{SMTP: config.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: c.mode}, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
			var steps []step
			if err := s.Probe(context.Background(), tracer(&steps)); err != nil {
				t.Fatal(err)
			}
			if names(steps) != "connect tls login" || !strings.HasPrefix(steps[1].detail, c.want) {
				t.Errorf("steps %+v, want tls %q", steps, c.want)
			}
			srv.WaitClosed(t, 5*time.Second)
		})
	}
}

// TestRecipientRefused: a 5xx for one recipient is that message's trouble,
// permanent, and no fault of the settings, in the clear and after STARTTLS
// and a login alike.
func TestRecipientRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		server []mailtest.Option
	}{
		{"plain", nil},
		{"STARTTLS and login", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := mailtest.Start(t, c.server...)
			srv.SetReject(550, "5.1.1 no such user")
			s := urlSender(t, srv)
			m, _ := confirmation(t)
			var steps []step
			err := s.SendTraced(context.Background(), m, tracer(&steps))
			var te *textproto.Error
			if !errors.As(err, &te) || te.Code != 550 || !mail.Permanent(err) || mail.FaultOf(err) != "" {
				t.Errorf("err %v: permanent %v, fault %q", err, mail.Permanent(err), mail.FaultOf(err))
			}
			if got := names(steps); got != "connect tls login send!" {
				t.Errorf("steps %q", got)
			}
			srv.WaitClosed(t, 5*time.Second)
		})
	}
}

// TestSendConcurrentOutcomes: sends that run at once each learn their own
// outcome: a refused recipient is that message's failure, never a refused
// sender, and the others go out.
func TestSendConcurrentOutcomes(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithTestCA(), mailtest.WithAuth("foyer", "right"))
	s := urlSender(t, srv)
	s.Timeout = 10 * time.Second
	const n = 16
	for i := 0; i < n; i += 2 {
		srv.RejectRecipient(fmt.Sprintf("guest%d@example.com", i), 550, "5.1.1 no such user")
	}
	errs := make([]error, n)
	traces := make([][]step, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			m, _ := confirmation(t)
			m.To = fmt.Sprintf("guest%d@example.com", i)
			m.ID = fmt.Sprintf("reg-%d", i)
			errs[i] = s.SendTraced(context.Background(), m, tracer(&traces[i]))
		})
	}
	wg.Wait()
	for i, err := range errs {
		refused := i%2 == 0
		if refused && (!mail.Permanent(err) || mail.FaultOf(err) != "") || !refused && err != nil {
			t.Errorf("guest%d: err %v, permanent %v, fault %q", i, err, mail.Permanent(err), mail.FaultOf(err))
		}
		if got := traces[i]; len(got) != 4 || !strings.HasPrefix(got[1].detail, "STARTTLS, TLS") || got[3].detail != fmt.Sprintf("from foyer@example.org to guest%d@example.com", i) {
			t.Errorf("guest%d: steps %+v", i, got)
		}
	}
	srv.WaitFor(t, n/2, 10*time.Second)
	srv.WaitClosed(t, 5*time.Second)
}
