package outbox

import (
	"context"
	"fmt"
	"time"
)

// SlowAfter is how long an email may wait before mail counts as degraded:
// longer than any retry of a passing hiccup, short enough that organisers
// hear of it before guests ask where their tickets are.
const SlowAfter = 10 * time.Minute

// Health is how mail delivery is doing: for /healthz, the organisers'
// banner and the metrics.
type Health struct {
	// OK is false while mail cannot go out or an email waits too long.
	OK bool
	// Reason says why not, in English, without addresses, hosts or
	// passwords: it is shown to anyone who asks /healthz.
	Reason string
	// Problem names the trouble for translated messages: "" when OK, a
	// mail.Fault ("login", "certificate", …) while the server or the
	// settings fail every email, "slow" when emails wait too long for no
	// known reason.
	Problem string
	// Detail is the error behind a fault, addresses redacted, and Answer
	// its core (the server's reply, or what TLS said): for organisers and
	// operators, not for /healthz.
	Detail, Answer string
	// Check says in English what to look at to mend a fault.
	Check string
	// Since is when the trouble began (the oldest waiting email for "slow").
	Since time.Time

	Waiting       int           // emails queued or being sent
	Failed        int           // emails given up on
	OldestWaiting time.Duration // age of the oldest waiting email, 0 when none
}

// Health reports the state of mail delivery. It reads the outbox's figures,
// a query over the index entries of waiting and failed emails only. When
// that fails, the error comes with what is known without it.
func (m *Worker) Health(ctx context.Context) (Health, error) {
	h := Health{OK: true}
	if f := m.fault.Load(); f != nil {
		h.OK, h.Problem, h.Since = false, string(f.kind), f.since
		h.Reason, h.Detail, h.Answer, h.Check = f.kind.Reason(), f.detail, f.answer, f.kind.Check()
	}
	figures, err := m.store.OutboxFigures(ctx)
	if err != nil {
		return h, err
	}
	h.Waiting, h.Failed = figures.Waiting, figures.Failed
	if !figures.OldestWaiting.IsZero() {
		h.OldestWaiting = max(time.Since(figures.OldestWaiting), 0)
	}
	if h.OK && h.OldestWaiting > SlowAfter {
		h.OK, h.Problem, h.Since = false, "slow", figures.OldestWaiting
		h.Reason = fmt.Sprintf("the oldest waiting email has waited %d minutes", int(h.OldestWaiting.Minutes()))
	}
	return h, nil
}
