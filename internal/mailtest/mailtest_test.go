package mailtest_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/waittest"
)

const simple = "From: a@example.org\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n"

func send(addr, to, msg string) error {
	return smtp.SendMail(addr, nil, "a@example.org", []string{to}, []byte(msg))
}

// sendSimple sends the simple message from a@example.org to b@example.com
// over c's connection.
func sendSimple(t *testing.T, c *smtp.Client) {
	t.Helper()
	if err := c.Mail("a@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("b@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(simple))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReceive(t *testing.T) {
	srv := mailtest.Start(t)
	if srv.Host() != "127.0.0.1" || srv.Port() == 0 || srv.Addr() != net.JoinHostPort(srv.Host(), strconv.Itoa(srv.Port())) {
		t.Errorf("address %s, host %s, port %d", srv.Addr(), srv.Host(), srv.Port())
	}
	if err := send(srv.Addr(), "b@example.com", simple); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)
	if len(got) != 1 || got[0].From != "a@example.org" || len(got[0].To) != 1 || got[0].To[0] != "b@example.com" || got[0].TLS {
		t.Fatalf("received %+v", got)
	}
	p, err := got[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "hi" || p.Text != "hello\n" || p.Structure != "text/plain" {
		t.Errorf("parsed %+v", p)
	}
	// Messages is a copy.
	srv.Messages()[0].From = "changed"
	if srv.Messages()[0].From != "a@example.org" {
		t.Error("Messages returned the server's own slice")
	}
}

func TestWaitForConcurrent(t *testing.T) {
	srv := mailtest.Start(t)
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := send(srv.Addr(), "b@example.com", simple); err != nil {
				t.Error(err)
			}
		})
	}
	if got := srv.WaitFor(t, n, 5*time.Second); len(got) != n {
		t.Errorf("%d messages, want %d", len(got), n)
	}
	wg.Wait()
	got := srv.WaitUntil(t, time.Second, func(m []mailtest.Received) bool { return len(m) == n })
	if len(got) != n {
		t.Errorf("WaitUntil gave %d", len(got))
	}
}

// recorder stands in for a test so that a failing WaitFor can be observed.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = format
}

func TestWaitForTimeout(t *testing.T) {
	srv := mailtest.Start(t)
	rec := &recorder{TB: t}
	start := time.Now()
	got := srv.WaitFor(rec, 1, 200*time.Millisecond)
	if rec.failed == "" || len(got) != 0 {
		t.Errorf("WaitFor without mail: failed %q, got %d", rec.failed, len(got))
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Errorf("WaitFor returned after %v", d)
	}
}

func TestReject(t *testing.T) {
	srv := mailtest.Start(t)
	for _, code := range []int{451, 550} {
		srv.SetReject(code, "go away")
		err := send(srv.Addr(), "b@example.com", simple)
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code != code || !strings.Contains(te.Msg, "go away") {
			t.Errorf("SetReject(%d): err %v", code, err)
		}
	}
	srv.SetReject(0, "")
	if err := send(srv.Addr(), "b@example.com", simple); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages kept, want 1", n)
	}
}

func TestRejectRecipient(t *testing.T) {
	srv := mailtest.Start(t)
	srv.RejectRecipient("nobody@example.com", 550, "no such user")
	err := send(srv.Addr(), "nobody@example.com", simple)
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 550 {
		t.Errorf("refused recipient: err %v", err)
	}
	if err := send(srv.Addr(), "b@example.com", simple); err != nil {
		t.Errorf("another recipient: %v", err)
	}
	srv.RejectRecipient("nobody@example.com", 0, "")
	if err := send(srv.Addr(), "nobody@example.com", simple); err != nil {
		t.Errorf("after the refusal is lifted: %v", err)
	}
}

