package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
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
	started int // numbers the log files
}

// Foyer is one `foyer serve --demo` process on a loopback port.
type Foyer struct {
	URL  string // http://127.0.0.1:PORT
	Data string // FOYER_DATA
	// Healthy is the time from exec to the first 200 on GET /healthz.
	Healthy time.Duration

	bin     string
	env     []string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File
	exited  chan struct{} // closed when the process has exited
	err     error         // its exit error, once exited is closed
}

// start runs `foyer serve --demo` on data (created if missing) and waits
// until it is healthy. A port that was taken between finding it free and
// foyer binding it is retried on another.
func (l *launcher) start(ctx context.Context, data string) (*Foyer, error) {
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		f, err := l.launch(ctx, data)
		if err == nil {
			return f, nil
		}
		if attempt < 3 && strings.Contains(err.Error(), "address already in use") {
			continue
		}
		return nil, err
	}
}

func (l *launcher) launch(ctx context.Context, data string) (*Foyer, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	l.started++
	f := &Foyer{
		URL:     "http://" + addr,
		Data:    data,
		bin:     l.bin,
		logPath: filepath.Join(l.work, fmt.Sprintf("foyer-%d.log", l.started)),
		exited:  make(chan struct{}),
	}
	f.env = append(environWithoutFoyer(),
		"FOYER_DATA="+data,
		"FOYER_ADDR="+addr,
		"FOYER_RATE_LIMIT=off",
		"FOYER_ADMIN_PASSWORD="+adminPassword,
		"FOYER_SMTP_URL="+l.smtpURL,
	)
	// foyer logs every registration; a file costs less than a pipe we read.
	if f.logFile, err = os.Create(f.logPath); err != nil {
		return nil, err
	}
	f.cmd = exec.Command(l.bin, "serve", "--demo")
	f.cmd.Env = f.env
	f.cmd.Stdout = f.logFile
	f.cmd.Stderr = f.logFile
	setProcAttr(f.cmd)
	started := time.Now()
	if err := f.cmd.Start(); err != nil {
		f.logFile.Close()
		return nil, fmt.Errorf("start foyer serve: %w", err)
	}
	go func() {
		f.err = f.cmd.Wait()
		close(f.exited)
	}()
	if err := f.waitHealthy(ctx); err != nil {
		f.cmd.Process.Kill()
		<-f.exited
		f.logFile.Close()
		return nil, fmt.Errorf("%w\nfoyer log:\n%s", err, f.LogTail(20))
	}
	f.Healthy = time.Since(started)
	return f, nil
}

// waitHealthy polls GET /healthz every millisecond (a refused connection
// costs microseconds) until it answers 200.
func (f *Foyer) waitHealthy(ctx context.Context) error {
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(startTimeout)
	last := errors.New("no answer yet")
	for {
		select {
		case <-f.exited:
			return fmt.Errorf("foyer serve exited before it was healthy: %v", f.err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("foyer serve not healthy after %s: %v", startTimeout, last)
		}
		resp, err := probe.Get(f.URL + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /healthz: %s", resp.Status)
		}
		last = err
		time.Sleep(time.Millisecond)
	}
}

// PID is the process id of foyer serve.
func (f *Foyer) PID() int { return f.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (f *Foyer) Exited() bool {
	select {
	case <-f.exited:
		return true
	default:
		return false
	}
}

// ExitErr is the process's exit error once it has exited.
func (f *Foyer) ExitErr() error {
	<-f.exited
	return f.err
}

// Stop sends SIGTERM and waits for a clean exit, killing the process if it
// does not exit in time.
func (f *Foyer) Stop() error {
	defer f.logFile.Close()
	if f.Exited() {
		return fmt.Errorf("foyer serve had died: %v\n%s", f.err, f.LogTail(20))
	}
	if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM foyer serve: %w", err)
	}
	select {
	case <-f.exited:
		if f.err != nil {
			return fmt.Errorf("foyer serve did not exit cleanly after SIGTERM: %v\n%s", f.err, f.LogTail(20))
		}
		return nil
	case <-time.After(shutdownTimeout):
		f.cmd.Process.Kill()
		<-f.exited
		return fmt.Errorf("foyer serve still running %s after SIGTERM; killed", shutdownTimeout)
	}
}

// Command runs another foyer subcommand against the same data folder, with
// stdin, and returns its standard output.
func (f *Foyer) Command(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, f.bin, args...)
	cmd.Env = f.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("foyer %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

// LogTail returns the last n lines foyer logged.
func (f *Foyer) LogTail(n int) string {
	lines := f.logLines()
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ErrorLines returns the lines foyer logged at level ERROR.
func (f *Foyer) ErrorLines() []string {
	var out []string
	for _, l := range f.logLines() {
		if strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return out
}

func (f *Foyer) logLines() []string {
	file, err := os.Open(f.logPath)
	if err != nil {
		return nil
	}
	defer file.Close()
	var lines []string
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// environWithoutFoyer is this process's environment without FOYER_*
// settings, so that a developer's own do not change what is measured.
func environWithoutFoyer() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FOYER_") {
			env = append(env, kv)
		}
	}
	return env
}
