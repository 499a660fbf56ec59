package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/foyer-events/foyer/internal/app"
	"github.com/foyer-events/foyer/internal/store"
)

const userUsage = "usage: foyer user add --email E --name N --role admin|organiser|staff, or foyer user passwd --email E (password on stdin)"

func userCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usageError(userUsage)
	}
	switch args[0] {
	case "add":
		return userAdd(ctx, env, args[1:])
	case "passwd":
		return userPasswd(ctx, env, args[1:])
	}
	return usageError(userUsage)
}

func userAdd(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	email := fs.String("email", "", "the user's email, used to sign in")
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "", "admin, organiser or staff")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	switch {
	case !strings.Contains(*email, "@"):
		return usageError("--email: an email address is required")
	case strings.TrimSpace(*name) == "":
		return usageError("--name: required")
	case !store.ValidRole(*role):
		return usageError("--role: must be admin, organiser or staff")
	}
	a, password, err := openWithPassword(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Store.CreateUser(ctx, *email, *name, *role, password)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("--email: a user %s already exists", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}

// userPasswd sets a new password for a user who lost theirs.
func userPasswd(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("user passwd", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	email := fs.String("email", "", "the user whose password to set")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if !strings.Contains(*email, "@") {
		return usageError("--email: an email address is required")
	}
	a, password, err := openWithPassword(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	ended, err := a.Store.SetPassword(ctx, *email, password)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("--email: no user %q", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "password set for %s; %d signed-in browsers signed out (API tokens stay valid)\n", *email, ended)
	return nil
}

// openWithPassword reads the new password from stdin and opens foyer's data;
// a password the rules refuse opens nothing.
func openWithPassword(ctx context.Context, env Env) (*app.App, string, error) {
	password, err := readPassword(env)
	if err != nil {
		return nil, "", err
	}
	a, err := open(ctx, env)
	return a, password, err
}

// readPassword reads one line from stdin and checks it against the
// password rules before anything is opened.
func readPassword(env Env) (string, error) {
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if err := store.CheckPassword(password); err != nil {
		return "", usageError("stdin: " + err.Error())
	}
	return password, nil
}
