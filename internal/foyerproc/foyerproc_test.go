package foyerproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes the test binary play foyer: Start and Command run it with
// this variable set, and TestMain then runs fakeFoyer instead of the tests.
// Not building ./cmd/foyer keeps these tests fast; internal/e2e runs the
// real one.
const helperEnv = "GO_FOYERPROC_HELPER=1"

func TestMain(m *testing.M) {
	if os.Getenv("GO_FOYERPROC_HELPER") == "1" {
		os.Exit(fakeFoyer(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeFoyer has the subcommands the tests need:
//
//	serve [--stubborn]  /healthz on FOYER_ADDR; exit 0 on SIGTERM, or never
//	fail                what foyer prints when its port is taken, exit 1
//	env                 print FOYER_DATA, FOYER_ADDR, FOYER_LEAK and stdin
func fakeFoyer(args []string) int {
	switch args[0] {
	case "serve":
		term := make(chan os.Signal, 1)
		if len(args) > 1 && args[1] == "--stubborn" {
			signal.Ignore(syscall.SIGTERM)
		} else {
			signal.Notify(term, syscall.SIGTERM)
		}
		srv := &http.Server{Addr: os.Getenv("FOYER_ADDR"), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "ok")
		})}
		go srv.ListenAndServe()
		fmt.Fprintln(os.Stderr, "level=INFO msg=listening")
		<-term
		srv.Shutdown(context.Background())
		return 0
	case "fail":
		fmt.Fprintf(os.Stderr, "level=ERROR msg=\"listen tcp %s: bind: address already in use\"\n", os.Getenv("FOYER_ADDR"))
		return 1
	case "env":
		stdin, _ := io.ReadAll(os.Stdin)
		fmt.Printf("data=%s addr=%s leak=%s stdin=%s", os.Getenv("FOYER_DATA"), os.Getenv("FOYER_ADDR"), os.Getenv("FOYER_LEAK"), stdin)
		fmt.Fprintln(os.Stderr, "to stderr")
		return 3
	}
	return 2
}

// start runs fakeFoyer with args on data, its output in a file that the
// returned function reads.
func start(t *testing.T, data string, args ...string) (*Process, func() string) {
	t.Helper()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "foyer.log"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Start(Options{Binary: os.Args[0], Data: data, Env: []string{helperEnv}, Args: args, Stdout: logFile, Stderr: logFile})
	if err != nil {
		t.Fatal(err)
	}
	log := func() string {
		b, _ := os.ReadFile(logFile.Name())
		return string(b)
	}
	t.Cleanup(func() {
		if !p.Exited() {
			p.cmd.Process.Kill()
			p.Wait()
		}
		logFile.Close()
	})
	return p, log
}

func TestServeCommandStop(t *testing.T) {
	t.Setenv("FOYER_LEAK", "from the developer")
	data := t.TempDir()
	p, log := start(t, data, "serve")
	if err := p.WaitHealthy(context.Background(), 10*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, log())
	}
	if p.URL() != "http://"+p.Addr() || p.PID() <= 0 || p.Exited() {
		t.Errorf("URL %s, Addr %s, PID %d, exited %v", p.URL(), p.Addr(), p.PID(), p.Exited())
	}

	stdout, stderr, err := p.Command(context.Background(), "typed", "env")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("Command error %v, want exit status 3", err)
	}
	want := fmt.Sprintf("data=%s addr=%s leak= stdin=typed", data, p.Addr())
	if stdout != want || stderr != "to stderr\n" {
		t.Errorf("Command printed %q and %q, want %q and %q", stdout, stderr, want, "to stderr\n")
	}

	if err := p.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(time.Second); err == nil || !strings.Contains(err.Error(), "had died") {
		t.Errorf("second Stop: %v, want an error that it had died", err)
	}
}

func TestStopKillsStubborn(t *testing.T) {
	p, log := start(t, t.TempDir(), "serve", "--stubborn")
	if err := p.WaitHealthy(context.Background(), 10*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, log())
	}
	if err := p.Stop(100 * time.Millisecond); !errors.Is(err, ErrKilled) {
		t.Errorf("Stop: %v, want ErrKilled", err)
	}
	if !p.Exited() {
		t.Error("still running after Stop")
	}
}

func TestWaitHealthyFails(t *testing.T) {
	p, log := start(t, t.TempDir(), "fail")
	err := p.WaitHealthy(context.Background(), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited before it was healthy") {
		t.Errorf("WaitHealthy: %v, want that it exited", err)
	}
	if lines := ErrorLines(log()); len(lines) != 1 || !strings.Contains(lines[0], p.Addr()) {
		t.Errorf("ErrorLines = %q, want the line naming %s", lines, p.Addr())
	}

	// Probing a port nobody listens on: not healthy by the deadline, killed.
	p, _ = start(t, t.TempDir(), "serve", "--stubborn")
	p.addr = "127.0.0.1:1"
	err = p.WaitHealthy(context.Background(), 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not healthy after 50ms") || !p.Exited() {
		t.Errorf("WaitHealthy: %v, exited %v; want not healthy, killed", err, p.Exited())
	}
}

func TestRetry(t *testing.T) {
	calls := 0
	_, err := Retry(func() (int, error) {
		calls++
		return 0, errors.New("listen tcp: bind: address already in use")
	}, nil)
	if calls != 3 || err == nil {
		t.Errorf("port always taken: %d calls, error %v; want 3 calls and the error", calls, err)
	}

	calls = 0
	var heard []error
	v, err := Retry(func() (int, error) {
		calls++
		if calls == 1 {
			return 0, errors.New("address already in use")
		}
		return 7, nil
	}, func(err error) { heard = append(heard, err) })
	if v != 7 || err != nil || calls != 2 || len(heard) != 1 {
		t.Errorf("got %d, %v after %d calls, %d retries heard; want 7 after 2 calls, 1 heard", v, err, calls, len(heard))
	}

	calls = 0
	if _, err := Retry(func() (int, error) { calls++; return 0, errors.New("no such file") }, nil); err == nil || calls != 1 {
		t.Errorf("other error: %d calls, %v; want 1 call and the error", calls, err)
	}
}

func TestEnviron(t *testing.T) {
	t.Setenv("FOYER_DATA", "/somewhere")
	t.Setenv("NOT_FOYER_X", "kept")
	env := strings.Join(Environ(), "\n")
	if strings.Contains(env, "FOYER_DATA=") || !strings.Contains(env, "NOT_FOYER_X=kept") {
		t.Errorf("Environ() keeps FOYER_DATA or drops NOT_FOYER_X:\n%s", env)
	}
}
