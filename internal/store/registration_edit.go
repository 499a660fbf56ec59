package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/foyer-events/foyer/internal/registration"
)

// Organisers' changes to a registration, on top of those the attendee can
// make (details, sessions) and the status changes (changes.go).

// ErrEmailTaken means another live registration of the event has the
// address.
var ErrEmailTaken = errors.New("store: another live registration has this address")

// EditRegistration applies an organiser's edit of a live registration in
// one transaction: its address, details and answers, kind and session
// choices, from input validated as the registration form validates it.
// New sessions follow the capacity rules (a full one waitlists the seat);
// dropped ones free seats for the next in line. The history records what
// changed and who changed it (the actor of ctx); so does the audit log.
func (s *Store) EditRegistration(ctx context.Context, ev *Event, id int64, in registration.Input, kind string) error {
	if !registration.ValidKind(kind) {
		return fmt.Errorf("store: edit registration: kind %q", kind)
	}
	answers, err := json.Marshal(in.Answers)
	if err != nil {
		return fmt.Errorf("store: edit registration: %w", err)
	}
	err = s.change(ctx, ev, id, "edit", func(tx *writeTx, status string) error {
		if err := changeEmailTx(ctx, tx, ev, id, in.Email); err != nil {
			return err
		}
		if err := updateDetailsTx(ctx, tx, ev, id, in, answers); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE registrations SET kind = ? WHERE id = ? AND kind <> ?", kind, id, kind)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if err := logHistory(ctx, tx, id, HistoryEdit, map[string][]string{"fields": {"kind"}}); err != nil {
				return err
			}
		}
		_, err = changeSessionsTx(ctx, tx, ev, id, status, in.Sessions)
		return err
	})
	if errors.Is(err, ErrEmailTaken) {
		return ErrEmailTaken
	}
	return err
}

// changeEmailTx gives a registration another address (or none), refusing
// one that another live registration of the event has.
func changeEmailTx(ctx context.Context, tx *writeTx, ev *Event, id int64, email string) error {
	var old string
	if err := tx.QueryRowContext(ctx, "SELECT email FROM registrations WHERE id = ?", id).Scan(&old); err != nil {
		return err
	}
	if old == email {
		return nil
	}
	key := registration.EmailKey(email)
	if email == "" {
		key = fmt.Sprintf("walk-in:%d", id) // as a walk-in without an address
	} else {
		var other int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM registrations WHERE event_id = ? AND email_key = ? AND id <> ?
			AND status IN ('pending', 'confirmed', 'waitlisted')`, ev.ID, key, id).Scan(&other)
		if err == nil {
			return ErrEmailTaken
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE registrations SET email = ?, email_key = ?, updated_at = ? WHERE id = ?",
		email, key, now(), id); err != nil {
		return err
	}
	return logHistory(ctx, tx, id, HistoryEdit, map[string][]string{"fields": {"email"}})
}

// LiveRegistrationID returns the id of the event's live registration with
// that address, or ErrNotFound.
func (s *Store) LiveRegistrationID(ctx context.Context, ev *Event, email string) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM registrations WHERE event_id = ? AND email_key = ?
		AND status IN ('pending', 'confirmed', 'waitlisted')`, ev.ID, registration.EmailKey(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: find registration: %w", err)
	}
	return id, nil
}
