// Package cli is foyer's command line: it parses the subcommands of the
// public contract and wires the parts together for each.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/foyer-events/foyer/internal/app"
	"github.com/foyer-events/foyer/internal/config"
)

const usage = `foyer runs a business forum: programme, registration, tickets, check-in.

Usage:
  foyer serve [--demo]
  foyer user add --email E --name N --role admin|organiser|staff   (password on stdin)
  foyer user passwd --email E                                      (password on stdin)
  foyer token create --email E
  foyer token list --email E
  foyer import FILE.json
  foyer export attendees --event SLUG [--format csv|xlsx] [-o FILE] [--status S] [--session ID] [--checked-in true|false]
  foyer backup FILE
  foyer mail test --to ADDRESS
  foyer version

Settings come from FOYER_ADDR, FOYER_DATA, FOYER_BASE_URL, FOYER_SMTP_URL,
FOYER_MAIL_FROM, FOYER_RATE_LIMIT, FOYER_TRUSTED_PROXIES, FOYER_METRICS_TOKEN,
FOYER_LOG_FORMAT, FOYER_LOG_LEVEL and FOYER_PPROF_ADDR; see docs/configuration.md.
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
	case "export":
		err = exportCmd(ctx, env, args)
	case "backup":
		err = backupCmd(ctx, env, args)
	case "mail":
		err = mailCmd(ctx, env, args)
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

// open loads the configuration and opens the database.
func open(ctx context.Context, env Env) (*app.App, error) {
	cfg, err := config.Load(env.Getenv)
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, cfg, app.NewLogger(cfg.LogFormat, cfg.LogLevel, env.Stderr))
	if err != nil {
		return nil, err
	}
	a.Version = Version
	return a, nil
}
