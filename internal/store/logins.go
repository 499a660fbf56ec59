package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The sign-in throttle, on top of the per-address rate limit: an attacker
// with many addresses still gets LoginFailureLimit guesses per account name
// in LoginWindow, after which the name is refused for LoginLockout from
// every address.
const (
	LoginFailureLimit = 10
	LoginWindow       = 15 * time.Minute
	LoginLockout      = 15 * time.Minute
)

// LoginLock is an account name the throttle refuses.
type LoginLock struct {
	EmailKey string
	User     *User // nil when the name is no account
	Failures int
	LockedAt time.Time
	Until    time.Time
}

func loginKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// LoginLockedUntil returns when the lock on an account name ends, or the
// zero time when it is not locked.
func (s *Store) LoginLockedUntil(ctx context.Context, email string) (time.Time, error) {
	var until string
	err := s.read.QueryRowContext(ctx, "SELECT locked_until FROM login_locks WHERE email_key = ? AND locked_until > ?",
		loginKey(email), now()).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: login lock: %w", err)
	}
	return parseTime(until), nil
}

// RecordLoginFailure counts a failed sign-in. When it is the one that
// reaches the limit it locks the name and returns the lock; otherwise nil.
func (s *Store) RecordLoginFailure(ctx context.Context, email string) (*LoginLock, error) {
	key := loginKey(email)
	t := time.Now().UTC().Truncate(time.Microsecond) // as stored
	var lock *LoginLock
	err := s.tx(ctx, func(tx *writeTx) error {
		// Failures and locks past their time are of no further use.
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE at <= ?", formatTime(t.Add(-LoginWindow))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_locks WHERE locked_until <= ?", formatTime(t)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (email_key, at) VALUES (?, ?)", key, formatTime(t)); err != nil {
			return err
		}
		var failures int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM login_failures WHERE email_key = ?", key).Scan(&failures); err != nil {
			return err
		}
		// The audit log names the account, never a name typed that is
		// none: that may be anybody's address, or a password typed into
		// the wrong field.
		var userID sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", strings.TrimSpace(email)).Scan(&userID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		target := "login:unknown"
		if userID.Valid {
			target = userTarget(userID.Int64)
		}
		if err := tx.audit(ctx, AuditLoginFailed, "", target, map[string]Change{"failures": {After: failures}}); err != nil {
			return err
		}
		if failures < LoginFailureLimit {
			return nil
		}
		lock = &LoginLock{EmailKey: key, Failures: failures, LockedAt: t, Until: t.Add(LoginLockout)}
		if err := tx.audit(ctx, AuditLoginLocked, "", target, map[string]Change{"until": {After: formatTime(lock.Until)}}); err != nil {
			return err
		}
		if userID.Valid {
			lock.User = &User{ID: userID.Int64}
		}
		// The count starts again once the lock ends.
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE email_key = ?", key); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_locks (email_key, user_id, failures, locked_at, locked_until)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (email_key) DO UPDATE SET user_id = excluded.user_id,
			failures = excluded.failures, locked_at = excluded.locked_at, locked_until = excluded.locked_until`,
			key, userID, failures, formatTime(t), formatTime(lock.Until))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: record login failure: %w", err)
	}
	return lock, nil
}

// ClearLoginFailures forgets the failures of a name after a good sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	if _, err := s.write.ExecContext(ctx, "DELETE FROM login_failures WHERE email_key = ?", loginKey(email)); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	return nil
}

// LoginLocks returns the names locked now, soonest to end first, with
// their accounts.
func (s *Store) LoginLocks(ctx context.Context) ([]LoginLock, error) {
	locks, err := scanRows(ctx, s.read, `SELECT l.email_key, l.failures, l.locked_at, l.locked_until,
		u.id, u.email, u.name, u.role, u.created_at
		FROM login_locks l LEFT JOIN users u ON u.id = l.user_id
		WHERE l.locked_until > ? ORDER BY l.locked_until, l.email_key`, []any{now()}, func(rows *sql.Rows) (LoginLock, error) {
		var l LoginLock
		var at, until string
		var id sql.NullInt64
		var email, name, role, created sql.NullString
		err := rows.Scan(&l.EmailKey, &l.Failures, &at, &until, &id, &email, &name, &role, &created)
		l.LockedAt, l.Until = parseTime(at), parseTime(until)
		if id.Valid {
			l.User = &User{ID: id.Int64, Email: email.String, Name: name.String, Role: role.String, CreatedAt: parseTime(created.String)}
		}
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: login locks: %w", err)
	}
	return locks, nil
}
