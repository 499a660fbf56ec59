package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/config"
)

// DefaultTimeout bounds connecting and, separately, each message's whole
// exchange with the server when SMTPSender.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPSender delivers each message over its own connection to an SMTP
// server. It is safe for concurrent use.
type SMTPSender struct {
	SMTP config.SMTP
	// TLSConfig replaces the default (the system's trusted certificates,
	// which SSL_CERT_FILE and SSL_CERT_DIR can change; ServerName
	// SMTP.Host), for example to trust a test server's certificate.
	TLSConfig *tls.Config
	// Timeout bounds the connection and the exchange; zero is DefaultTimeout.
	Timeout time.Duration
	// LocalName is sent with EHLO; empty sends "localhost".
	LocalName string
}

// NewSMTPSender returns a sender for cfg with the default timeout.
func NewSMTPSender(cfg config.SMTP) *SMTPSender {
	return &SMTPSender{SMTP: cfg, Timeout: DefaultTimeout}
}

// Send connects, authenticates when a user is configured, delivers m and
// says QUIT. A context deadline earlier than the timeout shortens it; a
// cancelled context is noticed before connecting, not in mid-transfer.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	return s.SendTraced(ctx, m, nil)
}

// SendTraced is Send that reports each step to trace as it ends.
func (s *SMTPSender) SendTraced(ctx context.Context, m *Message, trace Trace) error {
	msg, err := Compose(m)
	if err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	ss, err := s.open(ctx, trace)
	if err != nil {
		return err
	}
	defer ss.close()
	if err := ss.deliver(msg); err != nil {
		trace.report(StepSend, "from "+msg.From+" to "+msg.To, err)
		return err
	}
	trace.report(StepSend, "from "+msg.From+" to "+msg.To, nil)
	// The server has taken the message; a failed QUIT changes nothing.
	ss.c.Quit()
	return nil
}

// Probe connects, negotiates TLS and logs in as a message would, then says
// QUIT without sending anything: it tells whether the settings work.
func (s *SMTPSender) Probe(ctx context.Context, trace Trace) error {
	ss, err := s.open(ctx, trace)
	if err != nil {
		return err
	}
	defer ss.close()
	if err := ss.c.Quit(); err != nil {
		return &StepError{Step: StepLogin, Fault: FaultUnreachable, Err: fmt.Errorf("mail: smtp quit: %w", err)}
	}
	return nil
}

// session is one connection to the server, greeted, secured and logged in.
type session struct {
	s       *SMTPSender
	conn    net.Conn
	c       *smtp.Client
	timeout time.Duration
}

func (ss *session) close() { ss.conn.Close() }

// open runs the steps before a message: connect, TLS, login.
func (s *SMTPSender) open(ctx context.Context, trace Trace) (*session, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	addr := net.JoinHostPort(s.SMTP.Host, strconv.Itoa(s.SMTP.Port))
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.SMTP.Host, MinVersion: tls.VersionTLS12}
	}

	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, trace.fail(StepConnect, addr, FaultUnreachable, fmt.Errorf("mail: smtp connect %s: %w", addr, err))
	}
	// One deadline for the whole exchange up to the message: a server that
	// accepts and then says nothing (or waits for a TLS handshake that
	// tls=none never starts) cannot hold a send.
	conn.SetDeadline(time.Now().Add(timeout))
	ss := &session{s: s, conn: conn, timeout: timeout}
	ok := false
	defer func() {
		if !ok {
			conn.Close()
		}
	}()

	if s.SMTP.TLS == "tls" {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			trace.report(StepConnect, addr, nil)
			return nil, trace.fail(StepTLS, "implicit TLS", tlsFault(err), fmt.Errorf("mail: smtp TLS with %s: %w", addr, err))
		}
		ss.conn = tc
	}
	if ss.c, err = smtp.NewClient(ss.conn, s.SMTP.Host); err != nil {
		return nil, trace.fail(StepConnect, addr, FaultUnreachable, fmt.Errorf("mail: smtp greeting from %s: %w", addr, err))
	}
	local := s.LocalName
	if local == "" {
		local = "localhost"
	}
	if err := ss.c.Hello(local); err != nil {
		return nil, trace.fail(StepConnect, addr, FaultUnreachable, fmt.Errorf("mail: smtp EHLO to %s: %w", addr, err))
	}
	if s.SMTP.TLS == "tls" {
		trace.report(StepConnect, addr, nil)
		trace.report(StepTLS, "implicit TLS, "+tlsDetail(ss.c), nil)
	} else {
		trace.report(StepConnect, addr, nil)
		if err := ss.startTLS(tlsConfig, trace); err != nil {
			return nil, err
		}
	}
	if err := ss.login(trace); err != nil {
		return nil, err
	}
	ok = true
	return ss, nil
}

