package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

func importCmd(ctx context.Context, env Env, args []string) error {
	if len(args) != 1 {
		return usageError("usage: foyer import FILE.json")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	e, err := programme.Decode(data)
	if err == nil {
		err = e.Validate()
	}
	if err != nil {
		return fmt.Errorf("%s: %s", args[0], view.ProgrammeError("en", err))
	}
	a, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	created, err := a.Store.SaveEvent(ctx, e)
	var invalid *programme.Error
	if errors.As(err, &invalid) {
		return fmt.Errorf("%s: %s", args[0], view.ProgrammeError("en", invalid))
	}
	if err != nil {
		if conflict, ok := store.IsProgrammeConflict(err); ok {
			return fmt.Errorf("%s: %s", args[0], view.ProgrammeError("en", conflict))
		}
		return err
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(env.Stdout, "%s event %s: %d rooms, %d speakers, %d sessions, %d questions\n",
		verb, e.Slug, len(e.Rooms), len(e.Speakers), len(e.Sessions), len(e.Questions))
	return nil
}
