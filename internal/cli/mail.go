package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/mail"
)

func mailCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "test" {
		return usageError("usage: foyer mail test --to ADDRESS")
	}
	fs := flag.NewFlagSet("mail test", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	to := fs.String("to", "", "the address to send the test email to")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if a, err := netmail.ParseAddress(*to); err != nil || a.Address != *to || a.Name != "" {
		return usageError("--to needs one email address, like --to ops@example.org")
	}
	cfg, err := config.Load(env.Getenv)
	if err != nil {
		return err
	}
	return mailTest(ctx, env, cfg, *to)
}

// mailTest sends one short email with the configured settings at once,
// printing each step (connect, TLS, login, send) as it ends.
func mailTest(ctx context.Context, env Env, cfg config.Config, to string) error {
	host := strings.TrimPrefix(strings.TrimPrefix(cfg.BaseURL, "https://"), "http://")
	m := &mail.Message{
		From:     cfg.MailFrom,
		To:       to,
		Subject:  "foyer test email",
		Language: "en",
		Text: "This is a test email from foyer at " + cfg.BaseURL + ", sent with `foyer mail test` at " +
			time.Now().UTC().Format(time.RFC1123) + ".\n\nIf it arrived, foyer's mail settings work.\n",
		HTML: "<p>This is a test email from foyer at " + host + ", sent with <code>foyer mail test</code> at " +
			time.Now().UTC().Format(time.RFC1123) + ".</p><p>If it arrived, foyer's mail settings work.</p>",
	}
	if cfg.SMTPURL == "" {
		dir := filepath.Join(cfg.Data, "mail")
		fmt.Fprintf(env.Stdout, "FOYER_SMTP_URL is not set: foyer writes emails as .eml files into %s.\n", dir)
		if err := (mail.DirSender{Dir: dir}).Send(ctx, m); err != nil {
			printStep(env, "write", dir, err)
			return fmt.Errorf("mail test failed: %w", err)
		}
		printStep(env, "write", dir, nil)
		return nil
	}
	smtp, err := config.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return fmt.Errorf("FOYER_SMTP_URL: %w", err)
	}
	tls := smtp.TLS
	if tls == "" {
		tls = "STARTTLS when offered"
	}
	fmt.Fprintf(env.Stdout, "Sending a test email to %s through %s:%d (tls: %s) from %s.\n", to, smtp.Host, smtp.Port, tls, cfg.MailFrom)
	err = mail.NewSMTPSender(smtp).SendTraced(ctx, m, func(step, detail string, err error) { printStep(env, step, detail, err) })
	if err != nil {
		var se *mail.StepError
		if f := mail.FaultOf(err); f != "" {
			return fmt.Errorf("mail test failed: %s; %s", f.Reason(), f.Check())
		} else if errors.As(err, &se) {
			return fmt.Errorf("mail test failed: the server refused the test email at step %s", se.Step)
		}
		return fmt.Errorf("mail test failed: %w", err)
	}
	fmt.Fprintf(env.Stdout, "The server accepted the test email. Look for it in the inbox (or spam folder) of %s.\n", to)
	return nil
}

func printStep(env Env, step, detail string, err error) {
	if err != nil {
		fmt.Fprintf(env.Stdout, "%-8s FAILED  %s: %v\n", step, detail, err)
		return
	}
	fmt.Fprintf(env.Stdout, "%-8s ok      %s\n", step, detail)
}
