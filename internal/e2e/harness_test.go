// Package e2e tests foyer as its users meet it: the real binary, started as
// `foyer serve` on a loopback port with its own data folder, driven over HTTP,
// through its other subcommands, an SMTP server on loopback and a real browser.
//
// TestMain builds ./cmd/foyer once; each test starts its own server with
// startFoyer, so tests are independent and run in parallel.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
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
	"sync"
	"sync/atomic"
	"testing"
	"time"

	// The tests run the binary built from ./cmd/foyer, not these packages;
	// linking them in makes go test's cache see every change to the code,
	// views and assets, so a cached e2e result is never stale.
	_ "github.com/foyer-events/foyer/internal/cli"
	"github.com/foyer-events/foyer/internal/foyerproc"
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

	proc   *foyerproc.Process
	stdout *syncBuffer
	stderr *syncBuffer
	client *http.Client
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
		stdout: &syncBuffer{},
		stderr: &syncBuffer{},
		client: &http.Client{
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
	in.client.CloseIdleConnections()
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
type Response struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
}

func (r *Response) String() string {
	return fmt.Sprintf("%s %s: %d\n%s", r.Method, r.Path, r.Status, clip(string(r.Body), 2000))
}

// clip shortens s to about n bytes for a failure message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// do sends a request to the instance; path starts with "/". Header holds
// pairs of names and values.
func (in *Instance) do(t testing.TB, method, path string, body io.Reader, header ...string) *Response {
	t.Helper()
	req, err := http.NewRequest(method, in.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := in.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\nserver stderr:\n%s", method, path, err, in.stderr)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &Response{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: data}
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
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	header := []string{"Accept", "application/json"}
	if r != nil {
		header = append(header, "Content-Type", "application/json")
	}
	if token != "" {
		header = append(header, "Authorization", "Bearer "+token)
	}
	return in.do(t, method, path, r, header...)
}

// want fails the test unless the response has that status.
func (r *Response) want(t testing.TB, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d, got %s", status, r)
	}
	return r
}

// decode decodes the JSON body into v.
func (r *Response) decode(t testing.TB, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json: %s", ct, r)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode JSON: %v: %s", err, r)
	}
}

// APIError is the body of every API error.
type APIError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
	// RequestID is the id of the request, as in its X-Request-ID header.
	RequestID string `json:"request_id"`
}

// apiError checks that the response has the status and the JSON error shape
// {"error":{"code","message"[,"fields"],"request_id"}} and returns the error.
func (r *Response) apiError(t testing.TB, status int) APIError {
	t.Helper()
	r.want(t, status)
	var shape map[string]json.RawMessage
	r.decode(t, &shape)
	if len(shape) != 1 || shape["error"] == nil {
		t.Fatalf("want a body {\"error\":{…}} only: %s", r)
	}
	var e APIError
	dec := json.NewDecoder(bytes.NewReader(shape["error"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error object: %v: %s", err, r)
	}
	if e.Code == "" || e.Message == "" {
		t.Fatalf("error without code or message: %s", r)
	}
	if e.RequestID == "" || e.RequestID != r.Header.Get("X-Request-ID") {
		t.Fatalf("error request_id %q, X-Request-ID %q: %s", e.RequestID, r.Header.Get("X-Request-ID"), r)
	}
	return e
}

// syncBuffer is a bytes.Buffer that a process writes while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
