package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/foyerproc"
)

// Deadlines for foyer processes.
const (
	startTimeout    = 20 * time.Second // exec to the first 200 on /healthz
	shutdownTimeout = 20 * time.Second // SIGTERM to exit; emails in flight finish first
	commandTimeout  = 2 * time.Minute  // user add, token create, version
)

// adminPassword is FOYER_ADMIN_PASSWORD, so that `serve --demo` prints no
// generated password.
const adminPassword = "bench-admin-password"

// launcher starts `foyer serve --demo` processes with the tool's settings.
type launcher struct {
	bin     string
	work    string // logs go here
	smtpURL string
	started int  // numbers the log files
	profile bool // run foyer with its profiler on a free loopback port
}

// Foyer is one `foyer serve --demo` process on a loopback port.
type Foyer struct {
	URL  string // http://127.0.0.1:PORT
	Data string // FOYER_DATA
	// Healthy is the time from exec to the first 200 on GET /healthz.
	Healthy time.Duration
	// PprofURL is http://ADDR of foyer's profiler, "" when it runs none.
	PprofURL string

	proc    *foyerproc.Process
	logPath string
	logFile *os.File
}

// start runs `foyer serve --demo` on data (created if missing) and waits
// until it is healthy, on another port if the first was taken.
func (l *launcher) start(ctx context.Context, data string) (*Foyer, error) {
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	return foyerproc.Retry(func() (*Foyer, error) { return l.launch(ctx, data) }, nil)
}

func (l *launcher) launch(ctx context.Context, data string) (*Foyer, error) {
	l.started++
	f := &Foyer{
		Data:    data,
		logPath: filepath.Join(l.work, fmt.Sprintf("foyer-%d.log", l.started)),
	}
	// foyer logs every registration; a file costs less than a pipe we read.
	var err error
	if f.logFile, err = os.Create(f.logPath); err != nil {
		return nil, err
	}
	env := []string{
		"FOYER_RATE_LIMIT=off",
		"FOYER_ADMIN_PASSWORD=" + adminPassword,
		"FOYER_SMTP_URL=" + l.smtpURL,
	}
	if l.profile {
		addr, err := foyerproc.FreeAddr()
		if err != nil {
			f.logFile.Close()
			return nil, err
		}
		env = append(env, "FOYER_PPROF_ADDR="+addr)
		f.PprofURL = "http://" + addr
	}
	f.proc, err = foyerproc.Start(foyerproc.Options{
		Binary: l.bin,
		Data:   data,
		Env:    env,
		Args:   []string{"serve", "--demo"},
		Stdout: f.logFile,
		Stderr: f.logFile,
	})
	if err != nil {
		f.logFile.Close()
		return nil, err
	}
	if err := f.proc.WaitHealthy(ctx, startTimeout); err != nil {
		f.logFile.Close()
		return nil, fmt.Errorf("%w\nfoyer log:\n%s", err, f.LogTail(20))
	}
	f.Healthy = time.Since(f.proc.Started())
	f.URL = f.proc.URL()
	return f, nil
}

// PID is the process id of foyer serve.
func (f *Foyer) PID() int { return f.proc.PID() }

// Exited reports whether the process has ended.
func (f *Foyer) Exited() bool { return f.proc.Exited() }

// ExitErr is the process's exit error once it has exited.
func (f *Foyer) ExitErr() error { return f.proc.Wait() }

// Stop sends SIGTERM and waits for a clean exit, killing the process if it
// does not exit in time.
func (f *Foyer) Stop() error {
	defer f.logFile.Close()
	if err := f.proc.Stop(shutdownTimeout); err != nil {
		return fmt.Errorf("%w\n%s", err, f.LogTail(20))
	}
	return nil
}

// Command runs another foyer subcommand against the same data folder, with
// stdin, and returns its standard output.
func (f *Foyer) Command(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	out, errOut, err := f.proc.Command(ctx, stdin, args...)
	if err != nil {
		return "", fmt.Errorf("foyer %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out, nil
}

// LogTail returns the last n lines foyer logged.
func (f *Foyer) LogTail(n int) string {
	lines := strings.Split(strings.TrimSuffix(f.log(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ErrorLines returns the lines foyer logged at level ERROR.
func (f *Foyer) ErrorLines() []string { return foyerproc.ErrorLines(f.log()) }

// log is what foyer has written to its log file so far.
func (f *Foyer) log() string {
	data, err := os.ReadFile(f.logPath)
	if err != nil {
		return ""
	}
	return string(data)
}
