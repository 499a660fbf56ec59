// Package cli is foyer's command line: it parses the subcommands of the
// public contract and wires the parts together for each.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/foyer-events/foyer/internal/app"
	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/web"
)

// Version is set at build time with -ldflags "-X .../cli.Version=v1.2.3".
var Version = "dev"

const usage = `foyer runs a business forum: programme, registration, tickets, check-in.

Usage:
  foyer serve [--demo]
  foyer user add --email E --name N --role admin|organiser|staff   (password on stdin)
  foyer token create --email E
  foyer import FILE.json
  foyer backup FILE
  foyer version

Settings come from FOYER_ADDR, FOYER_DATA, FOYER_BASE_URL, FOYER_SMTP_URL,
FOYER_MAIL_FROM and FOYER_RATE_LIMIT; see README.md.
`

// Env is what a command may touch of the outside world, so tests can run
// commands in-process with their own input and output.
type Env struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// Main runs the command in os.Args and returns the exit status.
func Main() int {
	return Run(context.Background(), Env{Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
}

// Run runs one command and returns its exit status: 0 on success, 1 when the
// command failed, 2 for wrong usage.
func Run(ctx context.Context, env Env) int {
	if len(env.Args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	var err error
	switch cmd, args := env.Args[0], env.Args[1:]; cmd {
	case "serve":
		err = serve(ctx, env, args)
	case "user":
		err = userCmd(ctx, env, args)
	case "token":
		err = tokenCmd(ctx, env, args)
	case "import":
		err = importCmd(ctx, env, args)
	case "backup":
		err = backupCmd(ctx, env, args)
	case "version":
		fmt.Fprintln(env.Stdout, versionText())
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
	default:
		fmt.Fprintf(env.Stderr, "foyer: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "foyer: %s\n", ue)
		return 2
	case err != nil:
		fmt.Fprintf(env.Stderr, "foyer: %s\n", err)
		return 1
	}
	return 0
}

type usageError string

func (e usageError) Error() string { return string(e) }

func versionText() string {
	v := "foyer " + Version
	if info, ok := debug.ReadBuildInfo(); ok {
		v += " (" + info.GoVersion
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				v += ", " + s.Value[:min(12, len(s.Value))]
			}
		}
		v += ")"
	}
	return v
}

// open loads the configuration and opens the database.
func open(ctx context.Context, env Env) (*app.App, error) {
	cfg, err := config.Load(env.Getenv)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return app.New(ctx, cfg, log)
}

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
		return fmt.Errorf("%s: %w", args[0], err)
	}
	a, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	created, err := a.Store.SaveEvent(ctx, e)
	if err != nil {
		if conflict, ok := store.IsProgrammeConflict(err); ok {
			return fmt.Errorf("%s: %w", args[0], conflict)
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
