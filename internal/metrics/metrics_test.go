package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

func newTest(t testing.TB) *Metrics {
	t.Helper()
	m := New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.Routes("/events/:slug", "/api/v1/events/:slug/registrations")
	return m
}

func TestRequests(t *testing.T) {
	m := newTest(t)
	m.Request("/events/:slug", "GET", 200, 3*time.Millisecond)
	m.Request("/events/:slug", "GET", 200, 30*time.Millisecond)
	m.Request("/events/:slug", "GET", 404, time.Millisecond)
	m.Request("/api/v1/events/:slug/registrations", "POST", 201, 5*time.Millisecond)
	// A pattern that was not declared, a raw path, an invented method: none
	// makes a label of its own.
	m.Request("", "GET", 404, time.Millisecond)
	m.Request("/m/secret-token", "GET", 404, time.Millisecond)
	m.Request("/events/:slug", "BREW", 405, time.Millisecond)

	for _, c := range []struct {
		route, method, status string
		want                  float64
	}{
		{"/events/:slug", "GET", "200", 2},
		{"/events/:slug", "GET", "404", 1},
		{"/api/v1/events/:slug/registrations", "POST", "201", 1},
		{Unmatched, "GET", "404", 2},
		{"/events/:slug", "other", "405", 1},
	} {
		if got := testutil.ToFloat64(m.requests.total.WithLabelValues(c.route, c.method, c.status)); got != c.want {
			t.Errorf("requests %s %s %s = %v, want %v", c.method, c.route, c.status, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.requests.total); n != 5 {
		t.Errorf("%d request series, want 5", n)
	}
	if n := testutil.CollectAndCount(m.requests.duration); n != 5 {
		t.Errorf("%d duration series, want 5", n)
	}
	out, err := testutil.CollectAndFormat(m.requests.duration, expfmt.TypeTextPlain, "foyer_http_request_duration_seconds")
	if err != nil {
		t.Fatal(err)
	}
	if want := `foyer_http_request_duration_seconds_bucket{method="GET",route="/events/:slug",status="200",le="0.005"} 1`; !strings.Contains(string(out), want) {
		t.Errorf("no %s in\n%s", want, out)
	}
}

func TestResults(t *testing.T) {
	m := newTest(t)
	m.Registration(RegistrationConfirmed)
	m.Registration(RegistrationConfirmed)
	m.Registration(RegistrationFull)
	m.CheckIn("ok")
	m.CheckIn("something_new")
	m.MailSend(MailPostponed)
	m.MailConnection()
	m.Batch(WritesRegistrations, 12, 2*time.Millisecond)
	m.WriteWait(WritesRegistrations, time.Millisecond)
	m.Batch("unknown", 1, time.Millisecond) // ignored, not a new label
	for _, c := range []struct {
		got  float64
		want float64
		what string
	}{
		{testutil.ToFloat64(m.registrations.known[RegistrationConfirmed]), 2, "confirmed"},
		{testutil.ToFloat64(m.registrations.known[RegistrationFull]), 1, "full"},
		{testutil.ToFloat64(m.registrations.known[RegistrationWaitlisted]), 0, "waitlisted"},
		{testutil.ToFloat64(m.checkIns.known["ok"]), 1, "check-in ok"},
		{testutil.ToFloat64(m.checkIns.vec.WithLabelValues("something_new")), 1, "check-in of a new result"},
		{testutil.ToFloat64(m.mailSends.known[MailPostponed]), 1, "postponed"},
		{testutil.ToFloat64(m.mailConns), 1, "mail connections"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	// Every known result is there from the start, at 0.
	if n := testutil.CollectAndCount(m.registrations.vec); n != 7 {
		t.Errorf("%d registration series, want 7", n)
	}
	if n := testutil.CollectAndCount(m.registry, "foyer_store_batch_size"); n != 2 {
		t.Errorf("%d batch size series, want 2 (registrations, checkins)", n)
	}
}

// TestNil: code that runs without metrics (tests, commands) counts into a
// nil *Metrics.
func TestNil(t *testing.T) {
	var m *Metrics
	m.Request("/", "GET", 200, time.Millisecond)
	m.Registration(RegistrationConfirmed)
	m.CheckIn("ok")
	m.MailSend(MailSent)
	m.MailConnection()
	m.Batch(WritesCheckIns, 1, time.Millisecond)
	m.WriteWait(WritesCheckIns, time.Millisecond)
	m.Routes("/")
	m.SetVersion("v1")
	m.ReadMail(nil)
}

// TestNoAllocations: counting on the hot paths allocates nothing once a
// route has seen its (method, status).
func TestNoAllocations(t *testing.T) {
	m := newTest(t)
	m.Request("/events/:slug", "GET", 200, time.Millisecond)
	for name, f := range map[string]func(){
		"request":      func() { m.Request("/events/:slug", "GET", 200, time.Millisecond) },
		"unmatched":    func() { m.Request("/no/such/route", "GET", 404, time.Millisecond) },
		"registration": func() { m.Registration(RegistrationConfirmed) },
		"check-in":     func() { m.CheckIn("already_checked_in") },
		"batch":        func() { m.Batch(WritesCheckIns, 3, time.Millisecond) },
		"wait":         func() { m.WriteWait(WritesRegistrations, time.Millisecond) },
	} {
		f()
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
}

// TestScrape serves the whole registry: the mail figures read at scrape
// time, the build info, the runtime; a mail read that fails leaves its
// figures out of that scrape without failing the rest.
func TestScrape(t *testing.T) {
	m := newTest(t)
	m.SetVersion("v9.8.7")
	fail := false
	m.ReadMail(func(context.Context) (Mail, error) {
		if fail {
			return Mail{}, errors.New("database is locked")
		}
		return Mail{Healthy: false, Waiting: 3, Failed: 1, OldestWaiting: 90 * time.Second}, nil
	})
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 {
			t.Fatalf("scrape: %d", rec.Code)
		}
		return rec.Body.String()
	}
	body := scrape()
	for _, want := range []string{
		"foyer_outbox_waiting 3\n", "foyer_outbox_failed 1\n", "foyer_outbox_oldest_waiting_seconds 90\n", "foyer_mail_healthy 0\n",
		`foyer_build_info{goversion="go`, `version="v9.8.7"} 1`,
		"go_goroutines ", "process_resident_memory_bytes ", `foyer_registrations_total{result="confirmed"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	fail = true
	body = scrape()
	if strings.Contains(body, "foyer_outbox_waiting") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("a failed mail read: want the rest without the outbox figures:\n%s", body)
	}
}

// BenchmarkRequest is the cost of counting one request in the metrics, as
// the HTTP middleware does, with as many goroutines as GOMAXPROCS.
func BenchmarkRequest(b *testing.B) {
	m := newTest(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Request("/api/v1/events/:slug/registrations", "POST", 201, 3*time.Millisecond)
		}
	})
}
