package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// demoSlug is the event that `foyer serve --demo` imports.
const demoSlug = "dcip-forum-2027"

// organiserEmail is the user whose API token the scenarios use.
const (
	organiserEmail    = "bench-organiser@example.org"
	organiserPassword = "bench-organiser-password"
)

// scenario is one measurement. run returns the rows for the table and a
// one-line summary; an error means the scenario could not be measured.
type scenario struct {
	name string
	run  func(ctx context.Context, b *bench) (outcome, error)
}

// outcome is what a scenario measured.
type outcome struct {
	line    string   // the one line printed when the scenario ends
	results []Result // rows of the final table
	figures Figures  // headline numbers for the JSON summary
}

// scenarios in the order they run. startup comes first, while nothing else
// uses the CPUs. mail runs before register on purpose: register leaves tens
// of thousands of emails in the outbox, and the mail scenario must time its
// own confirmations, not wait behind that backlog.
func scenarios() []scenario {
	return []scenario{
		{"startup", runStartup},
		{"agenda", runAgenda},
		{"mail", runMail},
		{"register", runRegister},
		{"checkin", runCheckin},
		{"export", runExport},
	}
}

func scenarioNames() []string {
	var names []string
	for _, s := range scenarios() {
		names = append(names, s.name)
	}
	return names
}

// bench is the state of one run: the binary, the work folder, the SMTP sink
// and the foyer instance that the load scenarios share.
type bench struct {
	opts     options
	out      io.Writer
	work     string // temporary folder: binary, data folders, logs
	launcher *launcher
	sink     *mailSink
	main     *Foyer // started on first use by instance
	mainErr  error  // why main did not start; not tried again
	token    string // organiser API token on main, made on first use
	version  string // `foyer version`
	// helloMeasured is set once the bare echo floor has been measured.
	helloMeasured bool
}

// newBench makes the work folder, builds foyer unless a binary was given and
// starts the SMTP sink.
func newBench(ctx context.Context, opts options, out io.Writer) (*bench, error) {
	work, err := os.MkdirTemp("", "foyer-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{opts: opts, out: out, work: work}
	bin := opts.foyer
	if bin == "" {
		if bin, err = buildFoyer(ctx, work, out); err != nil {
			os.RemoveAll(work)
			return nil, err
		}
	} else if bin, err = filepath.Abs(bin); err != nil {
		os.RemoveAll(work)
		return nil, err
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		os.RemoveAll(work)
		return nil, fmt.Errorf("--foyer %s: not a file", opts.foyer)
	}
	if v, err := exec.CommandContext(ctx, bin, "version").Output(); err == nil {
		b.version = strings.TrimSpace(string(v))
	}
	b.sink, err = startSink()
	if err != nil {
		os.RemoveAll(work)
		return nil, err
	}
	b.launcher = &launcher{bin: bin, work: work, smtpURL: b.sink.URL(), profile: opts.profileDir != ""}
	return b, nil
}

// buildFoyer runs `go build ./cmd/foyer` in the module that holds the
// current folder and returns the binary's path.
func buildFoyer(ctx context.Context, work string, log io.Writer) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("no --foyer given and not inside the foyer module: cannot build ./cmd/foyer")
	}
	root := filepath.Dir(gomod)
	bin := filepath.Join(work, "foyer")
	started := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/foyer")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/foyer: %v\n%s", err, msg)
	}
	fmt.Fprintf(log, "built %s in %s\n", bin, time.Since(started).Round(time.Millisecond))
	return bin, nil
}

// instance returns the shared `foyer serve --demo`, starting it on first use.
func (b *bench) instance(ctx context.Context) (*Foyer, error) {
	if b.main != nil {
		if b.main.Exited() {
			return nil, fmt.Errorf("foyer serve died: %v\n%s", b.main.ExitErr(), b.main.LogTail(20))
		}
		return b.main, nil
	}
	if b.mainErr != nil {
		return nil, b.mainErr
	}
	f, err := b.launcher.start(ctx, filepath.Join(b.work, "data"))
	if err != nil {
		b.mainErr = err
		return nil, err
	}
	b.main = f
	return f, nil
}

