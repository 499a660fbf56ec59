package mail_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/ticket"
)

const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//foyer//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:reg-1@foyer\r\nSUMMARY:Forum für Zukunft 未来论坛\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// confirmation is a message shaped like foyer's ticket email.
func confirmation(t testing.TB) (*mail.Message, string) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	code, err := ticket.Issue(key, 1, 42)
	if err != nil {
		t.Fatal(err)
	}
	png, err := ticket.QRPNG(code, 256)
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Message{
		From:     "Foyer Forum <foyer@example.org>",
		To:       "zhang.wei@example.com",
		ToName:   "张伟 (Müller)",
		Subject:  "Ihr Ticket für das Forum – 您的论坛门票",
		Text:     "Hallo 张伟,\n\nIhr Ticket: " + code + "\n",
		HTML:     `<p>Hallo 张伟,</p><p><img src="cid:qr-ticket" alt="` + code + `"></p>`,
		ID:       "reg-42.confirmed.1",
		Language: "de",
		Attachments: []mail.Attachment{
			{Name: "ticket.png", ContentType: "image/png", Data: png, Inline: true, ContentID: "qr-ticket"},
			{Name: "Ticket-Müller.png", ContentType: "image/png", Data: png},
			{Name: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Data: []byte(ics)},
		},
	}, code
}

func plainSender(srv *mailtest.Server) *mail.SMTPSender {
	return &mail.SMTPSender{
		SMTP:    config.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: "none"},
		Timeout: 5 * time.Second,
	}
}

// urlSender is a sender set up from the server's address as FOYER_SMTP_URL
// sets it up, trusting the server's test certificate.
func urlSender(t testing.TB, srv *mailtest.Server) *mail.SMTPSender {
	t.Helper()
	cfg, err := config.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return &mail.SMTPSender{SMTP: cfg, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
}

func TestSendConfirmation(t *testing.T) {
	srv := mailtest.Start(t)
	m, code := confirmation(t)
	if err := plainSender(srv).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	if got.From != "foyer@example.org" || len(got.To) != 1 || got.To[0] != "zhang.wei@example.com" {
		t.Errorf("envelope from %q to %q", got.From, got.To)
	}
	checkConfirmation(t, got.Data, m, code)
}

// checkConfirmation takes a sent confirmation apart and checks every piece.
func checkConfirmation(t *testing.T, data []byte, m *mail.Message, code string) {
	t.Helper()
	p, err := mailtest.Parse(data)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, data)
	}
	// Headers must be plain ASCII on the wire: the non-ASCII is encoded.
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	for i, b := range head {
		if b >= 0x80 {
			t.Fatalf("raw non-ASCII byte in headers at %d:\n%s", i, head)
		}
	}
	if p.Subject != m.Subject {
		t.Errorf("subject %q, want %q", p.Subject, m.Subject)
	}
	if p.From == nil || p.From.Name != "Foyer Forum" || p.From.Address != "foyer@example.org" {
		t.Errorf("From %v", p.From)
	}
	if len(p.To) != 1 || p.To[0].Name != m.ToName || p.To[0].Address != m.To {
		t.Errorf("To %v, want %q <%s>", p.To, m.ToName, m.To)
	}
	if v := p.Header.Get("Message-ID"); v != "<reg-42.confirmed.1@example.org>" {
		t.Errorf("Message-ID %q", v)
	}
	if v := p.Header.Get("Content-Language"); v != "de" {
		t.Errorf("Content-Language %q", v)
	}
	if v := p.Header.Get("Date"); v == "" {
		t.Error("no Date header")
	}
	want := "multipart/mixed(multipart/related(multipart/alternative(text/plain text/html) image/png) image/png text/calendar)"
	if p.Structure != want {
		t.Errorf("structure\n got %s\nwant %s", p.Structure, want)
	}
	if p.Text != m.Text {
		t.Errorf("text %q, want %q", p.Text, m.Text)
	}
	if p.HTML != m.HTML {
		t.Errorf("html %q, want %q", p.HTML, m.HTML)
	}

	inline := p.ByContentID("cid:qr-ticket")
	if inline == nil {
		t.Fatalf("no part with the Content-ID the HTML refers to; parts: %+v", p.Parts)
	}
	if inline.ContentType != "image/png" || inline.Disposition != "inline" || inline.Within != "multipart/related" {
		t.Errorf("inline part %s %s within %s", inline.ContentType, inline.Disposition, inline.Within)
	}
	if qr, err := mailtest.DecodeQR(inline.Data); err != nil || qr != code {
		t.Errorf("inline QR reads %q, %v; want %q", qr, err, code)
	}

	attached := p.ByFilename("Ticket-Müller.png")
	if attached == nil {
		t.Fatalf("no attachment Ticket-Müller.png; parts: %+v", p.Parts)
	}
	if attached.ContentType != "image/png" || attached.Disposition != "attachment" || attached.ContentID != "" {
		t.Errorf("PNG attachment %s %s cid %q", attached.ContentType, attached.Disposition, attached.ContentID)
	}
	if qr, err := mailtest.DecodeQR(attached.Data); err != nil || qr != code {
		t.Errorf("attached QR reads %q, %v", qr, err)
	}

	invite := p.ByFilename("invite.ics")
	if invite == nil {
		t.Fatal("no invite.ics")
	}
	if invite.ContentType != "text/calendar" || invite.Params["method"] != "REQUEST" || invite.Params["charset"] != "utf-8" {
		t.Errorf("invite content type %s %v", invite.ContentType, invite.Params)
	}
	if string(invite.Data) != ics {
		t.Errorf("invite data %q", invite.Data)
	}
	if n := len(p.Attachments()); n != 2 {
		t.Errorf("%d attachments, want 2", n)
	}
}