// startTLS upgrades the connection as FOYER_SMTP_URL's tls= says: always
// with starttls, when offered without tls=, never with none.
func (ss *session) startTLS(cfg *tls.Config, trace Trace) error {
	mode := ss.s.SMTP.TLS
	if mode == "none" {
		trace.report(StepTLS, "none (tls=none)", nil)
		return nil
	}
	offered, _ := ss.c.Extension("STARTTLS")
	switch {
	case !offered && mode == "starttls":
		return trace.fail(StepTLS, "STARTTLS", FaultTLS, errors.New("mail: smtp: the server does not offer STARTTLS, and tls=starttls requires it"))
	case !offered:
		trace.report(StepTLS, "none (the server does not offer STARTTLS)", nil)
		return nil
	}
	if err := ss.c.StartTLS(cfg); err != nil {
		return trace.fail(StepTLS, "STARTTLS", tlsFault(err), fmt.Errorf("mail: smtp STARTTLS: %w", err))
	}
	trace.report(StepTLS, "STARTTLS, "+tlsDetail(ss.c), nil)
	return nil
}

// login authenticates when a user is configured: PLAIN when the server
// offers it, else LOGIN, else CRAM-MD5.
func (ss *session) login(trace Trace) error {
	cfg := ss.s.SMTP
	if cfg.User == "" {
		trace.report(StepLogin, "none (no user in FOYER_SMTP_URL)", nil)
		return nil
	}
	detail := "as " + cfg.User
	offered, mechs := ss.c.Extension("AUTH")
	if !offered {
		return trace.fail(StepLogin, detail, FaultLogin, errors.New("mail: smtp: the server offers no login (AUTH), but FOYER_SMTP_URL has a user"))
	}
	var auth smtp.Auth
	switch {
	case hasWord(mechs, "PLAIN"):
		auth = smtp.PlainAuth("", cfg.User, cfg.Password, cfg.Host)
	case hasWord(mechs, "LOGIN"):
		auth = &loginAuth{user: cfg.User, password: cfg.Password}
	case hasWord(mechs, "CRAM-MD5"):
		auth = smtp.CRAMMD5Auth(cfg.User, cfg.Password)
	default:
		return trace.fail(StepLogin, detail, FaultLogin, fmt.Errorf("mail: smtp: no login mechanism foyer knows among %q", mechs))
	}
	if err := ss.c.Auth(auth); err != nil {
		return trace.fail(StepLogin, detail, FaultLogin, fmt.Errorf("mail: smtp login as %s: %w", cfg.User, err))
	}
	trace.report(StepLogin, detail, nil)
	return nil
}

// deliver offers one message: MAIL FROM, RCPT TO, DATA.
func (ss *session) deliver(msg *Composed) error {
	ss.conn.SetDeadline(time.Now().Add(ss.timeout))
	if err := ss.c.Mail(msg.From); err != nil {
		return &StepError{Step: StepSend, Fault: senderFault(err), Err: fmt.Errorf("mail: smtp MAIL FROM: %w", err)}
	}
	if err := ss.c.Rcpt(msg.To); err != nil {
		return &StepError{Step: StepSend, Err: fmt.Errorf("mail: smtp send to %s: %w", msg.To, err)}
	}
	w, err := ss.c.Data()
	if err != nil {
		return &StepError{Step: StepSend, Err: fmt.Errorf("mail: smtp send to %s: %w", msg.To, err)}
	}
	if _, err := msg.WriteTo(w); err != nil {
		w.Close()
		return &StepError{Step: StepSend, Err: fmt.Errorf("mail: smtp send to %s: %w", msg.To, err)}
	}
	if err := w.Close(); err != nil {
		return &StepError{Step: StepSend, Err: fmt.Errorf("mail: smtp send to %s: %w", msg.To, err)}
	}
	return nil
}

// senderFault tells a refused sender (the settings' fault: FOYER_MAIL_FROM
// is not allowed for the account, or no login was configured where one is
// required) from a passing trouble at MAIL FROM.
func senderFault(err error) Fault {
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code < 500 || te.Code > 599 {
		return ""
	}
	// "530 5.7.0 Authentication required", "502 5.7.0 Please authenticate
	// first": a login is needed and FOYER_SMTP_URL has none (or another
	// account's).
	if te.Code == 530 || te.Code == 534 || te.Code == 535 || strings.Contains(strings.ToLower(te.Msg), "auth") {
		return FaultLogin
	}
	return FaultSender
}

// tlsDetail says which TLS version protects the session and whose
// certificate the server showed.
func tlsDetail(c *smtp.Client) string {
	st, ok := c.TLSConnectionState()
	if !ok {
		return "no TLS"
	}
	d := tls.VersionName(st.Version)
	if len(st.PeerCertificates) > 0 {
		cert := st.PeerCertificates[0]
		d += fmt.Sprintf(", certificate for %q issued by %q", cert.Subject.CommonName, cert.Issuer.CommonName)
	}
	return d
}

func hasWord(list, word string) bool {
	for _, w := range splitFields(list) {
		if w == word {
			return true
		}
	}
	return false
}

// loginAuth is the LOGIN mechanism, which some servers offer alone.
type loginAuth struct{ user, password string }

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLocal(server.Name) {
		return "", nil, errors.New("mail: smtp: refusing to send the password over an unencrypted connection")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch string(fromServer) {
	case "Username:", "User Name\x00", "username:":
		return []byte(a.user), nil
	case "Password:", "Password\x00", "password:":
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("mail: smtp LOGIN: unexpected challenge %q", fromServer)
}

func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
