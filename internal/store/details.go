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
		if err := updateDetailsTx(ctx, tx, ev, id, in, answers); err != nil {
			return err
		}
		return auditRegistration(ctx, tx, "edit", id, before, nil)
	})
	if err != nil && !errors.Is(err, ErrNotLive) {
		return fmt.Errorf("store: update details of %d: %w", id, err)
	}
	return err
}

// updateDetailsTx writes the details of UpdateDetails inside a transaction;
// answers are in.Answers as JSON.
func updateDetailsTx(ctx context.Context, tx *writeTx, ev *Event, id int64, in registration.Input, answers []byte) error {
	var email, oldAnswers string
	var old registration.Input
	err := tx.QueryRowContext(ctx, `SELECT email, first_name, last_name, salutation, title, organisation, job_title, country,
		language, answers FROM registrations WHERE id = ? AND event_id = ?`, id, ev.ID).Scan(&email, &old.FirstName,
		&old.LastName, &old.Salutation, &old.Title, &old.Organisation, &old.JobTitle, &old.Country, &old.Language, &oldAnswers)
	if err != nil {
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
	var fields []string
	for _, f := range []struct {
		name     string
		old, new string
	}{
		{"first_name", old.FirstName, in.FirstName}, {"last_name", old.LastName, in.LastName},
		{"salutation", old.Salutation, in.Salutation}, {"title", old.Title, in.Title},
		{"organisation", old.Organisation, in.Organisation}, {"job_title", old.JobTitle, in.JobTitle},
		{"country", old.Country, in.Country}, {"language", old.Language, in.Language},
	} {
		if f.old != f.new {
			fields = append(fields, f.name)
		}
	}
	oldA, _ := json.Marshal(registration.DecodeAnswers(oldAnswers))
	newA, _ := json.Marshal(registration.DecodeAnswers(string(answers)))
	if string(oldA) != string(newA) {
		fields = append(fields, "answers")
	}
	if len(fields) == 0 {
		return nil
	}
	return logHistory(ctx, tx, id, HistoryEdit, map[string][]string{"fields": fields})
}
