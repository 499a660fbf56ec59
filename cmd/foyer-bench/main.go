// Command foyer-bench measures a foyer binary against the performance
// targets in SPEC.md. It starts `foyer serve --demo` on a free 127.0.0.1
// port with a fresh data folder and an SMTP sink of its own, drives it with
// concurrent HTTP clients and prints, per scenario, one line as it finishes
// and at the end a table of measured values, targets and pass/fail.
//
// Usage:
//
//	go run ./cmd/foyer-bench [--foyer PATH] [--only startup,agenda,mail,register,checkin,export] [--json FILE] [--strict] [--profile DIR]
//
// Without --foyer it builds ./cmd/foyer into a temporary folder first. All
// traffic stays on loopback. The load generator runs on the same machine as
// foyer and takes its share of the CPUs; every load scenario reports how
// many cores each side used.
//
// Exit status: 0 when every scenario ran, even if targets were missed (it is
// a measuring tool); 1 when foyer did not start, a scenario could not run,
// or had errors (failed requests, oversold places); with --strict also when a
// target was missed; 2 for wrong usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == floorServerArg {
		os.Exit(serveFloor(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command-line settings of one run.
type options struct {
	foyer            string        // the foyer binary; empty builds ./cmd/foyer
	only             []string      // scenario names to run, in the tool's order
	jsonPath         string        // where to write the JSON summary
	strict           bool          // a missed target fails the run
	clients          int           // concurrent HTTP clients in the load scenarios
	duration         time.Duration // how long the agenda and register loads run
	warmup           time.Duration // unmeasured load before the agenda run
	maxRegistrations int           // upper bound of the main register run
	startupRuns      int           // measured starts in the startup scenario
	mailCount        int           // confirmations the mail scenario waits for
	mailTimeout      time.Duration // how long it waits for them
	keep             bool          // keep the work folder (data, logs)
	profileDir       string        // save foyer's profiles of each load here
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("foyer-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("only", "", "comma-separated scenarios to run (default all): "+strings.Join(scenarioNames(), ","))
	fs.StringVar(&o.foyer, "foyer", "", "path of the foyer binary (default: go build ./cmd/foyer into a temporary folder)")
	fs.StringVar(&o.jsonPath, "json", "", "write a JSON summary to this file")
	fs.BoolVar(&o.strict, "strict", false, "exit with status 1 when a target is missed")
	fs.IntVar(&o.clients, "clients", 64, "concurrent HTTP clients in the load scenarios")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long the agenda and register loads run")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before the agenda run")
	fs.IntVar(&o.maxRegistrations, "max-registrations", 60000, "stop the main register run after this many registrations")
	fs.IntVar(&o.startupRuns, "startup-runs", 5, "measured starts in the startup scenario (the median is reported)")
	fs.IntVar(&o.mailCount, "mail-count", 1000, "registrations whose confirmation emails the mail scenario waits for")
	fs.DurationVar(&o.mailTimeout, "mail-timeout", 2*time.Minute, "how long the mail scenario waits for its emails")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder with the data folders and foyer's logs")
	fs.StringVar(&o.profileDir, "profile", "", "run foyer with its profiler on loopback and save its CPU, allocation, mutex, block and heap profiles of each load in this folder")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	known := scenarioNames()
	for _, name := range strings.Split(*only, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if !slices.Contains(known, name) {
			return o, fmt.Errorf("--only: unknown scenario %q (known: %s)", name, strings.Join(known, ", "))
		}
		o.only = append(o.only, name)
	}
	switch {
	case o.clients < 1:
		return o, errors.New("--clients: at least 1")
	case o.duration <= 0:
		return o, errors.New("--duration: must be positive")
	case o.startupRuns < 1:
		return o, errors.New("--startup-runs: at least 1")
	case o.mailCount < 1:
		return o, errors.New("--mail-count: at least 1")
	case o.maxRegistrations < 1:
		return o, errors.New("--max-registrations: at least 1")
	}
	if o.profileDir != "" {
		if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
			return o, fmt.Errorf("--profile: %w", err)
		}
	}
	return o, nil
}

// run parses the flags, runs the chosen scenarios and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "foyer-bench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b, err := newBench(ctx, opts, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "foyer-bench:", err)
		return 1
	}
	report := b.runAll(ctx)
	if err := b.close(); err != nil {
		report.Problems = append(report.Problems, err.Error())
	}
	report.print(stdout)
	if opts.jsonPath != "" {
		if err := report.writeJSON(opts.jsonPath); err != nil {
			fmt.Fprintln(stderr, "foyer-bench:", err)
			return 1
		}
		fmt.Fprintf(stdout, "JSON summary written to %s\n", opts.jsonPath)
	}
	switch {
	case len(report.Problems) > 0 || report.has(statusError):
		return 1
	case opts.strict && report.has(statusFail):
		return 1
	}
	return 0
}
