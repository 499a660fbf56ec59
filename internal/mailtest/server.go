// Package mailtest runs a real SMTP server on loopback for tests, with
// failure injection (rejections, hangs, outages), optional STARTTLS and AUTH,
// and helpers that take the received messages apart.
//
// It lives in ordinary .go files so that tests of every package, the
// end-to-end tests included, can import it.
package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string   // MAIL FROM
	To   []string // RCPT TO, in order
	Data []byte   // the message as sent, headers and body
	TLS  bool     // whether the session ran over TLS, STARTTLS or implicit
	User string   // the AUTH user name, "" without AUTH
	Conn int      // the connection it came over: 1 for the server's first (see Connections)
}

// Parse takes the message apart; see the package-level Parse.
func (r Received) Parse() (*Parsed, error) { return Parse(r.Data) }

// Option changes how Start sets up the server.
type Option func(*Server)

// WithSTARTTLS offers STARTTLS with a self-signed certificate for 127.0.0.1
// and localhost, made at start. Clients trust it through Server.TLSConfig,
// or SSL_CERT_FILE=Server.CAFile.
func WithSTARTTLS() Option { return func(s *Server) { s.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte, like port
// 465 (FOYER_SMTP_URL ?tls=tls), with the same self-signed certificate.
func WithImplicitTLS() Option { return func(s *Server) { s.implicitTLS = true } }

// WithTestCA makes the TLS certificate (WithSTARTTLS, WithImplicitTLS) one
// issued by a certificate authority made at start, as a company's own CA
// issues its mail server's, rather than a self-signed one. A client trusts
// it by trusting the CA: CAFile writes it for SSL_CERT_FILE.
func WithTestCA() Option { return func(s *Server) { s.testCA = true } }

// WithAuth requires AUTH PLAIN with this user and password before MAIL.
func WithAuth(user, password string) Option {
	return func(s *Server) { s.user, s.password = user, password }
}

// Server is an SMTP server on 127.0.0.1 that keeps what it receives.
// Its methods are safe for concurrent use.
type Server struct {
	t           testing.TB
	addr        string
	startTLS    bool
	implicitTLS bool
	user        string
	password    string
	testCA      bool
	cert        *x509.Certificate // the certificate a client must trust: the CA's, or the self-signed one
	tlsCert     tls.Certificate

	mu         sync.Mutex
	srv        *smtp.Server // nil while stopped
	ln         net.Listener
	gen        int // bumped by every start and stop; sessions of an old one deliver nothing
	msgs       []Received
	changed    chan struct{} // closed and replaced on every new message
	reject     *smtp.SMTPError
	rejectMail *smtp.SMTPError
	rejectTo   map[string]*smtp.SMTPError // RCPT TO address → reply
	logins     int                        // AUTH attempts, refused ones included
	hang       chan struct{}              // non-nil while DATA replies are held back
	drop       int                        // > 0: DATA connections are reset after this many bytes
	dropped    int                        // transfers reset so far
	stopping   chan struct{}              // closed by Stop, releases held replies
	open, peak int                        // connections open now, and the most at once since PeakConnections
	accepted   int                        // connections accepted since Start
	quits      int                        // connections ended by QUIT
	conns      map[*countedConn]bool      // open now
}

// Start runs a server on a free loopback port until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, changed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	if s.startTLS || s.implicitTLS {
		if err := s.makeCert(); err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

// Addr is host:port of the server, the same across Stop and Restart.
func (s *Server) Addr() string { return s.addr }

// Host is the address the server listens on, "127.0.0.1".
func (s *Server) Host() string {
	h, _, _ := net.SplitHostPort(s.addr)
	return h
}

// Port is the server's TCP port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// URL is a FOYER_SMTP_URL for this server, with the TLS mode and the
// credentials it was started with.
func (s *Server) URL() string {
	u := "smtp://"
	if s.user != "" {
		u += s.user + ":" + s.password + "@"
	}
	mode := "none"
	switch {
	case s.startTLS:
		mode = "starttls"
	case s.implicitTLS:
		mode = "tls"
	}
	return u + s.addr + "?tls=" + mode
}

// Messages returns a copy of everything received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// WaitFor waits until at least n messages have arrived and returns all of
// them. It fails the test if that takes longer than timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	msgs, ok := s.wait(timeout, func(m []Received) bool { return len(m) >= n })
	if !ok {
		t.Fatalf("mailtest: got %d messages in %v, want %d", len(msgs), timeout, n)
	}
	return msgs
}

// WaitUntil waits until cond holds for the messages received so far and
// returns them. It fails the test if that takes longer than timeout.
func (s *Server) WaitUntil(t testing.TB, timeout time.Duration, cond func([]Received) bool) []Received {
	t.Helper()
	msgs, ok := s.wait(timeout, cond)
	if !ok {
		t.Fatalf("mailtest: condition not met in %v (%d messages received)", timeout, len(msgs))
	}
	return msgs
}

func (s *Server) wait(timeout time.Duration, cond func([]Received) bool) ([]Received, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs, changed := append([]Received(nil), s.msgs...), s.changed
		s.mu.Unlock()
		if cond(msgs) {
			return msgs, true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return msgs, false
		}
	}
}

