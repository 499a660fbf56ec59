package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The outbox as organisers see it: how many emails of each kind were sent,
// wait or failed, which failed and why, and sending them again.

// MailCount is how many of an event's emails of one kind are in one state.
type MailCount struct {
	Kind   string
	Status string // queued, sending, sent, failed
	N      int
}

// MailCounts counts an event's emails by kind and state.
func (s *Store) MailCounts(ctx context.Context, ev *Event) ([]MailCount, error) {
	counts, err := scanRows(ctx, s.read, `SELECT o.kind, o.status, count(*) FROM outbox o
		JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = ? GROUP BY o.kind, o.status`, []any{ev.ID},
		func(rows *sql.Rows) (MailCount, error) {
			var c MailCount
			err := rows.Scan(&c.Kind, &c.Status, &c.N)
			return c, err
		})
	if err != nil {
		return nil, fmt.Errorf("store: mail counts: %w", err)
	}
	return counts, nil
}

// OutboxEntry is one email of an event's outbox, with its recipient.
type OutboxEntry struct {
	MailRecord
	RegistrationID                 int64
	FirstName, LastName, Language  string
	Email                          string
	CreatedAt, NextAttempt, SentAt time.Time
}

// MailFilter selects emails of the outbox view.
type MailFilter struct {
	Status string // queued (also those being sent), sent, failed; "" for all
	Kind   string
	Limit  int
	Offset int
}

// ListMail returns a page of an event's emails, newest first, and how many
// the filter selects.
func (s *Store) ListMail(ctx context.Context, ev *Event, f MailFilter) ([]OutboxEntry, int, error) {
	cond := "r.event_id = ?"
	args := []any{ev.ID}
	switch f.Status {
	case "":
	case "queued":
		cond += " AND o.status IN ('queued', 'sending')"
	default:
		cond += " AND o.status = ?"
		args = append(args, f.Status)
	}
	if f.Kind != "" {
		cond += " AND o.kind = ?"
		args = append(args, f.Kind)
	}
	var total int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE "+cond,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: list mail: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	entries, err := scanRows(ctx, s.read, `SELECT o.id, o.kind, o.status, o.attempts, o.last_error, o.created_at, o.next_attempt_at,
		coalesce(o.sent_at, ''), r.id, r.first_name, r.last_name, r.language, r.email
		FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE `+cond+` ORDER BY o.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset), func(rows *sql.Rows) (OutboxEntry, error) {
			var e OutboxEntry
			var created, next, sent string
			err := rows.Scan(&e.ID, &e.Kind, &e.Status, &e.Attempts, &e.Error, &created, &next, &sent, &e.RegistrationID,
				&e.FirstName, &e.LastName, &e.Language, &e.Email)
			e.CreatedAt, e.NextAttempt = parseTime(created), parseTime(next)
			if sent != "" {
				e.SentAt = parseTime(sent)
			}
			return e, err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("store: list mail: %w", err)
	}
	return entries, total, nil
}

// RetryMail sends a failed email of the event again, now, with a fresh
// count of attempts: ErrNotFound when the event has no such email,
// ErrConflict when it has not failed.
func (s *Store) RetryMail(ctx context.Context, ev *Event, id int64) error {
	err := s.tx(ctx, func(tx *writeTx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT o.status FROM outbox o JOIN registrations r ON r.id = o.registration_id
			WHERE o.id = ? AND r.event_id = ?`, id, ev.ID).Scan(&status)
		if err != nil {
			return ErrNotFound
		}
		if status != "failed" {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ? WHERE id = ?", now(), id); err != nil {
			return err
		}
		tx.queuedMail = true
		return nil
	})
	if err != nil && err != ErrNotFound && err != ErrConflict {
		return fmt.Errorf("store: retry mail %d: %w", id, err)
	}
	return err
}

// RetryFailedMail sends every failed email of the event again and returns
// how many.
func (s *Store) RetryFailedMail(ctx context.Context, ev *Event) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?
			WHERE status = 'failed' AND registration_id IN (SELECT id FROM registrations WHERE event_id = ?)`, now(), ev.ID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		tx.queuedMail = n > 0
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: retry failed mail: %w", err)
	}
	return int(n), nil
}
