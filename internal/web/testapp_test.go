package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/apitest"
	"github.com/foyer-events/foyer/internal/app"
	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/logtest"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/waittest"
)

// testApp is the real foyer on a fresh SQLite file: server, mail worker and,
// when asked, a real SMTP server on loopback.
type testApp struct {
	app  *app.App
	srv  *httptest.Server
	smtp *mailtest.Server
	dir  string
	env  map[string]string // settings over the test defaults
	logs logtest.Buffer    // what foyer logged, across restarts
	// clock is the server's clock: the real time until a test moves it.
	clock testClock
	stop  func()
}

// testClock is the real time plus an offset that a test moves forward, so
// that what expires (an invitation) expires without waiting.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// startApp runs foyer with the given events. With smtp set, emails go to a
// loopback SMTP server; otherwise they are written as .eml files.
func startApp(t testing.TB, smtp bool, events ...*programme.Event) *testApp {
	t.Helper()
	return startAppWith(t, nil, smtp, events...)
}

// startAppWith is startApp with FOYER_* settings of the test's own.
func startAppWith(t testing.TB, env map[string]string, smtp bool, events ...*programme.Event) *testApp {
	t.Helper()
	ta := &testApp{dir: t.TempDir(), env: env}
	if smtp {
		ta.smtp = mailtest.Start(t)
	}
	ta.open(t)
	ctx := context.Background()
	for _, e := range events {
		if err := e.Validate(); err != nil {
			t.Fatalf("%s: %v", e.Slug, err)
		}
		if _, err := ta.app.Store.SaveEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return ta
}

// open starts the app on ta.dir; closing and opening again is a restart.
func (ta *testApp) open(t testing.TB) {
	t.Helper()
	env := map[string]string{"FOYER_DATA": ta.dir, "FOYER_RATE_LIMIT": "off", "FOYER_BASE_URL": "http://foyer.test"}
	if ta.smtp != nil {
		env["FOYER_SMTP_URL"] = ta.smtp.URL()
	}
	for k, v := range ta.env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(&ta.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	s.now = ta.clock.Now
	a.Start(ctx)
	ta.app, ta.srv = a, httptest.NewServer(s.Handler())
	stopped := false
	ta.stop = func() {
		if stopped {
			return
		}
		stopped = true
		ta.srv.Close()
		cancel()
		a.Wait()
		a.Close()
	}
	t.Cleanup(ta.stop)
}

// restart stops foyer and starts it again on the same database.
func (ta *testApp) restart(t testing.TB) {
	ta.stop()
	ta.open(t)
}

// token returns an API token for a new user with that role.
func (ta *testApp) token(t *testing.T, role string) string {
	t.Helper()
	ctx := context.Background()
	u, err := ta.app.Store.CreateUser(ctx, role+time.Now().Format("150405.000000")+"@example.org", role, role, "a long password")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ta.app.Store.CreateToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// call sends a request and decodes a JSON answer into out (if not nil).
func (ta *testApp) call(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	r := apitest.Client{Base: ta.srv.URL, Token: token}.JSON(t, method, path, body)
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("%s: %v", r, err)
		}
	}
	return r.Status
}

// registrationsBy returns every registration of an event, as organisers see them.
func (ta *testApp) registrations(t *testing.T, slug, token, query string) []apiRegistration {
	t.Helper()
	var page struct {
		Registrations []apiRegistration `json:"registrations"`
		Total         int               `json:"total"`
	}
	if code := ta.call(t, "GET", "/api/v1/events/"+slug+"/registrations?limit=1000&"+query, token, nil, &page); code != 200 {
		t.Fatalf("list registrations: %d", code)
	}
	if page.Total != len(page.Registrations) {
		t.Fatalf("total %d but %d listed", page.Total, len(page.Registrations))
	}
	return page.Registrations
}

// apiRegistration is the registration JSON of the contract.
type apiRegistration struct {
	ID           int64            `json:"id"`
	Event        string           `json:"event"`
	Status       string           `json:"status"`
	FirstName    string           `json:"first_name"`
	LastName     string           `json:"last_name"`
	Salutation   string           `json:"salutation"`
	Title        string           `json:"title"`
	Email        string           `json:"email"`
	Organisation string           `json:"organisation"`
	JobTitle     string           `json:"job_title"`
	Country      string           `json:"country"`
	Language     string           `json:"language"`
	Sessions     []map[string]any `json:"sessions"`
	Answers      map[string]any   `json:"answers"`
	CreatedAt    string           `json:"created_at"`
	CheckedInAt  *string          `json:"checked_in_at"`
	TicketCode   *string          `json:"ticket_code"`
	ManageToken  *string          `json:"manage_token"`
}

// apiError is the JSON error shape.
type apiError struct {
	Error apitest.Error `json:"error"`
}

// smallForum is a one-session event with the capacities a test needs.
func smallForum(slug string, capacity, sessionCapacity *int, waitlist bool) *programme.Event {
	e := programme.Demo(time.Now())
	e.Slug = slug
	e.Capacity = capacity
	e.Registration.Waitlist = waitlist
	for i := range e.Sessions {
		if e.Sessions[i].ID == "ws-maintenance" {
			e.Sessions[i].Capacity = sessionCapacity
		}
	}
	return e
}

func intp(n int) *int { return &n }

// waitUntil polls cond until it holds, failing the test after timeout.
var waitUntil = waittest.Until

// browserish is an HTTP client with cookies, as a browser has.
func browserish(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// submitForm GETs a page, then POSTs form values to action with its CSRF token.
func submitForm(t *testing.T, c *http.Client, base, page, action string, values url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(base + page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no _csrf field", page)
	}
	values.Set("_csrf", string(m[1]))
	res, err = c.PostForm(base+action, values)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(data)
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(data)
}

// manageLink finds the manage link in an email sent with FOYER_BASE_URL http://foyer.test.
var manageLink = regexp.MustCompile(`http://foyer\.test(/m/[A-Za-z0-9_-]+)`)

// annasForm is the German registration form of smallForum as Anna Schmidt
// fills it in: the workshop, and an answer to the event's question.
func annasForm() url.Values {
	return url.Values{"first_name": {"Anna"}, "last_name": {"Schmidt"}, "email": {"anna@example.de"}, "language": {"de"},
		"consent": {"yes"}, "q.industry": {"research"}, "sessions": {"ws-maintenance"}, "country": {"DE"}}
}

// registerAnna sends annasForm to the event "forum" as its first guest, waits
// for the confirmation email and returns the path of the manage link in it.
func registerAnna(t *testing.T, ta *testApp, c *http.Client) string {
	t.Helper()
	if res, _ := submitForm(t, c, ta.srv.URL, "/events/forum/register?lang=de", "/events/forum/register", annasForm()); res.StatusCode != http.StatusOK {
		t.Fatalf("register: %d", res.StatusCode)
	}
	m, err := ta.smtp.WaitFor(t, 1, 20*time.Second)[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	return manageLink.FindStringSubmatch(m.Text)[1]
}

// readOnly opens the app's database read-only, as any SQLite tool would, for
// checks of what no page or API shows.
func (ta *testApp) readOnly(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(ta.dir, "foyer.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// registerAtOnce sends n registrations for the event slug at the same time
// through the API, the i-th for person(i, extra), and hands each answer to
// check (from many goroutines): its status and, unless it is a 201, the
// error it holds.
func (ta *testApp) registerAtOnce(t *testing.T, slug string, n int, extra map[string]any, check func(i, code int, e apiError)) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var e apiError
			code := ta.call(t, "POST", "/api/v1/events/"+slug+"/registrations", "", person(i, extra), &e)
			check(i, code, e)
		}()
	}
	wg.Wait()
}

// statusesAtOnce sends n requests at the same time, send(i) making the i-th,
// and counts the answers by status.
func statusesAtOnce(t *testing.T, n int, send func(i int) (*http.Response, error)) map[int]int {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	statuses := map[int]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := send(i)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return statuses
}

// sendForm sends what a signed-in browser sends for a page: a GET, or a
// POST of form with the CSRF token. The body is read and closed.
func sendForm(t *testing.T, c *http.Client, target, method, csrf string, form url.Values) *http.Response {
	t.Helper()
	var res *http.Response
	var err error
	if method == "GET" {
		res, err = c.Get(target)
	} else {
		values := url.Values{"_csrf": {csrf}}
		for k, v := range form {
			values[k] = v
		}
		res, err = c.PostForm(target, values)
	}
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// checkRole checks one answer of a role matrix: anonymous visitors are sent
// to the sign-in page, the roles in denied get 403, the others ok.
func checkRole(t *testing.T, role string, denied []string, method, path string, res *http.Response, ok int) {
	t.Helper()
	switch {
	case role == "":
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("anonymous %s %s: %d to %q, want a redirect to the login page", method, path, res.StatusCode, loc)
		}
	case slices.Contains(denied, role):
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s %s: %d, want 403", role, method, path, res.StatusCode)
		}
	default:
		if res.StatusCode != ok {
			t.Errorf("%s %s %s: %d, want %d", role, method, path, res.StatusCode, ok)
		}
		if loc := res.Header.Get("Location"); strings.HasPrefix(loc, "/login") {
			t.Errorf("%s %s %s: sent to the login page", role, method, path)
		}
	}
}
