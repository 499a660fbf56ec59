package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	gomail "github.com/go-mail/mail/v2"

	"github.com/foyer-events/foyer/internal/config"
)

// DefaultTimeout bounds connecting and, separately, each message's whole
// exchange with the server when SMTPSender.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPSender delivers each message over its own connection to an SMTP
// server, through go-mail; a Session of it keeps one connection open for
// many. It is safe for concurrent use.
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

// SendTraced is Send that reports each step to trace.
func (s *SMTPSender) SendTraced(ctx context.Context, m *Message, trace Trace) error {
	msg, err := composeToSend(ctx, m)
	if err != nil {
		return err
	}
	sc, ss, _, err := s.open(ctx, trace)
	if err != nil {
		return err
	}
	defer ss.close()
	if err := s.transact(sc, ss, msg, trace); err != nil {
		return err
	}
	// The server has taken the message; a failed QUIT changes nothing.
	sc.Close()
	return nil
}

// composeToSend composes m for sending, unless ctx has ended: both are
// checked before a connection is touched.
func composeToSend(ctx context.Context, m *Message) (*Composed, error) {
	msg, err := Compose(m)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("mail: send: %w", err)
	}
	return msg, nil
}

// transact sends msg over an open session: MAIL FROM, RCPT TO, DATA.
func (s *SMTPSender) transact(sc gomail.SendCloser, ss *session, msg *Composed, trace Trace) error {
	detail := "from " + msg.From + " to " + msg.To
	before := ss.replies
	ss.tx, ss.txReplies, ss.data = true, before, false
	defer func() { ss.tx = false }()
	// Only finished bytes reach go-mail here: its own message writer
	// panics when the connection fails halfway (see Compose).
	if err := sc.Send(msg.From, []string{msg.To}, msg); err != nil {
		err = sendError(err, ss.replies-before, msg.To)
		trace.report(StepSend, detail, err)
		return err
	}
	trace.report(StepSend, detail, nil)
	return nil
}

// sendError tells a refused sender from trouble with one message. go-mail
// returns the reply to MAIL FROM, RCPT TO and DATA alike; which command it
// answered shows in how many replies the transaction had begun: one means
// MAIL FROM.
func sendError(err error, replies int, to string) error {
	if replies <= 1 {
		return &StepError{Step: StepSend, Fault: senderFault(err), Err: fmt.Errorf("mail: smtp MAIL FROM: %w", err)}
	}
	return &StepError{Step: StepSend, Err: fmt.Errorf("mail: smtp send to %s: %w", to, err)}
}

// Probe connects, negotiates TLS and logs in as a message would, then says
// QUIT without sending anything: it tells whether the settings work.
func (s *SMTPSender) Probe(ctx context.Context, trace Trace) error {
	sc, ss, _, err := s.open(ctx, trace)
	if err != nil {
		return err
	}
	defer ss.close()
	if err := sc.Close(); err != nil {
		return &StepError{Step: StepLogin, Fault: FaultUnreachable, Err: fmt.Errorf("mail: smtp quit: %w", err)}
	}
	return nil
}

// open runs the steps before a message (connect, TLS, login) through
// go-mail's Dial and reports them. The session it returns must be closed;
// its Dialer's Timeout sets the deadline of each message sent over it.
func (s *SMTPSender) open(ctx context.Context, trace Trace) (gomail.SendCloser, *session, *gomail.Dialer, error) {
	timeout := s.timeout(ctx)
	ss := &session{ctx: ctx, local: isLocal(s.SMTP.Host), dialling: true, clear: s.SMTP.TLS != "tls"}
	d := s.dialer(ss)
	d.Timeout = ss.file(timeout)
	sc, err := d.Dial()
	dials.Delete(d.Timeout)
	ss.dialling = false
	if err != nil {
		// go-mail leaves the connection open when EHLO fails or STARTTLS
		// is missing (smtp.go:102, smtp.go:111).
		ss.close()
		return nil, nil, nil, s.dialError(ss, d, err, trace)
	}

	trace.report(StepConnect, s.addr(), nil)
	trace.report(StepTLS, s.tlsDetail(ss), nil)
	cfg := s.SMTP
	switch {
	case cfg.User == "":
		trace.report(StepLogin, "none (no user in FOYER_SMTP_URL)", nil)
	case d.Auth == nil:
		// go-mail logs in only when the server offers AUTH, and goes on
		// without a login when it does not.
		ss.close()
		return nil, nil, nil, trace.fail(StepLogin, "as "+cfg.User, FaultLogin, errors.New("mail: smtp: the server offers no login (AUTH), but FOYER_SMTP_URL has a user"))
	default:
		trace.report(StepLogin, "as "+cfg.User, nil)
	}
	return sc, ss, d, nil
}

