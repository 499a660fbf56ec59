package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

// EventRef names an event for lists and menus.
type EventRef struct {
	Slug     string
	Title    programme.Text
	StartsAt time.Time
	Status   string
}

// EventRefs lists every event, soonest first.
func (s *Store) EventRefs(ctx context.Context) ([]EventRef, error) {
	refs, err := scanRows(ctx, s.read, "SELECT slug, title, starts_at, status FROM events ORDER BY starts_at, slug", nil,
		func(rows *sql.Rows) (EventRef, error) {
			var e EventRef
			var title, start string
			err := rows.Scan(&e.Slug, &title, &start, &e.Status)
			e.Title, e.StartsAt = scanText(title), parseTime(start)
			return e, err
		})
	if err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	return refs, nil
}

// FailedMail counts the event's emails that failed and wait for an
// organiser to send them again.
func (s *Store) FailedMail(ctx context.Context, ev *Event) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id
		WHERE o.status = 'failed' AND r.event_id = ?`, ev.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: failed mail: %w", err)
	}
	return n, nil
}
