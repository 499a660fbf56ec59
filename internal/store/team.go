package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The team: admins list the accounts, change their names and roles, and
// disable or enable them. Every change is in the audit log.

// Member is an account as the team page shows it.
type Member struct {
	User
	Disabled   bool
	Tokens     int
	LastUsedAt time.Time // the last use of any of its tokens, to the minute
	SignedInAt time.Time // the last sign-in; zero if never
	// Invited is when the account's latest invitation was sent, and
	// InvitedUntil until when its link works (zero if used or replaced).
	Invited, InvitedUntil time.Time
}

// Team lists every account, admins first, then by name.
func (s *Store) Team(ctx context.Context) ([]Member, error) {
	team, err := scanRows(ctx, s.read, `SELECT u.id, u.email, u.name, u.role, u.created_at, u.disabled_at IS NOT NULL,
		(SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id), (SELECT max(last_used_at) FROM api_tokens t WHERE t.user_id = u.id),
		u.signed_in_at, (SELECT max(created_at) FROM invitations i WHERE i.user_id = u.id),
		(SELECT max(expires_at) FROM invitations i WHERE i.user_id = u.id AND i.used_at IS NULL AND i.revoked_at IS NULL)
		FROM users u ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'organiser' THEN 1 ELSE 2 END, u.name COLLATE NOCASE, u.id`,
		nil, func(rows *sql.Rows) (Member, error) {
			var m Member
			var created string
			var used, signedIn, invited, until sql.NullString
			err := rows.Scan(&m.ID, &m.Email, &m.Name, &m.Role, &created, &m.Disabled, &m.Tokens, &used, &signedIn, &invited, &until)
			m.CreatedAt, m.LastUsedAt = parseTime(created), parseNullTime(used)
			m.SignedInAt, m.Invited, m.InvitedUntil = parseNullTime(signedIn), parseNullTime(invited), parseNullTime(until)
			return m, err
		})
	if err != nil {
		return nil, fmt.Errorf("store: team: %w", err)
	}
	return team, nil
}

// UserByID returns an account, disabled ones included, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (*Member, error) {
	team, err := s.Team(ctx)
	if err != nil {
		return nil, err
	}
	for i := range team {
		if team[i].ID == id {
			return &team[i], nil
		}
	}
	return nil, ErrNotFound
}

// ErrLastAdmin refuses a change that would leave no admin who can sign in.
var ErrLastAdmin = errors.New("store: the last admin cannot lose the role or be disabled")

// UpdateMember changes an account's name, role and whether it is disabled.
// Disabling ends its browser sessions. The last enabled admin keeps the
// role (ErrLastAdmin), so that someone can always manage the team.
func (s *Store) UpdateMember(ctx context.Context, id int64, name, role string, disabled bool) error {
	if !ValidRole(role) {
		return fmt.Errorf("store: update user: role %q must be admin, organiser or staff", role)
	}
	name = strings.TrimSpace(name)
	err := s.tx(ctx, func(tx *writeTx) error {
		var oldName, oldRole string
		var wasDisabled bool
		err := tx.QueryRowContext(ctx, "SELECT name, role, disabled_at IS NOT NULL FROM users WHERE id = ?", id).
			Scan(&oldName, &oldRole, &wasDisabled)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if oldRole == RoleAdmin && !wasDisabled && (role != RoleAdmin || disabled) {
			n, err := queryInt(ctx, tx, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?", id)
			if err != nil {
				return err
			}
			if n == 0 {
				return ErrLastAdmin
			}
		}
		var disabledAt any
		if disabled {
			disabledAt = now()
		}
		if disabled && wasDisabled { // it keeps the time it was disabled first
			_, err = tx.ExecContext(ctx, "UPDATE users SET name = ?, role = ? WHERE id = ?", name, role, id)
		} else {
			_, err = tx.ExecContext(ctx, "UPDATE users SET name = ?, role = ?, disabled_at = ? WHERE id = ?", name, role, disabledAt, id)
		}
		if err != nil {
			return err
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		changes := map[string]Change{}
		if oldName != name {
			changes["name"] = Change{oldName, name}
		}
		if oldRole != role {
			changes["role"] = Change{oldRole, role}
		}
		if wasDisabled != disabled {
			changes["disabled"] = Change{wasDisabled, disabled}
		}
		if len(changes) == 0 {
			return nil
		}
		return tx.audit(ctx, AuditUserUpdate, "", userTarget(id), changes)
	})
	if err == nil {
		s.tokens.forget() // the role or the account's state may have changed
	}
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrLastAdmin) {
		return fmt.Errorf("store: update user %d: %w", id, err)
	}
	return err
}
