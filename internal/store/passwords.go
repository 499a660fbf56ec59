package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password rules, checked wherever a password is set: foyer user add and
// passwd, and FOYER_ADMIN_PASSWORD for the demo admin.
const (
	PasswordMinChars = 10
	// PasswordMaxBytes is bcrypt's limit: it ignores whatever follows, so
	// a longer password would silently be only its first 72 bytes.
	PasswordMaxBytes = 72
)

// PasswordError says what is wrong with a password, in words for the
// person who chose it: Reason in English for the command line, Key and
// Args for the catalogues of the pages.
type PasswordError struct {
	Reason string
	Key    string
	Args   []any
}

func (e *PasswordError) Error() string { return e.Reason }

// CheckPassword applies the password rules.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case !utf8.ValidString(password):
		return &PasswordError{Reason: "the password is not valid UTF-8 text, so it could not be typed into the sign-in form",
			Key: "password.error.utf8"}
	case strings.TrimSpace(password) == "" && password != "":
		return &PasswordError{Reason: "the password is only white space; use letters, digits or other characters", Key: "password.error.blank"}
	case n < PasswordMinChars:
		return &PasswordError{Reason: fmt.Sprintf("the password must have at least %d characters; it has %d", PasswordMinChars, n),
			Key: "password.error.short", Args: []any{PasswordMinChars, n}}
	case len(password) > PasswordMaxBytes:
		return &PasswordError{Reason: fmt.Sprintf("the password must be at most %d bytes long (bcrypt ignores the rest); it has %d bytes "+
			"(letters outside the Latin alphabet take 2 to 4 bytes each)", PasswordMaxBytes, len(password)),
			Key: "password.error.long", Args: []any{PasswordMaxBytes, len(password)}}
	}
	return nil
}

// hashPassword checks the password and returns its bcrypt hash.
func hashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(hash), err
}

// SetPassword gives the user with that email a new password and signs out
// their browsers, since whoever knew the old password may be signed in.
// API tokens stay valid. It returns how many browser sessions ended.
func (s *Store) SetPassword(ctx context.Context, email, password string) (int64, error) {
	hash, err := hashPassword(password)
	if err != nil {
		return 0, err
	}
	var ended int64
	err = s.tx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE email = ?", hash, strings.TrimSpace(email))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		res, err = tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE email = ?)", strings.TrimSpace(email))
		if err != nil {
			return err
		}
		if ended, err = res.RowsAffected(); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", strings.TrimSpace(email)).Scan(&id); err != nil {
			return err
		}
		// A password set otherwise ends the account's open invitations,
		// which would overwrite it.
		if _, err := tx.ExecContext(ctx, "UPDATE invitations SET revoked_at = ? WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL",
			now(), id); err != nil {
			return err
		}
		return tx.audit(ctx, AuditUserPassword, "", userTarget(id), map[string]Change{"sessions_ended": {After: ended}})
	})
	if err != nil {
		return 0, fmt.Errorf("store: set password: %w", err)
	}
	return ended, nil
}