func TestSendTLS(t *testing.T) {
	tests := []struct {
		name string
		opt  mailtest.Option
		mode string
	}{
		{"starttls", mailtest.WithSTARTTLS(), "starttls"},
		{"implicit tls", mailtest.WithImplicitTLS(), "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.Start(t, tt.opt, mailtest.WithAuth("foyer", "s3cret"))
			s := urlSender(t, srv)
			if s.SMTP.TLS != tt.mode {
				t.Fatalf("URL %s gives tls=%s", srv.URL(), s.SMTP.TLS)
			}
			m, code := confirmation(t)
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, 1, 5*time.Second)[0]
			if !got.TLS || got.User != "foyer" {
				t.Errorf("received with TLS %v as user %q", got.TLS, got.User)
			}
			checkConfirmation(t, got.Data, m, code)

			// Without the test certificate in the trust store the
			// handshake fails: a setup problem, not the message's.
			s.TLSConfig = nil
			err := s.Send(context.Background(), m)
			if err == nil || mail.Permanent(err) {
				t.Errorf("untrusted certificate: err %v, permanent %v", err, mail.Permanent(err))
			}
		})
	}
}

func TestSendWrongPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithAuth("foyer", "s3cret"))
	s := plainSender(srv)
	s.SMTP.User, s.SMTP.Password = "foyer", "wrong"
	m, _ := confirmation(t)
	err := s.Send(context.Background(), m)
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 535 {
		t.Fatalf("err %v, want a 535 reply", err)
	}
	// A wrong password fails every message alike; they wait until it is
	// fixed rather than being marked failed.
	if mail.Permanent(err) {
		t.Error("authentication failure is permanent")
	}
}

func TestStartTLSRequired(t *testing.T) {
	srv := mailtest.Start(t)
	s := plainSender(srv)
	s.SMTP.TLS = "starttls"
	m, _ := confirmation(t)
	err := s.Send(context.Background(), m)
	if err == nil || mail.Permanent(err) {
		t.Fatalf("starttls to a server without it: err %v, permanent %v", err, mail.Permanent(err))
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent in the clear", n)
	}
}

func TestSendFailures(t *testing.T) {
	srv := mailtest.Start(t)
	s := plainSender(srv)
	m, _ := confirmation(t)
	ctx := context.Background()

	srv.SetReject(550, "no such user")
	err := s.Send(ctx, m)
	if err == nil || !mail.Permanent(err) {
		t.Errorf("550: err %v, permanent %v; want permanent", err, mail.Permanent(err))
	}

	srv.SetReject(451, "try again later")
	err = s.Send(ctx, m)
	if err == nil || mail.Permanent(err) {
		t.Errorf("451: err %v, permanent %v; want temporary", err, mail.Permanent(err))
	}

	srv.SetReject(0, "")
	if err := s.Send(ctx, m); err != nil {
		t.Fatalf("after reset: %v", err)
	}

	srv.Stop()
	err = s.Send(ctx, m)
	if err == nil || mail.Permanent(err) {
		t.Errorf("stopped server: err %v, permanent %v; want temporary", err, mail.Permanent(err))
	}
	srv.Restart()
	if err := s.Send(ctx, m); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got := srv.WaitFor(t, 2, 5*time.Second); len(got) != 2 {
		t.Errorf("%d messages, want 2", len(got))
	}
}

func TestSendClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &mail.SMTPSender{SMTP: config.SMTP{Host: "127.0.0.1", Port: port, TLS: "none"}}
	m, _ := confirmation(t)
	err = s.Send(context.Background(), m)
	if err == nil || mail.Permanent(err) {
		t.Errorf("closed port: err %v, permanent %v; want temporary", err, mail.Permanent(err))
	}
}

func TestSendTimeout(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Hang()
	defer srv.Release()
	s := plainSender(srv)
	s.Timeout = 300 * time.Millisecond
	m, _ := confirmation(t)
	start := time.Now()
	err := s.Send(context.Background(), m)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("hanging server: err %v, want a timeout", err)
	}
	if mail.Permanent(err) {
		t.Error("timeout is permanent")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %v", d)
	}

	// A context deadline shorter than Timeout wins.
	s.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := s.Send(ctx, m); err == nil || mail.Permanent(err) {
		t.Errorf("context deadline: err %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("context deadline ignored: send took %v", d)
	}
}

// A server that accepts the connection and never greets: an overloaded MTA,
// or a port that speaks implicit TLS while FOYER_SMTP_URL says tls=none.
func TestSendSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var conns []net.Conn
		for {
			c, err := l.Accept()
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return
			}
			conns = append(conns, c)
		}
	}()
	tlsSrv := mailtest.Start(t, mailtest.WithImplicitTLS())
	for _, addr := range []*net.TCPAddr{l.Addr().(*net.TCPAddr), {IP: net.IPv4(127, 0, 0, 1), Port: tlsSrv.Port()}} {
		s := &mail.SMTPSender{
			SMTP:    config.SMTP{Host: "127.0.0.1", Port: addr.Port, TLS: "none"},
			Timeout: 300 * time.Millisecond,
		}
		m, _ := confirmation(t)
		done := make(chan error, 1)
		go func() { done <- s.Send(context.Background(), m) }()
		select {
		case err := <-done:
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() || mail.Permanent(err) {
				t.Errorf("%v: err %v, want a temporary timeout", addr, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%v: send still waiting for the greeting", addr)
		}
	}
}

func TestSendConcurrent(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithAuth("foyer", "s3cret"))
	s := plainSender(srv)
	s.SMTP.User, s.SMTP.Password = "foyer", "s3cret"
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			m, _ := confirmation(t)
			m.To = fmt.Sprintf("guest%d@example.com", i)
			m.ID = fmt.Sprintf("reg-%d", i)
			errs <- s.Send(context.Background(), m)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	srv.WaitFor(t, n, 10*time.Second)
}

func TestPermanent(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"550", &textproto.Error{Code: 550, Msg: "no such user"}, true},
		{"552 wrapped", fmt.Errorf("outbox: %w", &textproto.Error{Code: 552, Msg: "too big"}), true},
		{"451", &textproto.Error{Code: 451, Msg: "later"}, false},
		{"421", &textproto.Error{Code: 421, Msg: "closing"}, false},
		{"RCPT 550", &mail.StepError{Step: mail.StepSend, Err: &textproto.Error{Code: 550}}, true},
		{"login 535", &mail.StepError{Step: mail.StepLogin, Fault: mail.FaultLogin, Err: &textproto.Error{Code: 535}}, false},
		{"MAIL FROM 553", &mail.StepError{Step: mail.StepSend, Fault: mail.FaultSender, Err: &textproto.Error{Code: 553}}, false},
		{"EOF", io.EOF, false},
		{"unexpected EOF", fmt.Errorf("x: %w", io.ErrUnexpectedEOF), false},
		{"deadline", context.DeadlineExceeded, false},
		{"invalid message", mail.ErrInvalidMessage, true},
	}
	for _, tt := range tests {
		if got := mail.Permanent(tt.err); got != tt.want {
			t.Errorf("%s: Permanent(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestBuildInvalid(t *testing.T) {
	ok := func() *mail.Message {
		return &mail.Message{From: "foyer@example.org", To: "a@example.com", Subject: "s", Text: "t"}
	}
	tests := []struct {
		name   string
		change func(*mail.Message)
	}{
		{"header injection in To", func(m *mail.Message) { m.To = "a@example.com\r\nBcc: b@example.com" }},
		{"name in To", func(m *mail.Message) { m.To = "A <a@example.com>" }},
		{"empty To", func(m *mail.Message) { m.To = "" }},
		{"bad From", func(m *mail.Message) { m.From = "nobody" }},
		{"bad ID", func(m *mail.Message) { m.ID = "a b>" }},
		{"inline without Content-ID", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Name: "x.png", Data: []byte("x"), Inline: true}}
		}},
		{"path in name", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Name: "../x.png", Data: []byte("x")}}
		}},
		{"bad content type", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Name: "x", ContentType: "text/", Data: []byte("x")}}
		}},
	}
	for _, tt := range tests {
		m := ok()
		tt.change(m)
		_, err := mail.Compose(m)
		if !errors.Is(err, mail.ErrInvalidMessage) || !mail.Permanent(err) {
			t.Errorf("%s: err %v, want ErrInvalidMessage", tt.name, err)
		}
	}
	if _, err := mail.Compose(ok()); err != nil {
		t.Errorf("valid message: %v", err)
	}
}

