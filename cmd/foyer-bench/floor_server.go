package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/foyer-events/foyer/internal/registration"
	"github.com/labstack/echo/v4"
	_ "github.com/mattn/go-sqlite3" // the floor's database
)

// The floor: what the same framework, database and machine do with the
// least work a registration or a page could cost. foyer's figures are
// printed beside it as ratios, which a busy machine disturbs far less than
// the absolute numbers, since both sides share the same CPUs at nearly the
// same moment.
//
// The floor server is this program started again with floorServerArg, in
// a process of its own like foyer, with GOMAXPROCS left alone. Its routes:
//
//	GET  /hello   a bare echo handler: "Hello, World!"
//	POST /insert  the registration body decoded into a struct, one INSERT
//	              into SQLite (WAL, synchronous=NORMAL, one writer
//	              connection, a prepared statement), 201 {"id", "status"}
//	GET  /static  the bytes of a file, given at start (the agenda page),
//	              with their Content-Length
const floorServerArg = "floor-server"

// floorTable has a column per field of the body and no index but the
// rowid: one insert, nothing else.
const floorTable = `CREATE TABLE IF NOT EXISTS registrations (
	id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, organisation TEXT,
	job_title TEXT, country TEXT, language TEXT, sessions TEXT, answers TEXT, consent INTEGER, created_at TEXT)`

// serveFloor runs the floor server until SIGTERM. It prints "listening on
// ADDR" once it accepts connections.
func serveFloor(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(floorServerArg, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "", "SQLite file of the insert floor")
	staticPath := fs.String("static", "", "file served by GET /static")
	if err := fs.Parse(args); err != nil || *dbPath == "" {
		fmt.Fprintln(stderr, "usage: foyer-bench floor-server --db FILE [--static FILE]")
		return 2
	}
	var static []byte
	if *staticPath != "" {
		var err error
		if static, err = os.ReadFile(*staticPath); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	h, closeDB, err := newFloorHandler(*dbPath, static)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeDB()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// newFloorHandler opens the floor's database at dbPath and returns its
// routes.
func newFloorHandler(dbPath string, static []byte) (http.Handler, func() error, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "10000")
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?"+q.Encode())
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1) // one writer
	if _, err := db.Exec(floorTable); err != nil {
		db.Close()
		return nil, nil, err
	}
	insert, err := db.Prepare(`INSERT INTO registrations (first_name, last_name, email, organisation, job_title, country,
		language, sessions, answers, consent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello, World!") })
	length := strconv.Itoa(len(static))
	e.GET("/static", func(c echo.Context) error {
		// With its length, as foyer sends its pages: no chunks.
		c.Response().Header().Set(echo.HeaderContentLength, length)
		return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, static)
	})
	e.POST("/insert", func(c echo.Context) error {
		var in registration.Input
		if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		sessions, _ := json.Marshal(in.Sessions)
		answers, _ := json.Marshal(in.Answers)
		res, err := insert.ExecContext(c.Request().Context(), in.FirstName, in.LastName, in.Email, in.Organisation, in.JobTitle,
			in.Country, in.Language, string(sessions), string(answers), in.Consent, time.Now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		return c.JSON(http.StatusCreated, map[string]any{"id": id, "status": "confirmed"})
	})
	return e, db.Close, nil
}

// floorProcess is a running floor server.
type floorProcess struct {
	URL    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// startFloor starts the floor server on a fresh database in dir, serving
// static (may be nil) at /static.
func startFloor(ctx context.Context, dir string, static []byte) (*floorProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	args := []string{floorServerArg, "--db", filepath.Join(dir, "floor.db")}
	if static != nil {
		path := filepath.Join(dir, "static.html")
		if err := os.WriteFile(path, static, 0o644); err != nil {
			return nil, err
		}
		args = append(args, "--static", path)
	}
	log, err := os.Create(filepath.Join(dir, "floor.log"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(self, args...)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	p := &floorProcess{cmd: cmd, exited: make(chan struct{})}
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		first <- line
		io.Copy(io.Discard, out)
	}()
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	select {
	case line := <-first:
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if !ok {
			p.stop()
			return nil, fmt.Errorf("floor server did not start: %q (see %s)", line, log.Name())
		}
		p.URL = "http://" + addr
		return p, nil
	case <-time.After(startTimeout):
	case <-ctx.Done():
	}
	p.stop()
	return nil, errors.New("floor server did not start in time")
}

// PID is the floor server's process id.
func (p *floorProcess) PID() int { return p.cmd.Process.Pid }

// stop ends the floor server, killing it if it does not exit in time.
func (p *floorProcess) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}
