package cli

import (
	"context"
	"fmt"
)

func backupCmd(ctx context.Context, env Env, args []string) error {
	if len(args) != 1 {
		return usageError("usage: foyer backup FILE")
	}
	a, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Store.Backup(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", args[0])
	return nil
}
