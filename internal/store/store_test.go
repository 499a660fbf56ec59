package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
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
	s := openStore(t)
	u := addUser(t, s, "script@example.org", "Script", RoleOrganiser)
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

// TestMailQueuedHook: the hook runs after each commit that queued an email
// and after no other, so the mail worker wakes without anyone asking.
func TestMailQueuedHook(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	var calls atomic.Int32
	s.OnMailQueued(func() { calls.Add(1) })
	e := programme.Demo(time.Now())
	ev := saveEvent(t, s, e)
	steps := []struct {
		name string
		do   func() error
		want int32 // calls of the hook after the step
	}{
		{"saving a programme that promotes nobody", func() error { _, err := s.SaveEvent(ctx, e); return err }, 0},
		{"register", func() error {
			_, _, err := s.Register(ctx, ev, registration.Input{FirstName: "Anna", LastName: "Berg", Email: "anna@example.org", Language: "en", Consent: true})
			return err
		}, 1},
		{"a session change that changes nothing", func() error { return s.ChangeSessions(ctx, ev, 1, nil) }, 1},
		{"claiming mail", func() error { _, err := s.ClaimMail(ctx, 10); return err }, 1},
		{"resend", func() error { return s.Resend(ctx, 1) }, 2},
		{"cancel", func() error { return s.Cancel(ctx, ev, 1) }, 3},
		{"a refused change", func() error { return s.Cancel(ctx, ev, 1) }, 3},
	}
	for _, st := range steps {
		err := st.do()
		if err != nil && !errors.Is(err, ErrNotLive) {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := calls.Load(); got != st.want {
			t.Errorf("after %s: hook called %d times, want %d", st.name, got, st.want)
		}
	}
}

// openStore opens a new database for one test.
func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// addUser adds an account with a long enough password.
func addUser(t testing.TB, s *Store, email, name, role string) *User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), email, name, role, "a long password")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// saveEvent saves e as a new event and returns it as the store reads it back.
func saveEvent(t testing.TB, s *Store, e *programme.Event) *Event {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SaveEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	ev, err := s.GetEvent(ctx, e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestParseTime: the hand-written reader of stored times agrees with
// time.Parse, and what it does not take falls back to it.
func TestParseTime(t *testing.T) {
	for _, s := range []string{"2027-04-13T07:00:00.000000Z", "2027-12-31T23:59:59.999999Z", "2024-02-29T12:30:01.000123Z",
		"2027-04-13T07:00:00Z", "", "2027-13-01T00:00:00.000000Z", "2027-04-13T07:00:0x.000000Z"} {
		want, _ := time.Parse(timeFormat, s)
		if got := parseTime(s); !got.Equal(want) || got.Location() != want.Location() {
			t.Errorf("parseTime(%q) = %v, want %v", s, got, want)
		}
	}
}
