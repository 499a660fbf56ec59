package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/foyer-events/foyer/internal/registration"
)

// Privacy: everything foyer holds about one attendee, removing it from one
// registration, and from all of an event's once it is over.

// ErrAnonymised means the registration's personal data is gone already.
var ErrAnonymised = errors.New("store: the registration is anonymised already")

// ErrNotOver means the event has not ended: its guests' data is still in use.
var ErrNotOver = errors.New("store: the event is not over yet")

// AttendeeData is everything foyer holds about one registration, for the
// attendee who asks (GDPR art. 15 and 20).
type AttendeeData struct {
	Registration *registration.Registration `json:"registration"`
	History      []HistoryEntry             `json:"history"`
	CheckIns     []DataCheckIn              `json:"check_ins"`
	Emails       []DataEmail                `json:"emails"`
}

// HistoryEntry is one change of a registration after it was made.
type HistoryEntry struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Detail any       `json:"detail"`
}

// DataCheckIn is a scan of the attendee's ticket.
type DataCheckIn struct {
	At     time.Time `json:"at"`
	Door   string    `json:"door"` // "" for the entrance, else a session's id
	Result string    `json:"result"`
}

// DataEmail is an email foyer sent or queued for the attendee.
type DataEmail struct {
	Kind   string     `json:"kind"`
	Status string     `json:"status"`
	At     time.Time  `json:"created_at"`
	SentAt *time.Time `json:"sent_at,omitempty"`
}

// RegistrationData collects what foyer holds about a registration. Reading
// it is on record in the audit log.
func (s *Store) RegistrationData(ctx context.Context, id int64) (*AttendeeData, error) {
	r, err := s.GetRegistration(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &AttendeeData{Registration: r, History: []HistoryEntry{}, CheckIns: []DataCheckIn{}, Emails: []DataEmail{}}
	err = eachRow(ctx, s.read, "SELECT at, action, detail FROM registration_history WHERE registration_id = ? ORDER BY id", []any{id},
		func(rows *sql.Rows) error {
			var h HistoryEntry
			var at, detail string
			if err := rows.Scan(&at, &h.Action, &detail); err != nil {
				return err
			}
			h.At, h.Detail = parseTime(at), decodeJSON(detail)
			d.History = append(d.History, h)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: registration data: %w", err)
	}
	err = eachRow(ctx, s.read, `SELECT sc.scanned_at, coalesce(se.key, ''), sc.result FROM scans sc
		LEFT JOIN sessions se ON se.id = sc.door WHERE sc.registration_id = ? ORDER BY sc.id`, []any{id}, func(rows *sql.Rows) error {
		var c DataCheckIn
		var at string
		if err := rows.Scan(&at, &c.Door, &c.Result); err != nil {
			return err
		}
		c.At = parseTime(at)
		d.CheckIns = append(d.CheckIns, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: registration data: %w", err)
	}
	err = eachRow(ctx, s.read, "SELECT kind, status, created_at, sent_at FROM outbox WHERE registration_id = ? ORDER BY id", []any{id},
		func(rows *sql.Rows) error {
			var m DataEmail
			var at string
			var sent sql.NullString
			if err := rows.Scan(&m.Kind, &m.Status, &at, &sent); err != nil {
				return err
			}
			m.At = parseTime(at)
			if sent.Valid {
				t := parseTime(sent.String)
				m.SentAt = &t
			}
			d.Emails = append(d.Emails, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: registration data: %w", err)
	}
	if err := s.Audit(ctx, AuditRegistration+"data", r.Event, registrationTarget(id), nil); err != nil {
		return nil, err
	}
	return d, nil
}

// Anonymise removes the personal data of one registration: names, form of
// address, email, organisation, job title, answers, and the manage link
// with them. Its status, kind, country, language, seats and check-ins
// stay, so the event's figures do not change; emails still waiting for it
// are dropped, and the audit log's entries about it lose their values.
func (s *Store) Anonymise(ctx context.Context, ev *Event, id int64) error {
	err := s.tx(ctx, func(tx *writeTx) error {
		var anonymised sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT anonymised_at FROM registrations WHERE id = ? AND event_id = ?", id, ev.ID).Scan(&anonymised)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if anonymised.Valid {
			return ErrAnonymised
		}
		if err := anonymise(ctx, tx, id); err != nil {
			return err
		}
		return tx.audit(ctx, AuditRegistration+"anonymise", ev.Slug, registrationTarget(id), nil)
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrAnonymised) {
		return fmt.Errorf("store: anonymise %d: %w", id, err)
	}
	return err
}

func anonymise(ctx context.Context, tx *writeTx, id int64) error {
	key := fmt.Sprintf("anonymised:%d", id)
	_, err := tx.ExecContext(ctx, `UPDATE registrations SET first_name = '', last_name = '', salutation = '', title = '',
		email = '', email_key = ?, organisation = '', job_title = '', answers = '{}', search = '', manage_token = ?,
		repeat_mail_at = NULL, anonymised_at = ?, updated_at = ? WHERE id = ?`, key, key+":"+NewSecret(16), now(), now(), id)
	if err != nil {
		return err
	}
	// Nothing can reach this guest any more.
	if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE registration_id = ? AND status IN ('queued', 'failed')", id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE outbox SET last_error = '' WHERE registration_id = ?", id); err != nil {
		return err
	}
	return redactAudit(ctx, tx, registrationTarget(id))
}

// PrivacyState is where an event stands with its guests' personal data.
type PrivacyState struct {
	RetentionDays int        `json:"retention_days"`
	DueAt         time.Time  `json:"due_at"` // when the retention period ends
	Due           bool       `json:"due"`    // it has ended and personal data is left
	Personal      int        `json:"personal_records"`
	PurgedAt      *time.Time `json:"purged_at"`
}

// Privacy returns the event's retention state at now.
func (s *Store) Privacy(ctx context.Context, ev *Event, now time.Time) (*PrivacyState, error) {
	p := &PrivacyState{RetentionDays: ev.Registration.Retention()}
	p.DueAt = ev.EndsAt.Time.UTC().AddDate(0, 0, p.RetentionDays)
	var purged sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM registrations WHERE event_id = ? AND anonymised_at IS NULL),
		purged_at FROM events WHERE id = ?`, ev.ID, ev.ID).Scan(&p.Personal, &purged)
	if err != nil {
		return nil, fmt.Errorf("store: privacy: %w", err)
	}
	if purged.Valid {
		t := parseTime(purged.String)
		p.PurgedAt = &t
	}
	p.Due = p.Personal > 0 && !now.Before(p.DueAt)
	return p, nil
}

// PurgeEvent anonymises every registration of an event that is over and
// returns how many it changed. ErrNotOver before its end.
func (s *Store) PurgeEvent(ctx context.Context, ev *Event) (int, error) {
	if time.Now().Before(ev.EndsAt.Time) {
		return 0, ErrNotOver
	}
	var n int
	err := s.tx(ctx, func(tx *writeTx) error {
		ids, err := scanRows(ctx, tx, "SELECT id FROM registrations WHERE event_id = ? AND anonymised_at IS NULL", []any{ev.ID}, scanID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := anonymise(ctx, tx, id); err != nil {
				return err
			}
		}
		n = len(ids)
		if _, err := tx.ExecContext(ctx, "UPDATE events SET purged_at = ? WHERE id = ?", now(), ev.ID); err != nil {
			return err
		}
		return tx.audit(ctx, AuditPurge, ev.Slug, "event:"+ev.Slug, map[string]Change{"anonymised": {After: n}})
	})
	if err != nil {
		return 0, fmt.Errorf("store: purge %s: %w", ev.Slug, err)
	}
	return n, nil
}

func decodeJSON(s string) any {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	return v
}

// PurgeDue is an event whose retention period has ended with personal
// data left: the reminder on the organisers' pages.
type PurgeDue struct {
	Slug     string
	Title    map[string]string
	DueAt    time.Time
	Personal int
}

// PurgesDue lists the events whose guests' personal data is due for
// removal at now, the longest overdue first.
func (s *Store) PurgesDue(ctx context.Context, now time.Time) ([]PurgeDue, error) {
	var due []PurgeDue
	err := eachRow(ctx, s.read, `SELECT e.slug, e.title, e.ends_at, e.retention_days,
		(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.anonymised_at IS NULL) AS personal
		FROM events e WHERE personal > 0 ORDER BY e.ends_at`, nil, func(rows *sql.Rows) error {
		var p PurgeDue
		var title, ends string
		var days int
		if err := rows.Scan(&p.Slug, &title, &ends, &days, &p.Personal); err != nil {
			return err
		}
		p.DueAt = parseTime(ends).AddDate(0, 0, days)
		if !now.Before(p.DueAt) {
			json.Unmarshal([]byte(title), &p.Title)
			due = append(due, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: purges due: %w", err)
	}
	return due, nil
}
