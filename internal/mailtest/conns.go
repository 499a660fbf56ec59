package mailtest

import (
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/waittest"
)

// OpenConnections reports how many client connections the server holds
// open now. It drops as soon as the server sees a client close one.
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// PeakConnections returns the most connections that were open at once
// since the last call (or the start), and starts counting again from those
// open now.
func (s *Server) PeakConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.peak
	s.peak = s.open
	return p
}

// WaitClosed waits until no client connection is open, and fails the test
// if one is still open after timeout: a client that leaves a connection
// behind, after a failure too, holds a place on a real mail server until
// its timeout.
func (s *Server) WaitClosed(t testing.TB, timeout time.Duration) {
	t.Helper()
	waittest.For(t, timeout, func() error {
		if n := s.OpenConnections(); n > 0 {
			return fmt.Errorf("mailtest: %d connections still open", n)
		}
		return nil
	})
}

// Connections reports how many client connections the server has accepted
// since it started, across Stop and Restart. Received.Conn numbers them.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Quits reports how many connections the server closed in answer to a
// client's QUIT. A connection the client closed or reset without it, one
// that timed out (TimeOutIdle), and those the server dropped (Stop,
// DropData) do not count. The server tells them apart below TLS, so a TLS
// client that ends TLS properly (close_notify) and then closes without
// QUIT counts too.
func (s *Server) Quits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quits
}

// WaitQuits waits until at least n connections have ended with QUIT, and
// fails the test if that takes longer than timeout.
func (s *Server) WaitQuits(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	waittest.For(t, timeout, func() error {
		if q := s.Quits(); q < n {
			return fmt.Errorf("mailtest: %d connections ended with QUIT, want %d", q, n)
		}
		return nil
	})
}

// TimeOutIdle makes the server end every client connection open now the
// way its idle timeout does: it answers "421 4.4.2 Idle timeout" and
// closes. Call it while the clients wait between messages; a connection in
// the middle of a transaction is cut off at its next read.
func (s *Server) TimeOutIdle() {
	s.mu.Lock()
	conns := make([]*countedConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.expire()
	}
}

// countingListener keeps Server.open, below TLS, so that a connection
// whose handshake fails counts too.
type countingListener struct {
	net.Listener
	s *Server
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	l.s.open++
	l.s.peak = max(l.s.peak, l.s.open)
	l.s.accepted++
	cc := &countedConn{Conn: c, s: l.s, serial: l.s.accepted, gen: l.s.gen}
	if l.s.conns == nil {
		l.s.conns = map[*countedConn]bool{}
	}
	l.s.conns[cc] = true
	return cc, nil
}

// countedConn is a client connection as the server sees it below TLS.
type countedConn struct {
	net.Conn
	s      *Server
	serial int // 1 for the first connection the server accepted
	gen    int // the Server.gen it was accepted in
	once   sync.Once

	mu      sync.Mutex
	readErr bool // a read failed: the client closed, reset or fell silent
	expired bool // TimeOutIdle: every read times out
	dropped bool // the server broke it off (DropData)
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.mu.Lock()
		c.readErr = true
		c.mu.Unlock()
	}
	return n, err
}

// SetReadDeadline keeps an expired connection's deadline in the past:
// go-smtp sets a new one before every command it reads.
func (c *countedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	if c.expired {
		t = time.Unix(1, 0)
	}
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

func (c *countedConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}

func (c *countedConn) expire() {
	c.mu.Lock()
	c.expired = true
	c.mu.Unlock()
	c.Conn.SetReadDeadline(time.Unix(1, 0))
}

// drop resets the connection, the way a flaky network or an overloaded
// relay breaks off a transfer: the client's next write fails.
func (c *countedConn) drop() {
	c.mu.Lock()
	c.dropped = true
	c.mu.Unlock()
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.mu.Lock()
		quit := !c.readErr && !c.dropped
		c.mu.Unlock()
		c.s.mu.Lock()
		c.s.open--
		delete(c.s.conns, c)
		if quit && c.gen == c.s.gen {
			c.s.quits++
		}
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}

// connOf returns the connection below nc, a countedConn or TLS over one.
func connOf(nc net.Conn) *countedConn {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	c, _ := nc.(*countedConn)
	return c
}
