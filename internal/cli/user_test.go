package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/store"
)

// run runs one command in-process with its own stdin and settings.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Run(ctx, Env{Args: args, Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return env[k] }})
	return code, stdout.String(), stderr.String()
}

func TestPasswordRules(t *testing.T) {
	env := map[string]string{"FOYER_DATA": t.TempDir()}
	cases := []struct {
		name, password string
		ok             bool
		says           string
	}{
		{"nine characters", "123456789", false, "at least 10 characters; it has 9"},
		{"empty", "", false, "at least 10 characters; it has 0"},
		{"only spaces", "            ", false, "only white space"},
		{"tabs and spaces", " \t \t \t \t \t ", false, "only white space"},
		{"73 bytes", strings.Repeat("x", 73), false, "at most 72 bytes"},
		{"25 Chinese characters (75 bytes)", strings.Repeat("密", 25), false, "at most 72 bytes"},
		{"not UTF-8", "passw\xffrd-long", false, "not valid UTF-8"},
		{"ten characters", "0123456789", true, ""},
		{"72 bytes", strings.Repeat("y", 72), true, ""},
		{"24 Chinese characters (72 bytes)", strings.Repeat("密", 24), true, ""},
		{"spaces inside", "correct horse battery", true, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			email := "user" + string(rune('a'+i)) + "@example.org"
			code, stdout, stderr := run(t, env, tc.password+"\n", "user", "add", "--email", email, "--name", "N", "--role", "staff")
			if tc.ok {
				if code != 0 || !strings.Contains(stdout, "created staff "+email) {
					t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
				}
				return
			}
			if code != 2 || !strings.Contains(stderr, tc.says) {
				t.Errorf("exit %d, stderr %q; want 2 saying %q", code, stderr, tc.says)
			}
		})
	}
}

func TestUserPasswd(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"FOYER_DATA": dir}
	if code, _, stderr := run(t, env, "the first password\n", "user", "add", "--email", "Door@example.org", "--name", "Door", "--role", "staff"); code != 0 {
		t.Fatal(stderr)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByEmail(ctx, "door@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateWebSession(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if code, _, stderr := run(t, env, "short\n", "user", "passwd", "--email", "door@example.org"); code != 2 || !strings.Contains(stderr, "at least 10") {
		t.Errorf("short password: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, env, "a new long password\n", "user", "passwd", "--email", "nobody@example.org"); code != 1 || !strings.Contains(stderr, "--email") {
		t.Errorf("unknown user: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, env, "a new long password\n", "user", "passwd"); code != 2 || !strings.Contains(stderr, "--email") {
		t.Errorf("no --email: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := run(t, env, "a new long password", "user", "passwd", "--email", "DOOR@example.org")
	if code != 0 || !strings.Contains(stdout, "1 signed-in browsers signed out") {
		t.Fatalf("passwd: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	st, err = store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Authenticate(ctx, "door@example.org", "the first password"); err == nil {
		t.Error("the old password still signs in")
	}
	if _, err := st.Authenticate(ctx, "door@example.org", "a new long password"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

// TestServeRefuses: serve stops at once, saying why, on a demo admin
// password that breaks the rules and on a damaged database.
func TestServeRefuses(t *testing.T) {
	env := map[string]string{"FOYER_DATA": t.TempDir(), "FOYER_ADDR": "127.0.0.1:0", "FOYER_ADMIN_PASSWORD": "short"}
	if code, _, stderr := run(t, env, "", "serve", "--demo"); code != 1 || !strings.Contains(stderr, "FOYER_ADMIN_PASSWORD: the password must have at least 10") {
		t.Errorf("short FOYER_ADMIN_PASSWORD: exit %d, %q", code, stderr)
	}

	dir := t.TempDir()
	env = map[string]string{"FOYER_DATA": dir, "FOYER_ADDR": "127.0.0.1:0"}
	if code, _, stderr := run(t, env, "an admin password\n", "user", "add", "--email", "a@example.org", "--name", "A", "--role", "admin"); code != 0 {
		t.Fatal(stderr)
	}
	path := filepath.Join(dir, "foyer.db")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 8*4096 {
		t.Fatalf("database of %d bytes", len(data))
	}
	// The users table's pages and what follows turn to garbage.
	for i := 4 * 4096; i < len(data); i++ {
		data[i] = byte(i * 31)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, env, "", "serve")
	if code != 1 || !strings.Contains(stderr, "is damaged") || !strings.Contains(stderr, "foyer backup") || strings.Contains(stderr, "app:") {
		t.Errorf("damaged database: exit %d, stderr:\n%s", code, stderr)
	}
}
