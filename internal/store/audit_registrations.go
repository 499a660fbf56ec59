package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
)

// registrationSnapshot is what the audit log compares of a registration:
// its status and seats, its details and answers. nil when there is none.
func registrationSnapshot(ctx context.Context, tx *writeTx, id int64) (map[string]any, error) {
	var status, first, last, salutation, title, org, job, country, lang, answers, kind, email string
	err := tx.QueryRowContext(ctx, `SELECT status, first_name, last_name, salutation, title, organisation, job_title,
		country, language, answers, kind, email FROM registrations WHERE id = ?`, id).Scan(
		&status, &first, &last, &salutation, &title, &org, &job, &country, &lang, &answers, &kind, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	snap := map[string]any{"status": status, "first_name": first, "last_name": last, "salutation": salutation,
		"title": title, "organisation": org, "job_title": job, "country": country, "language": lang, "kind": kind,
		"email": email}
	var a map[string]any
	json.Unmarshal([]byte(answers), &a)
	for k, v := range a {
		snap["answers."+k] = v
	}
	err = eachRow(ctx, tx, `SELECT s.key, rs.status FROM registration_sessions rs
		JOIN sessions s ON s.id = rs.session_id WHERE rs.registration_id = ?`, []any{id}, func(rows *sql.Rows) error {
		var key, seat string
		err := rows.Scan(&key, &seat)
		snap["sessions."+key] = seat
		return err
	})
	return snap, err
}

// auditRegistration records an organiser's change of a registration, as
// registration.ACTION with every field that changed since before (read
// again when after is nil). Changes by the attendee themself are not in the
// audit log: the registration's history has them.
func auditRegistration(ctx context.Context, tx *writeTx, action string, id int64, before, after map[string]any) error {
	if _, ok := audited(ctx); !ok {
		return nil
	}
	if after == nil {
		var err error
		if after, err = registrationSnapshot(ctx, tx, id); err != nil {
			return err
		}
	}
	var slug string
	if err := tx.QueryRowContext(ctx, "SELECT e.slug FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.id = ?", id).Scan(&slug); err != nil {
		return err
	}
	changes := map[string]Change{}
	if before != nil {
		for k, v := range after {
			if before[k] != v {
				changes[k] = Change{Before: before[k], After: v}
			}
		}
		for k, v := range before {
			if _, ok := after[k]; !ok {
				changes[k] = Change{Before: v}
			}
		}
	}
	return tx.audit(ctx, AuditRegistration+action, slug, registrationTarget(id), changes)
}

// registrationTarget names a registration in the audit log.
func registrationTarget(id int64) string { return "registration:" + strconv.FormatInt(id, 10) }
