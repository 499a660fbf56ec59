package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// enqueueMail queues the email of that kind (registration.Mail*) for a
// registration, inside the transaction of the change that causes it.
func enqueueMail(ctx context.Context, tx *writeTx, regID int64, kind string) error {
	ts := now()
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (registration_id, kind, next_attempt_at, created_at) VALUES (?, ?, ?, ?)`,
		regID, kind, ts, ts)
	tx.queuedMail = tx.queuedMail || err == nil
	return err
}

// OutboxItem is an email waiting to be sent.
type OutboxItem struct {
	ID             int64
	RegistrationID int64
	Kind           string
	MessageID      int64 // for kind message: the organisers' message
	// For kind invitation (RegistrationID 0): the invitation, and the
	// token its link carries.
	InvitationID int64
	Secret       string
	Attempts     int
	CreatedAt    time.Time
}

// ClaimMail marks up to limit due emails as being sent and returns them.
func (s *Store) ClaimMail(ctx context.Context, limit int) ([]OutboxItem, error) {
	var items []OutboxItem
	err := s.tx(ctx, func(tx *writeTx) error {
		var err error
		items, err = scanRows(ctx, tx, `UPDATE outbox SET status = 'sending', attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING id, coalesce(registration_id, 0), kind, coalesce(message_id, 0), coalesce(invitation_id, 0), coalesce(secret, ''),
				attempts, created_at`, []any{now(), limit}, func(rows *sql.Rows) (OutboxItem, error) {
			var it OutboxItem
			var created string
			err := rows.Scan(&it.ID, &it.RegistrationID, &it.Kind, &it.MessageID, &it.InvitationID, &it.Secret, &it.Attempts, &created)
			it.CreatedAt = parseTime(created)
			return it, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	return items, nil
}

// NextMailDue returns when the next queued email is due, or zero if none is.
func (s *Store) NextMailDue(ctx context.Context) (time.Time, error) {
	var next sql.NullString
	err := s.read.QueryRowContext(ctx, "SELECT min(next_attempt_at) FROM outbox WHERE status = 'queued'").Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next mail: %w", err)
	}
	return parseNullTime(next), nil
}

// MailSent records delivered emails, and forgets the tokens of the
// invitations among them, all in one write: the mail worker
// marks a batch at once rather than taking the single writer from the
// registrations once per email.
func (s *Store) MailSent(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, now())
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.write.ExecContext(ctx, "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '', secret = NULL WHERE id IN ("+placeholders(len(ids))+")", args...)
	return err
}

// MailRetry puts an email back in the queue for another attempt at next.
func (s *Store) MailRetry(ctx context.Context, id int64, reason string, next time.Time) error {
	_, err := s.write.ExecContext(ctx, "UPDATE outbox SET status = 'queued', last_error = ?, next_attempt_at = ? WHERE id = ?",
		reason, formatTime(next), id)
	return err
}

// MailFailed gives up on an email; organisers see it and can resend.
// An invitation's token goes with it: an admin sends a new invitation.
func (s *Store) MailFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.write.ExecContext(ctx, "UPDATE outbox SET status = 'failed', last_error = ?, secret = NULL WHERE id = ?", reason, id)
	return err
}

// RequeueInterrupted returns emails that were being sent when foyer stopped
// to the queue. An email may then go out twice, never zero times.
func (s *Store) RequeueInterrupted(ctx context.Context) error {
	_, err := s.write.ExecContext(ctx, "UPDATE outbox SET status = 'queued' WHERE status = 'sending'")
	return err
}