func TestBuildSubjectInjection(t *testing.T) {
	m := &mail.Message{From: "foyer@example.org", To: "a@example.com", Subject: "Hi\r\nBcc: evil@example.com", Text: "t"}
	c, err := mail.Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	p, err := mailtest.Parse(c.Data)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Header["Bcc"]; ok {
		t.Errorf("subject injected a Bcc header:\n%s", c.Data)
	}
}

func TestLongSubjectFolds(t *testing.T) {
	subject := strings.Repeat("您的论坛门票与日程安排 Größe ", 8)
	m := &mail.Message{From: "foyer@example.org", To: "a@example.com", Subject: subject, Text: "t"}
	c, err := mail.Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(c.Data, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		if len(line) > 78 {
			t.Errorf("header line of %d characters: %q", len(line), line)
		}
	}
	p, err := mailtest.Parse(c.Data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != subject {
		t.Errorf("subject\n got %q\nwant %q", p.Subject, subject)
	}
}

func TestDirSender(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	s := mail.DirSender{Dir: dir}
	m, code := confirmation(t)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	// A resend of the same message is a second file, not an overwrite.
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	noID := &mail.Message{From: "foyer@example.org", To: "a@example.com", Subject: "s", Text: "t"}
	if err := s.Send(context.Background(), noID); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d files, want 3: %v", len(entries), entries)
	}
	for _, e := range entries[:2] {
		name := e.Name()
		if !strings.HasSuffix(name, "-reg-42.confirmed.1.eml") {
			t.Errorf("file %q", name)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		checkConfirmation(t, data, m, code)
	}
	if name := entries[2].Name(); !strings.HasSuffix(name, ".eml") {
		t.Errorf("file %q", name)
	}
}

// TestSendDroppedDuringData: a server that resets the connection in the
// middle of DATA costs one temporary failure, not the process (go-mail
// panics when a write fails while it streams a message), and the message
// goes out whole once the server behaves.
func TestSendDroppedDuringData(t *testing.T) {
	srv := mailtest.Start(t)
	s := plainSender(srv)
	// Composing and moving 16 MB takes seconds on a loaded machine or under
	// the race detector; the short default would fail the good send.
	s.Timeout = time.Minute
	m, _ := confirmation(t)
	// Larger than loopback's socket buffers, so the reset reaches the client
	// while it still has parts to write.
	big := make([]byte, 16<<20)
	rand.Read(big)
	m.Attachments = append([]mail.Attachment{{Name: "programme.pdf", ContentType: "application/pdf", Data: big}}, m.Attachments...)

	srv.DropData(4096)
	for i := range 3 {
		err := s.Send(context.Background(), m)
		if err == nil || mail.Permanent(err) {
			t.Fatalf("drop %d: err %v, permanent %v; want temporary", i, err, mail.Permanent(err))
		}
	}
	srv.DropData(0)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("after the fault cleared: %v", err)
	}
	got := srv.WaitFor(t, 1, 10*time.Second)
	p, err := got[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if a := p.ByFilename("programme.pdf"); a == nil || !bytes.Equal(a.Data, big) {
		t.Error("the large attachment did not arrive whole")
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
