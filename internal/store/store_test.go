package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
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
		if err := s.QueryRowForTest("SELECT count(*), max(version) FROM schema_version", &versions, &latest); err != nil {
			t.Fatal(err)
		}
		if versions != 1 || latest != len(migrations)-1 {
			t.Errorf("open %d: %d versions recorded, latest %d", round, versions, latest)
		}
		var mode string
		if err := s.QueryRowForTest("PRAGMA journal_mode", &mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode %q, %v", mode, err)
		}
		var fk int
		if err := s.QueryRowForTest("PRAGMA foreign_keys", &fk); err != nil || fk != 1 {
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