// TestOpenConnections: a client's connection counts until it closes it,
// and WaitClosed fails while one stays open.
func TestOpenConnections(t *testing.T) {
	for _, opt := range []mailtest.Option{nil, mailtest.WithImplicitTLS()} {
		var opts []mailtest.Option
		if opt != nil {
			opts = append(opts, opt)
		}
		srv := mailtest.Start(t, opts...)
		c, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		waittest.For(t, 5*time.Second, func() error {
			if n := srv.OpenConnections(); n != 1 {
				return fmt.Errorf("open connections %d, want 1", n)
			}
			return nil
		})
		rec := &recorder{TB: t}
		srv.WaitClosed(rec, 100*time.Millisecond)
		if rec.failed == "" {
			t.Error("WaitClosed passed with a connection open")
		}
		c.Close()
		srv.WaitClosed(t, 5*time.Second)
	}
}

func TestStopRestart(t *testing.T) {
	srv := mailtest.Start(t)
	if err := send(srv.Addr(), "b@example.com", simple); err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	srv.Stop()
	srv.Stop() // twice is fine
	if err := send(addr, "b@example.com", simple); err == nil {
		t.Fatal("sent to a stopped server")
	}
	srv.Restart()
	if srv.Addr() != addr {
		t.Errorf("restarted on %s, was %s", srv.Addr(), addr)
	}
	if err := send(addr, "b@example.com", simple); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	srv.WaitFor(t, 2, 5*time.Second)
}

// Stop right after Start must not leave a listener behind: Restart would
// then find the port taken.
func TestStopAtOnce(t *testing.T) {
	for range 20 {
		srv := mailtest.Start(t)
		srv.Stop()
		srv.Restart()
		srv.Stop()
	}
}

func TestHangReleasedByStop(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Hang()
	done := make(chan error, 1)
	go func() { done <- send(srv.Addr(), "b@example.com", simple) }()
	select {
	case err := <-done:
		t.Fatalf("send finished while the server hangs: %v", err)
	case <-time.After(200 * time.Millisecond):
		// Still waiting, as it should: this wait is the assertion.
	}
	srv.Stop()
	select {
	case err := <-done:
		if err == nil {
			t.Error("held message reported as sent")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not release the held DATA")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d held messages kept", n)
	}
}

func TestSTARTTLSAndAuth(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithAuth("u", "p"))
	if !strings.HasSuffix(srv.URL(), "?tls=starttls") || !strings.Contains(srv.URL(), "u:p@") {
		t.Errorf("URL %s", srv.URL())
	}
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("no STARTTLS offered")
	}
	if err := c.StartTLS(srv.TLSConfig()); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "u", "p", srv.Host())); err != nil {
		t.Fatal(err)
	}
	sendSimple(t, c)
	c.Quit()
	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	if !got.TLS || got.User != "u" {
		t.Errorf("TLS %v user %q", got.TLS, got.User)
	}

	// Without AUTH the server refuses MAIL.
	if err := send(srv.Addr(), "b@example.com", simple); err == nil {
		t.Error("sent without AUTH")
	}
}

const nested = "From: =?UTF-8?b?5byg5Lyf?= <a@example.org>\r\n" +
	"To: \"M\xc3\xbcller, Jo\" <b@example.com>, c@example.com\r\n" +
	"Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?= =?UTF-8?b?5LuO5YyX5Lqs?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=M\r\n" +
	"\r\n" +
	"--M\r\n" +
	"Content-Type: multipart/related; boundary=R\r\n" +
	"\r\n" +
	"--R\r\n" +
	"Content-Type: multipart/alternative; boundary=A\r\n" +
	"\r\n" +
	"--A\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Gr=C3=BC=C3=9Fe, a long line that is soft =\r\n" +
	"broken\r\n" +
	"--A\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+PGltZyBzcmM9ImNpZDpxciI+PC9wPg==\r\n" +
	"--A--\r\n" +
	"--R\r\n" +
	"Content-Type: image/png; name=qr.png\r\n" +
	"Content-Disposition: inline; filename=qr.png\r\n" +
	"Content-ID: <qr>\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"iVBO\r\nRw0K\r\nGgo=\r\n" +
	"--R--\r\n" +
	"--M\r\n" +
	"Content-Type: application/pdf\r\n" +
	"Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%BCller.pdf\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0=\r\n" +
	"--M\r\n" +
	"Content-Type: text/calendar; method=REQUEST; name=\"=?UTF-8?b?5Lya6K6uLmljcw==?=\"\r\n" +
	"Content-Disposition: attachment\r\n" +
	"\r\n" +
	"BEGIN:VCALENDAR\r\n" +
	"--M--\r\n"