// organiserToken returns an API token of an organiser on the shared
// instance, made with `foyer user add` and `foyer token create`.
func (b *bench) organiserToken(ctx context.Context) (string, error) {
	if b.token != "" {
		return b.token, nil
	}
	f, err := b.instance(ctx)
	if err != nil {
		return "", err
	}
	if _, err := f.Command(ctx, organiserPassword+"\n", "user", "add", "--email", organiserEmail, "--name", "Bench Organiser", "--role", "organiser"); err != nil {
		return "", err
	}
	out, err := f.Command(ctx, "", "token", "create", "--email", organiserEmail)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n") {
		return "", fmt.Errorf("foyer token create printed %q, want one token", out)
	}
	b.token = token
	return token, nil
}

// organiserAPI returns the shared instance and an API client that acts as
// its organiser: what every scenario that creates events starts from.
func (b *bench) organiserAPI(ctx context.Context) (*Foyer, *api, error) {
	f, err := b.instance(ctx)
	if err != nil {
		return nil, nil, err
	}
	token, err := b.organiserToken(ctx)
	if err != nil {
		return nil, nil, err
	}
	return f, newAPI(f, token), nil
}

// runAll runs the chosen scenarios in order and collects the report.
func (b *bench) runAll(ctx context.Context) *Report {
	r := &Report{
		Tool:    "foyer-bench",
		Started: time.Now().UTC(),
		Machine: Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), OS: runtime.GOOS, Arch: runtime.GOARCH, Go: runtime.Version()},
		Foyer:   FoyerInfo{Binary: b.launcher.bin, Version: b.version},
		Clients: b.opts.clients,
	}
	r.Note = fmt.Sprintf("load generator and foyer share this machine's %d CPUs; all traffic on 127.0.0.1", r.Machine.CPUs)
	if b.version != "" {
		fmt.Fprintf(b.out, "foyer-bench: measuring %s (%s)\n", b.version, b.launcher.bin)
	}
	r.Machine.LoadAvg = loadAvg()
	fmt.Fprintf(b.out, "foyer-bench: %s; %d clients, %s per load; load average %.2f\n\n", r.Note, b.opts.clients, b.opts.duration, r.Machine.LoadAvg)
	for _, s := range scenarios() {
		if len(b.opts.only) > 0 && !slices.Contains(b.opts.only, s.name) {
			continue
		}
		if ctx.Err() != nil {
			r.Problems = append(r.Problems, "interrupted")
			break
		}
		started := time.Now()
		before := loadAvg()
		o, err := s.run(ctx, b)
		sr := ScenarioReport{Name: s.name, Seconds: time.Since(started).Seconds(), Line: o.line, LoadBefore: before, LoadAfter: loadAvg()}
		if err != nil {
			sr.Error = err.Error()
			o.results = append(o.results, Result{Scenario: s.name, Metric: "run", Measured: "could not run", Status: statusError, Detail: firstLine(err.Error())})
			fmt.Fprintf(b.out, "%-9s ERROR: %v\n", s.name+":", err)
		} else {
			fmt.Fprintf(b.out, "%-9s %s [load average %.2f before, %.2f after]\n", s.name+":", o.line, sr.LoadBefore, sr.LoadAfter)
		}
		r.Scenarios = append(r.Scenarios, sr)
		r.Results = append(r.Results, o.results...)
		r.Figures.merge(o.figures)
	}
	return r
}

// close stops the shared instance and the sink and removes the work folder
// (unless --keep). It reports a foyer that did not exit cleanly or logged
// errors.
func (b *bench) close() error {
	var problems []string
	if b.main != nil {
		if err := b.main.Stop(); err != nil {
			problems = append(problems, err.Error())
		}
		if lines := b.main.ErrorLines(); len(lines) > 0 {
			problems = append(problems, fmt.Sprintf("foyer serve logged %d ERROR lines, first: %s", len(lines), lines[0]))
		}
	}
	b.sink.Close()
	if b.opts.keep {
		fmt.Fprintf(b.out, "work folder kept: %s\n", b.work)
	} else {
		os.RemoveAll(b.work)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
