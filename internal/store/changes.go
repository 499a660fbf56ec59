package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/foyer-events/foyer/internal/registration"
)

// Status changes of a registration after it was made: by the attendee on
// the manage page, or by organisers.

// Cancel cancels a live registration, frees its places, promotes from the
// waiting lists and queues the emails.
func (s *Store) Cancel(ctx context.Context, ev *Event, id int64) error {
	return s.change(ctx, ev, id, "cancel", func(tx *writeTx, status string) error {
		return end(ctx, tx, id, registration.Cancelled)
	})
}

// end closes a registration for good: its seats are freed and the attendee
// is told.
func end(ctx context.Context, tx *writeTx, id int64, status string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE registrations SET status = ?, updated_at = ? WHERE id = ?", status, now(), id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM registration_sessions WHERE registration_id = ?", id); err != nil {
		return err
	}
	return enqueueMail(ctx, tx, id, registration.MailFor(status))
}

// Approve confirms a pending registration, or waitlists it when the event
// is full (ErrFull when its waiting list is off).
func (s *Store) Approve(ctx context.Context, ev *Event, id int64) error {
	return s.change(ctx, ev, id, "approve", func(tx *writeTx, status string) error {
		if status != registration.Pending {
			return fmt.Errorf("%w: it is %s, not pending", ErrConflict, status)
		}
		next, kind := registration.Confirmed, registration.MailApproved
		full, err := eventFull(ctx, tx, ev)
		if err != nil {
			return err
		}
		if full {
			if !ev.Registration.Waitlist {
				return ErrFull
			}
			next, kind = registration.Waitlisted, registration.MailWaitlisted
		}
		// Its place in the queue counts from the approval, not the request.
		if _, err := tx.ExecContext(ctx, "UPDATE registrations SET status = ?, queued_at = ?, updated_at = ? WHERE id = ?",
			next, now(), now(), id); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, id, kind)
	})
}

// Reject turns down a pending registration.
func (s *Store) Reject(ctx context.Context, ev *Event, id int64) error {
	return s.change(ctx, ev, id, "reject", func(tx *writeTx, status string) error {
		if status != registration.Pending {
			return fmt.Errorf("%w: it is %s, not pending", ErrConflict, status)
		}
		return end(ctx, tx, id, registration.Rejected)
	})
}

// Resend queues the email that matches the registration's current status.
func (s *Store) Resend(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *writeTx) error {
		var status string
		if err := tx.QueryRowContext(ctx, "SELECT status FROM registrations WHERE id = ?", id).Scan(&status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if err := enqueueMail(ctx, tx, id, registration.MailFor(status)); err != nil {
			return err
		}
		return auditRegistration(ctx, tx, "resend", id, nil, nil)
	})
}

// ChangeSessions replaces a live registration's session choices: kept
// sessions keep their seats and queue places, new ones follow the capacity
// rules, dropped ones free seats for the next in line.
func (s *Store) ChangeSessions(ctx context.Context, ev *Event, id int64, sessions []string) error {
	return s.change(ctx, ev, id, "sessions", func(tx *writeTx, status string) error {
		_, err := changeSessionsTx(ctx, tx, ev, id, status, sessions)
		return err
	})
}

// changeSessionsTx replaces the session choices inside a change's
// transaction and reports whether any changed.
func changeSessionsTx(ctx context.Context, tx *writeTx, ev *Event, id int64, status string, sessions []string) (bool, error) {
	want := map[int64]bool{}
	for _, key := range sessions {
		want[ev.SessionIDs[key]] = true
	}
	chosen, err := scanRows(ctx, tx, "SELECT session_id FROM registration_sessions WHERE registration_id = ?", []any{id}, scanID)
	if err != nil {
		return false, err
	}
	var drop []int64
	have := map[int64]bool{}
	for _, sid := range chosen {
		have[sid] = true
		if !want[sid] {
			drop = append(drop, sid)
		}
	}
	for _, sid := range drop {
		if _, err := tx.ExecContext(ctx, "DELETE FROM registration_sessions WHERE registration_id = ? AND session_id = ?", id, sid); err != nil {
			return false, err
		}
	}
	var add []string
	for _, key := range sessions {
		if !have[ev.SessionIDs[key]] {
			add = append(add, key)
		}
	}
	if len(add) == 0 && len(drop) == 0 {
		return false, nil
	}
	dropped := make([]string, 0, len(drop))
	for key, sid := range ev.SessionIDs {
		if slices.Contains(drop, sid) {
			dropped = append(dropped, key)
		}
	}
	slices.Sort(dropped)
	if err := logHistory(ctx, tx, id, HistorySessions, map[string][]string{"added": add, "dropped": dropped}); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE registrations SET updated_at = ? WHERE id = ?", now(), id); err != nil {
		return false, err
	}
	_, err = addSeats(ctx, tx, ev, id, status, add)
	return true, err
}

// change runs fn on a live registration of ev in one transaction, then
// promotes from the waiting lists. An organiser's change is audited as
// registration.ACTION with the status and seats before and after.
func (s *Store) change(ctx context.Context, ev *Event, id int64, action string, fn func(tx *writeTx, status string) error) error {
	err := s.tx(ctx, func(tx *writeTx) error {
		before, err := registrationSnapshot(ctx, tx, id)
		if err != nil {
			return err
		}
		var status string
		err = tx.QueryRowContext(ctx, "SELECT status FROM registrations WHERE id = ? AND event_id = ?", id, ev.ID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !registration.Live(status) {
			return ErrNotLive
		}
		since, err := lastHistoryID(ctx, tx)
		if err != nil {
			return err
		}
		if err := fn(tx, status); err != nil {
			return err
		}
		if err := rebalance(ctx, tx, ev); err != nil {
			return err
		}
		if err := claimHistory(ctx, tx, id, since); err != nil {
			return err
		}
		return auditRegistration(ctx, tx, action, id, before, nil)
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNotLive), errors.Is(err, ErrFull), errors.Is(err, ErrConflict):
		return err
	}
	return fmt.Errorf("store: change registration %d: %w", id, err)
}
