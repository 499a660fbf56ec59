package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
)

// note is a small message to guest n.
func note(n int) *mail.Message {
	return &mail.Message{
		From: "Foyer <foyer@example.org>", To: fmt.Sprintf("guest%d@example.org", n),
		Subject: fmt.Sprintf("Note %d", n), Text: "Hello\n", ID: fmt.Sprintf("note-%d", n),
	}
}

// receivedOnce fails unless the server holds exactly one message to each
// of guests 1..n and nothing else.
func receivedOnce(t *testing.T, srv *mailtest.Server, n int) []mailtest.Received {
	t.Helper()
	got := srv.WaitFor(t, n, 10*time.Second)
	seen := map[string]int{}
	for _, r := range got {
		seen[r.To[0]]++
	}
	for i := 1; i <= n; i++ {
		if c := seen[note(i).To]; c != 1 {
			t.Errorf("guest %d received %d messages, want 1", i, c)
		}
	}
	if len(got) != n {
		t.Errorf("%d messages received, want %d", len(got), n)
	}
	return got
}

// TestSessionKeepsConnection: messages go over one connection, with one
// greeting, TLS handshake and login; Close says QUIT, and the session
// connects again for the next message.
func TestSessionKeepsConnection(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithAuth("foyer", "s3cret"))
	s := urlSender(t, srv).Session()
	connected := 0
	s.Connected = func() { connected++ }
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if err := s.Send(ctx, note(i)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	got := receivedOnce(t, srv, 5)
	for _, r := range got {
		if r.Conn != 1 || !r.TLS || r.User != "foyer" {
			t.Errorf("message to %s over connection %d, TLS %v, user %q; want connection 1 with TLS as foyer", r.To[0], r.Conn, r.TLS, r.User)
		}
	}
	if n, l := srv.Connections(), srv.Logins(); n != 1 || l != 1 {
		t.Errorf("%d connections and %d logins for 5 messages, want 1 and 1", n, l)
	}
	if srv.OpenConnections() != 1 {
		t.Errorf("%d connections open between messages, want 1", srv.OpenConnections())
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	srv.WaitQuits(t, 1, 5*time.Second)
	srv.WaitClosed(t, 5*time.Second)

	if err := s.Send(ctx, note(6)); err != nil {
		t.Fatalf("after Close: %v", err)
	}
	if got := receivedOnce(t, srv, 6); got[5].Conn != 2 {
		t.Errorf("the message after Close came over connection %d, want a new one, 2", got[5].Conn)
	}
	s.Close()
	srv.WaitQuits(t, 2, 5*time.Second)
	if connected != 2 {
		t.Errorf("Connected heard of %d connections, want 2", connected)
	}
}

// TestSessionServerClosedConnection: when the server has let go of the
// kept connection (its idle timeout, with 421; or a restart, without a
// word), the next message is delivered once over a new connection, and
// Send does not report the lost connection.
func TestSessionServerClosedConnection(t *testing.T) {
	servers := []struct {
		name string
		opts []mailtest.Option
	}{
		{"plain", nil},
		{"starttls", []mailtest.Option{mailtest.WithSTARTTLS()}},
	}
	closes := []struct {
		name  string
		close func(*mailtest.Server)
	}{
		{"idle timeout", (*mailtest.Server).TimeOutIdle},
		{"restart", func(srv *mailtest.Server) { srv.Stop(); srv.Restart() }},
	}
	for _, sv := range servers {
		for _, cl := range closes {
			t.Run(sv.name+"/"+cl.name, func(t *testing.T) {
				srv := mailtest.Start(t, sv.opts...)
				s := urlSender(t, srv).Session()
				defer s.Close()
				ctx := context.Background()
				if err := s.Send(ctx, note(1)); err != nil {
					t.Fatal(err)
				}
				srv.WaitFor(t, 1, 5*time.Second)
				cl.close(srv)
				srv.WaitClosed(t, 5*time.Second)
				if err := s.Send(ctx, note(2)); err != nil {
					t.Fatalf("after the server closed the connection: %v", err)
				}
				if err := s.Send(ctx, note(3)); err != nil {
					t.Fatal(err)
				}
				got := receivedOnce(t, srv, 3)
				if got[1].Conn != 2 || got[2].Conn != 2 || srv.Connections() != 2 {
					t.Errorf("messages 2 and 3 over connections %d and %d, %d connections; want 2, 2 and 2", got[1].Conn, got[2].Conn, srv.Connections())
				}
			})
		}
	}
}

// TestSessionNoResendAfterData: when the connection breaks after the
// server took DATA, the message may have been accepted; the session does
// not send it again itself but returns a temporary error, for the outbox
// to retry later.
func TestSessionNoResendAfterData(t *testing.T) {
	for name, opts := range map[string][]mailtest.Option{"plain": nil, "starttls": {mailtest.WithSTARTTLS()}} {
		t.Run(name, func(t *testing.T) {
			srv := mailtest.Start(t, opts...)
			s := urlSender(t, srv).Session()
			defer s.Close()
			ctx := context.Background()
			if err := s.Send(ctx, note(1)); err != nil {
				t.Fatal(err)
			}
			srv.DropData(16)
			err := s.Send(ctx, note(2))
			if err == nil || mail.Permanent(err) || mail.FaultOf(err) != "" {
				t.Fatalf("broken off during DATA: err %v, permanent %v, fault %q; want a temporary error of the message", err, mail.Permanent(err), mail.FaultOf(err))
			}
			if n, d := srv.Connections(), srv.Dropped(); n != 1 || d != 1 {
				t.Errorf("%d connections, %d transfers broken off; want 1 and 1 (no second attempt at once)", n, d)
			}
			srv.DropData(0)
			if err := s.Send(ctx, note(2)); err != nil {
				t.Fatalf("the retry: %v", err)
			}
			receivedOnce(t, srv, 2)
		})
	}
}

// TestSessionFailureStartsAfresh: after a refused message the session
// says QUIT, and the next message goes over a new connection.
func TestSessionFailureStartsAfresh(t *testing.T) {
	srv := mailtest.Start(t)
	s := plainSender(srv).Session()
	defer s.Close()
	ctx := context.Background()
	if err := s.Send(ctx, note(1)); err != nil {
		t.Fatal(err)
	}
	srv.RejectRecipient(note(2).To, 550, "no such user")
	if err := s.Send(ctx, note(2)); !mail.Permanent(err) {
		t.Fatalf("refused recipient: %v, want a permanent error", err)
	}
	srv.WaitQuits(t, 1, 5*time.Second)
	if err := s.Send(ctx, note(3)); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 2, 5*time.Second)
	if len(got) != 2 || got[1].To[0] != note(3).To || got[1].Conn != 2 {
		t.Errorf("received %d messages, the last to %s over connection %d; want 2, the last to %s over connection 2", len(got), got[len(got)-1].To[0], got[len(got)-1].Conn, note(3).To)
	}
}

