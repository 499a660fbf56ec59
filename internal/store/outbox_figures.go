package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// OutboxFigures are the outbox's totals, for health checks and metrics.
type OutboxFigures struct {
	Waiting int // queued or being sent
	Failed  int // given up; organisers can resend
	// OldestWaiting is when the oldest waiting email was queued, zero when
	// none waits.
	OldestWaiting time.Time
}

// OutboxFigures counts the outbox. It reads only the index entries of
// waiting and failed emails (outbox_due), never the sent ones, so it stays
// cheap however many emails went out; ids grow with time, so the smallest
// waiting id is the oldest.
func (s *Store) OutboxFigures(ctx context.Context) (OutboxFigures, error) {
	var f OutboxFigures
	var oldest sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')),
		(SELECT count(*) FROM outbox WHERE status = 'failed'),
		(SELECT created_at FROM outbox WHERE id = (SELECT min(id) FROM outbox WHERE status IN ('queued', 'sending')))`).
		Scan(&f.Waiting, &f.Failed, &oldest)
	if err != nil {
		return f, fmt.Errorf("store: outbox figures: %w", err)
	}
	f.OldestWaiting = parseNullTime(oldest)
	return f, nil
}
