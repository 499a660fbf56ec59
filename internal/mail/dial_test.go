package mail

import (
	"errors"
	"io"
	"net"
	"testing"
)

// TestClearPasswordRefused: while a session logs in without TLS to a server
// on another machine, a mechanism that carries the password (go-mail picks
// LOGIN whenever the server offers it without PLAIN) never reaches the
// socket; elsewhere every write goes through.
func TestClearPasswordRefused(t *testing.T) {
	for _, c := range []struct {
		name    string
		ss      session
		writes  []string
		refused bool
	}{
		{"LOGIN in the clear", session{dialling: true, clear: true}, []string{"EHLO localhost\r\n", "AUTH LOGIN\r\n"}, true},
		{"PLAIN in the clear", session{dialling: true, clear: true}, []string{"AUTH PLAIN AGZveWVyAHJpZ2h0\r\n"}, true},
		{"LOGIN after STARTTLS", session{dialling: true, clear: true}, []string{"EHLO localhost\r\n", "STARTTLS\r\n", "AUTH LOGIN\r\n"}, false},
		{"LOGIN over implicit TLS", session{dialling: true}, []string{"AUTH LOGIN\r\n"}, false},
		{"LOGIN to this machine", session{dialling: true, clear: true, local: true}, []string{"AUTH LOGIN\r\n"}, false},
		{"CRAM-MD5 in the clear", session{dialling: true, clear: true}, []string{"AUTH CRAM-MD5\r\n"}, false},
		{"a message line after the login", session{clear: true}, []string{"AUTH LOGIN is what we call it\r\n"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			client, server := tcpPair(t)
			ss := c.ss
			w := &wire{Conn: client, ss: &ss}
			want := ""
			var err error
			for i, line := range c.writes {
				_, err = w.Write([]byte(line))
				if err != nil {
					if i != len(c.writes)-1 {
						t.Fatalf("write %q: %v", line, err)
					}
					break
				}
				want += line
			}
			if refused := errors.Is(err, errClearPassword); refused != c.refused {
				t.Errorf("last write: err %v, want refused %v", err, c.refused)
			}
			client.Close()
			got, _ := io.ReadAll(server)
			if string(got) != want {
				t.Errorf("the server received %q, want %q", got, want)
			}
		})
	}
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}
