package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/languages"
)

// Invitations: an admin adds someone to the team by email. The email
// carries a link with a random token; only the token's SHA-256 is kept
// with the invitation, and the token itself waits in the outbox entry
// until the email has been sent (or given up), so that the worker can
// write the link after a restart. The link sets the account's first
// password once, within InvitationLifetime. Times are passed in by the
// caller, whose clock decides what has expired.

// InvitationLifetime is how long an invitation's link works.
const InvitationLifetime = 7 * 24 * time.Hour

// MailInvitation is the outbox kind of an invitation's email.
const MailInvitation = "invitation"

// Why an invitation's link does not work (besides ErrNotFound, a token
// that was never issued).
var (
	ErrInvitationExpired  = errors.New("store: the invitation has expired")
	ErrInvitationUsed     = errors.New("store: the invitation has been used")
	ErrInvitationReplaced = errors.New("store: a newer invitation replaced this one")
	ErrAccountDisabled    = errors.New("store: the account is disabled")
	// ErrSignedIn refuses a new invitation to an account that has signed
	// in: it has a password of its own, which an admin resets instead.
	ErrSignedIn = errors.New("store: the account has signed in already")
)

// AuditUserInvite and AuditUserInviteAccept record an invitation sent and
// an invitation's link used to set the first password.
const (
	AuditUserInvite       = "user.invite"
	AuditUserInviteAccept = "user.invite_accept"
)

// Invitation is an invitation with its account.
type Invitation struct {
	ID        int64
	User      User
	Disabled  bool
	Language  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
	RevokedAt time.Time // zero unless a newer invitation replaced it
}

// state says whether the invitation's link works at at: nil, or why not.
func (inv *Invitation) state(at time.Time) error {
	switch {
	case !inv.UsedAt.IsZero():
		return ErrInvitationUsed
	case !inv.RevokedAt.IsZero():
		return ErrInvitationReplaced
	case !at.Before(inv.ExpiresAt):
		return ErrInvitationExpired
	case inv.Disabled:
		return ErrAccountDisabled
	}
	return nil
}

// CreateInvitedUser adds an account without a password, which cannot
// sign in until its invitation is accepted, and queues the invitation in
// lang. A taken email is ErrConflict.
func (s *Store) CreateInvitedUser(ctx context.Context, email, name, role, lang string, at time.Time) (*User, error) {
	if !ValidRole(role) {
		return nil, fmt.Errorf("store: invite user: role %q must be admin, organiser or staff", role)
	}
	u := &User{Email: strings.TrimSpace(email), Name: name, Role: role, CreatedAt: at.UTC()}
	err := s.tx(ctx, func(tx *writeTx) error {
		// An empty hash matches no password (see Authenticate).
		res, err := tx.ExecContext(ctx, "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, '', ?)",
			u.Email, name, role, formatTime(at))
		if err != nil {
			return err
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := tx.audit(ctx, AuditUserCreate, "", userTarget(u.ID), map[string]Change{
			"email": {After: u.Email}, "name": {After: name}, "role": {After: role}}); err != nil {
			return err
		}
		return invite(ctx, tx, u.ID, lang, at)
	})
	if err != nil {
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("store: invite user %s: %w", email, ErrConflict)
		}
		return nil, fmt.Errorf("store: invite user: %w", err)
	}
	return u, nil
}

// Invite sends an account a new invitation in lang and ends its open
// ones. Only an account that has never signed in and is not disabled can
// be invited (ErrSignedIn, ErrAccountDisabled).
func (s *Store) Invite(ctx context.Context, userID int64, lang string, at time.Time) error {
	err := s.tx(ctx, func(tx *writeTx) error {
		var disabled, signedIn bool
		err := tx.QueryRowContext(ctx, "SELECT disabled_at IS NOT NULL, signed_in_at IS NOT NULL FROM users WHERE id = ?", userID).
			Scan(&disabled, &signedIn)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case disabled:
			return ErrAccountDisabled
		case signedIn:
			return ErrSignedIn
		}
		return invite(ctx, tx, userID, lang, at)
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrAccountDisabled) && !errors.Is(err, ErrSignedIn) {
		return fmt.Errorf("store: invite user %d: %w", userID, err)
	}
	return err
}

