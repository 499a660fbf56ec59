package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"golang.org/x/crypto/bcrypt"
)

// Roles, from most to least powerful.
const (
	RoleAdmin     = "admin"
	RoleOrganiser = "organiser"
	RoleStaff     = "staff"
)

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool {
	return role == RoleAdmin || role == RoleOrganiser || role == RoleStaff
}

// User is a staff member, organiser or admin.
type User struct {
	ID        int64
	Email     string
	Name      string
	Role      string
	CreatedAt time.Time
}

// Can reports whether the user's role includes role: admins can do what
// organisers can, organisers what staff can.
func (u *User) Can(role string) bool {
	rank := map[string]int{RoleStaff: 1, RoleOrganiser: 2, RoleAdmin: 3}
	return rank[u.Role] >= rank[role]
}

// CreateUser adds a user with a bcrypt-hashed password, which must pass
// CheckPassword (a *PasswordError otherwise). A taken email is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, email, name, role, password string) (*User, error) {
	if !ValidRole(role) {
		return nil, fmt.Errorf("store: create user: role %q must be admin, organiser or staff", role)
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	u := &User{Email: strings.TrimSpace(email), Name: name, Role: role, CreatedAt: time.Now().UTC()}
	err = s.tx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
			u.Email, name, role, hash, formatTime(u.CreatedAt))
		if err != nil {
			return err
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return tx.audit(ctx, AuditUserCreate, "", userTarget(u.ID), map[string]Change{
			"email": {After: u.Email}, "name": {After: name}, "role": {After: role}})
	})
	if err != nil {
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("store: create user %s: %w", email, ErrConflict)
		}
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// CountUsers returns how many accounts exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n)
	return n, err
}

// dummyHash keeps a login for an unknown email as slow as one for a known
// email, so response times do not tell which accounts exist. It is a
// bcrypt hash at the cost new passwords get (TestDummyHashCost), written
// out rather than made at start, where it took 80 ms of every start.
var dummyHash = []byte("$2a$10$wpy0k02Bd2Gl4Dn6wql0K.bLKjxWC4iPZaqSDoLP5S7y37CJYCAvi")

// Authenticate returns the user whose email and password match, or ErrNotFound.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var u User
	var hash, created string
	err := s.read.QueryRowContext(ctx, "SELECT id, email, name, role, password_hash, created_at FROM users WHERE email = ? AND disabled_at IS NULL",
		strings.TrimSpace(email)).Scan(&u.ID, &u.Email, &u.Name, &u.Role, &hash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: authenticate: %w", err)
	}
	if hash == "" { // invited, the invitation not yet accepted
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, ErrNotFound
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return nil, ErrNotFound
	}
	u.CreatedAt = parseTime(created)
	return &u, nil
}

// UserByEmail returns the user with that email, or ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.userWhere(ctx, "email = ?", strings.TrimSpace(email))
}

func (s *Store) userWhere(ctx context.Context, where string, args ...any) (*User, error) {
	var u User
	var created string
	err := s.read.QueryRowContext(ctx, "SELECT id, email, name, role, created_at FROM users WHERE "+where, args...).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get user: %w", err)
	}
	u.CreatedAt = parseTime(created)
	return &u, nil
}

// NewSecret returns n random bytes, URL-safe base64 encoded.
func NewSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("store: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken creates an API token for the user and returns it; only its hash
// is stored, so it is shown once.
func (s *Store) CreateToken(ctx context.Context, userID int64) (string, error) {
	token := "fy_" + NewSecret(32)
	err := s.tx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)",
			userID, hashSecret(token), now())
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		return tx.audit(ctx, AuditTokenCreate, "", tokenTarget(id), map[string]Change{"user": {After: userTarget(userID)}})
	})
	if err != nil {
		return "", fmt.Errorf("store: create token: %w", err)
	}
	return token, nil
}

// RevokeToken deletes an API token of the user; ErrNotFound if the user
// has no such token.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	err := s.tx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM api_tokens WHERE id = ? AND user_id = ?", tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return tx.audit(ctx, AuditTokenRevoke, "", tokenTarget(tokenID), map[string]Change{"user": {Before: userTarget(userID)}})
	})
	if err == nil {
		s.tokens.forget()
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return err
}

