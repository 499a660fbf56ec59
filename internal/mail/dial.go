package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/go-mail/mail/v2"
)

// go-mail runs a session's first steps (connect, TLS, EHLO, login) inside
// one call, Dialer.Dial, and returns the bare error of whichever failed. To
// say which step that was, and to keep the rules below, foyer watches the
// connection go-mail dials: NetDialTimeout is go-mail's hook for dialling,
// and the socket it returns is the one every command crosses.
func init() { gomail.NetDialTimeout = dialHook }

// session is what foyer learns of one session below go-mail: the socket,
// what crossed it, and the TLS state the server showed. Everything in it is
// touched by the goroutine that called Dial or Send only.
type session struct {
	ctx   context.Context
	local bool // the server is this machine: a login in the clear stays here

	conn     net.Conn             // nil until the hook has connected
	tls      *tls.ConnectionState // set once a handshake has checked the server's certificate
	dialling bool                 // Dial runs: the commands are greeting, EHLO, STARTTLS, AUTH
	clear    bool                 // what is written now goes unencrypted
	startTLS bool                 // the STARTTLS command was written
	wrote    bool                 // the last thing done on the socket was a write
	replies  int                  // reads that followed a write: replies begun

	tx        bool // a message's transaction runs, begun after txReplies replies
	txReplies int
	data      bool // the transaction wrote past DATA: the message may have been taken
}

func (ss *session) close() {
	if ss.conn != nil {
		ss.conn.Close()
	}
}

// watchTLS returns a copy of cfg that records the server's TLS state in ss
// once the certificate has been checked.
func (ss *session) watchTLS(cfg *tls.Config) *tls.Config {
	cfg = cfg.Clone()
	verify := cfg.VerifyConnection
	cfg.VerifyConnection = func(st tls.ConnectionState) error {
		if verify != nil {
			if err := verify(st); err != nil {
				return err
			}
		}
		ss.tls = &st
		return nil
	}
	return cfg
}

// go-mail's hook is a package variable told only the network, the address
// and the timeout, so a session cannot hand it anything of its own. Each
// Dial therefore gets a timeout of its own, the session's timeout rounded
// down to the millisecond plus a serial number of nanoseconds, under which
// its session is filed here. go-mail passes the timeout to the hook as it
// is (go-mail v2.3.0 smtp.go:82) and uses it otherwise only for deadlines,
// where nanoseconds change nothing. A lock held from Dial to the hook would
// do as well, but would make concurrent sends connect one at a time.
var (
	dials      sync.Map // time.Duration → *session
	dialSerial atomic.Uint64
)

// file files ss for the hook and returns the timeout to give go-mail.
func (ss *session) file(timeout time.Duration) time.Duration {
	base := max(timeout.Truncate(time.Millisecond), time.Millisecond)
	for {
		key := base + time.Duration(dialSerial.Add(1)%uint64(time.Millisecond))
		if _, taken := dials.LoadOrStore(key, ss); !taken {
			return key
		}
	}
}

// dialHook connects for go-mail. go-mail sets its deadline only after the
// server's greeting (smtp.go:97), so a server that accepts and then says
// nothing (or waits for a TLS handshake that tls=none never starts) would
// hold a send forever: the deadline is set here, at once.
func dialHook(network, addr string, timeout time.Duration) (net.Conn, error) {
	v, _ := dials.Load(timeout)
	ss, _ := v.(*session)
	ctx := context.Background()
	if ss != nil {
		ctx = ss.ctx
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(timeout))
	if ss == nil {
		return conn, nil
	}
	ss.conn = &wire{Conn: conn, ss: ss}
	return ss.conn, nil
}

// wire is the socket as go-mail uses it, watched by its session.
type wire struct {
	net.Conn
	ss *session
}

// errClearPassword refuses a login that would show the password to anyone
// on the way to the server.
var errClearPassword = errors.New("mail: smtp: refusing to send the password over an unencrypted connection")

func (w *wire) Write(p []byte) (int, error) {
	ss := w.ss
	if ss.dialling && ss.clear {
		// net/smtp writes each command whole, in one write.
		switch f := strings.Fields(strings.ToUpper(string(p))); {
		case len(f) == 1 && f[0] == "STARTTLS":
			// What follows is the TLS handshake, then encrypted.
			ss.startTLS, ss.clear = true, false
		case len(f) >= 2 && f[0] == "AUTH" && (f[1] == "LOGIN" || f[1] == "PLAIN") && !ss.local:
			// net/smtp's PLAIN refuses this itself, but go-mail's LOGIN
			// goes ahead whenever the server offers LOGIN (go-mail v2.3.0
			// auth.go:18), which a server (or whoever stands between it
			// and foyer and removed its STARTTLS) may do in the clear.
			return 0, errClearPassword
		}
	}
	if ss.tx && ss.replies-ss.txReplies >= 3 {
		// The replies to MAIL FROM, RCPT TO and DATA are in (net/smtp
		// sends one recipient): what goes now is the message.
		ss.data = true
	}
	ss.wrote = true
	return w.Conn.Write(p)
}

// Read counts replies: net/smtp never sends a command before it has read
// the reply to the one before (no pipelining), so the first read after a
// write is the next reply, in TLS or not.
func (w *wire) Read(p []byte) (int, error) {
	if w.ss.wrote {
		w.ss.wrote = false
		w.ss.replies++
	}
	return w.Conn.Read(p)
}

// isLocal reports whether host is this machine, where a password sent in
// the clear does not cross a network.
func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
