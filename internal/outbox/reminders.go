package outbox

import (
	"context"
	"time"
)

// reminderEvery is how often the worker looks for events whose reminder
// is due. The store marks an event reminded in the transaction that queues
// its reminders, so however often it looks, and across restarts, each
// event's reminder goes out once.
const reminderEvery = time.Minute

// queueReminders queues the reminders that are due, at most once per
// reminderEvery; the commit that queues them wakes the worker.
func (m *Worker) queueReminders(ctx context.Context) {
	now := m.now()
	if !m.remindersChecked.IsZero() && now.Sub(m.remindersChecked) < reminderEvery {
		return
	}
	m.remindersChecked = now
	n, err := m.store.QueueReminders(ctx, now)
	if err != nil && ctx.Err() == nil {
		m.log.Error("mail: queue reminders", "err", err)
	}
	if n > 0 {
		m.log.Info("reminders queued", "emails", n)
	}
}
