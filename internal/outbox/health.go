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
	// Problem names the trouble for translated messages: "" when OK,
	// "slow" when emails wait too long for no known reason.
	Problem string
	// Since is when the trouble began (the oldest waiting email for "slow").
	Since time.Time

	Waiting       int           // emails queued or being sent
	Failed        int           // emails given up on
	OldestWaiting time.Duration // age of the oldest waiting email, 0 when none
}

// Health reports the state of mail delivery. It reads the outbox's figures,
// a query over the index entries of waiting and failed emails only.
func (m *Worker) Health(ctx context.Context) (Health, error) {
	f, err := m.store.OutboxFigures(ctx)
	if err != nil {
		return Health{}, err
	}
	h := Health{OK: true, Waiting: f.Waiting, Failed: f.Failed}
	if !f.OldestWaiting.IsZero() {
		h.OldestWaiting = max(time.Since(f.OldestWaiting), 0)
	}
	if h.OldestWaiting > SlowAfter {
		h.OK, h.Problem, h.Since = false, "slow", f.OldestWaiting
		h.Reason = fmt.Sprintf("the oldest waiting email has waited %d minutes", int(h.OldestWaiting.Minutes()))
	}
	return h, nil
}