func TestParseNested(t *testing.T) {
	p, err := mailtest.Parse([]byte(nested))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Grüße从北京" {
		t.Errorf("subject %q", p.Subject)
	}
	if p.From.Name != "张伟" || len(p.To) != 2 || p.To[0].Name != "Müller, Jo" {
		t.Errorf("From %v To %v", p.From, p.To)
	}
	if want := "multipart/mixed(multipart/related(multipart/alternative(text/plain text/html) image/png) application/pdf text/calendar)"; p.Structure != want {
		t.Errorf("structure %s", p.Structure)
	}
	if p.Text != "Grüße, a long line that is soft broken" {
		t.Errorf("text %q", p.Text)
	}
	if p.HTML != `<p><img src="cid:qr"></p>` {
		t.Errorf("html %q", p.HTML)
	}
	qr := p.ByContentID("cid:qr")
	if qr == nil || !bytes.Equal(qr.Data, []byte("\x89PNG\r\n\x1a\n")) || qr.Disposition != "inline" || qr.Within != "multipart/related" {
		t.Errorf("inline part %+v", qr)
	}
	pdf := p.ByFilename("Rechnung Müller.pdf")
	if pdf == nil || string(pdf.Data) != "%PDF-" || pdf.ContentType != "application/pdf" {
		t.Errorf("pdf %+v", pdf)
	}
	ics := p.ByFilename("会议.ics")
	if ics == nil || ics.Params["method"] != "REQUEST" || string(ics.Data) != "BEGIN:VCALENDAR" {
		t.Errorf("ics %+v", ics)
	}
	if n := len(p.Attachments()); n != 2 {
		t.Errorf("%d attachments", n)
	}
}

func TestParseInvalid(t *testing.T) {
	for _, msg := range []string{
		"",
		"Content-Type: multipart/mixed\r\n\r\nno boundary\r\n",
		"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nunterminated",
	} {
		if _, err := mailtest.Parse([]byte(msg)); err == nil {
			t.Errorf("Parse(%q) succeeded", msg)
		}
	}
}

func TestDecodeQRRejects(t *testing.T) {
	if _, err := mailtest.DecodeQR([]byte("not a png")); err == nil {
		t.Error("DecodeQR(garbage) succeeded")
	}
}

// TestConnectionsAndQuits: messages name the connection they came over,
// a QUIT counts and a client that hangs up without one does not, and
// TimeOutIdle ends an idle connection with 421.
func TestConnectionsAndQuits(t *testing.T) {
	srv := mailtest.Start(t)
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		sendSimple(t, c)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	srv.WaitQuits(t, 1, 5*time.Second)
	if err := send(srv.Addr(), "b@example.com", simple); err != nil { // ends with QUIT too
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 3, 5*time.Second)
	if got[0].Conn != 1 || got[1].Conn != 1 || got[2].Conn != 2 || srv.Connections() != 2 {
		t.Errorf("connections of the messages %d %d %d, connections %d; want 1 1 2, 2", got[0].Conn, got[1].Conn, got[2].Conn, srv.Connections())
	}
	srv.WaitQuits(t, 2, 5*time.Second)

	// Hanging up without QUIT.
	raw, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	textproto.NewConn(raw).ReadResponse(220)
	raw.Close()
	srv.WaitClosed(t, 5*time.Second)
	if srv.Quits() != 2 || srv.Connections() != 3 {
		t.Errorf("after a hang-up: quits %d, connections %d; want 2, 3", srv.Quits(), srv.Connections())
	}

	// The idle timeout.
	c, err = smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		t.Fatal(err)
	}
	srv.TimeOutIdle()
	srv.WaitClosed(t, 5*time.Second)
	var te *textproto.Error
	if err := c.Mail("a@example.org"); !errors.As(err, &te) || te.Code != 421 {
		t.Errorf("MAIL after the idle timeout: %v, want 421", err)
	}
	if srv.Quits() != 2 {
		t.Errorf("quits %d after the idle timeout, want 2", srv.Quits())
	}
}
