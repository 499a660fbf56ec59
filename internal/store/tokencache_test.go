package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/waittest"
)

// TestTokenCacheRevocation: a token's owner is remembered between
// requests, yet revoking the token, changing the owner's role and
// disabling the owner take effect on the very next request; a change
// written to the database by other means (another process) within a
// couple of seconds.
func TestTokenCacheRevocation(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	// Keeps the last admin from being the one disabled below.
	addUser(t, s, "admin@example.org", "Admin", RoleAdmin)
	u := addUser(t, s, "door@example.org", "Door", RoleStaff)
	issue := func() (string, int64) {
		t.Helper()
		token, err := s.CreateToken(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens, err := s.Tokens(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return token, tokens[len(tokens)-1].ID
	}
	owner := func(token string) (*User, error) {
		t.Helper()
		return s.UserByToken(ctx, token)
	}

	token, id := issue()
	if got, err := owner(token); err != nil || got.Role != RoleStaff {
		t.Fatalf("first use: %+v, %v", got, err)
	}
	if _, ok := s.tokens.get(hashSecret(token)); !ok {
		t.Fatal("the owner is not remembered after a use")
	}
	if err := s.UpdateMember(ctx, u.ID, "Door", RoleOrganiser, false); err != nil {
		t.Fatal(err)
	}
	if got, err := owner(token); err != nil || got.Role != RoleOrganiser {
		t.Errorf("after a role change: %+v, %v", got, err)
	}
	if err := s.RevokeToken(ctx, u.ID, id); err != nil {
		t.Fatal(err)
	}
	if got, err := owner(token); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoked token still accepted: %+v, %v", got, err)
	}

	token, _ = issue()
	if _, err := owner(token); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateMember(ctx, u.ID, "Door", RoleOrganiser, true); err != nil {
		t.Fatal(err)
	}
	if got, err := owner(token); !errors.Is(err, ErrNotFound) {
		t.Errorf("token of a disabled account accepted: %+v, %v", got, err)
	}
	if err := s.UpdateMember(ctx, u.ID, "Door", RoleOrganiser, false); err != nil {
		t.Fatal(err)
	}

	// Deleted behind the store's back: refused within the cache's time.
	if _, err := owner(token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, "DELETE FROM api_tokens WHERE user_id = ?", u.ID); err != nil {
		t.Fatal(err)
	}
	waittest.For(t, tokenCacheTTL+5*time.Second, func() error {
		if _, err := owner(token); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("a token deleted by other means is still accepted: %v", err)
		}
		return nil
	})
}
