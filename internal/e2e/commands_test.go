package e2e

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // reads the backup as any SQLite tool would
)

// TestCommands runs foyer's other subcommands next to a running server.
func TestCommands(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})

	t.Run("healthz", func(t *testing.T) {
		var body map[string]any
		in.get(t, "/healthz").Want(t, http.StatusOK).Decode(t, &body)
		if body["status"] != "ok" || body["database"] != "ok" || body["mail"] != "ok" || body["version"] != "dev" {
			t.Errorf("GET /healthz: %v", body)
		}
	})

	t.Run("demo admin password stays secret", func(t *testing.T) {
		if strings.Contains(in.Stdout()+in.Stderr(), adminPassword) {
			t.Errorf("foyer serve --demo printed FOYER_ADMIN_PASSWORD")
		}
	})

	t.Run("version", func(t *testing.T) {
		code, stdout, stderr := in.run(t, "version")
		if code != 0 || !strings.HasPrefix(stdout, "foyer ") {
			t.Errorf("foyer version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{}, {"frobnicate"}, {"import"}, {"backup"}, {"token"}, {"serve", "--bogus"}} {
			if code, _, stderr := in.run(t, args...); code != 2 || stderr == "" {
				t.Errorf("foyer %s: exit %d, stderr %q; want 2 and a usage message", strings.Join(args, " "), code, stderr)
			}
		}
		if code, _, stderr := in.run(t, "import", filepath.Join(t.TempDir(), "missing.json")); code != 1 || !strings.Contains(stderr, "missing.json") {
			t.Errorf("foyer import of a missing file: exit %d, stderr %q; want 1 naming the file", code, stderr)
		}
	})

	t.Run("backup", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "foyer-backup.db")
		in.mustRun(t, "", "backup", file)
		db, err := sql.Open("sqlite3", "file:"+file+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var check string
		if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("backup integrity_check: %q, %v", check, err)
		}
		var events, sessions int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM events").Scan(&events); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sessions").Scan(&sessions); err != nil {
			t.Fatal(err)
		}
		if events != 1 || sessions == 0 {
			t.Errorf("backup holds %d events and %d sessions, want the demo forum", events, sessions)
		}

		// A backup never overwrites a file.
		info, _ := os.Stat(file)
		if code, _, stderr := in.run(t, "backup", file); code == 0 || !strings.Contains(stderr, file) {
			t.Errorf("foyer backup over an existing file: exit %d, stderr %q", code, stderr)
		}
		if after, _ := os.Stat(file); after.Size() != info.Size() || !after.ModTime().Equal(info.ModTime()) {
			t.Errorf("foyer backup touched the existing file")
		}
	})

	t.Run("user add", func(t *testing.T) {
		for _, c := range []struct {
			name, email, role, stdin string
			code                     int
			stderr                   string
		}{
			{"short password", "short@example.org", "staff", "short\n", 2, "password"},
			{"no password", "none@example.org", "staff", "", 2, "password"},
			{"bad role", "boss@example.org", "boss", "long enough password\n", 2, "--role"},
			{"bad email", "not-an-email", "staff", "long enough password\n", 2, "--email"},
			{"existing user", adminEmail, "staff", "long enough password\n", 1, "--email"},
		} {
			t.Run(c.name, func(t *testing.T) {
				code, _, stderr := in.runInput(t, c.stdin, "user", "add", "--email", c.email, "--name", "Someone", "--role", c.role)
				if code != c.code || !strings.Contains(stderr, c.stderr) {
					t.Errorf("exit %d, stderr %q; want %d naming %s", code, stderr, c.code, c.stderr)
				}
				if c.email == adminEmail {
					return
				}
				// Nothing was created: there is no user to make a token for.
				if code, _, _ := in.run(t, "token", "create", "--email", c.email); code == 0 {
					t.Errorf("a refused user add created %s", c.email)
				}
			})
		}
		if code, _, stderr := in.runInput(t, "long enough password\n", "user", "add", "--email", "x@example.org", "--role", "staff"); code != 2 || !strings.Contains(stderr, "--name") {
			t.Errorf("user add without --name: exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("token create", func(t *testing.T) {
		if code, _, stderr := in.run(t, "token", "create", "--email", "nobody@example.org"); code == 0 || !strings.Contains(stderr, "nobody@example.org") {
			t.Errorf("token for an unknown user: exit %d, stderr %q", code, stderr)
		}
		// Each token works on its own; they do not replace each other.
		email, _ := in.user(t, "organiser")
		first, second := in.tokenFor(t, email), in.tokenFor(t, email)
		if first == second {
			t.Fatalf("two tokens are the same")
		}
		in.api(t, "GET", "/api/v1/events", first, nil).Want(t, http.StatusOK)
		// The list shows both, the first used and the second not yet.
		lines := strings.Split(strings.TrimSpace(in.mustRun(t, "", "token", "list", "--email", email)), "\n")
		if len(lines) != 3 || strings.Contains(lines[1], "never") || !strings.HasSuffix(lines[2], "never") {
			t.Errorf("foyer token list after using the first token:\n%s", strings.Join(lines, "\n"))
		}
		in.api(t, "GET", "/api/v1/events", second, nil).Want(t, http.StatusOK)
		out := in.mustRun(t, "", "token", "list", "--email", email)
		if strings.Contains(out, "never") {
			t.Errorf("foyer token list after using both:\n%s", out)
		}
		if strings.Contains(out, first) || strings.Contains(out, second) {
			t.Error("foyer token list shows a token")
		}
	})
}
