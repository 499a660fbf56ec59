package outbox

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/logtest"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/waittest"
)

// testOutbox is a real database file with the demo forum, the mail worker
// and a real SMTP server on loopback.
type testOutbox struct {
	dir   string
	smtp  *mailtest.Server
	store *store.Store
	w     *Worker
	stop  func()
	// smtpURL replaces the server's own URL as FOYER_SMTP_URL (wrong
	// settings); logs holds what the worker logged.
	smtpURL string
	logs    logtest.Buffer
	// clock, when set, is the worker's clock across restarts.
	clock *testClock
}

// forum is the demo with the workshop limited to 40 seats and, when
// capacity is set, the event to that many places.
func forum(capacity *int) *programme.Event {
	e := programme.Demo(time.Now())
	e.Slug = "forum"
	e.Capacity = capacity
	e.Session("ws-maintenance").Capacity = intp(40)
	return e
}

func intp(n int) *int { return &n }

// startOutbox opens a fresh database with e and starts the worker, sending
// to a new SMTP server.
func startOutbox(t *testing.T, e *programme.Event) *testOutbox {
	t.Helper()
	to := &testOutbox{dir: t.TempDir(), smtp: mailtest.Start(t)}
	to.open(t)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := to.store.SaveEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return to
}

// open starts the store and the worker on to.dir; stop and open again is a
// restart of foyer.
func (to *testOutbox) open(t *testing.T) {
	t.Helper()
	url := to.smtpURL
	if url == "" {
		url = to.smtp.URL()
	}
	st, w, ctx, stop := newWorker(t, to.dir, url, &to.logs)
	if to.clock != nil {
		w.now = to.clock.Now
	}
	w.Start(ctx)
	to.store, to.w = st, w
	stopped := false
	to.stop = func() {
		if stopped {
			return
		}
		stopped = true
		stop()
	}
	t.Cleanup(to.stop)
}

// newWorker opens the store in dir and makes a mail worker that sends to
// smtpURL and logs to logs, not yet started: Start it with ctx. stop ends
// the worker and closes the store.
func newWorker(tb testing.TB, dir, smtpURL string, logs io.Writer) (st *store.Store, w *Worker, ctx context.Context, stop func()) {
	tb.Helper()
	env := map[string]string{"FOYER_DATA": dir, "FOYER_BASE_URL": "http://foyer.test", "FOYER_SMTP_URL": smtpURL}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err = store.Open(ctx, cfg.Data)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	w, err = New(st, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		cancel()
		st.Close()
		tb.Fatal(err)
	}
	return st, w, ctx, func() {
		cancel()
		w.Wait()
		st.Close()
	}
}

func (to *testOutbox) restart(t *testing.T) {
	t.Helper()
	to.stop()
	to.open(t)
}

// guest is the registration input of guest n, in lang.
func guest(n int, lang string) registration.Input {
	return registration.Input{
		FirstName: "Guest", LastName: "Number " + itoa(int64(n)), Email: "guest" + itoa(int64(n)) + "@example.org",
		Organisation: "Example GmbH", Country: "DE", Language: lang, Consent: true,
		Answers: map[string]any{"industry": "research"},
	}
}

// register validates in and registers it for the event, as the form and the
// API do, and returns the new registration.
func (to *testOutbox) register(t *testing.T, slug string, in registration.Input) *registration.Registration {
	t.Helper()
	ctx := context.Background()
	ev, err := to.store.GetEvent(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	clean, errs := registration.Validate(in, ev.Event, in.Language)
	if errs != nil {
		t.Fatalf("register %s: %v", in.Email, errs)
	}
	reg, existing, err := to.store.Register(ctx, ev, clean)
	if err != nil || existing {
		t.Fatalf("register %s: existing %v, %v", in.Email, existing, err)
	}
	return reg
}

func (to *testOutbox) event(t *testing.T, slug string) *store.Event {
	t.Helper()
	ev, err := to.store.GetEvent(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// waitUntil polls cond until it holds, failing the test after timeout.
var waitUntil = waittest.Until

// figures are the forum's live numbers, as organisers see them.
func (to *testOutbox) figures(t *testing.T) store.Figures {
	t.Helper()
	all, err := to.store.EventFigures(context.Background())
	if err != nil || len(all) != 1 {
		t.Fatalf("figures: %v, %v", all, err)
	}
	return all[0]
}
