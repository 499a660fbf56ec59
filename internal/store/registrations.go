package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/foyer-events/foyer/internal/registration"
)

// Reading registrations: one, by its manage token, or a filtered page.

const registrationColumns = `r.id, e.slug, r.status, r.kind, r.first_name, r.last_name, r.salutation, r.title, r.email, r.organisation, r.job_title,
	r.country, r.language, r.answers, r.consent_at, r.consent_version, r.ticket_code, r.manage_token, r.created_at, r.updated_at,
	r.anonymised_at`

// scanRegistration reads registrationColumns, then any extra columns
// selected after them into extra.
func scanRegistration(sc interface{ Scan(...any) error }, extra ...any) (*registration.Registration, error) {
	return newRegistrationScanner(extra...).scan(sc)
}

// registrationScanner reads registrationColumns row after row into the
// same places, so that a list of 100,000 rows does not make a slice of
// destinations and five strings for each (they were a third of what an
// export allocated); each row's registration is its own.
type registrationScanner struct {
	r                                    registration.Registration
	answers, consentAt, created, updated string
	anonymised                           sql.NullString
	dest                                 []any
}

// newRegistrationScanner returns a scanner of registrationColumns followed
// by extra columns, read into extra.
func newRegistrationScanner(extra ...any) *registrationScanner {
	s := &registrationScanner{}
	r := &s.r
	s.dest = append([]any{&r.ID, &r.Event, &r.Status, &r.Kind, &r.FirstName, &r.LastName, &r.Salutation, &r.Title, &r.Email,
		&r.Organisation, &r.JobTitle, &r.Country, &r.Language, &s.answers, &s.consentAt, &r.Consent.Version, &r.TicketCode, &r.ManageToken,
		&s.created, &s.updated, &s.anonymised}, extra...)
	return s
}

// scan reads the current row.
func (s *registrationScanner) scan(sc interface{ Scan(...any) error }) (*registration.Registration, error) {
	if err := sc.Scan(s.dest...); err != nil {
		return nil, err
	}
	r := s.r
	r.Answers = registration.DecodeAnswers(s.answers)
	r.Consent.At, r.CreatedAt, r.UpdatedAt = parseTime(s.consentAt), parseTime(s.created), parseTime(s.updated)
	if s.anonymised.Valid {
		t := parseTime(s.anonymised.String)
		r.AnonymisedAt = &t
	}
	r.Sessions = []registration.Seat{}
	return &r, nil
}

// GetRegistration returns one registration with its sessions and mail status.
func (s *Store) GetRegistration(ctx context.Context, id int64) (*registration.Registration, error) {
	return s.registrationWhere(ctx, "r.id = ?", id)
}

// RegistrationByToken returns the registration whose manage token this is.
func (s *Store) RegistrationByToken(ctx context.Context, token string) (*registration.Registration, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	return s.registrationWhere(ctx, "r.manage_token = ?", token)
}

func (s *Store) registrationWhere(ctx context.Context, where string, arg any) (*registration.Registration, error) {
	row := s.read.QueryRowContext(ctx, "SELECT "+registrationColumns+" FROM registrations r JOIN events e ON e.id = r.event_id WHERE "+where, arg)
	r, err := scanRegistration(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get registration: %w", err)
	}
	if err := s.fillDetails(ctx, []*registration.Registration{r}); err != nil {
		return nil, err
	}
	return r, nil
}

// fillDetails adds the session seats and the last email's state.
func (s *Store) fillDetails(ctx context.Context, regs []*registration.Registration) error {
	if len(regs) == 0 {
		return nil
	}
	byID, ids := indexRegistrations(regs)
	in := "(" + placeholders(len(ids)) + ")"
	err := eachRow(ctx, s.read, `SELECT rs.registration_id, s.key, rs.status FROM registration_sessions rs
		JOIN sessions s ON s.id = rs.session_id WHERE rs.registration_id IN `+in+` ORDER BY s.starts_at, s.position`, ids,
		func(rows *sql.Rows) error {
			var id int64
			var seat registration.Seat
			if err := rows.Scan(&id, &seat.ID, &seat.Status); err != nil {
				return err
			}
			byID[id].Sessions = append(byID[id].Sessions, seat)
			return nil
		})
	if err != nil {
		return fmt.Errorf("store: registration sessions: %w", err)
	}
	if err := s.fillCheckIns(ctx, byID, in, ids); err != nil {
		return err
	}
	return s.fillMail(ctx, regs)
}

// indexRegistrations maps registrations by id and lists their ids as
// query arguments, in order.
func indexRegistrations(regs []*registration.Registration) (map[int64]*registration.Registration, []any) {
	byID := make(map[int64]*registration.Registration, len(regs))
	ids := make([]any, len(regs))
	for i, r := range regs {
		byID[r.ID] = r
		ids[i] = r.ID
	}
	return byID, ids
}

// placeholders returns n comma-separated bind parameters for an IN list.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// fillMail adds the state of each registration's last email.
func (s *Store) fillMail(ctx context.Context, regs []*registration.Registration) error {
	if len(regs) == 0 {
		return nil
	}
	byID, ids := indexRegistrations(regs)
	in := "(" + placeholders(len(ids)) + ")"
	err := eachRow(ctx, s.read, `SELECT o.registration_id, o.kind, o.status, o.last_error, coalesce(o.sent_at, o.created_at)
		FROM outbox o WHERE o.id IN (SELECT max(id) FROM outbox WHERE registration_id IN `+in+` GROUP BY registration_id)`, ids,
		func(rows *sql.Rows) error {
			var id int64
			var m registration.MailStatus
			var at string
			if err := rows.Scan(&id, &m.Kind, &m.Status, &m.Error, &at); err != nil {
				return err
			}
			m.At = parseTime(at)
			byID[id].Mail = &m
			return nil
		})
	if err != nil {
		return fmt.Errorf("store: registration mail: %w", err)
	}
	return nil
}

// SeatCounts returns, per session id, the confirmed seats taken, and the
// confirmed registrations of the event.
func (s *Store) SeatCounts(ctx context.Context, ev *Event) (event int, sessions map[string]int, err error) {
	err = s.read.QueryRowContext(ctx, "SELECT confirmed FROM events WHERE id = ?", ev.ID).Scan(&event)
	if err != nil {
		return 0, nil, fmt.Errorf("store: seat counts: %w", err)
	}
	sessions, err = scanMap[string, int](ctx, s.read, "SELECT key, confirmed FROM sessions WHERE event_id = ?", []any{ev.ID})
	if err != nil {
		return 0, nil, fmt.Errorf("store: seat counts: %w", err)
	}
	return event, sessions, nil
}
