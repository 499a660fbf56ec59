package mail

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"sync"
	"syscall"
	"time"

	gomail "github.com/go-mail/mail/v2"
)

// A Session keeps its connection open between messages, as mail servers
// expect of a sender with many messages: each message then costs its
// transaction (MAIL FROM, RCPT TO, DATA) and no connection, greeting, TLS
// handshake, login and QUIT of its own.
const (
	// SessionIdle is how long a session waits for its next message before
	// it says QUIT. Mail servers drop silent clients after a few minutes
	// (RFC 5321 §4.5.3.2.7) and count the connections each client holds;
	// a sender that has nothing to send lets go early.
	SessionIdle = 10 * time.Second
	// SessionMessages is the most messages a session sends over one
	// connection before it says QUIT and opens a new one for the next.
	// Many providers refuse more than about a hundred per connection
	// (Exchange Online and Gmail relays among them), and a new connection
	// now and then spreads a long run over a provider's servers.
	SessionMessages = 100
	// quitTimeout bounds the QUIT that ends a session.
	quitTimeout = 5 * time.Second
)

// Session sends messages to the SMTP server over one connection, kept open
// between them; see SessionIdle and SessionMessages. It opens the
// connection for its first message, after it closed one, and when the
// server has closed it meanwhile.
//
// A session belongs to one goroutine, which sends through it. Its own timer
// closes it when idle, and Close may be called from another goroutine; both
// wait for a message being sent.
type Session struct {
	s *SMTPSender
	// Idle and Messages replace SessionIdle and SessionMessages when not
	// zero. Set them before the first Send.
	Idle     time.Duration
	Messages int
	// Connected, when set, hears of each connection the session opened,
	// once the login has passed. Set it before the first Send.
	Connected func()

	mu   sync.Mutex
	sc   gomail.SendCloser // nil while closed
	ss   *session
	d    *gomail.Dialer
	sent int         // messages over this connection
	idle *time.Timer // says QUIT once idle; nil while not armed
	used uint64      // bumped by every Send, so that a late idle timer leaves it open
}

// Session returns a session that sends with s's settings. It connects when
// it sends its first message.
func (s *SMTPSender) Session() *Session { return &Session{s: s} }

// Send delivers m over the session's connection, opening one when it has
// none. When the server has closed a connection the session kept (idle
// timeout, restart, "421 closing"), the message goes again at once over a
// new connection, but only when the failure came before the server took
// DATA: one that may have been accepted is never sent twice by the session
// and returns its error for the caller to retry later, as does any other
// failure. After a failure the session closes its connection: the
// transaction may be left half open (go-mail has no RSET), and the next
// message starts afresh.
func (c *Session) Send(ctx context.Context, m *Message) error {
	msg, err := composeToSend(ctx, m)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.used++
	if c.idle != nil {
		c.idle.Stop()
		c.idle = nil
	}
	kept := c.sc != nil
	if !kept {
		if err := c.open(ctx); err != nil {
			return err
		}
	}
	err = c.transact(ctx, msg)
	if err != nil && kept && !c.ss.data && connectionLost(err) {
		// The server let go of the connection while it waited: nothing of
		// this message reached it past the envelope.
		c.close(false)
		if err = c.open(ctx); err != nil {
			return err
		}
		err = c.transact(ctx, msg)
	}
	switch {
	case err != nil:
		c.close(!connectionLost(err))
	case c.sent >= cmp.Or(c.Messages, SessionMessages):
		c.close(true)
	default:
		used := c.used
		c.idle = time.AfterFunc(cmp.Or(c.Idle, SessionIdle), func() { c.closeIdle(used) })
	}
	return err
}

// Close says QUIT and closes the connection, if one is open. The session
// can send again afterwards, over a new connection.
func (c *Session) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle != nil {
		c.idle.Stop()
		c.idle = nil
	}
	return c.close(true)
}

// closeIdle closes the connection if nothing was sent since the timer was
// set.
func (c *Session) closeIdle(used uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.used == used && c.sc != nil {
		c.idle = nil
		c.close(true)
	}
}

// open connects, negotiates TLS and logs in. c.mu is held.
func (c *Session) open(ctx context.Context) error {
	sc, ss, d, err := c.s.open(ctx, nil)
	if err != nil {
		return err
	}
	c.sc, c.ss, c.d, c.sent = sc, ss, d, 0
	if c.Connected != nil {
		c.Connected()
	}
	return nil
}

// transact sends msg over the open connection. c.mu is held.
func (c *Session) transact(ctx context.Context, msg *Composed) error {
	// go-mail sets the connection's deadline from the Dialer's Timeout at
	// the start of each message (go-mail v2.3.0 smtp.go:211); the Dial is
	// over, so the timeout no longer names the session for the hook.
	c.d.Timeout = c.s.timeout(ctx)
	err := c.s.transact(c.sc, c.ss, msg, nil)
	if err == nil {
		c.sent++
	}
	return err
}

// close ends the connection, with QUIT when quit is set and the connection
// is worth one. c.mu is held.
func (c *Session) close(quit bool) error {
	if c.sc == nil {
		return nil
	}
	var err error
	if quit {
		c.ss.conn.SetDeadline(time.Now().Add(quitTimeout))
		err = c.sc.Close()
	}
	c.ss.close()
	c.sc, c.ss, c.d = nil, nil, nil
	return err
}

// connectionLost reports whether err means the connection is gone rather
// than the message refused: the server hung up (EOF, reset, broken pipe),
// fell silent until the timeout, or said 421, "closing transmission
// channel".
func connectionLost(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code == 421
	}
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}
