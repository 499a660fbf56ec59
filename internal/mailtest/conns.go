package mailtest

import (
	"net"
	"sync"
	"testing"
	"time"
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
	deadline := time.Now().Add(timeout)
	for n := s.OpenConnections(); n > 0; n = s.OpenConnections() {
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: %d connections still open after %v", n, timeout)
			return
		}
		time.Sleep(10 * time.Millisecond)
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
	l.s.open++
	l.s.peak = max(l.s.peak, l.s.open)
	l.s.mu.Unlock()
	return &countedConn{Conn: c, s: l.s}, nil
}

type countedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		c.s.open--
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}
