package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/foyer-events/foyer/internal/registration"
)

// UpdateDetails corrects a live registration's personal details and
// answers from validated input: names, form of address, organisation, job
// title, country, language and the answers to the event's questions. The
// email address, the sessions, the status and the consent stay as they
// are: the address is the registration's identity, and the rest have
// their own changes.
func (s *Store) UpdateDetails(ctx context.Context, ev *Event, id int64, in registration.Input) error {
	answers, err := json.Marshal(in.Answers)
	if err != nil {
		return fmt.Errorf("store: update details: %w", err)
	}
	err = s.tx(ctx, func(tx *writeTx) error {
		before, err := registrationSnapshot(ctx, tx, id)
		if err != nil {
			return err
		}
		var email string
		if err := tx.QueryRowContext(ctx, "SELECT email FROM registrations WHERE id = ? AND event_id = ?", id, ev.ID).Scan(&email); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotLive
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE registrations SET first_name = ?, last_name = ?, salutation = ?, title = ?,
			organisation = ?, job_title = ?, country = ?, language = ?, answers = ?, updated_at = ?, search = ?
			WHERE id = ? AND event_id = ? AND status IN ('pending', 'confirmed', 'waitlisted')`,
			in.FirstName, in.LastName, in.Salutation, in.Title, in.Organisation, in.JobTitle, in.Country, in.Language,
			string(answers), now(), registration.SearchText(in.FirstName, in.LastName, email, in.Organisation), id, ev.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotLive
		}
		return auditRegistration(ctx, tx, "edit", id, before, nil)
	})
	if err != nil && !errors.Is(err, ErrNotLive) {
		return fmt.Errorf("store: update details of %d: %w", id, err)
	}
	return err
}
