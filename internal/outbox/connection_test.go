package outbox

import (
	"testing"
	"time"
)

// TestWorkerKeepsConnections: the worker's senders keep their SMTP
// connections open from one email to the next, a connection the server
// timed out meanwhile costs no email, and stopping foyer ends every
// connection with QUIT.
func TestWorkerKeepsConnections(t *testing.T) {
	to := startOutbox(t, forum(nil))
	const n = 20
	for i := range n {
		to.register(t, "forum", guest(i, "en"))
	}
	msgs := to.smtp.WaitFor(t, n, 60*time.Second)
	eachGuestOnce(t, msgs, n)
	// The probe at start, and at most one connection per sender.
	if c := to.smtp.Connections(); c > 1+mailWorkers {
		t.Errorf("%d connections for %d emails, want at most %d", c, n, 1+mailWorkers)
	}
	if to.smtp.OpenConnections() == 0 {
		t.Error("no connection kept open after the emails went out")
	}

	// The server times out the kept connections; the next emails arrive
	// once each all the same.
	before, quits := to.smtp.Connections(), to.smtp.Quits()
	// Again on every check: under load a connection can still be opening
	// when the first call looks (CI saw one left open once).
	waitUntil(t, 5*time.Second, func() bool {
		to.smtp.TimeOutIdle()
		return to.smtp.OpenConnections() == 0
	})
	for i := n; i < 2*n; i++ {
		to.register(t, "forum", guest(i, "en"))
	}
	msgs = to.smtp.WaitFor(t, 2*n, 60*time.Second)
	eachGuestOnce(t, msgs, 2*n)
	if len(msgs) != 2*n {
		t.Errorf("%d emails received, want %d", len(msgs), 2*n)
	}
	if to.smtp.Connections() == before {
		t.Error("no new connection after the server closed the kept ones")
	}

	waitUntil(t, 10*time.Second, func() bool { return to.figures(t).MailQueued == 0 })
	if f := to.figures(t); f.MailRetrying != 0 || f.MailFailed != 0 {
		t.Errorf("outbox after the run: %d retrying, %d failed", f.MailRetrying, f.MailFailed)
	}

	if to.smtp.OpenConnections() == 0 {
		t.Fatal("no connection kept open before stopping")
	}
	to.stop()
	to.smtp.WaitClosed(t, 5*time.Second)
	// Every connection opened since the timeout ended with QUIT.
	if q, c := to.smtp.Quits()-quits, to.smtp.Connections()-before; q != c {
		t.Errorf("%d of the %d connections since the timeout ended with QUIT, want all", q, c)
	}
}
