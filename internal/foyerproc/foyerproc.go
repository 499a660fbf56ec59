// Package foyerproc runs the real foyer binary as a child process: `foyer
// serve` on a free loopback port with its own data folder, waited on until
// GET /healthz answers, stopped with SIGTERM, and other subcommands run
// against the same data folder. The whole-system tests (internal/e2e) and the
// benchmark tool (cmd/foyer-bench) both drive foyer this way; each keeps its
// own messages, deadlines and log handling.
package foyerproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Options says how Start runs foyer.
type Options struct {
	// Binary is the path of the foyer executable.
	Binary string
	// Data is FOYER_DATA, the folder of foyer.db; it must exist.
	Data string
	// Addr is FOYER_ADDR; Start picks a free loopback port when it is empty.
	Addr string
	// Env holds more KEY=value settings, for the process and for every
	// Command; they come after FOYER_DATA and FOYER_ADDR, so they win.
	Env []string
	// Args are the subcommand and its flags, e.g. "serve", "--demo".
	Args []string
	// Stdout and Stderr receive the process's output; nil discards it.
	Stdout, Stderr io.Writer
}

// Process is one running foyer.
type Process struct {
	name    string // "foyer serve", for messages
	bin     string
	addr    string
	env     []string
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{} // closed when the process has exited
	err     error         // its exit error, once exited is closed
}

// Start starts foyer and returns without waiting for it to be ready; see
// WaitHealthy.
func Start(opts Options) (*Process, error) {
	addr := opts.Addr
	if addr == "" {
		var err error
		if addr, err = FreeAddr(); err != nil {
			return nil, err
		}
	}
	p := &Process{
		name:   "foyer",
		bin:    opts.Binary,
		addr:   addr,
		exited: make(chan struct{}),
	}
	if len(opts.Args) > 0 {
		p.name += " " + opts.Args[0]
	}
	p.env = append(Environ(), "FOYER_DATA="+opts.Data, "FOYER_ADDR="+addr)
	p.env = append(p.env, opts.Env...)
	p.cmd = exec.Command(opts.Binary, opts.Args...)
	p.cmd.Env = p.env
	p.cmd.Stdout = opts.Stdout
	p.cmd.Stderr = opts.Stderr
	setProcAttr(p.cmd)
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", p.name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// Addr is FOYER_ADDR, e.g. 127.0.0.1:PORT.
func (p *Process) Addr() string { return p.addr }

// URL is http://ADDR, without a trailing slash.
func (p *Process) URL() string { return "http://" + p.addr }

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Started is when the process was executed, the zero of a start-up time.
func (p *Process) Started() time.Time { return p.started }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Wait waits for the process to end and returns its exit error.
func (p *Process) Wait() error {
	<-p.exited
	return p.err
}

// healthPoll is how often WaitHealthy asks. A refused connection costs
// microseconds, and the benchmark measures the start-up time to the poll.
const healthPoll = time.Millisecond

// WaitHealthy polls GET /healthz until it answers 200. It fails when the
// process exits first, when timeout passes or when ctx ends; then the process
// has been killed and has exited, so that its log is complete for the
// caller's message.
func (p *Process) WaitHealthy(ctx context.Context, timeout time.Duration) error {
	err := p.pollHealth(ctx, timeout)
	if err != nil {
		p.cmd.Process.Kill()
		<-p.exited
	}
	return err
}

func (p *Process) pollHealth(parent context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	// Without keep-alive no probe connection is left for the server's
	// shutdown to wait on.
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	tick := time.NewTicker(healthPoll)
	defer tick.Stop()
	last := errors.New("no answer yet")
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was healthy: %v", p.name, p.err)
		case <-ctx.Done():
			if err := parent.Err(); err != nil {
				return err
			}
			return fmt.Errorf("%s not healthy after %s: %v", p.name, timeout, last)
		case <-tick.C:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL()+"/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := probe.Do(req)
		if err != nil {
			last = err
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		last = fmt.Errorf("GET /healthz: %s", resp.Status)
	}
}

// ErrKilled is what Stop returns when the process did not exit in time after
// SIGTERM and was killed.
var ErrKilled = errors.New("killed")

// Stop sends SIGTERM and waits up to timeout for the process to exit, and
// kills it after that. It returns nil only for an exit with status 0 after
// the signal: a process that had already died, exited with another status or
// had to be killed (ErrKilled) did not shut down cleanly.
func (p *Process) Stop(timeout time.Duration) error {
	if p.Exited() {
		return fmt.Errorf("%s had died before it was stopped: %v", p.name, p.err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM %s: %w", p.name, err)
	}
	select {
	case <-p.exited:
		if p.err != nil {
			return fmt.Errorf("%s did not exit cleanly after SIGTERM: %w", p.name, p.err)
		}
		return nil
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s still running %s after SIGTERM: %w", p.name, timeout, ErrKilled)
	}
}

// Command runs `foyer ARGS...` with the process's environment, so against
// the same data folder and settings, with stdin as its input. A non-zero exit
// status is an *exec.ExitError; ctx bounds how long it may run.
func (p *Process) Command(ctx context.Context, stdin string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = p.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	setProcAttr(cmd)
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// Retry calls launch up to three times while it fails because foyer found its
// port taken: FreeAddr only knows the port was free a moment ago, and a
// parallel test or process may bind it first. launch's error must carry
// foyer's log, which names the taken address. retrying, if not nil, hears of
// each failure that is tried again.
func Retry[T any](launch func() (T, error), retrying func(error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := launch()
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			return v, err
		}
		if retrying != nil {
			retrying(err)
		}
	}
}

// ErrorLines returns the lines of a foyer log at level ERROR, in text or
// JSON (FOYER_LOG_FORMAT). Users never see those (a 500, a failed worker),
// so only the log tells.
func ErrorLines(log string) []string {
	var lines []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, `"level":"ERROR"`) {
			lines = append(lines, line)
		}
	}
	return lines
}

// FreeAddr returns a loopback address whose port was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Environ is this process's environment without FOYER_* variables, so that a
// developer's own settings neither leak into a test nor change what is
// measured.
func Environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FOYER_") {
			env = append(env, kv)
		}
	}
	return env
}
