package outbox

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
)

// testClock is a clock a test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// reminders are the reminder emails the SMTP server has, by recipient.
func reminders(t *testing.T, msgs []mailtest.Received) map[string]*mailtest.Parsed {
	t.Helper()
	out := map[string]*mailtest.Parsed{}
	for _, m := range msgs {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{"Reminder: ", "Erinnerung: ", "活动提醒："} {
			if strings.HasPrefix(p.Subject, prefix) {
				if out[m.To[0]] != nil {
					t.Errorf("a second reminder to %s", m.To[0])
				}
				out[m.To[0]] = p
			}
		}
	}
	return out
}

// TestReminderBeforeTheEvent: with no setting at all, confirmed guests get
// their ticket again two days before the event, each in their language,
// at a real SMTP server; cancelled guests get none; and the reminder goes
// out once, however often foyer restarts after it.
func TestReminderBeforeTheEvent(t *testing.T) {
	e := forum(nil)
	e.Status = "published"
	e.Registration.ReminderDays = nil // the default: on, two days before
	clock := &testClock{t: e.StartsAt.AddDate(0, 0, -3)}
	to := &testOutbox{dir: t.TempDir(), smtp: mailtest.Start(t), clock: clock}
	to.open(t)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := to.store.SaveEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	for i, lang := range []string{"de", "zh", "en"} {
		to.register(t, "forum", guest(i+1, lang))
	}
	ev := to.event(t, "forum")
	cancelled := to.register(t, "forum", guest(4, "en"))
	if err := to.store.Cancel(ctx, ev, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	// Three tickets and a cancellation; no reminder three days before.
	msgs := to.smtp.WaitFor(t, 5, 10*time.Second)
	if r := reminders(t, msgs); len(r) != 0 {
		t.Fatalf("reminders three days before the event: %d", len(r))
	}

	// Two days before: the reminders, with the ticket, in each language.
	clock.Set(e.StartsAt.AddDate(0, 0, -2).Add(time.Minute))
	to.w.wake()
	msgs = to.smtp.WaitUntil(t, 10*time.Second, func(m []mailtest.Received) bool { return len(reminders(t, m)) == 3 })
	got := reminders(t, msgs)
	for addr, want := range map[string]struct{ subject, body string }{
		"guest1@example.org": {"Erinnerung: ", "steht bald bevor"},
		"guest2@example.org": {"活动提醒：", "即将举行"},
		"guest3@example.org": {"Reminder: ", "is coming up soon"},
	} {
		p := got[addr]
		if p == nil {
			t.Errorf("no reminder to %s", addr)
			continue
		}
		if !strings.HasPrefix(p.Subject, want.subject) || !strings.Contains(p.Text, want.body) {
			t.Errorf("reminder to %s: %q, %.200q", addr, p.Subject, p.Text)
		}
		qr := p.ByContentID("ticket")
		if qr == nil {
			t.Errorf("the reminder to %s has no ticket", addr)
			continue
		}
		if code, err := mailtest.DecodeQR(qr.Data); err != nil || code == "" {
			t.Errorf("the reminder's QR to %s: %q, %v", addr, code, err)
		}
		if p.ByFilename("forum.ics") == nil {
			t.Errorf("the reminder to %s has no calendar invite", addr)
		}
	}
	if got["guest4@example.org"] != nil {
		t.Error("a cancelled guest got the reminder")
	}

	// Restarts, later still: no second reminder. A new guest's ticket is the
	// sign that the restarted worker has looked for due reminders (it does
	// so before it sends anything).
	for i := range 2 {
		clock.Set(e.StartsAt.AddDate(0, 0, -1).Add(time.Duration(i) * time.Hour))
		to.restart(t)
		before := len(to.smtp.Messages())
		to.register(t, "forum", guest(10+i, "en"))
		to.smtp.WaitFor(t, before+1, 10*time.Second)
		if n, err := to.store.QueueReminders(ctx, clock.Now()); err != nil || n != 0 {
			t.Fatalf("after restart %d: %d reminders queued again, %v", i+1, n, err)
		}
		if r := reminders(t, to.smtp.Messages()); len(r) != 3 {
			t.Errorf("after restart %d: %d reminders", i+1, len(r))
		}
	}
	for _, m := range to.smtp.Messages() {
		if m.To[0] == "guest10@example.org" {
			if p, _ := m.Parse(); strings.HasPrefix(p.Subject, "Reminder") {
				t.Error("a guest who registered after the reminder was due got one")
			}
		}
	}
	if n := to.figures(t).MailFailed; n != 0 {
		t.Errorf("%d emails failed", n)
	}
}
