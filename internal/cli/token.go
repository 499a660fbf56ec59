package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/foyer-events/foyer/internal/store"
)

func tokenCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError("usage: foyer token create --email E")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	email := fs.String("email", "", "the user the token acts for")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	a, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Store.UserByEmail(ctx, *email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("--email: no user %q", *email)
	}
	if err != nil {
		return err
	}
	token, err := a.Store.CreateToken(ctx, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, token)
	return nil
}
