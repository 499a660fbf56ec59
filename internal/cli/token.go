package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/foyer-events/foyer/internal/store"
)

const tokenUsage = "usage: foyer token create --email E | foyer token list --email E"

// tokenCmd creates an API token for a user, or lists the user's tokens
// with when each was created and last used.
func tokenCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		return usageError(tokenUsage)
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
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
	if args[0] == "list" {
		tokens, err := a.Store.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%-6s  %-20s  %s\n", "id", "created (UTC)", "last used (UTC)")
		for _, tk := range tokens {
			used := "never"
			if !tk.LastUsedAt.IsZero() {
				used = tk.LastUsedAt.UTC().Format(time.DateTime)
			}
			fmt.Fprintf(env.Stdout, "%-6d  %-20s  %s\n", tk.ID, tk.CreatedAt.UTC().Format(time.DateTime), used)
		}
		return nil
	}
	token, err := a.Store.CreateToken(ctx, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, token)
	return nil
}
