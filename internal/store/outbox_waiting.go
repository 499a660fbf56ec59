package store

import (
	"context"
	"fmt"
)

// MailPostpone puts an email that was being sent back in the queue, due
// as it was, without counting the attempt: the server or the settings
// failed it (every email alike), not the email itself. reason is what
// organisers see on the registration meanwhile.
func (s *Store) MailPostpone(ctx context.Context, id int64, reason string) error {
	_, err := s.write.ExecContext(ctx, `UPDATE outbox SET status = 'queued', attempts = max(attempts - 1, 0), last_error = ?
		WHERE id = ? AND status = 'sending'`, reason, id)
	if err != nil {
		return fmt.Errorf("store: postpone mail: %w", err)
	}
	return nil
}

// MailWaitingBecause writes reason on every queued email that does not say
// it yet, so that organisers see why their guests' emails wait.
func (s *Store) MailWaitingBecause(ctx context.Context, reason string) error {
	_, err := s.write.ExecContext(ctx, "UPDATE outbox SET last_error = ? WHERE status = 'queued' AND last_error <> ?", reason, reason)
	if err != nil {
		return fmt.Errorf("store: mark waiting mail: %w", err)
	}
	return nil
}