// TestSessionMessageLimit: a connection carries at most SessionMessages
// messages; the session says QUIT after the last and opens a new one.
func TestSessionMessageLimit(t *testing.T) {
	srv := mailtest.Start(t)
	s := plainSender(srv).Session()
	defer s.Close()
	ctx := context.Background()
	n := mail.SessionMessages + 1
	for i := 1; i <= n; i++ {
		if err := s.Send(ctx, note(i)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if i == mail.SessionMessages {
			srv.WaitQuits(t, 1, 5*time.Second)
		}
	}
	got := receivedOnce(t, srv, n)
	for i, r := range got {
		want := 1
		if i >= mail.SessionMessages {
			want = 2
		}
		if r.Conn != want {
			t.Fatalf("message %d over connection %d, want %d", i+1, r.Conn, want)
		}
	}
}

// TestSessionIdle: a session with nothing to send says QUIT after its idle
// time, and connects again for the next message.
func TestSessionIdle(t *testing.T) {
	srv := mailtest.Start(t)
	s := plainSender(srv).Session()
	s.Idle = 100 * time.Millisecond
	defer s.Close()
	ctx := context.Background()
	if err := s.Send(ctx, note(1)); err != nil {
		t.Fatal(err)
	}
	srv.WaitQuits(t, 1, 5*time.Second)
	srv.WaitClosed(t, 5*time.Second)
	if err := s.Send(ctx, note(2)); err != nil {
		t.Fatal(err)
	}
	if got := receivedOnce(t, srv, 2); got[1].Conn != 2 {
		t.Errorf("the message after the idle time came over connection %d, want 2", got[1].Conn)
	}
}
