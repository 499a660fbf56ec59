package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

// Figures are an event's live numbers for the organiser's overview.
type Figures struct {
	Slug       string
	Title      programme.Text
	StartsAt   time.Time
	Status     string
	Capacity   *int
	Confirmed  int
	Waitlisted int
	Pending    int
	Cancelled  int
	MailFailed int
	MailQueued int // waiting to be sent or being sent
	// MailRetrying are queued emails that wait for a reason (an attempt
	// failed, or the mail server or the settings fail every email): many
	// of them mean the mail server is in trouble.
	MailRetrying int
}

// EventFigures returns every event's registration counts, soonest first.
func (s *Store) EventFigures(ctx context.Context) ([]Figures, error) {
	figures, err := scanRows(ctx, s.read, `SELECT e.slug, e.title, e.starts_at, e.status, e.capacity,
		e.confirmed,
		(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted'),
		(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'pending'),
		(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'cancelled'),
		(SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = e.id AND o.status = 'failed'),
		(SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = e.id AND o.status IN ('queued', 'sending')),
		(SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = e.id AND o.status = 'queued' AND o.last_error <> '')
		FROM events e ORDER BY e.starts_at, e.slug`, nil, func(rows *sql.Rows) (Figures, error) {
		var f Figures
		var start, title string
		var capacity sql.NullInt64
		err := rows.Scan(&f.Slug, &title, &start, &f.Status, &capacity, &f.Confirmed, &f.Waitlisted, &f.Pending,
			&f.Cancelled, &f.MailFailed, &f.MailQueued, &f.MailRetrying)
		f.Title, f.StartsAt, f.Capacity = scanText(title), parseTime(start), intPtr(capacity)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: event figures: %w", err)
	}
	return figures, nil
}