// SetReject makes the server answer every RCPT and DATA with code and msg
// (451 for a temporary failure, 550 for a permanent one) until it is called
// with code 0.
func (s *Server) SetReject(code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		s.reject = nil
		return
	}
	s.reject = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
}

// SetRejectMail makes the server answer every MAIL FROM with code and msg,
// as a relay does that does not let the account send from that address,
// until it is called with code 0.
func (s *Server) SetRejectMail(code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectMail = nil
	if code != 0 {
		s.rejectMail = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
	}
}

// RejectRecipient makes the server answer RCPT TO addr with code and msg
// (550 "no such user"), other recipients as before, until it is called
// with code 0 for addr.
func (s *Server) RejectRecipient(addr string, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.rejectTo, addr)
		return
	}
	if s.rejectTo == nil {
		s.rejectTo = map[string]*smtp.SMTPError{}
	}
	s.rejectTo[addr] = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
}

// Logins reports how many times a client tried to log in (AUTH), refused
// attempts included.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Hang holds back the reply to every DATA until Release or Stop, so a client
// waits like it would for a stuck server. Held messages are not kept.
func (s *Server) Hang() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hang == nil {
		s.hang = make(chan struct{})
	}
}

// Release answers the DATA replies that Hang held back (with 451) and stops
// holding new ones.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hang != nil {
		close(s.hang)
		s.hang = nil
	}
}

// DropData makes the server reset every connection after reading n bytes
// of a message's DATA, the way a flaky network or an overloaded relay
// breaks off a transfer; n <= 0 goes back to accepting messages whole.
func (s *Server) DropData(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop = n
}

// Dropped reports how many transfers DropData has broken off so far.
func (s *Server) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Stop closes the listener and every open connection, like a crashed mail
// server: clients see connection refused until Restart. Messages received
// so far are kept; a message whose DATA is in flight is dropped. Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.gen++
	if s.stopping != nil {
		close(s.stopping)
		s.stopping = nil
	}
	s.mu.Unlock()
	if srv == nil {
		return
	}
	// Close the listener ourselves too: srv.Close only knows listeners that
	// its Serve goroutine has registered, which may not have happened yet.
	ln.Close()
	srv.Close()
}

// Restart listens again on the same port after Stop.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return
	}
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("mailtest: restart on %s: %v", s.addr, err)
	}
	s.serve(l)
}

func (s *Server) serve(l net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	srv := smtp.NewServer(backend{s: s, gen: s.gen})
	srv.Domain = "mailtest.localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l = countingListener{Listener: l, s: s}
	if s.startTLS || s.implicitTLS {
		cfg := &tls.Config{Certificates: []tls.Certificate{s.tlsCert}, MinVersion: tls.VersionTLS12}
		if s.startTLS {
			srv.TLSConfig = cfg
		} else {
			l = tls.NewListener(l, cfg)
		}
	}
	s.srv, s.ln = srv, l
	s.stopping = make(chan struct{})
	go srv.Serve(l)
}

func (s *Server) rejection() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject == nil {
		return nil
	}
	return s.reject
}

// add keeps m unless the server was stopped since the session began.
func (s *Server) add(gen int, m Received) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen {
		return errStopped
	}
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

var errDropped = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "mailtest: connection dropped"}

var errStopped = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "mailtest: stopped"}

type backend struct {
	s   *Server
	gen int
}

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, gen: b.gen, conn: c}, nil
}

// session is one SMTP transaction at a time on one connection.
type session struct {
	s    *Server
	gen  int
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		ss.s.mu.Lock()
		ss.s.logins++
		ss.s.mu.Unlock()
		if user != ss.s.user || password != ss.s.password {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.s.mu.Lock()
	reject := ss.s.rejectMail
	ss.s.mu.Unlock()
	if reject != nil {
		return reject
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.rejection(); err != nil {
		return err
	}
	ss.s.mu.Lock()
	refused := ss.s.rejectTo[to]
	ss.s.mu.Unlock()
	if refused != nil {
		return refused
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.s.mu.Lock()
	drop := ss.s.drop
	if drop > 0 {
		ss.s.dropped++
	}
	ss.s.mu.Unlock()
	if drop > 0 {
		io.CopyN(io.Discard, r, int64(drop))
		if c := connOf(ss.conn.Conn()); c != nil {
			c.drop()
		} else {
			ss.conn.Conn().Close()
		}
		return errDropped
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("mailtest: read data: %w", err)
	}
	if err := ss.s.rejection(); err != nil {
		return err
	}
	ss.s.mu.Lock()
	hang, stopping, current := ss.s.hang, ss.s.stopping, ss.gen == ss.s.gen
	ss.s.mu.Unlock()
	if !current {
		return errStopped
	}
	if hang != nil {
		select {
		case <-hang:
		case <-stopping:
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "mailtest: released after hang"}
	}
	_, isTLS := ss.conn.TLSConnectionState()
	serial := 0
	if c := connOf(ss.conn.Conn()); c != nil {
		serial = c.serial
	}
	return ss.s.add(ss.gen, Received{From: ss.from, To: append([]string(nil), ss.to...), Data: data, TLS: isTLS, User: ss.user, Conn: serial})
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }
