package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/foyer-events/foyer/internal/message"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// Messages to attendees and the reminder before the event: both are rows
// of the outbox, queued in one transaction for every recipient, so they
// go out across restarts and mail server outages like every other email.

// SentMessage is a message as stored.
type SentMessage struct {
	ID         int64            `json:"id"`
	Event      string           `json:"event"`
	Subject    programme.Text   `json:"subject"`
	Body       programme.Text   `json:"body"`
	To         message.Audience `json:"to"`
	Recipients int              `json:"recipients"`
	Sent       int              `json:"sent"`   // delivered so far
	Failed     int              `json:"failed"` // given up on
	Author     string           `json:"author"` // the account's email
	CreatedAt  time.Time        `json:"created_at"`
}

// recipientsSQL is the condition on registrations r that selects a
// message's recipients: the audience's filter, with an address.
func recipientsSQL(ev *Event, to message.Audience) (string, []any) {
	cond, args := filterSQL(ev, to.Filter())
	return cond + " AND r.email <> ''", args
}

// Recipients counts who a message to that audience would reach, by the
// language each reads.
func (s *Store) Recipients(ctx context.Context, ev *Event, to message.Audience) (map[string]int, error) {
	cond, args := recipientsSQL(ev, to)
	byLang, err := scanMap[string, int](ctx, s.read, "SELECT r.language, count(*) FROM registrations r WHERE "+cond+" GROUP BY r.language", args)
	if err != nil {
		return nil, fmt.Errorf("store: recipients: %w", err)
	}
	return byLang, nil
}

// SampleRecipient returns one registration among a message's recipients
// that reads lang, for the preview; ErrNotFound when none does.
func (s *Store) SampleRecipient(ctx context.Context, ev *Event, to message.Audience, lang string) (*registration.Registration, error) {
	cond, args := recipientsSQL(ev, to)
	var id int64
	err := s.read.QueryRowContext(ctx, "SELECT r.id FROM registrations r WHERE "+cond+" AND r.language = ? ORDER BY r.id LIMIT 1",
		append(args, lang)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: sample recipient: %w", err)
	}
	return s.GetRegistration(ctx, id)
}

// SendMessage stores a validated message and queues it for every
// recipient, in one transaction; it returns the message with their number.
func (s *Store) SendMessage(ctx context.Context, ev *Event, m *message.Message) (*SentMessage, error) {
	a, _ := ActorFrom(ctx)
	var user any
	if a.UserID != 0 {
		user = a.UserID
	}
	sent := &SentMessage{Event: ev.Slug, Subject: m.Subject, Body: m.Body, To: m.To, Author: a.Email, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	err := s.tx(ctx, func(tx *writeTx) error {
		ts := formatTime(sent.CreatedAt)
		res, err := tx.ExecContext(ctx, `INSERT INTO messages (event_id, subject, body, audience, recipients, user_id, created_at)
			VALUES (?, ?, ?, ?, 0, ?, ?)`, ev.ID, jsonText(m.Subject), jsonText(m.Body), jsonText(m.To), user, ts)
		if err != nil {
			return err
		}
		if sent.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		cond, args := recipientsSQL(ev, m.To)
		res, err = tx.ExecContext(ctx, `INSERT INTO outbox (registration_id, kind, next_attempt_at, created_at, message_id)
			SELECT r.id, ?, ?, ?, ? FROM registrations r WHERE `+cond+` ORDER BY r.id`,
			append([]any{registration.MailMessage, ts, ts, sent.ID}, args...)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		sent.Recipients = int(n)
		tx.queuedMail = n > 0
		if _, err := tx.ExecContext(ctx, "UPDATE messages SET recipients = ? WHERE id = ?", n, sent.ID); err != nil {
			return err
		}
		return tx.audit(ctx, AuditMessage, ev.Slug, "message:"+strconv.FormatInt(sent.ID, 10), map[string]Change{
			"subject": {After: m.Subject}, "to": {After: m.To}, "recipients": {After: n}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: send message: %w", err)
	}
	return sent, nil
}

// GetMessage returns a message by id, or ErrNotFound.
func (s *Store) GetMessage(ctx context.Context, id int64) (*SentMessage, error) {
	list, err := s.messagesWhere(ctx, "m.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// Messages lists an event's messages, newest first, with how many went out.
func (s *Store) Messages(ctx context.Context, ev *Event) ([]SentMessage, error) {
	return s.messagesWhere(ctx, "m.event_id = ?", ev.ID)
}

func (s *Store) messagesWhere(ctx context.Context, where string, arg any) ([]SentMessage, error) {
	sent, err := scanRows(ctx, s.read, `SELECT m.id, e.slug, m.subject, m.body, m.audience, m.recipients, coalesce(u.email, ''), m.created_at,
		(SELECT count(*) FROM outbox o WHERE o.message_id = m.id AND o.status = 'sent'),
		(SELECT count(*) FROM outbox o WHERE o.message_id = m.id AND o.status = 'failed')
		FROM messages m JOIN events e ON e.id = m.event_id LEFT JOIN users u ON u.id = m.user_id
		WHERE `+where+` ORDER BY m.id DESC`, []any{arg}, func(rows *sql.Rows) (SentMessage, error) {
		var m SentMessage
		var subject, body, audience, created string
		err := rows.Scan(&m.ID, &m.Event, &subject, &body, &audience, &m.Recipients, &m.Author, &created, &m.Sent, &m.Failed)
		m.Subject, m.Body, m.CreatedAt = scanText(subject), scanText(body), parseTime(created)
		json.Unmarshal([]byte(audience), &m.To)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	return sent, nil
}

// QueueReminders queues the reminder with the ticket for every event whose
// reminder is due at now: published, starting within its reminder days and
// not yet begun, not reminded yet. Each event's reminders and its mark go
// in one transaction, so a reminder goes out once, whenever foyer runs and
// however often it restarts. They go to guests confirmed by the time the
// reminder was due; who registered later has just had the ticket. It
// returns how many it queued.
func (s *Store) QueueReminders(ctx context.Context, now time.Time) (int, error) {
	type due struct {
		id    int64
		slug  string
		dueAt time.Time
	}
	var events []due
	err := eachRow(ctx, s.read, `SELECT id, slug, starts_at, reminder_days FROM events
		WHERE status = 'published' AND reminder_days > 0 AND reminder_sent_at IS NULL AND starts_at > ?`, []any{formatTime(now)},
		func(rows *sql.Rows) error {
			var d due
			var starts string
			var days int
			if err := rows.Scan(&d.id, &d.slug, &starts, &days); err != nil {
				return err
			}
			d.dueAt = parseTime(starts).AddDate(0, 0, -days)
			if !now.Before(d.dueAt) {
				events = append(events, d)
			}
			return nil
		})
	if err != nil {
		return 0, fmt.Errorf("store: reminders: %w", err)
	}
	total := 0
	for _, d := range events {
		err := s.tx(ctx, func(tx *writeTx) error {
			// Another foyer on the same database may have been first.
			// now decides what is due; the rows carry the time they are written,
			// so that the worker sends them at once.
			ts := formatTime(time.Now())
			res, err := tx.ExecContext(ctx, "UPDATE events SET reminder_sent_at = ? WHERE id = ? AND reminder_sent_at IS NULL", ts, d.id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			res, err = tx.ExecContext(ctx, `INSERT INTO outbox (registration_id, kind, next_attempt_at, created_at)
				SELECT id, ?, ?, ? FROM registrations WHERE event_id = ? AND status = 'confirmed' AND anonymised_at IS NULL
				AND email <> '' AND created_at <= ? ORDER BY id`, registration.MailReminder, ts, ts, d.id, formatTime(d.dueAt))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += int(n)
			tx.queuedMail = n > 0
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("store: reminders of %s: %w", d.slug, err)
		}
	}
	return total, nil
}
