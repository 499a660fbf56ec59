package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"time"

	gomail "github.com/go-mail/mail/v2"

	"github.com/foyer-events/foyer/internal/config"
)

// go-mail sets its read deadline only after the server's greeting, so a
// server that accepts and then says nothing (or waits for a TLS handshake
// that tls=none never starts) would hold a send forever. NetDialTimeout is
// go-mail's hook for dialling; this one sets the deadline at once.
func init() {
	gomail.NetDialTimeout = func(network, addr string, timeout time.Duration) (net.Conn, error) {
		conn, err := net.DialTimeout(network, addr, timeout)
		if err == nil && timeout > 0 {
			conn.SetDeadline(time.Now().Add(timeout))
		}
		return conn, err
	}
}

// DefaultTimeout bounds connecting and, separately, each message's whole
// exchange with the server when SMTPSender.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPSender delivers each message over its own connection to an SMTP
// server. It is safe for concurrent use.
type SMTPSender struct {
	SMTP config.SMTP
	// TLSConfig replaces the default (system roots, ServerName SMTP.Host),
	// for example to trust a test server's self-signed certificate.
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
	msg, err := Compose(m)
	if err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	d := s.dialer(ctx)
	c, err := d.Dial()
	if err != nil {
		return &connectError{fmt.Errorf("mail: smtp connect %s:%d: %w", d.Host, d.Port, err)}
	}
	// Not gomail.Send: it wraps errors in a SendError without Unwrap.
	if err := c.Send(msg.From, []string{msg.To}, msg); err != nil {
		c.Close()
		return fmt.Errorf("mail: smtp send to %s: %w", m.To, err)
	}
	// The server has taken the message; a failed QUIT changes nothing.
	c.Close()
	return nil
}

// dialer builds a fresh go-mail Dialer per message: Dial stores the chosen
// AUTH mechanism in its Dialer, so sharing one between goroutines races.
func (s *SMTPSender) dialer(ctx context.Context) *gomail.Dialer {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	d := &gomail.Dialer{
		Host:      s.SMTP.Host,
		Port:      s.SMTP.Port,
		Username:  s.SMTP.User,
		Password:  s.SMTP.Password,
		LocalName: s.LocalName,
		Timeout:   timeout,
		// The outbox retries with backoff; a silent second attempt here
		// could deliver twice.
		RetryFailure: false,
		TLSConfig:    s.TLSConfig,
	}
	if d.TLSConfig == nil {
		d.TLSConfig = &tls.Config{ServerName: s.SMTP.Host, MinVersion: tls.VersionTLS12}
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

// connectError marks a failure before the message was offered: no
// connection, TLS or authentication trouble. Such failures say nothing
// about the message, so they are never permanent, even with a 5xx reply.
type connectError struct{ err error }

func (e *connectError) Error() string { return e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

// Permanent reports whether err means the message will never be delivered
// as it is: a 5xx reply to MAIL, RCPT or DATA (no such user, message
// rejected), or an invalid message. Timeouts, refused or reset connections,
// EOF, 4xx replies and any failure while connecting or authenticating are
// temporary: the server or its configuration can be fixed and the message
// sent later.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var ce *connectError
	if errors.As(err, &ce) {
		return false
	}
	// go-mail's own Send wraps in SendError, which has no Unwrap.
	var se *gomail.SendError
	if errors.As(err, &se) {
		return Permanent(se.Cause)
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}
