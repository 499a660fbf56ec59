// Package e2e tests foyer as its users meet it: the real binary, started as
// `foyer serve` on a loopback port with its own data folder, driven over HTTP,
// through its other subcommands, an SMTP server on loopback and a real browser.
//
// TestMain builds ./cmd/foyer once; each test starts its own server with
// startFoyer, so tests are independent and run in parallel.
package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	// The tests run the binary built from ./cmd/foyer, not these packages;
	// linking them in makes go test's cache see every change to the code,
	// views and assets, so a cached e2e result is never stale.
	"github.com/foyer-events/foyer/internal/apitest"
	_ "github.com/foyer-events/foyer/internal/cli"
	"github.com/foyer-events/foyer/internal/foyerproc"
	"github.com/foyer-events/foyer/internal/logtest"
	"github.com/foyer-events/foyer/internal/mailtest"
)

// adminPassword is the FOYER_ADMIN_PASSWORD of every instance, so that tests
// can sign in as the demo admin.
const (
	adminEmail    = "admin@example.org"
	adminPassword = "e2e-admin-password"
	// demoSlug is the slug of the demo forum that `serve --demo` imports.
	demoSlug = "dcip-forum-2027"
)

// Deadlines for the server process.
const (
	startTimeout    = 20 * time.Second // from exec to GET /healthz == 200
	shutdownTimeout = 10 * time.Second // from SIGTERM to exit
	commandTimeout  = 2 * time.Minute  // any other subcommand
	requestTimeout  = 30 * time.Second // one HTTP request
)

var (
	// foyerBin is the binary TestMain built.
	foyerBin string
	// repoRoot is the folder that holds go.mod.
	repoRoot string
)

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	flag.Parse()
	var err error
	repoRoot, err = findRepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "foyer-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	foyerBin = filepath.Join(dir, "foyer")
	started := time.Now()
	build := exec.Command("go", "build", "-o", foyerBin, "./cmd/foyer")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/foyer: %v\n%s", err, out)
		return 1
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "e2e: built foyer in %s\n", time.Since(started).Round(time.Millisecond))
	}
	return m.Run()
}

// findRepoRoot asks the go command for the module's go.mod, falling back to
// the location of this file.
func findRepoRoot() (string, error) {
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if gomod := strings.TrimSpace(string(out)); gomod != "" && gomod != os.DevNull {
			return filepath.Dir(gomod), nil
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root, nil
		}
	}
	return "", errors.New("cannot find the repository root (go env GOMOD)")
}

// Options says how startFoyer runs the server.
type Options struct {
	// Demo runs `foyer serve --demo`: the demo forum and admin@example.org.
	Demo bool
	// Env holds extra KEY=value settings for the server and for every
	// command run with Instance.run, e.g. FOYER_SMTP_URL of a mailtest server.
	Env []string
	// AllowErrorLogs accepts ERROR lines in the server's log. Without it a
	// test fails when the server logged an error (a 500, a failed worker):
	// users never see those, so only the log tells.
	AllowErrorLogs bool
}

// Instance is one running `foyer serve` with its own data folder.
type Instance struct {
	URL  string // http://127.0.0.1:PORT, no trailing slash
	Addr string // 127.0.0.1:PORT
	Data string // FOYER_DATA: foyer.db and, without SMTP, mail/*.eml

	proc       *foyerproc.Process
	stdout     *logtest.Buffer
	stderr     *logtest.Buffer
	httpClient *http.Client
	killed     bool // SIGKILLed by the test (see kill): not stopped at its end
	stopped    bool // stop ran, by restart or at the end of the test
}

// startDemoWithMail runs the demo forum with its emails going to an SMTP
// server of the test's own.
func startDemoWithMail(t testing.TB) (*Instance, *mailtest.Server) {
	smtp := mailtest.Start(t)
	return startFoyer(t, Options{Demo: true, Env: []string{"FOYER_SMTP_URL=" + smtp.URL()}}), smtp
}

