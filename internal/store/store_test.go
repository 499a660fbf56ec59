package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenAndMigrate: a new database gets schema.sql and its version; opening
// it again changes nothing; a database from a newer foyer is refused rather
// than misread.
func TestOpenAndMigrate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for round := range 2 {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("open %d: %v", round, err)
		}
		var versions, latest int
		if err := s.read.QueryRow("SELECT count(*), max(version) FROM schema_version").Scan(&versions, &latest); err != nil {
			t.Fatal(err)
		}
		if versions != 1 || latest != latestVersion() {
			t.Errorf("open %d: %d versions recorded, latest %d", round, versions, latest)
		}
		var mode string
		if err := s.read.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode %q, %v", mode, err)
		}
		var fk int
		if err := s.read.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys %d, %v", fk, err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Error(err)
		}
		if round == 1 {
			if _, err := s.write.Exec("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')"); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
	}
	_, err := Open(ctx, dir)
	if err == nil || !strings.Contains(err.Error(), "newer than this foyer") {
		t.Errorf("opening a newer database: %v", err)
	}
	if _, err := Open(ctx, filepath.Join(dir, "foyer.db", "not-a-dir")); err == nil {
		t.Error("opening below a file succeeded")
	}
}

// TestTokenUse: a token's use is recorded, at most once a minute.
func TestTokenUse(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.CreateUser(ctx, "script@example.org", "Script", RoleOrganiser, "a long password")
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.CreateToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := s.Tokens(ctx, u.ID)
	if err != nil || len(tokens) != 1 || !tokens[0].LastUsedAt.IsZero() {
		t.Fatalf("new token: %+v, %v", tokens, err)
	}
	if got, err := s.UserByToken(ctx, token); err != nil || got.ID != u.ID {
		t.Fatalf("UserByToken: %+v, %v", got, err)
	}
	tokens, _ = s.Tokens(ctx, u.ID)
	used := tokens[0].LastUsedAt
	if time.Since(used) > time.Minute {
		t.Fatalf("last used %v after a use", used)
	}
	// Used again within the minute: no new write.
	if _, err := s.write.Exec("UPDATE api_tokens SET last_used_at = ?", formatTime(used.Add(-30*time.Second))); err != nil {
		t.Fatal(err)
	}
	s.UserByToken(ctx, token)
	tokens, _ = s.Tokens(ctx, u.ID)
	if !tokens[0].LastUsedAt.Equal(used.Add(-30 * time.Second)) {
		t.Errorf("a use within the minute rewrote last_used_at: %v", tokens[0].LastUsedAt)
	}
	if _, err := s.UserByToken(ctx, token+"x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a wrong token: %v", err)
	}
}