func userTarget(id int64) string  { return "user:" + strconv.FormatInt(id, 10) }
func tokenTarget(id int64) string { return "token:" + strconv.FormatInt(id, 10) }

// tokenUseEvery is how finely a token's last use is recorded: a script
// that calls the API all day costs one write a minute, not one a request.
const tokenUseEvery = time.Minute

// UserByToken returns the owner of an API token, or ErrNotFound, and
// records that the token was used.
func (s *Store) UserByToken(ctx context.Context, token string) (*User, error) {
	hash := hashSecret(token)
	if u, ok := s.tokens.get(hash); ok {
		return &u, nil
	}
	gen := s.tokens.gen.Load()
	var u User
	var created string
	var tokenID int64
	var lastUsed sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.created_at, t.id, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.disabled_at IS NULL`, hash).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &created, &tokenID, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: user by token: %w", err)
	}
	u.CreatedAt = parseTime(created)
	if time.Since(parseNullTime(lastUsed)) >= tokenUseEvery {
		if _, err := s.write.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now(), tokenID); err != nil {
			return nil, fmt.Errorf("store: record token use: %w", err)
		}
	}
	s.tokens.put(hash, u, gen)
	return &u, nil
}

// Token is an API token as its owner may see it: never the token itself,
// which is shown once when it is created.
type Token struct {
	ID         int64
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used; to the minute
}

// Tokens lists a user's API tokens, oldest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	tokens, err := scanRows(ctx, s.read, "SELECT id, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id",
		[]any{userID}, func(rows *sql.Rows) (Token, error) {
			var tk Token
			var created string
			var used sql.NullString
			err := rows.Scan(&tk.ID, &created, &used)
			tk.CreatedAt, tk.LastUsedAt = parseTime(created), parseNullTime(used)
			return tk, err
		})
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	return tokens, nil
}

// WebSession is a signed-in browser.
type WebSession struct {
	User *User
	CSRF string
}

// SessionLifetime is how long a browser stays signed in.
const SessionLifetime = 7 * 24 * time.Hour

// CreateWebSession signs a browser in and returns the cookie value.
func (s *Store) CreateWebSession(ctx context.Context, userID int64) (string, error) {
	id := NewSecret(32)
	_, err := s.write.ExecContext(ctx, `INSERT INTO web_sessions (id, user_id, csrf_token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, hashSecret(id), userID, NewSecret(24), now(), formatTime(time.Now().Add(SessionLifetime)))
	if err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	// Expired sessions are cleared here, where a write happens anyway.
	s.write.ExecContext(ctx, "DELETE FROM web_sessions WHERE expires_at < ?", now())
	if _, err := s.write.ExecContext(ctx, "UPDATE users SET signed_in_at = ? WHERE id = ?", now(), userID); err != nil {
		return "", fmt.Errorf("store: record sign-in: %w", err)
	}
	return id, nil
}

// GetWebSession returns the live session for a cookie value, or ErrNotFound.
func (s *Store) GetWebSession(ctx context.Context, id string) (*WebSession, error) {
	var ws WebSession
	var u User
	var created string
	err := s.read.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.created_at, ws.csrf_token
		FROM web_sessions ws JOIN users u ON u.id = ws.user_id WHERE ws.id = ? AND ws.expires_at > ? AND u.disabled_at IS NULL`,
		hashSecret(id), now()).Scan(&u.ID, &u.Email, &u.Name, &u.Role, &created, &ws.CSRF)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get session: %w", err)
	}
	u.CreatedAt = parseTime(created)
	ws.User = &u
	return &ws, nil
}

// DeleteWebSession signs a browser out.
func (s *Store) DeleteWebSession(ctx context.Context, id string) error {
	_, err := s.write.ExecContext(ctx, "DELETE FROM web_sessions WHERE id = ?", hashSecret(id))
	return err
}

func isUniqueViolation(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && e.ExtendedCode == sqlite3.ErrConstraintUnique
}
