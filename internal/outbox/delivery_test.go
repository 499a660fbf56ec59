package outbox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
)

// TestMailSurvivesOutageAndRestart registers while SMTP is down, restarts
// foyer, brings SMTP back: every email arrives, once.
func TestMailSurvivesOutageAndRestart(t *testing.T) {
	to := startOutbox(t, forum(nil))
	to.smtp.Stop()
	const n = 12
	for i := range n {
		to.register(t, "forum", guest(i, "en"))
	}
	// Wait until the worker has tried and failed at least once for each.
	waitUntil(t, 20*time.Second, func() bool { return to.figures(t).MailRetrying == n })
	to.restart(t)
	to.smtp.Restart()
	msgs := to.smtp.WaitFor(t, n, 60*time.Second)
	eachGuestOnce(t, msgs, n)
	// Nothing more arrives: the worker has nothing left.
	waitUntil(t, 10*time.Second, func() bool {
		f := to.figures(t)
		return f.MailQueued == 0 && f.MailFailed == 0
	})
	if got := len(to.smtp.Messages()); got != n {
		t.Errorf("%d messages in all, want %d", got, n)
	}
}

// TestMailSurvivesDroppedConnections: an SMTP server that resets the
// connection in the middle of DATA costs attempts, not the server (go-mail
// used to panic there, taking foyer down at every retry); once the fault
// clears every email arrives, once.
func TestMailSurvivesDroppedConnections(t *testing.T) {
	to := startOutbox(t, forum(nil))
	to.smtp.DropData(1024)
	const n = 5
	for i := range n {
		to.register(t, "forum", guest(i, "en"))
	}
	waitUntil(t, 20*time.Second, func() bool { return to.smtp.Dropped() >= 2*n })
	if err := to.store.Ping(context.Background()); err != nil {
		t.Fatalf("database during the fault: %v", err)
	}
	to.smtp.DropData(0)
	msgs := to.smtp.WaitFor(t, n, 60*time.Second)
	eachGuestOnce(t, msgs, n)
}

// TestPermanentFailureIsRecorded marks a 5xx-rejected email failed with the
// server's answer, which organisers see on the registration, and sends it
// on resend once the server accepts.
func TestPermanentFailureIsRecorded(t *testing.T) {
	to := startOutbox(t, forum(nil))
	ctx := context.Background()
	to.smtp.SetReject(550, "mailbox unavailable")
	reg := to.register(t, "forum", guest(1, "en"))
	waitUntil(t, 20*time.Second, func() bool {
		got, err := to.store.GetRegistration(ctx, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Mail != nil && got.Mail.Status == "failed" {
			if !strings.Contains(got.Mail.Error, "550") {
				t.Errorf("mail error = %q", got.Mail.Error)
			}
			return true
		}
		return false
	})
	to.smtp.SetReject(0, "")
	if err := to.store.Resend(ctx, reg.ID); err != nil {
		t.Fatal(err)
	}
	to.smtp.WaitFor(t, 1, 20*time.Second)
}

// eachGuestOnce checks that guests 0 to n-1 each received exactly one of msgs.
func eachGuestOnce(t *testing.T, msgs []mailtest.Received, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.To[0]]++
	}
	for i := range n {
		if addr := fmt.Sprintf("guest%d@example.org", i); seen[addr] != 1 {
			t.Errorf("%s received %d emails, want 1", addr, seen[addr])
		}
	}
}