// startFoyer runs `foyer serve` on a free loopback port, waits until GET
// /healthz answers 200 and stops it when the test ends, failing the test
// unless it shuts down cleanly (SIGTERM, exit status 0 within 10 s).
func startFoyer(t testing.TB, opts Options) *Instance {
	t.Helper()
	data := t.TempDir()
	in, err := foyerproc.Retry(
		func() (*Instance, error) { return launch(t, data, opts) },
		func(err error) { t.Logf("retrying on another port: %v", err) },
	)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func launch(t testing.TB, data string, opts Options) (*Instance, error) {
	in := &Instance{
		Data:   data,
		stdout: &logtest.Buffer{},
		stderr: &logtest.Buffer{},
		httpClient: &http.Client{
			Timeout: requestTimeout,
			// Tests look at redirects themselves (login, language).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	args := []string{"serve"}
	if opts.Demo {
		args = append(args, "--demo")
	}
	proc, err := foyerproc.Start(foyerproc.Options{
		Binary: foyerBin,
		Data:   data,
		Env:    append([]string{"FOYER_RATE_LIMIT=off", "FOYER_ADMIN_PASSWORD=" + adminPassword}, opts.Env...),
		Args:   args,
		Stdout: in.stdout,
		Stderr: in.stderr,
	})
	if err != nil {
		return nil, err
	}
	if err := proc.WaitHealthy(context.Background(), startTimeout); err != nil {
		return nil, fmt.Errorf("%w\nstdout:\n%s\nstderr:\n%s", err, in.stdout, in.stderr)
	}
	in.proc, in.URL, in.Addr = proc, proc.URL(), proc.Addr()
	t.Cleanup(func() { in.stop(t, opts) })
	return in, nil
}

// stop sends SIGTERM and checks for a clean exit, then for errors in the log.
func (in *Instance) stop(t testing.TB, opts Options) {
	if in.stopped {
		return
	}
	in.stopped = true
	in.httpClient.CloseIdleConnections()
	if in.killed {
		return
	}
	started := time.Now()
	if err := in.proc.Stop(shutdownTimeout); err != nil {
		t.Errorf("%v\nstderr:\n%s", err, in.stderr)
		return
	}
	if d := time.Since(started); d > 2*time.Second {
		t.Logf("foyer serve took %s to shut down", d.Round(time.Millisecond))
	}
	if !opts.AllowErrorLogs {
		for _, line := range foyerproc.ErrorLines(in.stderr.String()) {
			t.Errorf("foyer serve logged an error: %s", line)
		}
	}
}

// Stdout and Stderr return what the server printed so far.
func (in *Instance) Stdout() string { return in.stdout.String() }
func (in *Instance) Stderr() string { return in.stderr.String() }

// run runs `foyer ARGS...` against the instance's data folder, with empty
// stdin, and returns its exit status and output.
func (in *Instance) run(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return in.runInput(t, "", args...)
}

// runInput is run with stdin.
func (in *Instance) runInput(t testing.TB, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	stdout, stderr, err := in.proc.Command(ctx, stdin, args...)
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("foyer %s: no exit within %s\nstderr:\n%s", strings.Join(args, " "), commandTimeout, stderr)
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout, stderr
	case err != nil:
		t.Fatalf("foyer %s: %v", strings.Join(args, " "), err)
	}
	return 0, stdout, stderr
}

// mustRun runs a command that must succeed and returns its stdout.
func (in *Instance) mustRun(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	code, stdout, stderr := in.runInput(t, stdin, args...)
	if code != 0 {
		t.Fatalf("foyer %s: exit status %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

var userCount atomic.Int64

// user creates a user with that role (admin, organiser or staff) with
// `foyer user add` and returns its email and password.
func (in *Instance) user(t testing.TB, role string) (email, password string) {
	t.Helper()
	n := userCount.Add(1)
	email = fmt.Sprintf("%s-%d@example.org", role, n)
	password = fmt.Sprintf("password-%d-for-%s", n, role)
	in.mustRun(t, password+"\n", "user", "add", "--email", email, "--name", fmt.Sprintf("Test %s %d", role, n), "--role", role)
	return email, password
}

// token creates a user with that role and returns a new API token for it.
func (in *Instance) token(t testing.TB, role string) string {
	t.Helper()
	email, _ := in.user(t, role)
	return in.tokenFor(t, email)
}

// tokenFor returns a new API token for an existing user, with
// `foyer token create`.
func (in *Instance) tokenFor(t testing.TB, email string) string {
	t.Helper()
	token := strings.TrimSpace(in.mustRun(t, "", "token", "create", "--email", email))
	if token == "" || strings.ContainsAny(token, " \n") {
		t.Fatalf("foyer token create printed %q, want one token", token)
	}
	return token
}

// Response is an HTTP answer, read in full.
type Response = apitest.Response

// client is the API client of the instance, with a token ("" for none).
func (in *Instance) client(token string) apitest.Client {
	return apitest.Client{Base: in.URL, Token: token, HTTP: in.httpClient,
		OnError: func() string { return "server stderr:\n" + in.stderr.String() }}
}

// do sends a request to the instance; path starts with "/". Header holds
// pairs of names and values.
func (in *Instance) do(t testing.TB, method, path string, body io.Reader, header ...string) *Response {
	t.Helper()
	return in.client("").Do(t, method, path, body, header...)
}

// get sends a GET without credentials.
func (in *Instance) get(t testing.TB, path string, header ...string) *Response {
	t.Helper()
	return in.do(t, http.MethodGet, path, nil, header...)
}

// api sends a JSON request with the bearer token (none if empty). body is
// nil, raw bytes or a string sent as is, or anything else encoded as JSON.
func (in *Instance) api(t testing.TB, method, path, token string, body any) *Response {
	t.Helper()
	return in.client(token).JSON(t, method, path, body)
}
