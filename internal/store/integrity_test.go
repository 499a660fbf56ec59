package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// damage overwrites n pages of the database file, starting at page first
// (1-based), with garbage, as a failing disk or a bad copy would.
func damage(t *testing.T, path string, first, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	garbage := make([]byte, 4096*n)
	for i := range garbage {
		garbage[i] = byte(i*7 + 0xa5)
	}
	if _, err := f.WriteAt(garbage, int64(first-1)*4096); err != nil {
		t.Fatal(err)
	}
}

// filledDatabase makes a database with a few hundred pages in dir and
// closes it, with everything checkpointed into the main file.
func filledDatabase(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.Exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, x TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		if _, err := s.write.Exec("INSERT INTO filler (x) VALUES (?)", strings.Repeat("guest data ", 20)+string(rune('a'+i%26))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "foyer.db")
}

// TestDamagedDatabaseRefused: a database with damaged pages, or one whose
// header is garbage, is not opened; the message says how to restore.
func TestDamagedDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name         string
		first, pages int
	}{
		{"pages in the middle", 60, 8},
		{"the header", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filledDatabase(t, dir)
			fi, _ := os.Stat(path)
			if fi.Size() < 100*4096 {
				t.Fatalf("test database has only %d bytes", fi.Size())
			}
			damage(t, path, tc.first, tc.pages)
			s, err := Open(ctx, dir)
			if err == nil {
				s.Close()
				t.Fatal("a damaged database was opened")
			}
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a CorruptError", err)
			}
			for _, want := range []string{path, "damaged", "foyer backup", "Restore", ".recover"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q:\n%s", want, err)
				}
			}
		})
	}
	// An intact one opens, and says it was checked.
	dir := t.TempDir()
	filledDatabase(t, dir)
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Integrity.Complete || s.Integrity.Size == 0 {
		t.Errorf("integrity = %+v", s.Integrity)
	}
}

// TestIntegrityBudget: a check that would take longer than its budget is
// cut short, and the database opens.
func TestIntegrityBudget(t *testing.T) {
	dir := t.TempDir()
	filledDatabase(t, dir)
	defer func(b time.Duration) { integrityBudget = b }(integrityBudget)
	integrityBudget = 1
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Integrity.Complete {
		t.Error("a check with no time at all completed")
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("the store does not work after a cut-short check: %v", err)
	}
}

// TestPrivateFiles: the data folder, the database, its -wal and -shm and
// backups are the owner's alone, whatever the umask; an older folder open
// to others is narrowed.
func TestPrivateFiles(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	for _, d := range []string{dir, filepath.Join(dir, "mail")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Tightened) != 2 {
		t.Errorf("tightened %v, want the folder and its mail folder", s.Tightened)
	}
	addUser(t, s, "a@example.org", "A", RoleAdmin)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{
		dir: 0o700, filepath.Join(dir, "mail"): 0o700, s.Path: 0o600, s.Path + "-wal": 0o600, s.Path + "-shm": 0o600, backup: 0o600,
	}
	for p, mode := range want {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %o, want %o", p, fi.Mode().Perm(), mode)
		}
	}
	// A failed backup leaves no empty file behind, and never overwrites.
	if err := s.Backup(ctx, backup); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "no-such-folder", "backup.db")
	if err := s.Backup(ctx, bad); err == nil {
		t.Error("backup into a missing folder succeeded")
	}
}