// invite replaces the account's open invitations with a new one and
// queues its email, the token in the outbox entry alone.
func invite(ctx context.Context, tx *writeTx, userID int64, lang string, at time.Time) error {
	if !languages.Valid(lang) {
		return fmt.Errorf("invitation language %q is not one of %v", lang, languages.All)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE invitations SET revoked_at = ? WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL",
		formatTime(at), userID); err != nil {
		return err
	}
	// Emails of replaced invitations that are still waiting are not sent:
	// their links would not work.
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE status IN ('queued', 'failed')
		AND invitation_id IN (SELECT id FROM invitations WHERE user_id = ?)`, userID); err != nil {
		return err
	}
	token := NewSecret(32)
	expires := at.Add(InvitationLifetime)
	var by any
	if a, _ := ActorFrom(ctx); a.UserID != 0 {
		by = a.UserID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO invitations (user_id, token_hash, language, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, hashSecret(token), lang, by, formatTime(at), formatTime(expires))
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	ts := now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (invitation_id, kind, next_attempt_at, created_at, secret) VALUES (?, ?, ?, ?, ?)`,
		id, MailInvitation, ts, ts, token); err != nil {
		return err
	}
	tx.queuedMail = true
	return tx.audit(ctx, AuditUserInvite, "", userTarget(userID), map[string]Change{
		"language": {After: lang}, "expires_at": {After: expires.UTC().Format(time.RFC3339)}})
}

const invitationColumns = `i.id, i.language, i.created_at, i.expires_at, coalesce(i.used_at, ''), coalesce(i.revoked_at, ''),
	u.id, u.email, u.name, u.role, u.created_at, u.disabled_at IS NOT NULL`

func scanInvitation(row interface{ Scan(...any) error }) (*Invitation, error) {
	var inv Invitation
	var created, expires, used, revoked, userCreated string
	err := row.Scan(&inv.ID, &inv.Language, &created, &expires, &used, &revoked,
		&inv.User.ID, &inv.User.Email, &inv.User.Name, &inv.User.Role, &userCreated, &inv.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	inv.CreatedAt, inv.ExpiresAt, inv.User.CreatedAt = parseTime(created), parseTime(expires), parseTime(userCreated)
	if used != "" {
		inv.UsedAt = parseTime(used)
	}
	if revoked != "" {
		inv.RevokedAt = parseTime(revoked)
	}
	return &inv, nil
}

// InvitationByToken returns the invitation of a link's token. An unknown
// token is ErrNotFound; one that no longer works at at comes with
// ErrInvitationUsed, ErrInvitationReplaced, ErrInvitationExpired or
// ErrAccountDisabled, and the invitation, so the page can say whose it was.
func (s *Store) InvitationByToken(ctx context.Context, token string, at time.Time) (*Invitation, error) {
	inv, err := scanInvitation(s.read.QueryRowContext(ctx, "SELECT "+invitationColumns+
		" FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.token_hash = ?", hashSecret(token)))
	if errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: invitation: %w", err)
	}
	return inv, inv.state(at)
}

// InvitationByID returns an invitation whatever its state, for its email.
func (s *Store) InvitationByID(ctx context.Context, id int64) (*Invitation, error) {
	inv, err := scanInvitation(s.read.QueryRowContext(ctx, "SELECT "+invitationColumns+
		" FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.id = ?", id))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: invitation %d: %w", id, err)
	}
	return inv, err
}

// AcceptInvitation sets the account's first password with the link's
// token, which then works no more, and returns the account. The password
// must pass CheckPassword (a *PasswordError otherwise); a token that does
// not work is an error of InvitationByToken. The audit log names the
// invited account as the one who acted.
func (s *Store) AcceptInvitation(ctx context.Context, token, password string, at time.Time) (*User, error) {
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	var inv *Invitation
	err = s.tx(ctx, func(tx *writeTx) error {
		inv, err = scanInvitation(tx.QueryRowContext(ctx, "SELECT "+invitationColumns+
			" FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.token_hash = ?", hashSecret(token)))
		if err != nil {
			return err
		}
		if err := inv.state(at); err != nil {
			return err
		}
		// The condition repeats the check, so that two uses at once cannot
		// both succeed.
		res, err := tx.ExecContext(ctx, "UPDATE invitations SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
			formatTime(at), inv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrInvitationUsed
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, inv.User.ID); err != nil {
			return err
		}
		// The token is of no use any more; an email not yet sent is not.
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET secret = NULL WHERE invitation_id = ?", inv.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE invitation_id = ? AND status IN ('queued', 'failed')", inv.ID); err != nil {
			return err
		}
		a, _ := ActorFrom(ctx)
		a.UserID, a.Email, a.Role = inv.User.ID, inv.User.Email, inv.User.Role
		return tx.audit(WithActor(ctx, a), AuditUserInviteAccept, "", userTarget(inv.User.ID), map[string]Change{
			"invitation": {After: inv.ID}})
	})
	switch {
	case err == nil:
		return &inv.User, nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrInvitationUsed), errors.Is(err, ErrInvitationReplaced),
		errors.Is(err, ErrInvitationExpired), errors.Is(err, ErrAccountDisabled):
		return nil, err
	}
	return nil, fmt.Errorf("store: accept invitation: %w", err)
}
