package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/foyer-events/foyer/internal/store"
)

func userCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError("usage: foyer user add --email E --name N --role admin|organiser|staff")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	email := fs.String("email", "", "the user's email, used to sign in")
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "", "admin, organiser or staff")
	if err := fs.Parse(args[1:]); err != nil {
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
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if len([]rune(password)) < 10 {
		return usageError("the password on stdin must have at least 10 characters")
	}
	a, err := open(ctx, env)
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