// timeout is s.Timeout, or less when ctx ends sooner.
func (s *SMTPSender) timeout(ctx context.Context) time.Duration {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	return timeout
}

// dialer builds a fresh go-mail Dialer per session: Dial stores the chosen
// AUTH mechanism in its Dialer, so sharing one between goroutines races,
// and each session watches its own TLS handshake.
func (s *SMTPSender) dialer(ss *session) *gomail.Dialer {
	local := s.LocalName
	if local == "" {
		local = "localhost"
	}
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.SMTP.Host, MinVersion: tls.VersionTLS12}
	}
	d := &gomail.Dialer{
		Host:     s.SMTP.Host,
		Port:     s.SMTP.Port,
		Username: s.SMTP.User,
		Password: s.SMTP.Password,
		// Always named, so that go-mail says EHLO right after the greeting
		// and its failure shows there, not as a missing STARTTLS or AUTH.
		LocalName: local,
		// The outbox retries with backoff; a silent second attempt here
		// could deliver twice.
		RetryFailure: false,
		TLSConfig:    ss.watchTLS(tlsConfig),
	}
	switch s.SMTP.TLS {
	case "none":
		d.StartTLSPolicy = gomail.NoStartTLS
	case "tls":
		d.SSL = true
	case "starttls":
		d.StartTLSPolicy = gomail.MandatoryStartTLS
	default:
		d.StartTLSPolicy = gomail.OpportunisticStartTLS
	}
	return d
}

// dialError tells which step failed in go-mail's Dial, reports the steps
// to trace, and returns the error with its step and fault. The steps come
// in order: connect (the hook connected, then greeting and EHLO), TLS
// (implicit before the greeting, or STARTTLS after EHLO), login (go-mail
// has chosen a mechanism).
func (s *SMTPSender) dialError(ss *session, d *gomail.Dialer, err error, trace Trace) error {
	addr := s.addr()
	var unsupported gomail.StartTLSUnsupportedError
	switch {
	case ss.conn == nil:
		return trace.fail(StepConnect, addr, FaultUnreachable, fmt.Errorf("mail: smtp connect %s: %w", addr, err))
	case d.Auth != nil:
		trace.report(StepConnect, addr, nil)
		trace.report(StepTLS, s.tlsDetail(ss), nil)
		return trace.fail(StepLogin, "as "+s.SMTP.User, FaultLogin, fmt.Errorf("mail: smtp login as %s: %w", s.SMTP.User, err))
	case s.SMTP.TLS == "tls" && (ss.tls == nil || isTLSError(err)):
		trace.report(StepConnect, addr, nil)
		return trace.fail(StepTLS, "implicit TLS", tlsFault(err), fmt.Errorf("mail: smtp TLS with %s: %w", addr, err))
	case s.SMTP.TLS == "tls":
		return trace.fail(StepConnect, addr, FaultUnreachable, fmt.Errorf("mail: smtp greeting or EHLO from %s: %w", addr, err))
	case errors.As(err, &unsupported):
		trace.report(StepConnect, addr, nil)
		return trace.fail(StepTLS, "STARTTLS", FaultTLS, errors.New("mail: smtp: the server does not offer STARTTLS, and tls=starttls requires it"))
	case ss.startTLS:
		// Refused, or the handshake or the EHLO after it failed.
		trace.report(StepConnect, addr, nil)
		return trace.fail(StepTLS, "STARTTLS", tlsFault(err), fmt.Errorf("mail: smtp STARTTLS: %w", err))
	case ss.replies == 0:
		return trace.fail(StepConnect, addr, FaultUnreachable, fmt.Errorf("mail: smtp greeting from %s: %w", addr, err))
	}
	return trace.fail(StepConnect, addr, FaultUnreachable, fmt.Errorf("mail: smtp EHLO to %s: %w", addr, err))
}

func (s *SMTPSender) addr() string {
	return net.JoinHostPort(s.SMTP.Host, strconv.Itoa(s.SMTP.Port))
}

// tlsDetail says how the session is protected: which TLS version and
// whose certificate the server showed, or why there is no TLS.
func (s *SMTPSender) tlsDetail(ss *session) string {
	switch {
	case s.SMTP.TLS == "none":
		return "none (tls=none)"
	case ss.tls == nil && s.SMTP.TLS == "tls":
		return "implicit TLS"
	case ss.tls == nil:
		return "none (the server does not offer STARTTLS)"
	}
	d := "STARTTLS, " + tls.VersionName(ss.tls.Version)
	if s.SMTP.TLS == "tls" {
		d = "implicit TLS, " + tls.VersionName(ss.tls.Version)
	}
	if len(ss.tls.PeerCertificates) > 0 {
		cert := ss.tls.PeerCertificates[0]
		d += fmt.Sprintf(", certificate for %q issued by %q", cert.Subject.CommonName, cert.Issuer.CommonName)
	}
	return d
}
