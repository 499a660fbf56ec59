package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/foyer-events/foyer/internal/app"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/web"
)

func serve(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	demo := fs.Bool("demo", false, "on an empty database, import the demo forum and create admin@example.org")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	started := time.Now()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if *demo {
		if err := seedDemo(ctx, a, env); err != nil {
			return err
		}
	}
	srv, err := web.New(a)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("FOYER_ADDR %s: %w", a.Config.Addr, err)
	}
	if addr := a.Config.PprofAddr; addr != "" {
		pln, err := net.Listen("tcp", addr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("FOYER_PPROF_ADDR %s: %w", addr, err)
		}
		go func() {
			if err := web.ServeProfiles(ctx, pln); err != nil {
				a.Log.Error("profiler stopped", "err", err)
			}
		}()
		a.Log.Info("profiler is listening", "addr", pln.Addr().String())
	}
	a.Start(ctx)
	a.Log.Info("foyer is listening", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL,
		"data", a.Config.Data, "startup", time.Since(started).Round(time.Millisecond))
	err = srv.Serve(ctx, ln)
	a.Wait()
	a.Log.Info("foyer stopped")
	return err
}

// seedDemo fills an empty database with the bundled demo forum and an admin.
func seedDemo(ctx context.Context, a *app.App, env Env) error {
	if p := env.Getenv("FOYER_ADMIN_PASSWORD"); p != "" {
		if err := store.CheckPassword(p); err != nil {
			return fmt.Errorf("FOYER_ADMIN_PASSWORD: %w", err)
		}
	}
	slugs, err := a.Store.EventSlugs(ctx, false)
	if err != nil {
		return err
	}
	if len(slugs) == 0 {
		e := programme.Demo(time.Now())
		if _, err := a.Store.SaveEvent(ctx, e); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		a.Log.Info("demo forum imported", "event", e.Slug)
	}
	users, err := a.Store.CountUsers(ctx)
	if err != nil || users > 0 {
		return err
	}
	password := env.Getenv("FOYER_ADMIN_PASSWORD")
	generated := password == ""
	if generated {
		password = store.NewSecret(12)
	}
	if _, err := a.Store.CreateUser(ctx, "admin@example.org", "Admin", store.RoleAdmin, password); err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	if generated {
		fmt.Fprintf(env.Stdout, "Demo admin: admin@example.org  password: %s  (shown once)\n", password)
	} else {
		fmt.Fprintln(env.Stdout, "Demo admin: admin@example.org with the password from FOYER_ADMIN_PASSWORD")
	}
	return nil
}
