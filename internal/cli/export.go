package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

const exportUsage = "usage: foyer export attendees --event SLUG [--format csv|xlsx] [-o FILE] [--status S] [--session ID] [--checked-in true|false]\n" +
	"       [--country CC] [--kind K] [--q WORDS] [--preset full|catering|security|interpreters] [--questions ID,…] [--lang en|de|zh]"

// exportCmd is `foyer export attendees`: the attendee list of an event as
// the API's attendees.csv and attendees.xlsx give it, with the same filters.
func exportCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "attendees" {
		return usageError(exportUsage)
	}
	fs := flag.NewFlagSet("export attendees", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	slug := fs.String("event", "", "the event's slug")
	format := fs.String("format", "", "csv or xlsx (default: from -o's extension, else csv)")
	out := fs.String("o", "", "write to this file instead of standard output")
	lang := fs.String("lang", "", "language of headers and answers (default: the event's)")
	preset := fs.String("preset", export.PresetFull, "columns: "+strings.Join(export.Presets, ", "))
	questions := fs.String("questions", "", "question ids to include, comma-separated (default: the preset's)")
	// The filter flags are the API's query parameters, read by the same
	// parser, so that a command and an API call give the same rows.
	filter := map[string]*string{}
	for flagName, param := range filterFlags {
		filter[param] = fs.String(flagName, "", "the API's "+param+" filter")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error() + "\n" + exportUsage)
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("unexpected %q\n%s", fs.Arg(0), exportUsage))
	}
	if *slug == "" {
		return usageError("--event is missing\n" + exportUsage)
	}
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
			*format = "xlsx"
		}
	}
	if *format != "csv" && *format != "xlsx" {
		return usageError("--format must be csv or xlsx")
	}
	if *lang != "" && !languages.Valid(*lang) {
		return usageError("--lang must be en, de or zh")
	}

	a, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	ev, err := a.Store.GetEvent(ctx, *slug)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("--event: no event %q", *slug)
	}
	if err != nil {
		return err
	}
	q := url.Values{}
	for param, v := range filter {
		if *v != "" {
			q.Set(param, *v)
		}
	}
	f, errs := registration.ParseFilter(q, ev.Event)
	if errs != nil {
		var msgs []string
		for param, msg := range view.Fields("en", errs) {
			msgs = append(msgs, "--"+flagFor(param)+": "+msg)
		}
		slices.Sort(msgs)
		return usageError(strings.Join(msgs, "\n"))
	}
	if *lang == "" {
		*lang = ev.DefaultLanguage
	}
	var qs []string
	if *questions != "" {
		qs = strings.Split(*questions, ",")
	}
	list, err := export.NewList(ev.Event, *preset, *lang, qs, i18n.In(*lang))
	if err != nil {
		return usageError(fmt.Sprintf("%v (presets: %s)", err, strings.Join(export.Presets, ", ")))
	}
	rows := func(fn func(*registration.Registration) error) error { return a.Store.EachRegistration(ctx, ev, f, fn) }
	write := func(w io.Writer) error {
		if *format == "xlsx" {
			return list.WriteXLSX(w, rows, "")
		}
		return list.WriteCSV(w, rows)
	}
	if *out == "" {
		return write(env.Stdout)
	}
	if err := writeFileAtomically(*out, write); err != nil {
		return err
	}
	n, err := a.Store.CountRegistrations(ctx, ev, f)
	if err == nil {
		fmt.Fprintf(env.Stderr, "%d registrations written to %s\n", n, *out)
	}
	return nil
}

// filterFlags maps the command's filter flags to the API's parameters.
var filterFlags = map[string]string{
	"status": "status", "session": "session", "checked-in": "checked_in", "country": "country", "kind": "kind", "q": "q",
}

func flagFor(param string) string {
	for flagName, p := range filterFlags {
		if p == param {
			return flagName
		}
	}
	return param
}

// writeFileAtomically writes a file next to its final place and renames it
// there only when it is complete: an interrupted export leaves no half list.
func writeFileAtomically(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
